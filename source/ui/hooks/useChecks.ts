import {useEffect, useRef, useState} from 'react';
import type {CheckPhase, CheckResult, ClusterFacts} from '../../core/checks/index.js';
import type {MeshPlanInput} from '../../core/model.js';
import {planKey} from '../../core/wizard.js';
import {DEFAULT_CHECKS_TIMEOUT_MS, runCheckPhase} from '../../checks/run.js';
import type {WizardServices} from '../services.js';

export {DEFAULT_CHECKS_TIMEOUT_MS};

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
		void runCheckPhase({
			plan,
			phase,
			deadlineMs,
			signal: controller.signal,
			read: (cluster, signal) => services.collectFacts({plan, cluster, phase, signal}),
			voice: 'wizard',
			onClusterDone: (cluster, facts) => {
				clusters = clusters.map(c => (c.name === cluster.name ? {...c, state: 'done', elapsedMs: Date.now() - startedAt, facts} : c));
				setView({phase, key, deadlineMs, clusters});
			},
		}).then(({results, aborted}) => {
			if (aborted) return;
			const done: CheckRunView = {phase, key, deadlineMs, clusters, results};
			setView(done);
			latest.current.onDone?.(done);
		});
		return () => controller.abort();
		// The plan is identified by its key; a new object with the same content does not re-run.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [services, key, phase, generation, enabled]);

	return {view: enabled ? view : undefined, rerun: () => setGeneration(g => g + 1)};
}
