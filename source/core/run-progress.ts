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

function updateStep(view: RunView, cluster: string, stepId: string, f: (s: StepView) => StepView): RunView {
	return {
		...view,
		clusters: view.clusters.map(c => (c.name === cluster ? {...c, steps: c.steps.map(s => (s.id === stepId ? f(s) : s))} : c)),
	};
}

/** Fold one event into the view. `now` is the caller's clock, used to time live steps. */
export function applyRunEvent(view: RunView, event: Event, now: number): RunView {
	switch (event.type) {
		case 'step-start':
			return updateStep(view, event.cluster, event.stepId, s => ({...s, status: 'running', startedAt: now, title: event.title || s.title}));
		case 'line':
			return updateStep(view, event.cluster, event.stepId, s => ({...s, lastLine: event.text}));
		case 'waiting':
			return updateStep(view, event.cluster, event.stepId, s => ({...s, waiting: event.reason, startedAt: s.startedAt ?? now - event.elapsedMs}));
		case 'step-done':
			return updateStep(view, event.cluster, event.stepId, s => ({...s, status: event.result, detail: event.detail, elapsedMs: event.elapsedMs, waiting: undefined}));
		case 'step-failed':
			return updateStep(view, event.cluster, event.stepId, s => ({...s, status: 'failed', error: event.error, hint: event.hint, elapsedMs: event.elapsedMs, waiting: undefined}));
		case 'address':
			return {...view, clusters: view.clusters.map(c => (c.name === event.cluster ? {...c, address: event.address} : c))};
		case 'run-done':
			return withOutcome(view, event.outcome);
	}
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
