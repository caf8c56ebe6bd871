import {parseArgs, type ParseArgsConfig} from 'node:util';
import {UsageError} from '../core/exit-codes.js';
import {firstLine} from '../core/text.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
export const GLOBAL_OPTIONS = {
	kubeconfig: {type: 'string'},
	istioctl: {type: 'string'},
	'no-color': {type: 'boolean'},
	help: {type: 'boolean', short: 'h'},
	version: {type: 'boolean'},
	verbose: {type: 'boolean', short: 'v'},
} as const satisfies OptionSpec;

export interface GlobalFlags {
	kubeconfig?: string;
	istioctl?: string;
	noColor: boolean;
	verbose: boolean;
}

/** parseArgs with one-line, actionable errors. */
export function parseFlags<T extends OptionSpec>(command: string, args: string[], options: T, allowPositionals = false) {
	try {
		return parseArgs({args, options: {...GLOBAL_OPTIONS, ...options}, allowPositionals, strict: true});
	} catch (error) {
		throw new UsageError(describeParseError(command, error as NodeJS.ErrnoException));
	}
}

function describeParseError(command: string, error: NodeJS.ErrnoException): string {
	const where = command ? `eastwest ${command}` : 'eastwest';
	const flag = /'(-[-\w]+)/.exec(error.message)?.[1];
	switch (error.code) {
		case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
			return `unknown flag ${flag ?? ''} for ${where}; run '${where} --help' for the flags it takes`;
		case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
			return /argument missing/.test(error.message)
				? `flag ${flag ?? ''} needs a value; run '${where} --help'`
				: `flag ${flag ?? ''} takes no value; run '${where} --help'`;
		case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
			return `unexpected argument ${flag ?? ''}; run '${where} --help'`;
		default:
			return `${firstLine(error)}; run '${where} --help'`;
	}
}

export function globalFlags(values: Record<string, unknown>): GlobalFlags {
	return {
		kubeconfig: values.kubeconfig as string | undefined,
		istioctl: values.istioctl as string | undefined,
		noColor: Boolean(values['no-color']) || 'NO_COLOR' in process.env,
		verbose: Boolean(values.verbose),
	};
}

export function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[], fallback: T): T {
	if (value === undefined) return fallback;
	if ((choices as readonly string[]).includes(value)) return value as T;
	throw new UsageError(`--${flag} "${value}" is not one of ${choices.join(', ')}`);
}
