/**
 * The step walk every run shares (a plan's apply, a teardown's removal): each step starts once the steps it
 * depends on finished, independent steps at once; a step starts only when each of those finished with a
 * result (changed, unchanged, skipped), otherwise it is not run. One record per step, one Event stream,
 * one outcome rule. What a step does is the run's own business (`perform`).
 */
import {clusterOutcome, type Event, type FinalStepStatus, type RunOutcome, type StepResult} from '../core/events.js';
import type {Clock, ClusterClient, ClusterClientFactory} from '../core/ports.js';
import type {GatewayAddress} from '../core/rollout.js';
import {firstLine} from '../core/text.js';

type StepKind = Extract<Event, {type: 'step-start'}>['kind'];

/** How a step ended, as the outcome reports it. */
export interface StepRecord {
	status: FinalStepStatus;
	detail?: string;
	error?: string;
	hint?: string;
}

/** What a step that ran to its end did. */
export interface StepDone {
	result: StepResult;
	detail?: string;
}

/** The part of a step (apply's or a removal) the walk needs. */
export interface WalkStep {
	id: string;
	kind: StepKind;
	cluster: string;
	title: string;
	dependsOn: readonly string[];
}

/** The part of a plan (apply's or a teardown) the outcome needs: its clusters and their steps, in order. */
export interface WalkPlan<S extends WalkStep> {
	clusters: ReadonlyArray<{cluster: {name: string; context: string}; steps: readonly S[]}>;
	steps: readonly S[];
}

export interface WalkOptions<S extends WalkStep> {
	signal?: AbortSignal | undefined;
	onEvent: (event: Event) => void;
	clock: Clock;
	/** Do the step; resolves with its result, or throws (StepFailure, a layer's error, Cancelled). */
	perform: (step: S, started: number) => Promise<StepDone>;
}

/** A step that failed for a reason the user can act on. */
export class StepFailure extends Error {
	constructor(
		message: string,
		readonly hint?: string,
	) {
		super(message);
	}
}

/** The run was cancelled while the step waited. */
export class Cancelled extends Error {
	constructor() {
		super('cancelled');
	}
}

/** One line + hint from whatever a layer threw (KubeError, IstioctlError, plain Error). */
export function describeError(error: unknown): {message: string; hint?: string; cancelled: boolean} {
	if (error instanceof StepFailure) return {message: error.message, ...(error.hint ? {hint: error.hint} : {}), cancelled: false};
	if (error instanceof Cancelled) return {message: 'cancelled', cancelled: true};
	const e = error as {message?: unknown; hint?: unknown; info?: {message?: unknown; hint?: unknown; kind?: unknown; cancelled?: unknown}; name?: unknown};
	const info = e?.info;
	const message = firstLine(String(info?.message ?? e?.message ?? error));
	const hint = info?.hint ?? e?.hint;
	const cancelled = info?.cancelled === true || info?.kind === 'cancelled' || e?.name === 'AbortError';
	return {message, ...(typeof hint === 'string' && hint ? {hint} : {}), cancelled};
}

/** One ClusterClient per context for the length of a run (each run, apply or remove, keeps its own). */
export function clientCache(factory: ClusterClientFactory): (context: string) => ClusterClient {
	const clients = new Map<string, ClusterClient>();
	return context => {
		let c = clients.get(context);
		if (!c) {
			c = factory.client(context);
			clients.set(context, c);
		}
		return c;
	};
}

/** Hand an event to a front-end; a front-end's rendering problem must not break the run. */
export function safeEmit(onEvent: (event: Event) => void, event: Event): void {
	try {
		onEvent(event);
	} catch {
		// Swallowed on purpose: see above.
	}
}

/** The machine's clock: what a run uses unless it is handed another. */
export const systemClock: Clock = {
	now: () => Date.now(),
	after(ms, callback) {
		const timer = setTimeout(callback, ms);
		return () => clearTimeout(timer);
	},
	every(ms, callback) {
		const timer = setInterval(callback, ms);
		return () => clearInterval(timer);
	},
};

