/** Running a phase of the catalogue over the collected facts, and the shapes its results are shown in. */
import {TOPOLOGY_INFO, type MeshPlanInput, type Topology} from '../model.js';
import type {ClusterFacts} from './facts.js';
import type {Check, CheckLevel, CheckPhase, CheckResult, CheckStatus, ClusterInput, MeshInput, ResolvingFlag, Verdict, Voice} from './types.js';
import {skip} from './helpers.js';
import {CHECKS} from './catalogue.js';

/** The checks of a phase that concern a topology. */
export function checksFor(topology: Topology, phase: CheckPhase): Check[] {
	return CHECKS.filter(c => c.phases.includes(phase) && c.topologies.includes(topology));
}

/** The skip reason of every check an unreachable cluster blocks. */
export const SKIPPED_UNREACHABLE = 'the cluster is unreachable';

const STATUS_OF: Record<CheckLevel, 'fail' | 'warn'> = {fail: 'fail', warn: 'warn', info: 'warn'};

/**
 * Run a phase's checks: per cluster in plan order, then the checks across the mesh.
 * `factsByCluster` is keyed by cluster name (ClusterSpec.name); a missing entry skips that cluster's checks.
 * Hints speak in the voice of the front-end that shows them (`voice`, the command line's by default).
 */
export function runChecks(plan: MeshPlanInput, factsByCluster: Readonly<Record<string, ClusterFacts>>, phase: CheckPhase, voice: Voice = 'cli'): CheckResult[] {
	const checks = TOPOLOGY_INFO[plan.topology] ? checksFor(plan.topology, phase) : [];
	const results: CheckResult[] = [];
	const doc = (c: Check) => (typeof c.doc === 'function' ? c.doc(plan) : c.doc);
	const finish = (c: Check, base: Pick<CheckResult, 'cluster' | 'context' | 'claim'>, verdict: Verdict, hint: string): CheckResult => {
		// A rule may report a warning below its level, never a failure above it.
		const status: CheckStatus = verdict.status === 'fail' ? STATUS_OF[c.level] : verdict.status;
		const result: CheckResult = {id: c.id, ...base, level: c.level, status};
		if (verdict.reason) result.reason = verdict.reason;
		if (status === 'fail' || status === 'warn') {
			result.hint = hint;
			result.doc = doc(c);
		}
		return result;
	};

	const factsOf = (name: string) => (Object.hasOwn(factsByCluster, name) ? factsByCluster[name] : undefined);
	for (const cluster of plan.clusters) {
		const facts = factsOf(cluster.name);
		for (const c of checks) {
			if (c.scope !== 'cluster') continue;
			if (c.appliesTo && !c.appliesTo(cluster, plan)) continue;
			const input: ClusterInput = {plan, cluster, facts, factsOf, phase};
			const base = {cluster: cluster.name, context: cluster.context, claim: c.claim(input)};
			let verdict: Verdict;
			if (!facts) verdict = skip('no facts were collected for this cluster');
			else if (!facts.reachable && c.needsReachable !== false) verdict = skip(SKIPPED_UNREACHABLE);
			else verdict = c.evaluate({...input, facts});
			results.push(finish(c, base, verdict, voice === 'wizard' && c.wizardHint ? c.wizardHint(input) : typeof c.hint === 'function' ? c.hint(input) : c.hint));
		}
	}
	const meshInput: MeshInput = {
		plan,
		facts: plan.clusters.map(cluster => ({cluster, facts: Object.hasOwn(factsByCluster, cluster.name) ? factsByCluster[cluster.name] : undefined})),
	};
	for (const c of checks) {
		if (c.scope !== 'mesh') continue;
		const hint = voice === 'wizard' && c.wizardHint ? c.wizardHint(meshInput) : typeof c.hint === 'function' ? c.hint(meshInput) : c.hint;
		results.push(finish(c, {claim: c.claim(meshInput)}, c.evaluate(meshInput), hint));
	}
	return results;
}

/**
 * How a failed check is resolved by the run itself, given the flags apply was given (e.g. "--force: the run relabels
 * istio-system with the planned network"); undefined when it is not, and the failure blocks the run.
 */
export function resolvedBy(result: CheckResult, plan: MeshPlanInput, given: readonly ResolvingFlag[]): string | undefined {
	const r = CHECKS.find(c => c.id === result.id)?.resolvedBy;
	if (!r || !r.flags.every(f => given.includes(f)) || (r.applies && !r.applies(plan))) return undefined;
	return `${r.flags.join(' ')}: ${r.does(plan)}`;
}

/** The post-install checks that prove the wiring between clusters (remote secrets, the remotes' control plane). */
export const WIRING_CHECK_IDS: readonly string[] = [
	'remote-secrets',
	'remote-secret-credentials',
	'remote-no-local-istiod',
	'remote-controlled-by-primary',
	'remote-istiod-endpoints',
	'remote-injector-webhook',
];

/** How the wiring checks among some results went: passed, and how many ran (skips left out). */
export function wiringSummary(results: readonly CheckResult[]): {passed: number; total: number} {
	const wiring = results.filter(r => WIRING_CHECK_IDS.includes(r.id) && r.status !== 'skip');
	return {passed: wiring.filter(r => r.status === 'pass').length, total: wiring.length};
}

export interface CheckSummary {
	pass: number;
	fail: number;
	warn: number;
	skip: number;
}

export function summarize(results: readonly CheckResult[]): CheckSummary {
	const summary: CheckSummary = {pass: 0, fail: 0, warn: 0, skip: 0};
	for (const r of results) summary[r.status] += 1;
	return summary;
}

export interface ResultGroup {
	/** Cluster name, or undefined for the checks across the mesh. */
	cluster?: string;
	title: string;
	/** Results to show one by one, in catalogue order. */
	results: CheckResult[];
	/** Checks skipped because the cluster is unreachable: its reachability failure says it all, so they fold into one count. */
	blocked: number;
}

/** Results grouped as they are shown: each cluster in plan order ("NAME (context CTX)"), then "across the mesh"; empty groups left out. */
export function groupResults(plan: MeshPlanInput, results: readonly CheckResult[]): ResultGroup[] {
	const groups: ResultGroup[] = [];
	const heads = [
		...plan.clusters.map(c => ({cluster: c.name as string | undefined, title: `${c.name} (context ${c.context})`})),
		{cluster: undefined, title: 'across the mesh'},
	];
	for (const head of heads) {
		const mine = results.filter(r => r.cluster === head.cluster);
		if (mine.length === 0) continue;
		const shown = mine.filter(r => !(r.status === 'skip' && r.reason === SKIPPED_UNREACHABLE));
		groups.push({...(head.cluster === undefined ? {} : {cluster: head.cluster}), title: head.title, results: shown, blocked: mine.length - shown.length});
	}
	return groups;
}

/** "2 failed, 1 warning, 14 passed, 0 skipped" */
export function summaryText(s: CheckSummary): string {
	return `${s.fail} failed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.pass} passed, ${s.skip} skipped`;
}
