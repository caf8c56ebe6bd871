import {useEffect, useRef, useState} from 'react';
import {runChecks, type CheckPhase, type CheckResult, type ClusterFacts} from '../../core/checks.js';
import {formatElapsed} from '../../core/events.js';
import type {MeshPlanInput} from '../../core/model.js';
import type {WizardServices} from '../services.js';
import {firstLine} from '../../core/text.js';

export const DEFAULT_CHECKS_TIMEOUT_MS = 30_000;

export type CollectedFacts = ClusterFacts & {errors?: string[]};

/** One cluster's fact reading: under way (with when it started) or finished. */
export interface ClusterRead {
	name: string;
	context: string;
	state: 'reading' | 'done';
	startedAt: number;
	elapsedMs?: number;
	facts?: CollectedFacts;
}

/** A run of one check phase over the plan: the reads per cluster while they last, then the results. */
export interface CheckRunView {
	phase: CheckPhase;
	/** The plan the checks judged (planKey). */
	key: string;
	deadlineMs: number;
	clusters: ClusterRead[];
	results?: CheckResult[];
}

export const planKey = (input: MeshPlanInput) => JSON.stringify(input);

/** Read one cluster's facts; never rejects, and settles by the deadline with an unreachable verdict that says so. */
async function readFacts(services: WizardServices, input: MeshPlanInput, index: number, phase: CheckPhase, outer: AbortSignal, deadlineMs: number): Promise<CollectedFacts> {
	const cluster = input.clusters[index]!;
	const controller = new AbortController();
	const stop = () => controller.abort();
	outer.addEventListener('abort', stop, {once: true});
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<CollectedFacts>(resolve => {
		timer = setTimeout(() => {
			controller.abort();
			resolve({context: cluster.context, reachable: false, error: `no answer within ${formatElapsed(deadlineMs)} while reading the cluster's facts`, errors: []});
		}, deadlineMs);
	});
	try {
		return await Promise.race([services.collectFacts({plan: input, cluster, phase, signal: controller.signal}), late]);
	} catch (error) {
		return {context: cluster.context, reachable: false, error: firstLine(error), errors: []};
	} finally {
		clearTimeout(timer);
		outer.removeEventListener('abort', stop);
	}
}

/**
 * Run a check phase for the plan: every cluster's facts in parallel, then the catalogue.
 * A finished run for the same plan and phase (`cached`) is shown as is; `rerun` reads everything again.
 */
export function useChecks(
	services: WizardServices | undefined,
	input: MeshPlanInput,
	phase: CheckPhase,
	options: {enabled?: boolean; cached?: CheckRunView; onDone?: (view: CheckRunView) => void} = {},
): {view: CheckRunView | undefined; rerun: () => void} {
	const key = planKey(input);
	const enabled = options.enabled ?? true;
	const usable = (v: CheckRunView | undefined) => (v && v.key === key && v.phase === phase && v.results ? v : undefined);
	const [view, setView] = useState<CheckRunView | undefined>(() => usable(options.cached));
	const [generation, setGeneration] = useState(0);
	const latest = useRef(options);
	latest.current = options;
	const inputRef = useRef(input);
	inputRef.current = input;

	useEffect(() => {
		if (!enabled || !services) return;
		if (generation === 0 && usable(latest.current.cached)) {
			setView(latest.current.cached);
			return;
		}
		const plan = inputRef.current;
		const controller = new AbortController();
		const deadlineMs = services.checksTimeoutMs ?? DEFAULT_CHECKS_TIMEOUT_MS;
		const startedAt = Date.now();
		let clusters: ClusterRead[] = plan.clusters.map(c => ({name: c.name, context: c.context, state: 'reading', startedAt}));
		setView({phase, key, deadlineMs, clusters});
		const collected: Record<string, ClusterFacts> = {};
		void Promise.all(
			plan.clusters.map(async (cluster, i) => {
				const facts = await readFacts(services, plan, i, phase, controller.signal, deadlineMs);
				collected[cluster.name] = facts;
				if (controller.signal.aborted) return;
				clusters = clusters.map(c => (c.name === cluster.name ? {...c, state: 'done', elapsedMs: Date.now() - startedAt, facts} : c));
				setView({phase, key, deadlineMs, clusters});
			}),
		).then(() => {
			if (controller.signal.aborted) return;
			const done: CheckRunView = {phase, key, deadlineMs, clusters, results: runChecks(plan, collected, phase)};
			setView(done);
			latest.current.onDone?.(done);
		});
		return () => controller.abort();
		// The plan is identified by its key; a new object with the same content does not re-run.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [services, key, phase, generation, enabled]);

	return {view: enabled ? view : undefined, rerun: () => setGeneration(g => g + 1)};
}
