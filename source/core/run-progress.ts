/**
 * A run's progress as the run screen shows it, folded from the engine's Event stream. Pure.
 */
import type {ClusterOutcome, Event, RunOutcome, StepStatus} from './events.js';
import type {Plan, StepKind as ApplyStepKind} from './plan.js';
import type {TeardownKind, TeardownPlan} from './teardown.js';

type StepKind = ApplyStepKind | TeardownKind;
import type {GatewayAddress} from './rollout.js';

export type {StepStatus};

export interface StepView {
	id: string;
	kind: StepKind;
	title: string;
	status: StepStatus;
	/** When the step started, in the caller's clock (ms). */
	startedAt?: number;
	elapsedMs?: number;
	/** Latest reason the step is still waiting. */
	waiting?: string;
	/** Latest output line (istioctl). */
	lastLine?: string;
	detail?: string;
	error?: string;
	hint?: string;
}

export interface ClusterView {
	name: string;
	context: string;
	steps: StepView[];
	notes: string[];
	address?: GatewayAddress;
	outcome?: ClusterOutcome;
}

export interface RunView {
	clusters: ClusterView[];
	outcome?: RunOutcome;
	/** Why the run could not start or broke off as a whole (e.g. istioctl not found). */
	error?: string;
}

export function initialRunView(plan: Plan | TeardownPlan): RunView {
	return {
		clusters: plan.clusters.map(c => ({
			name: c.cluster.name,
			context: c.cluster.context,
			notes: c.notes,
			steps: c.steps.map(s => ({id: s.id, kind: s.kind, title: s.title, status: 'pending'})),
		})),
	};
}

/** Fold one event into the view. `now` is the caller's clock, used to time live steps. */
export function applyRunEvent(view: RunView, event: Event, now: number): RunView {
	return applyRunEvents(view, [{event, now}]);
}

/**
 * Fold a batch of events into the view at once: the cluster list and each touched cluster are copied
 * once per batch, so a batch costs the number of clusters plus its events, never their product.
 */
export function applyRunEvents(view: RunView, batch: ReadonlyArray<{event: Event; now: number}>): RunView {
	if (batch.length === 0) return view;
	let next: RunView = view;
	let clusters: ClusterView[] | undefined;
	const at = new Map(view.clusters.map((c, i) => [c.name, i]));
	const copied = new Set<number>();
	const cluster = (name: string): ClusterView | undefined => {
		const i = at.get(name);
		if (i === undefined) return undefined;
		clusters ??= [...next.clusters];
		if (!copied.has(i)) {
			clusters[i] = {...clusters[i]!, steps: [...clusters[i]!.steps]};
			copied.add(i);
		}
		return clusters[i];
	};
	const step = (name: string, stepId: string, f: (s: StepView) => StepView) => {
		const c = cluster(name);
		const j = c ? c.steps.findIndex(s => s.id === stepId) : -1;
		if (c && j >= 0) c.steps[j] = f(c.steps[j]!);
	};
	for (const {event, now} of batch) {
		switch (event.type) {
			case 'step-start':
				step(event.cluster, event.stepId, s => ({...s, status: 'running', startedAt: now, title: event.title || s.title}));
				break;
			case 'line':
				step(event.cluster, event.stepId, s => ({...s, lastLine: event.text}));
				break;
			case 'waiting':
				step(event.cluster, event.stepId, s => ({...s, waiting: event.reason, startedAt: s.startedAt ?? now - event.elapsedMs}));
				break;
			case 'step-done':
				step(event.cluster, event.stepId, s => ({...s, status: event.result, detail: event.detail, elapsedMs: event.elapsedMs, waiting: undefined}));
				break;
			case 'step-failed':
				step(event.cluster, event.stepId, s => ({
					...s,
					status: 'failed',
					error: event.error,
					hint: event.hint,
					elapsedMs: event.elapsedMs,
					waiting: undefined,
				}));
				break;
			case 'address': {
				const c = cluster(event.cluster);
				if (c) c.address = event.address;
				break;
			}
			case 'run-done':
				next = withOutcome(clusters ? {...next, clusters} : next, event.outcome);
				clusters = undefined;
				copied.clear();
				break;
		}
	}
	return clusters ? {...next, clusters} : next;
}

