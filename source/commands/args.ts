import {parseArgs, type ParseArgsConfig} from 'node:util';
import {UsageError} from '../core/exit-codes.js';
import {firstLine} from '../core/text.js';
import {colorEnabled} from '../core/color.js';
import {parseDuration} from '../core/events.js';
import {parallelProblem} from '../core/slots.js';
import {GLOBAL_FLAGS, WIZARD, type FlagSpec, type FlagValue, type Flags} from './spec.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs is told of one flag of the spec: a value is a string (repeatable: a list), no value a boolean. */
type ParserOption<F extends FlagSpec> = F extends {readonly value: FlagValue}
	? F extends {readonly multiple: true}
		? {type: 'string'; multiple: true; short?: string}
		: {type: 'string'; short?: string}
	: {type: 'boolean'; short?: string};

export type ParserOptions<Fs extends Flags> = {-readonly [K in keyof Fs]: ParserOption<Fs[K]>};

/** The parseArgs options of a command's flags in the spec (spec.ts): the one way a parser is made. */
export function parserOptions<Fs extends Flags>(flags: Fs): ParserOptions<Fs> {
	const options: OptionSpec = {};
	for (const [name, flag] of Object.entries(flags)) {
		options[name] = {
			type: flag.value === undefined ? 'boolean' : 'string',
			...(flag.short ? {short: flag.short} : {}),
			...(flag.multiple ? {multiple: true} : {}),
		};
	}
	return options as ParserOptions<Fs>;
}

/** Flags every command accepts. */
export const GLOBAL_OPTIONS = parserOptions(GLOBAL_FLAGS);

/** The flags of `eastwest` with no command (the wizard), besides the global ones. */
export const WIZARD_OPTIONS = parserOptions(WIZARD.flags);

export interface GlobalFlags {
	kubeconfig?: string;
	istioctl?: string;
	noColor: boolean;
	verbose: boolean;
}

/** Every flag a command's parser accepts: the global ones and its own. */
export function acceptedOptions<T extends OptionSpec>(options: T): typeof GLOBAL_OPTIONS & T {
	return {...GLOBAL_OPTIONS, ...options};
}

/**
 * parseArgs with one-line, actionable errors. A value can follow its flag in any of the forms kubectl
 * users type: `-o json`, `-ojson`, `-o=json`, `--output json`, `--output=json`.
 */
export function parseFlags<T extends OptionSpec>(command: string, args: string[], options: T, allowPositionals = false) {
	const all = acceptedOptions(options);
	try {
		return parseArgs({args: normalizeShortValues(command, args, all), options: all, allowPositionals, strict: true});
	} catch (error) {
		if (error instanceof UsageError) throw error;
		throw new UsageError(describeParseError(command, error as NodeJS.ErrnoException));
	}
}

/**
 * parseArgs reads `-o=json` as the value "=json"; rewrite it (and `-wo=json`, a group ending in a flag that
 * takes a value) to the `-ojson` form it reads as "json". A short boolean flag followed by `=` is bad input.
 * Nothing after the `--` terminator is touched.
 */
export function normalizeShortValues(command: string, args: readonly string[], options: OptionSpec): string[] {
	const byShort = new Map(Object.entries(options).flatMap(([name, spec]) => (spec.short ? [[spec.short, {name, type: spec.type}] as const] : [])));
	const out: string[] = [];
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (arg === '--') {
			out.push(...args.slice(i));
			break;
		}
		out.push(arg.length > 2 && arg[0] === '-' && arg[1] !== '-' ? normalizeShortGroup(command, arg, byShort) : arg);
	}
	return out;
}

function normalizeShortGroup(command: string, arg: string, byShort: ReadonlyMap<string, {name: string; type: string}>): string {
	for (let i = 1; i < arg.length; i++) {
		const option = byShort.get(arg[i]!);
		if (!option) return arg; // unknown: parseArgs reports it
		if (option.type === 'string') return arg[i + 1] === '=' ? arg.slice(0, i + 1) + arg.slice(i + 2) : arg;
		if (arg[i + 1] === '=') {
			const where = command ? `eastwest ${command}` : 'eastwest';
			throw new UsageError(`flag -${arg[i]} (--${option.name}) takes no value; run '${where} --help'`);
		}
	}
	return arg;
}

function describeParseError(command: string, error: NodeJS.ErrnoException): string {
	const where = command ? `eastwest ${command}` : 'eastwest';
	const flag = /'(-[-\w]+)/.exec(error.message)?.[1];
	switch (error.code) {
		case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
			return `unknown flag ${flag ?? ''} for ${where}; run '${where} --help' for the flags it takes`;
		case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
			if (/argument missing/.test(error.message)) return `flag ${flag ?? ''} needs a value; run '${where} --help'`;
			if (/argument is ambiguous/.test(error.message))
				return `flag ${flag ?? ''} needs a value; to give one that starts with '-', write ${flag ?? '--flag'}=VALUE`;
			return `flag ${flag ?? ''} takes no value; run '${where} --help'`;
		case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
			return `unexpected argument ${flag ?? ''}; run '${where} --help'`;
		default:
			return `${firstLine(error)}; run '${where} --help'`;
	}
}

export function globalFlags(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): GlobalFlags {
	return {
		kubeconfig: values.kubeconfig as string | undefined,
		istioctl: values.istioctl as string | undefined,
		noColor: !colorEnabled(env, Boolean(values['no-color'])),
		verbose: Boolean(values.verbose),
	};
}

export function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[], fallback: T): T {
	if (value === undefined) return fallback;
	if ((choices as readonly string[]).includes(value)) return value as T;
	throw new UsageError(`--${flag} "${value}" is not one of ${choices.join(', ')}`);
}

/** The value of a flag with fixed choices, checked against the choices its spec gives; its spec's default when absent. */
export function choiceOf<const C extends readonly string[]>(
	name: string,
	flag: {readonly value: C; readonly default: C[number]},
	value: string | undefined,
): C[number] {
	return oneOf(name, value, flag.value, flag.default);
}

/**
 * A positive `--timeout` duration in ms (the default when absent), or the one-line problem with it.
 * `examples` shows the forms that suit the command ("30s, 2m or 1m30s").
 */
export function readTimeout(
	value: string | undefined,
	defaultMs: number,
	examples: string,
): {ms: number; problem?: undefined} | {ms?: undefined; problem: string} {
	if (value === undefined) return {ms: defaultMs};
	const ms = parseDuration(value);
	return ms === undefined || ms <= 0 ? {problem: `--timeout "${value}" is not a duration; use e.g. ${examples}`} : {ms};
}

/** readTimeout for a command that stops at the first problem. */
export function timeoutFlag(value: string | undefined, defaultMs: number, examples: string): number {
	const t = readTimeout(value, defaultMs, examples);
	if (t.problem !== undefined) throw new UsageError(t.problem);
	return t.ms;
}

/** `--parallel N`: how many istioctl processes may run at once (undefined when absent), or the one-line problem with it. */
export function readParallel(value: string | undefined): {value?: number; problem?: undefined} | {value?: undefined; problem: string} {
	if (value === undefined) return {};
	const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
	const problem = parallelProblem(n);
	return problem ? {problem: `--parallel "${value}" ${problem} (istioctl processes at once), e.g. --parallel 4`} : {value: n};
}