/** A step may start only when every step it depends on finished with a result. */
export function finished(record: StepRecord | undefined): boolean {
	return record?.status === 'changed' || record?.status === 'unchanged' || record?.status === 'skipped';
}

/** Walk the steps in dependency order (independent ones at once); resolves with every step's record once all ended. */
export async function walkSteps<S extends WalkStep>(steps: readonly S[], options: WalkOptions<S>): Promise<Map<string, StepRecord>> {
	const records = new Map<string, StepRecord>();
	const ended = new Map<string, Promise<void>>();
	for (const step of steps) {
		const deps = step.dependsOn.map(d => ended.get(d)!);
		ended.set(
			step.id,
			Promise.all(deps).then(() => runStep(step, records, options)),
		);
	}
	await Promise.all(ended.values());
	return records;
}

async function runStep<S extends WalkStep>(step: S, records: Map<string, StepRecord>, options: WalkOptions<S>): Promise<void> {
	const {signal, clock} = options;
	const emit = (event: Event) => safeEmit(options.onEvent, event);
	if (signal?.aborted) {
		records.set(step.id, {status: 'not-run', detail: 'interrupted before it started'});
		return;
	}
	const blocked = step.dependsOn.find(d => !finished(records.get(d)));
	if (blocked) {
		records.set(step.id, {status: 'not-run', detail: `${blocked} did not succeed`});
		return;
	}
	const started = clock.now();
	const base = {stepId: step.id, cluster: step.cluster};
	emit({type: 'step-start', ...base, kind: step.kind, title: step.title, at: started});
	try {
		const {result, detail} = await options.perform(step, started);
		records.set(step.id, {status: result, ...(detail ? {detail} : {})});
		emit({type: 'step-done', ...base, kind: step.kind, result, ...(detail ? {detail} : {}), elapsedMs: clock.now() - started});
	} catch (error) {
		const d = describeError(error);
		if (d.cancelled || signal?.aborted) {
			records.set(step.id, {status: 'cancelled', error: 'interrupted'});
			emit({
				type: 'step-failed',
				...base,
				kind: step.kind,
				error: 'interrupted',
				hint: 'the run was cancelled; run it again to finish',
				elapsedMs: clock.now() - started,
			});
			return;
		}
		records.set(step.id, {status: 'failed', error: d.message, ...(d.hint ? {hint: d.hint} : {})});
		emit({type: 'step-failed', ...base, kind: step.kind, error: d.message, ...(d.hint ? {hint: d.hint} : {}), elapsedMs: clock.now() - started});
	}
}

/**
 * The outcome of a walk: every cluster's steps with their records (not-run when never reached) and the
 * cluster's outcome (core/events.ts clusterOutcome); ok when every cluster succeeded and nobody cancelled.
 */
export function walkOutcome<S extends WalkStep>(
	plan: WalkPlan<S>,
	records: ReadonlyMap<string, StepRecord>,
	signal: AbortSignal | undefined,
	addressOf: (cluster: string) => GatewayAddress | undefined = () => undefined,
): RunOutcome {
	const cancelled = signal?.aborted === true;
	const clusters = plan.clusters.map(cp => {
		const steps = cp.steps.map(s => {
			const r = records.get(s.id) ?? {status: 'not-run' as const};
			return {
				id: s.id,
				kind: s.kind,
				status: r.status,
				...(r.detail ? {detail: r.detail} : {}),
				...(r.error ? {error: r.error} : {}),
				...(r.hint ? {hint: r.hint} : {}),
			};
		});
		const address = addressOf(cp.cluster.name);
		return {
			cluster: cp.cluster.name,
			context: cp.cluster.context,
			outcome: clusterOutcome(
				steps.map(s => s.status),
				cancelled,
			),
			...(address ? {address} : {}),
			steps,
		};
	});
	return {ok: !cancelled && clusters.every(c => c.outcome === 'succeeded'), cancelled, clusters};
}

/** Announce the outcome (`run-done`, the last event of every run) and hand it back. */
export function announce<O extends RunOutcome>(onEvent: (event: Event) => void, outcome: O): O {
	safeEmit(onEvent, {type: 'run-done', outcome});
	return outcome;
}