/** Record the final outcome; steps the engine never finished keep their last status. */
export function withOutcome(view: RunView, outcome: RunOutcome, error?: string): RunView {
	return {
		outcome,
		...(error ? {error} : {}),
		clusters: view.clusters.map(c => {
			const o = outcome.clusters.find(x => x.cluster === c.name);
			return o ? {...c, outcome: o.outcome, address: c.address ?? o.address} : c;
		}),
	};
}

/** The process exit code a finished run stands for (0 ok, 1 failed, 130 interrupted). */
export function runExitCode(outcome: RunOutcome | undefined): number {
	if (!outcome) return 1;
	if (outcome.cancelled) return 130;
	return outcome.ok ? 0 : 1;
}

/** An outcome for a run that ended without one (the engine threw): every cluster failed with that error. */
export function failedOutcome(plan: Plan | TeardownPlan, error: string, cancelled: boolean): RunOutcome {
	return {
		ok: false,
		cancelled,
		clusters: plan.clusters.map(c => ({
			cluster: c.cluster.name,
			context: c.cluster.context,
			outcome: cancelled ? 'cancelled' : 'failed',
			steps: c.steps.map(s => ({id: s.id, kind: s.kind, status: 'not-run', error})),
		})),
	};
}

/** Where a cluster stands, for the one-line-per-cluster view of a large run. */
export type ClusterState = 'failed' | 'running' | 'cancelled' | 'pending' | 'done';

export interface ClusterSummary {
	state: ClusterState;
	done: number;
	total: number;
	/** The step to name: the running one, else the failed one, else the next pending one. */
	current?: StepView;
}

const FINISHED_STEP = new Set<StepStatus>(['changed', 'unchanged', 'skipped']);

export function summarizeCluster(c: ClusterView): ClusterSummary {
	const done = c.steps.filter(s => FINISHED_STEP.has(s.status)).length;
	const running = c.steps.find(s => s.status === 'running');
	const failed = c.steps.find(s => s.status === 'failed');
	const current = running ?? failed ?? c.steps.find(s => s.status === 'pending');
	const base = {done, total: c.steps.length, ...(current ? {current} : {})};
	if (c.outcome) {
		const state: ClusterState = c.outcome === 'succeeded' ? 'done' : c.outcome === 'not-started' ? 'pending' : c.outcome;
		return {state, ...base};
	}
	if (failed) return {state: 'failed', ...base};
	if (done === c.steps.length) return {state: 'done', ...base};
	if (running || done > 0) return {state: 'running', ...base};
	return {state: 'pending', ...base};
}

const PRIORITY: ClusterState[] = ['failed', 'running', 'cancelled', 'pending', 'done'];

/**
 * The clusters one line each can show in `rows` rows: all of them when they fit; else those that need
 * attention first (failed, running, cancelled, pending, then done), kept in plan order, with one row
 * left for a count of the rest by state. Linear in clusters.
 */
export function clustersInRows(clusters: readonly ClusterView[], rows: number): {shown: ClusterView[]; hidden: Partial<Record<ClusterState, number>>} {
	if (clusters.length <= rows) return {shown: [...clusters], hidden: {}};
	const room = Math.max(0, rows - 1);
	const states = clusters.map(c => summarizeCluster(c).state);
	const byState = new Map<ClusterState, number[]>(PRIORITY.map(p => [p, []]));
	states.forEach((s, i) => byState.get(s)!.push(i));
	const keep = new Set<number>();
	const hidden: Partial<Record<ClusterState, number>> = {};
	for (const p of PRIORITY) {
		for (const i of byState.get(p)!) {
			if (keep.size < room) keep.add(i);
			else hidden[p] = (hidden[p] ?? 0) + 1;
		}
	}
	return {shown: clusters.filter((_, i) => keep.has(i)), hidden};
}
