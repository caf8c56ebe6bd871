/**
 * `eastwest remove`: headless teardown of what a plan set up, text or JSON, with confirmation, deadlines
 * and Ctrl-C. Before anything changes: the plan's contexts exist and every cluster answers.
 * Removes through the kube layer (no istioctl needed), and Helm releases eastwest made through helm (with
 * --installer helm, or when a cluster's istiod is a Helm release): see core/teardown.ts for what goes and what stays.
 */
import {confirmOnTerminal} from './confirm.js';
import type {RunOutcome} from '../core/events.js';
import type {MeshPlanInput} from '../core/model.js';
import type {ClusterClientFactory, ComponentInstaller, KubeconfigSource} from '../core/ports.js';
import * as helmLayer from '../helm/index.js';
import {readInstallerFlags, type InstallerFlags} from './installer.js';
import {buildTeardown, type RunRemovePlan, type TeardownOutcome, type TeardownPlan} from '../core/teardown.js';
import * as removeEngine from '../engine/remove.js';
import * as kube from '../kube/index.js';
import {parseFlags, parserOptions} from './args.js';
import {COMMAND_SPECS} from './spec.js';
import {EXIT, UsageError, WorkError} from '../core/exit-codes.js';
import {askToProceed, finishRun, mustConfirm, readRunFlags, runEngine, throwProblems, type RunFlags} from './run-flow.js';
import {loadSavedPlan, recordProfileRemove} from './saved-plan.js';
import type {CommandContext} from '../core/command-context.js';
import {firstLine} from '../core/text.js';
import {DEFAULT_REMOVE_TIMEOUT_MS as DEFAULT_TIMEOUT_MS} from '../core/timeouts.js';
import {TextPrinter, notStarted} from './run-printer.js';
import {openKubeconfig, planContexts} from './kubeconfig.js';

export interface RemoveDeps {
	createFactory(source: KubeconfigSource): ClusterClientFactory;
	createRemovePlan(deps: {factory: ClusterClientFactory; installer?: ComponentInstaller}): RunRemovePlan;
	/** helm's installer, for uninstalling the releases eastwest made (the helm layer; tests hand in fakes). */
	helmInstaller?(options: {path?: string; env: NodeJS.ProcessEnv; signal: AbortSignal}): Promise<ComponentInstaller>;
	/** True when a person can answer a question (stdin and stderr are terminals). */
	interactive(): boolean;
	confirm(question: string, signal: AbortSignal): Promise<boolean>;
	loadProfile(name: string): Promise<MeshPlanInput>;
	recordRemove(name: string, result: 'succeeded' | 'failed' | 'cancelled', dryRun: boolean): Promise<string | undefined>;
}

/** The reachability check of every cluster, before anything is removed (or the run's --timeout when shorter). */
const PROBE_TIMEOUT_MS = 10_000;

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	return removeCommand(args, ctx, {
		createFactory: source => kube.createClusterClientFactory(source),
		createRemovePlan: deps => removeEngine.createRemovePlan(deps),
		helmInstaller: async options => {
			const helm = await helmLayer.locateHelm(options);
			await helm.clientVersion(options.signal);
			return helmLayer.helmInstaller(helm, {charts: {kind: 'repo', repo: 'istio'}});
		},
		loadProfile: loadSavedPlan,
		recordRemove: recordProfileRemove,
		interactive: () => Boolean(process.stdin.isTTY && ctx.stderr.isTTY),
		confirm: confirmOnTerminal,
	});
}

const SPEC = COMMAND_SPECS.remove;

/** The flags of `eastwest remove` (besides the global ones). */
export const FLAGS = parserOptions(SPEC.flags);

interface ParsedRemove extends RunFlags {
	ca: boolean;
	installerFlags: InstallerFlags;
}

export function parseRemoveArgs(args: string[]): ParsedRemove {
	const {values} = parseFlags('remove', args, FLAGS);
	const run = readRunFlags(values, SPEC.flags.output, DEFAULT_TIMEOUT_MS, '90s, 2m or 1m30s');
	const problems = [...run.problems];
	const installerFlags = readInstallerFlags(values, problems);
	throwProblems(problems);
	return {...run.flags, ca: Boolean(values.ca), installerFlags};
}

/** What goes, per context, in the words the confirmation and the dry run use. */
export function describeRemovals(plan: TeardownPlan): string {
	const lines = plan.clusters.map(cp => {
		const what = cp.steps.map(s => `    - ${s.title.charAt(0).toLowerCase()}${s.title.slice(1)}`);
		return `  context ${cp.cluster.context} (${cp.cluster.name}), only what eastwest created:\n${what.join('\n')}`;
	});
	return `eastwest remove will remove from these clusters:\n${lines.join('\n')}\n`;
}

