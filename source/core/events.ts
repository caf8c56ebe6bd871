import type {StepKind as ApplyStepKind} from './plan.js';
import type {TeardownKind} from './teardown.js';

/** The kind of a step of a run: an apply step, or a teardown's removal. */
type StepKind = ApplyStepKind | TeardownKind;
import type {GatewayAddress} from './rollout.js';

/** What a step that ran to its end did. */
export type StepResult = 'changed' | 'unchanged' | 'skipped';

/**
 * Every state a step can be in, one type for the engine, the run view and the outcome: live
 * (pending, running), finished (a StepResult, or failed), or never finished (cancelled, not-run).
 */
export type StepStatus = 'pending' | 'running' | StepResult | 'failed' | 'cancelled' | 'not-run';

/** The statuses a finished run reports its steps in (RunOutcome). */
export type FinalStepStatus = Exclude<StepStatus, 'pending' | 'running'>;

/** One Event stream feeds every front-end (wizard run screen, headless text, JSON). */
export type Event =
	| {type: 'step-start'; stepId: string; cluster: string; kind: StepKind; title: string; at: number}
	| {type: 'line'; stepId: string; cluster: string; text: string; stream?: 'stdout' | 'stderr'}
	| {type: 'waiting'; stepId: string; cluster: string; elapsedMs: number; reason: string}
	| {type: 'step-done'; stepId: string; cluster: string; kind: StepKind; result: StepResult; detail?: string; elapsedMs: number}
	| {type: 'step-failed'; stepId: string; cluster: string; kind: StepKind; error: string; hint?: string; elapsedMs: number}
	| {type: 'address'; cluster: string; address: GatewayAddress}
	| {type: 'run-done'; outcome: RunOutcome};

export type ClusterOutcome = 'succeeded' | 'failed' | 'cancelled' | 'not-started';

export interface RunOutcome {
	ok: boolean;
	cancelled: boolean;
	clusters: Array<{
		cluster: string;
		context: string;
		outcome: ClusterOutcome;
		address?: GatewayAddress;
		steps: Array<{id: string; kind: StepKind; status: FinalStepStatus; detail?: string; error?: string; hint?: string}>;
	}>;
}

/**
 * How a cluster's run ended, from its steps' final statuses: any failure fails it; else a cancelled step
 * cancels it; no step started: not started (cancelled when the run was); a step left not run: failed
 * (cancelled when the run was); else succeeded. One rule for apply's and remove's outcomes.
 */
export function clusterOutcome(statuses: readonly FinalStepStatus[], runCancelled: boolean): ClusterOutcome {
	const has = (st: FinalStepStatus) => statuses.includes(st);
	if (has('failed')) return 'failed';
	if (has('cancelled')) return 'cancelled';
	if (statuses.length > 0 && statuses.every(st => st === 'not-run')) return runCancelled ? 'cancelled' : 'not-started';
	if (has('not-run')) return runCancelled ? 'cancelled' : 'failed';
	return 'succeeded';
}

/** "1m05s" / "42s" / "0.8s": compact elapsed time for progress lines. */
export function formatElapsed(ms: number): string {
	if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
	const total = Math.floor(ms / 1000);
	const m = Math.floor(total / 60);
	const s = total % 60;
	return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** Parse a duration flag: "300", "300s", "5m", "1m30s", "1h". Returns milliseconds, or undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
	const t = text.trim();
	if (/^\d+$/.test(t)) return Number(t) * 1000;
	const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
	let total = 0;
	let consumed = 0;
	for (const m of t.matchAll(re)) {
		if (m.index !== consumed) return undefined;
		consumed += m[0].length;
		const n = Number(m[1]);
		total += n * {ms: 1, s: 1000, m: 60_000, h: 3_600_000}[m[2] as 'ms' | 's' | 'm' | 'h'];
	}
	if (consumed !== t.length || consumed === 0) return undefined;
	return total;
}
