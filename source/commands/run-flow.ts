/**
 * What `apply` and `remove` do alike around their run: reading the flags both take (the plan or --profile,
 * -o, --timeout, --dry-run, --yes, --kubeconfig), asking before anything changes, and ending the run
 * (the profile's record, the JSON document, the exit code).
 */
import type {CommandContext} from '../core/command-context.js';
import type {RunOutcome} from '../core/events.js';
import {EXIT, UsageError, WorkError} from '../core/exit-codes.js';
import type {MeshPlanInput} from '../core/model.js';
import {firstLine} from '../core/text.js';
import {choiceOf, globalFlags, readTimeout} from './args.js';
import {readPlanOrProfile, type PlanFlagValues} from './plan-flags.js';
import type {OUTPUT_FORMATS} from './spec.js';

/** The values of the flags every run command takes, as its parser reads them. */
export interface RunFlagValues extends PlanFlagValues {
	profile?: string;
	output?: string;
	timeout?: string;
	'dry-run'?: boolean;
	yes?: boolean;
	kubeconfig?: string;
}

/** The flags every run command takes, read. */
export interface RunFlags {
	/** From the plan flags; absent when --profile names the plan. */
	input?: MeshPlanInput;
	profile?: string;
	dryRun: boolean;
	yes: boolean;
	timeoutMs: number;
	output: 'text' | 'json';
	kubeconfig?: string;
}

/**
 * The run flags and every problem with them (the command adds its own and throws them together).
 * A bad -o is refused at once; `timeoutExamples` shows the --timeout forms that suit the command.
 */
export function readRunFlags(
	values: RunFlagValues,
	outputFlag: {readonly value: typeof OUTPUT_FORMATS; readonly default: 'text'},
	defaultTimeoutMs: number,
	timeoutExamples: string,
): {flags: RunFlags; problems: string[]} {
	const output = choiceOf('output', outputFlag, values.output);
	const read = readPlanOrProfile(values);
	const problems = [...read.problems];
	const timeout = readTimeout(values.timeout, defaultTimeoutMs, timeoutExamples);
	if (timeout.problem !== undefined) problems.push(timeout.problem);
	const g = globalFlags(values as Record<string, unknown>);
	return {
		flags: {
			...(read.input ? {input: read.input} : {}),
			...(values.profile !== undefined ? {profile: values.profile} : {}),
			dryRun: Boolean(values['dry-run']),
			yes: Boolean(values.yes),
			timeoutMs: timeout.ms ?? defaultTimeoutMs,
			output,
			...(g.kubeconfig ? {kubeconfig: g.kubeconfig} : {}),
		},
		problems,
	};
}

/** Every problem of the command line in one UsageError, one line each; nothing when there is none. */
export function throwProblems(problems: readonly string[]): void {
	if (problems.length > 0) throw new UsageError(problems.join('\neastwest: '));
}

/**
 * Whether the run must ask before it changes anything (neither --yes nor --dry-run). A run nobody can
 * confirm is refused at once, with `refusal`, before any cluster is read.
 */
export function mustConfirm(flags: Pick<RunFlags, 'yes' | 'dryRun'>, interactive: () => boolean, refusal: string): boolean {
	const mustAsk = !flags.yes && !flags.dryRun;
	if (mustAsk && !interactive()) throw new UsageError(refusal);
	return mustAsk;
}

/**
 * Tell what will change (on stderr) and ask once. Undefined when the answer is yes; else the exit code
 * (interrupted, or failed with `declined` said).
 */
export async function askToProceed(
	ctx: CommandContext,
	confirm: (question: string, signal: AbortSignal) => Promise<boolean>,
	ask: {changes: string; question: string; declined: string},
): Promise<number | undefined> {
	ctx.stderr.write(ask.changes);
	const ok = await confirm(ask.question, ctx.signal);
	if (ctx.signal.aborted) return EXIT.interrupted;
	if (!ok) {
		ctx.stderr.write(`eastwest: ${ask.declined}\n`);
		return EXIT.failed;
	}
	return undefined;
}

/** The engine's run; a throw (not an outcome) is a WorkError saying the run stopped. */
export async function runEngine<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		throw new WorkError(`the run stopped unexpectedly: ${firstLine(error)}`);
	}
}

/**
 * The end of a run: the outcome recorded on the profile (a failure to record is a warning), the JSON
 * document with -o json, and the exit code (interrupted, ok or failed).
 */
export async function finishRun(
	ctx: CommandContext,
	flags: Pick<RunFlags, 'profile' | 'dryRun' | 'output'>,
	outcome: RunOutcome,
	record: (name: string, result: 'succeeded' | 'failed' | 'cancelled', dryRun: boolean) => Promise<string | undefined>,
	json: () => unknown,
): Promise<number> {
	if (flags.profile !== undefined) {
		const warning = await record(flags.profile, outcome.cancelled ? 'cancelled' : outcome.ok ? 'succeeded' : 'failed', flags.dryRun);
		if (warning) ctx.stderr.write(`eastwest: warning: ${warning}\n`);
	}
	if (flags.output === 'json') ctx.stdout.write(`${JSON.stringify(json(), null, 2)}\n`);
	if (outcome.cancelled) return EXIT.interrupted;
	return outcome.ok ? EXIT.ok : EXIT.failed;
}
