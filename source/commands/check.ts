/** `eastwest check`: preflight and post-install checks, linkerd-style, grouped by cluster. */
import {summarize} from '../core/checks/index.js';
import {formatCheckResults} from './check-text.js';
import {DEFAULT_CHECKS_TIMEOUT_MS, runCheckPhase, type PhaseChoice} from '../checks/run.js';
import type {MeshPlanInput} from '../core/model.js';
import type {ClusterClientFactory, KubeconfigSource} from '../core/ports.js';
import {collectClusterFacts} from '../checks/collect.js';
import {ISTIOD_VIEW_TIMEOUT_MS} from '../core/istiod-view.js';
import {choiceOf, globalFlags, parseFlags, parserOptions, timeoutFlag} from './args.js';
import {COMMAND_SPECS, PHASES} from './spec.js';
import {EXIT, UsageError} from '../core/exit-codes.js';
import {PROFILE_OR_PLAN_FLAGS, assertValidPlan, hasPlanFlags, planFromFlags} from './plan-flags.js';
import {openKubeconfig, planContexts} from './kubeconfig.js';
import {loadSavedPlan} from './saved-plan.js';
import type {CommandContext} from '../core/command-context.js';

/** The --phase choices (spec.ts), each a phase the checks run. */
export {PHASES};
export type {PhaseChoice};

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

const SPEC = COMMAND_SPECS.check;

/** The flags of `eastwest check` (besides the global ones). */
export const FLAGS = parserOptions(SPEC.flags);

export async function checkCommand(args: string[], ctx: CommandContext, deps: CheckDeps): Promise<number> {
	const {values} = parseFlags('check', args, FLAGS);
	const output = choiceOf('output', SPEC.flags.output, values.output);
	const phase: PhaseChoice = choiceOf('phase', SPEC.flags.phase, values.phase);
	const deadlineMs = timeoutFlag(values.timeout, DEFAULT_CHECKS_TIMEOUT_MS, '30s, 2m or 1m30s');
	if (values.profile !== undefined && hasPlanFlags(values)) throw new UsageError(PROFILE_OR_PLAN_FLAGS);
	if (values.profile === undefined && !hasPlanFlags(values)) {
		throw new UsageError('name what to check: --profile NAME, or --topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:role] ...');
	}
	const plan = values.profile !== undefined ? await deps.loadProfile(values.profile) : planFromFlags(values);
	if (values.profile === undefined) assertValidPlan(plan);

	const factory = await openKubeconfig(() => deps.createFactory({kubeconfig: globalFlags(values).kubeconfig, env: ctx.env}), planContexts(plan.clusters));

	const {facts, results, aborted} = await runCheckPhase({
		plan,
		phase,
		deadlineMs,
		signal: ctx.signal,
		// istiod's view gets at most half the cluster's deadline, so a slow istiod leaves the other facts in place.
		read: (cluster, signal) =>
			collectClusterFacts(factory, {plan, cluster, phase, signal, istiodViewTimeoutMs: Math.min(ISTIOD_VIEW_TIMEOUT_MS, deadlineMs / 2)}),
	});
	if (aborted || ctx.signal.aborted) return EXIT.interrupted;
	const collected = facts;
	const summary = summarize(results);

	if (output === 'json') {
		const readErrors = Object.fromEntries(plan.clusters.map(c => [c.name, collected[c.name]?.errors ?? []]));
		ctx.stdout.write(`${JSON.stringify({phase, plan, results, summary, readErrors}, null, 2)}\n`);
	} else {
		ctx.stdout.write(formatCheckResults(plan, results, summary, collected));
	}
	return summary.fail > 0 ? EXIT.failed : EXIT.ok;
}