export async function removeCommand(args: string[], ctx: CommandContext, deps: RemoveDeps): Promise<number> {
	const parsed = parseRemoveArgs(args);
	const input = parsed.input ?? (await deps.loadProfile(parsed.profile!));
	const source: KubeconfigSource = {env: ctx.env, ...(parsed.kubeconfig ? {kubeconfig: parsed.kubeconfig} : {})};
	const factory = await openKubeconfig(() => deps.createFactory(source), planContexts(input.clusters));
	const mustAsk = mustConfirm(
		parsed,
		() => deps.interactive(),
		'eastwest remove deletes objects from clusters and needs confirmation: pass --yes (or --dry-run to preview)',
	);
	const plan = buildTeardown(input, {ca: parsed.ca});

	// Blocking check: every cluster answers, before anything is removed from any of them.
	const probeMs = Math.min(PROBE_TIMEOUT_MS, parsed.timeoutMs);
	const probes = await Promise.all(
		input.clusters.map(c =>
			factory
				.client(c.context)
				.probe({timeoutMs: probeMs, signal: ctx.signal})
				.catch((error: unknown) => ({reachable: false, error: {message: firstLine(error)}}) as const),
		),
	);
	if (ctx.signal.aborted) {
		ctx.stderr.write('eastwest: interrupted while checking the clusters; nothing was removed\n');
		return EXIT.interrupted;
	}
	const down = input.clusters.flatMap((c, i) => {
		const p = probes[i]!;
		if (!p.reachable) return [`${c.name} (context ${c.context}) is unreachable: ${p.error?.message ?? 'no answer'}`];
		if ('auth' in p && p.auth && p.auth !== 'ok')
			return [`${c.name} (context ${c.context}) refuses the request (${p.auth}): ${p.error?.message ?? ''}`.trimEnd()];
		return [];
	});
	if (down.length > 0) {
		if (parsed.output === 'json') ctx.stdout.write(`${JSON.stringify(jsonResult(plan, parsed, notStarted(plan)), null, 2)}\n`);
		throw new WorkError(`${down.join('; ')}; nothing was removed: fix the access and run again`);
	}

	// Helm releases are uninstalled with helm: chosen, or because a cluster's istiod is a Helm release.
	const helmManaged = input.clusters.filter((_c, i) => {
		const p = probes[i]!;
		return 'istiod' in p && p.istiod.some(d => d.helmRelease !== undefined);
	});
	const useHelm = parsed.installerFlags.installer === 'helm' || (parsed.installerFlags.installer === undefined && helmManaged.length > 0);
	let installer: ComponentInstaller | undefined;
	if (useHelm && deps.helmInstaller) {
		try {
			installer = await deps.helmInstaller({...(parsed.installerFlags.helm ? {path: parsed.installerFlags.helm} : {}), env: ctx.env, signal: ctx.signal});
		} catch (error) {
			if (ctx.signal.aborted) return EXIT.interrupted;
			const why =
				parsed.installerFlags.installer === 'helm'
					? ''
					: ` (needed because istiod on ${helmManaged.map(c => c.name).join(', ')} is a Helm release; --installer istioctl removes without helm)`;
			throw new UsageError(`${firstLine(error)}${why}`);
		}
	}

	if (mustAsk) {
		const contexts = plan.clusters.map(c => c.cluster.context).join(', ');
		const stop = await askToProceed(ctx, (q, signal) => deps.confirm(q, signal), {
			changes: describeRemovals(plan),
			question: `Remove eastwest's setup from ${contexts}? [y/N] `,
			declined: 'nothing removed',
		});
		if (stop !== undefined) return stop;
	} else if (parsed.output === 'text' && parsed.dryRun) {
		ctx.stdout.write(`${describeRemovals(plan)}\n`);
	}

	const printer =
		parsed.output === 'text'
			? new TextPrinter(ctx, plan, {result: {changed: 'removed', unchanged: 'already gone', skipped: parsed.dryRun ? 'dry run' : 'left'}, notes: 'Kept'})
			: undefined;
	const outcome = await runEngine(() =>
		deps.createRemovePlan({factory, ...(installer ? {installer} : {})})(plan, {
			timeoutMs: parsed.timeoutMs,
			dryRun: parsed.dryRun,
			signal: ctx.signal,
			onEvent: event => printer?.print(event),
		}),
	);
	if (parsed.output === 'text' && outcome.left.length > 0) {
		ctx.stdout.write(
			`\nLeft in place (not eastwest's, or kept by design):\n${outcome.left.map(l => `  ${l.cluster} (context ${l.context}): ${l.reason}`).join('\n')}\n`,
		);
	}
	return finishRun(
		ctx,
		parsed,
		outcome,
		(name, result, dryRun) => deps.recordRemove(name, result, dryRun),
		() => jsonResult(plan, parsed, outcome),
	);
}

function jsonResult(plan: TeardownPlan, opts: ParsedRemove, outcome: TeardownOutcome | RunOutcome) {
	const left = 'left' in outcome ? (outcome as TeardownOutcome).left : [];
	return {
		ok: outcome.ok,
		cancelled: outcome.cancelled,
		dryRun: opts.dryRun,
		ca: opts.ca,
		plan: plan.input,
		clusters: outcome.clusters.map(c => {
			const spec = plan.clusters.find(p => p.cluster.name === c.cluster)!;
			return {
				cluster: c.cluster,
				context: c.context,
				role: spec.cluster.role,
				outcome: c.outcome,
				steps: c.steps,
				left: left.filter(l => l.cluster === c.cluster).map(l => ({stepId: l.stepId, reason: l.reason})),
				notes: spec.notes,
			};
		}),
	};
}
