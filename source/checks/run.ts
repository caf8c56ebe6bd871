/**
 * One runner for a phase of checks, shared by the wizard's Checks/Done screens and `eastwest check`:
 * every cluster's facts read in parallel, each under one deadline, then the catalogue.
 * A cluster that does not answer in time is judged unreachable with a reason that says so; it never hangs the run.
 */
import {CHECKS, runChecks, type CheckPhase, type CheckResult, type ClusterFacts, type Voice} from '../core/checks/index.js';
import {formatElapsed} from '../core/events.js';
import type {ClusterSpec, MeshPlanInput} from '../core/model.js';
import {firstLine} from '../core/text.js';

/** How long one cluster's reads may take, in the wizard and headless alike. */
export const DEFAULT_CHECKS_TIMEOUT_MS = 30_000;

export type PhaseChoice = CheckPhase | 'all';

/** What a read returns: the facts, and the reads that failed (one line each). */
export type ReadResult = ClusterFacts & {errors?: string[]};

export interface CheckRunOptions {
	plan: MeshPlanInput;
	phase: PhaseChoice;
	/** Reads one cluster's facts; must stop reading when the signal aborts. */
	read: (cluster: ClusterSpec, signal: AbortSignal) => Promise<ReadResult>;
	deadlineMs: number;
	signal?: AbortSignal;
	onClusterDone?: (cluster: ClusterSpec, facts: ReadResult) => void;
	/** Whose voice the hints speak in: the command line's (the default) or the wizard's. */
	voice?: Voice;
}

export interface CheckRunResult {
	facts: Record<string, ReadResult>;
	results: CheckResult[];
	/** True when the caller's signal aborted the run (results are then partial and should not be shown as a verdict). */
	aborted: boolean;
}

/** Read one cluster under the deadline; never rejects. */
export async function readWithDeadline(cluster: ClusterSpec, read: CheckRunOptions['read'], deadlineMs: number, outer?: AbortSignal): Promise<ReadResult> {
	const controller = new AbortController();
	// The caller's abort stops the read and settles at once, whatever the read does with its signal.
	let settle: (facts: ReadResult) => void = () => {};
	const cancelled = new Promise<ReadResult>(resolve => (settle = resolve));
	const stop = () => {
		controller.abort();
		settle({context: cluster.context, reachable: false, error: 'cancelled', errors: []});
	};
	if (outer?.aborted) stop();
	outer?.addEventListener('abort', stop, {once: true});
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<ReadResult>(resolve => {
		timer = setTimeout(() => {
			resolve({
				context: cluster.context,
				reachable: false,
				error: `no answer from the API server of ${cluster.context} within ${formatElapsed(deadlineMs)} while reading the cluster's facts`,
				errors: [],
			});
			controller.abort();
		}, deadlineMs);
	});
	try {
		return await Promise.race([read(cluster, controller.signal), late, cancelled]);
	} catch (error) {
		return {context: cluster.context, reachable: false, error: firstLine(error), errors: []};
	} finally {
		clearTimeout(timer);
		outer?.removeEventListener('abort', stop);
	}
}

/** Results of one phase, or of both without repeating a check that belongs to both. */
export function runPhases(plan: MeshPlanInput, facts: Record<string, ClusterFacts>, phase: PhaseChoice, voice: Voice = 'cli'): CheckResult[] {
	if (phase !== 'all') return runChecks(plan, facts, phase, voice);
	const seen = new Set<string>();
	const merged: CheckResult[] = [];
	for (const p of ['preflight', 'post-install'] as CheckPhase[]) {
		for (const r of runChecks(plan, facts, p, voice)) {
			const key = `${r.id}@${r.cluster ?? ''}`;
			if (!seen.has(key)) {
				seen.add(key);
				merged.push(r);
			}
		}
	}
	// Keep the cluster grouping: clusters in plan order, then the mesh.
	const order = new Map(plan.clusters.map((c, i) => [c.name, i]));
	const catalogue = new Map(CHECKS.map((c, i) => [c.id, i]));
	return merged.sort(
		(a, b) => (order.get(a.cluster ?? '') ?? 1e6) - (order.get(b.cluster ?? '') ?? 1e6) || (catalogue.get(a.id) ?? 0) - (catalogue.get(b.id) ?? 0),
	);
}

/** Run a phase of checks over the plan: reads in parallel, one deadline per cluster, then the catalogue. */
export async function runCheckPhase(options: CheckRunOptions): Promise<CheckRunResult> {
	const {plan, phase, read, deadlineMs, signal} = options;
	const facts: Record<string, ReadResult> = {};
	await Promise.all(
		plan.clusters.map(async cluster => {
			const f = await readWithDeadline(cluster, read, deadlineMs, signal);
			facts[cluster.name] = f;
			if (!signal?.aborted) options.onClusterDone?.(cluster, f);
		}),
	);
	const aborted = signal?.aborted ?? false;
	return {facts, results: aborted ? [] : runPhases(plan, facts, phase, options.voice), aborted};
}
