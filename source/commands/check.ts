/** `eastwest check`: preflight and post-install checks, linkerd-style, grouped by cluster. */
import {SKIPPED_UNREACHABLE, groupResults, summarize, type CheckResult} from '../core/checks/index.js';
import {DEFAULT_CHECKS_TIMEOUT_MS, runCheckPhase, type PhaseChoice} from '../checks/run.js';
import type {MeshPlanInput} from '../core/model.js';
import type {ClusterClientFactory, KubeconfigSource} from '../core/ports.js';
import {collectClusterFacts} from '../checks/collect.js';
import {ISTIOD_VIEW_TIMEOUT_MS} from '../core/istiod-view.js';
import {globalFlags, oneOf, parseFlags, timeoutFlag, type OptionSpec} from './args.js';
import {EXIT, UsageError} from '../core/exit-codes.js';
import {PLAN_FLAG_OPTIONS, assertContextsExist, assertValidPlan, hasPlanFlags, planFromFlags} from './plan-flags.js';
import {loadSavedPlan} from './saved-plan.js';
import type {CommandContext} from '../core/command-context.js';

export const PHASES = ['preflight', 'post-install', 'all'] as const satisfies readonly PhaseChoice[];

export interface CheckDeps {
	createFactory(source: KubeconfigSource): ClusterClientFactory | Promise<ClusterClientFactory>;
	/** The saved plan of a profile (throws a one-line error when absent or unreadable). */
	loadProfile(name: string): Promise<MeshPlanInput>;
}

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	return checkCommand(args, ctx, {
		createFactory: async source => (await import('../kube/index.js')).createClusterClientFactory(source),
		loadProfile: loadSavedPlan,

	});
}

/** The flags of `eastwest check` (besides the global ones). */
export const FLAGS = {
	...PLAN_FLAG_OPTIONS,
	profile: {type: 'string'},
	phase: {type: 'string'},
	output: {type: 'string', short: 'o'},
	timeout: {type: 'string'},
} as const satisfies OptionSpec;

export async function checkCommand(args: string[], ctx: CommandContext, deps: CheckDeps): Promise<number> {
	const {values} = parseFlags('check', args, FLAGS);
	const output = oneOf('output', values.output, ['text', 'json'] as const, 'text');
	const phase = oneOf('phase', values.phase, PHASES, 'all');
	const deadlineMs = timeoutFlag(values.timeout, DEFAULT_CHECKS_TIMEOUT_MS, '30s, 2m or 1m30s');
	if (values.profile !== undefined && hasPlanFlags(values)) throw new UsageError('give either --profile or the plan flags (--topology, --mesh, --cluster), not both');
	if (values.profile === undefined && !hasPlanFlags(values)) {
		throw new UsageError('name what to check: --profile NAME, or --topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:role] ...');
	}
	const plan = values.profile !== undefined ? await deps.loadProfile(values.profile) : planFromFlags(values);
	if (values.profile === undefined) assertValidPlan(plan);

	let factory: ClusterClientFactory;
	try {
		factory = await deps.createFactory({kubeconfig: globalFlags(values).kubeconfig, env: ctx.env});
	} catch (error) {
		if (error instanceof Error && error.name === 'KubeconfigError') throw new UsageError(error.message);
		throw error;
	}
	assertContextsExist(plan, factory.kubeconfig);

	const {facts, results, aborted} = await runCheckPhase({
		plan,
		phase,
		deadlineMs,
		signal: ctx.signal,
		// istiod's view gets at most half the cluster's deadline, so a slow istiod leaves the other facts in place.
		read: (cluster, signal) => collectClusterFacts(factory, {plan, cluster, phase, signal, istiodViewTimeoutMs: Math.min(ISTIOD_VIEW_TIMEOUT_MS, deadlineMs / 2)}),
	});
	if (aborted || ctx.signal.aborted) return EXIT.interrupted;
	const collected = facts;
	const summary = summarize(results);

	if (output === 'json') {
		const readErrors = Object.fromEntries(plan.clusters.map(c => [c.name, collected[c.name]?.errors ?? []]));
		ctx.stdout.write(`${JSON.stringify({phase, plan, results, summary, readErrors}, null, 2)}\n`);
	} else {
		ctx.stdout.write(formatCheckResults(plan, results, collected));
	}
	return summary.fail > 0 ? EXIT.failed : EXIT.ok;
}

const SYMBOL: Record<CheckResult['status'], string> = {pass: '✔', warn: '‼', fail: '✘', skip: '–'};

/** Linkerd-style text: a heading per cluster, one line per claim, indented reason/hint/doc under anything not passing. */
export function formatCheckResults(plan: MeshPlanInput, results: readonly CheckResult[], collected: Readonly<Record<string, {errors?: string[]}>> = {}): string {
	const lines: string[] = [];
	for (const group of groupResults(plan, results)) {
		if (lines.length > 0) lines.push('');
		lines.push(group.title, '-'.repeat(group.title.length));
		for (const r of group.results) {
			lines.push(`${SYMBOL[r.status]} ${r.claim}`);
			if (r.status === 'pass') continue;
			if (r.reason) lines.push(`    ${r.status === 'skip' ? 'skipped: ' : ''}${r.reason}`);
			if (r.hint) lines.push(`    hint: ${r.hint}`);
			if (r.doc) lines.push(`    see: ${r.doc}`);
		}
		if (group.blocked > 0) lines.push(`${SYMBOL.skip} ${group.blocked} more check${group.blocked === 1 ? '' : 's'} skipped: ${SKIPPED_UNREACHABLE}`);
		const errors = group.cluster ? (collected[group.cluster]?.errors ?? []) : [];
		for (const e of errors) lines.push(`    (could not read: ${e})`);
	}
	const s = summarize(results);
	const verdict = s.fail > 0 ? '✘ checks failed' : s.warn > 0 ? '‼ checks passed with warnings' : '✔ all checks passed';
	lines.push('', `${verdict}: ${s.pass} passed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed, ${s.skip} skipped`);
	return `${lines.join('\n')}\n`;
}
