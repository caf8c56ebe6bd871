/**
 * `eastwest apply`: headless run of a plan, text or JSON, with confirmation, deadlines and Ctrl-C.
 * Before anything changes: the plan, istioctl (located and asked its version) and the blocking preflight checks
 * (read while istioctl answers).
 */
import path from 'node:path';
import {confirmOnTerminal} from './confirm.js';
import {DEFAULT_CHECKS_TIMEOUT_MS, runCheckPhase, type ReadResult} from '../checks/run.js';
import {collectClusterFacts} from '../checks/collect.js';
import {resolvedBy, summarize, type CheckResult, type CheckSummary, type ResolvingFlag} from '../core/checks/index.js';
import type {RunOutcome} from '../core/events.js';
import type {MeshPlanInput} from '../core/model.js';
import {buildPlan, type Plan} from '../core/plan.js';
import {readControlPlaneFiles} from './control-plane-files.js';
import type {CaSource, ClusterClientFactory, ComponentInstaller, Istioctl, KubeconfigSource, RunPlan} from '../core/ports.js';
import {readInstallerFlags, resolveInstaller, type InstallerDeps, type InstallerFlags} from './installer.js';
import * as engine from '../engine/index.js';
import * as helmLayer from '../helm/index.js';
import * as istioctlLayer from '../istioctl/index.js';
import * as kube from '../kube/index.js';
import {globalFlags, parseFlags, parserOptions, readParallel} from './args.js';
import {COMMAND_SPECS} from './spec.js';
import {DEFAULT_PARALLEL} from '../core/slots.js';
import {EXIT, UsageError, WorkError} from '../core/exit-codes.js';
import {askToProceed, finishRun, mustConfirm, readRunFlags, runEngine, throwProblems, type RunFlags} from './run-flow.js';
import {loadSavedPlan, recordProfileRun, savedParallel} from './saved-plan.js';
import {openCaDir} from './ca.js';
import {openKubeconfig, planContexts} from './kubeconfig.js';
import {TextPrinter, notStarted} from './run-printer.js';
import {formatPreflight} from './check-text.js';
import type {CommandContext} from '../core/command-context.js';
import {firstLine} from '../core/text.js';
import {DEFAULT_RUN_TIMEOUT_MS as DEFAULT_TIMEOUT_MS} from '../core/timeouts.js';

export interface ApplyDeps {
	createFactory(source: KubeconfigSource): ClusterClientFactory;
	locateIstioctl(options: {path?: string; env: NodeJS.ProcessEnv}): Promise<Istioctl>;
	createRunPlan(deps: {factory: ClusterClientFactory; istioctl: Istioctl; installer?: ComponentInstaller}): RunPlan;
	/** Locating helm and its installer (the helm layer; tests hand in fakes). */
	helm?: InstallerDeps;
	/** True when a person can answer a question (stdin and stderr are terminals). */
	interactive(): boolean;
	/** Ask once; resolves true for yes. */
	confirm(question: string, signal: AbortSignal): Promise<boolean>;
	/** The saved, validated plan of a profile. */
	loadProfile(name: string): Promise<MeshPlanInput>;
	/** The --parallel saved on a profile (used when the command line gives none). */
	profileParallel?(name: string): Promise<number | undefined>;
	/** Remember the outcome on the profile; returns a warning when that failed. */
	recordRun(name: string, result: 'succeeded' | 'failed' | 'cancelled', dryRun: boolean): Promise<string | undefined>;
	/** The root CA in a directory, ready to issue intermediates; throws a one-line UsageError when it cannot be used. */
	openCa?(dir: string): Promise<CaSource>;
}

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	return applyCommand(args, ctx, {
		createFactory: source => kube.createClusterClientFactory(source),
		locateIstioctl: options => istioctlLayer.locateIstioctl(options),
		createRunPlan: deps => engine.createRunPlan(deps),
		helm: {
			locateHelm: options => helmLayer.locateHelm(options),
			helmInstaller: (helm, options) => helmLayer.helmInstaller(helm as helmLayer.Helm, options),
		},
		loadProfile: loadSavedPlan,
		profileParallel: savedParallel,
		recordRun: recordProfileRun,
		openCa: openCaDir,
		interactive: () => Boolean(process.stdin.isTTY && ctx.stderr.isTTY),
		confirm: confirmOnTerminal,
	});
}

interface ParsedApply extends RunFlags {
	force: boolean;
	reinstall: boolean;
	skipChecks: boolean;
	/** --parallel: istioctl processes at once; absent means DEFAULT_PARALLEL. */
	parallel?: number;
	kubeconfig?: string;
	istioctl?: string;
	/** --ca DIR, absolute. */
	caDir?: string;
	restartIstiod: boolean;
	installerFlags: InstallerFlags;
}

const SPEC = COMMAND_SPECS.apply;

/** The flags of `eastwest apply` (besides the global ones). */
export const FLAGS = parserOptions(SPEC.flags);

/** Flags → plan input; every problem at once as UsageError lines. */
export function parseApplyArgs(args: string[]): ParsedApply {
	const {values} = parseFlags('apply', args, FLAGS);
	const run = readRunFlags(values, SPEC.flags.output, DEFAULT_TIMEOUT_MS, '90s, 5m or 1m30s');
	const problems = [...run.problems];
	if (values.ca === '') problems.push('--ca needs the directory of the root CA (root-cert.pem, root-key.pem); create one with eastwest ca create --out DIR');
	const parallel = readParallel(values.parallel);
	if (parallel.problem !== undefined) problems.push(parallel.problem);
	const installerFlags = readInstallerFlags(values, problems);
	throwProblems(problems);
	const g = globalFlags(values);
	return {
		...run.flags,
		force: Boolean(values.force),
		reinstall: Boolean(values.reinstall),
		skipChecks: Boolean(values['skip-checks']),
		...(parallel.value !== undefined ? {parallel: parallel.value} : {}),
		...(values.ca ? {caDir: path.resolve(values.ca)} : {}),
		restartIstiod: Boolean(values['restart-istiod']),
		installerFlags,
		...(g.istioctl ? {istioctl: g.istioctl} : {}),
	};
}

function describeChanges(plan: Plan): string {
	const lines = plan.clusters.map(cp => {
		const what = cp.steps.filter(s => !s.kind.startsWith('wait-')).map(s => s.title.charAt(0).toLowerCase() + s.title.slice(1));
		return `  context ${cp.cluster.context} (${cp.cluster.name}): ${what.length > 0 ? what.join('; ') : 'nothing'}`;
	});
	return `eastwest apply will change these clusters:\n${lines.join('\n')}\n`;
}

export async function applyCommand(args: string[], ctx: CommandContext, deps: ApplyDeps): Promise<number> {
	const parsed = parseApplyArgs(args);
	const loaded = parsed.input ?? (await deps.loadProfile(parsed.profile!));
	// --ca on the line wins over the directory a profile was saved with.
	const input = parsed.caDir ? {...loaded, caDir: parsed.caDir} : loaded;
	// The user's IstioOperator files are read and checked (exit 2) before anything else.
	const controlPlaneFiles = await readControlPlaneFiles(input);
	if (parsed.restartIstiod && input.caDir === undefined) {
		throw new UsageError('--restart-istiod restarts istiod after a new CA is plugged in: give --ca DIR too (or a profile saved with --ca)');
	}
	// --parallel, else the profile's, else the default.
	const parallel = parsed.parallel ?? (parsed.profile !== undefined ? await deps.profileParallel?.(parsed.profile) : undefined) ?? DEFAULT_PARALLEL;
	const opts = {...parsed, input, parallel};
	const source: KubeconfigSource = {env: ctx.env, ...(opts.kubeconfig ? {kubeconfig: opts.kubeconfig} : {})};
	const factory = await openKubeconfig(() => deps.createFactory(source), planContexts(opts.input.clusters));
	// The root is read (and its key checked) before any cluster or istioctl is asked anything.
	const ca = opts.input.caDir !== undefined ? await (deps.openCa ?? openCaDir)(opts.input.caDir) : undefined;
	// Known before any cluster is read: a run nobody can confirm is refused at once.
	const mustAsk = mustConfirm(opts, () => deps.interactive(), 'eastwest apply changes clusters and needs confirmation: pass --yes (or --dry-run to preview)');
	// The blocking preflight only reads: it starts now and reads the clusters while istioctl answers `version`.
	// Nothing changes before both are done and every blocking check passed.
	const stopPreflight = new AbortController();
	const preflightRun = runPreflight(opts, factory, AbortSignal.any([ctx.signal, stopPreflight.signal]));
	// istioctl as the wizard checks it: found, executable, and answering `version`; before any cluster is changed.
	let istioctl: Istioctl;
	let istioctlVersion: string;
	try {
		istioctl = await deps.locateIstioctl({...(opts.istioctl ? {path: opts.istioctl} : {}), env: ctx.env});
		istioctlVersion = await istioctl.clientVersion(ctx.signal);
	} catch (error) {
		stopPreflight.abort();
		await preflightRun.catch(() => undefined);
		if (ctx.signal.aborted) return EXIT.interrupted;
		throw new UsageError(firstLine(error));
	}
	const plan = buildPlan(opts.input, {controlPlaneFiles});
	// The installer (and for Helm, helm found and answering `version`), before anything changes.
	let resolved: Awaited<ReturnType<typeof resolveInstaller>> | undefined;
	try {
		resolved = deps.helm
			? await resolveInstaller(
					opts.installerFlags,
					{factory, contexts: opts.input.clusters.map(c => c.context), env: ctx.env, signal: ctx.signal, istioctl, force: opts.force},
					deps.helm,
				)
			: undefined;
	} catch (error) {
		stopPreflight.abort();
		await preflightRun.catch(() => undefined);
		throw error;
	}
	if (resolved?.kind === 'helm' && opts.output === 'text') {
		const charts =
			resolved.charts?.kind === 'dir'
				? `charts from ${resolved.charts.dir}`
				: `charts from repository ${resolved.charts?.repo}${resolved.charts?.kind === 'repo' && resolved.charts.version ? ` at ${resolved.charts.version}` : ''}`;
		ctx.stdout.write(`Installer: helm ${resolved.toolVersion ?? ''} (${resolved.installer.path}; ${resolved.why}; ${charts})\n`);
	}
	for (const warning of resolved?.warnings ?? []) ctx.stderr.write(`eastwest: warning: ${warning}\n`);

	const preflight = await preflightRun;
	if (!preflight) {
		ctx.stderr.write('eastwest: interrupted during the preflight checks; nothing was changed\n');
		return EXIT.interrupted;
	}
	if (opts.output === 'text') ctx.stdout.write(formatPreflight(opts.input, preflight, opts.skipChecks));
	if (preflight.failed.length > 0) {
		const which = preflight.failed.map(r => (r.cluster ? `${r.id} on ${r.cluster}` : r.id)).join(', ');
		const count = `${preflight.failed.length} blocking preflight check${preflight.failed.length === 1 ? '' : 's'}`;
		if (!opts.skipChecks) {
			if (opts.output === 'json') {
				ctx.stdout.write(`${JSON.stringify(jsonResult(plan, opts, notStarted(plan), istioctl.path, istioctlVersion, preflight), null, 2)}\n`);
			}
			throw new WorkError(
				`${count} failed (${which}); nothing was changed: fix ${preflight.failed.length === 1 ? 'it' : 'them'} and run again, or pass --skip-checks to run anyway`,
			);
		}
		ctx.stderr.write(`eastwest: warning: --skip-checks: running despite ${count} that failed: ${which}\n`);
	}

	if (mustAsk) {
		const stop = await askToProceed(ctx, (q, signal) => deps.confirm(q, signal), {
			changes: describeChanges(plan),
			question: 'Proceed? [y/N] ',
			declined: 'nothing changed',
		});
		if (stop !== undefined) return stop;
	}

	const printer = opts.output === 'text' ? new TextPrinter(ctx, plan) : undefined;
	const runPlan = deps.createRunPlan({factory, istioctl, ...(resolved ? {installer: resolved.installer} : {})});
	const outcome = await runEngine(() =>
		runPlan(plan, {
			timeoutMs: opts.timeoutMs,
			dryRun: opts.dryRun,
			force: opts.force,
			reinstall: opts.reinstall,
			parallel: opts.parallel,
			...(ca ? {ca, restartIstiod: opts.restartIstiod} : {}),
			signal: ctx.signal,
			onEvent: event => printer?.print(event),
		}),
	);
	return finishRun(
		ctx,
		opts,
		outcome,
		(name, result, dryRun) => deps.recordRun(name, result, dryRun),
		() => ({...jsonResult(plan, opts, outcome, istioctl.path, istioctlVersion, preflight), installer: resolved?.kind ?? 'istioctl'}),
	);
}

/** What the preflight said, as apply acts on it. */
interface Preflight {
	results: CheckResult[];
	summary: CheckSummary;
	/** Failures that stop the run (unless --skip-checks). */
	failed: CheckResult[];
	/** Failures the run's own flags take care of, each with how. */
	overridden: Array<{result: CheckResult; by: string}>;
	warnings: CheckResult[];
	facts: Record<string, ReadResult>;
}

/** A failed check that this run resolves by itself, as its declaration says (e.g. --force relabels istio-system). */
function overriddenBy(result: CheckResult, opts: ParsedApply & {input: MeshPlanInput}): string | undefined {
	const given: ResolvingFlag[] = [...(opts.force ? ['--force' as const] : []), ...(opts.input.caDir !== undefined ? ['--ca' as const] : [])];
	return resolvedBy(result, opts.input, given);
}

/**
 * The blocking preflight checks, as `eastwest check --phase preflight` runs them: every cluster read in parallel,
 * each under the checks' deadline (or apply's --timeout when that is shorter). Undefined when interrupted.
 */
async function runPreflight(opts: ParsedApply & {input: MeshPlanInput}, factory: ClusterClientFactory, signal: AbortSignal): Promise<Preflight | undefined> {
	const plan = opts.input;
	const {facts, results, aborted} = await runCheckPhase({
		plan,
		phase: 'preflight',
		deadlineMs: Math.min(DEFAULT_CHECKS_TIMEOUT_MS, opts.timeoutMs),
		signal,
		read: (cluster, s) => collectClusterFacts(factory, {plan, cluster, phase: 'preflight', signal: s}),
	});
	if (aborted || signal.aborted) return undefined;
	const failed: CheckResult[] = [];
	const overridden: Preflight['overridden'] = [];
	for (const r of results) {
		if (r.status !== 'fail') continue;
		const by = overriddenBy(r, opts);
		if (by) overridden.push({result: r, by});
		else failed.push(r);
	}
	return {results, summary: summarize(results), failed, overridden, warnings: results.filter(r => r.status === 'warn'), facts};
}

function jsonResult(plan: Plan, opts: ParsedApply, outcome: RunOutcome, istioctlPath: string, istioctlVersion: string, preflight: Preflight) {
	return {
		ok: outcome.ok,
		cancelled: outcome.cancelled,
		dryRun: opts.dryRun,
		parallel: opts.parallel,
		plan: plan.input,
		istioctl: istioctlPath,
		istioctlVersion,
		preflight: {
			passed: preflight.failed.length === 0,
			skipChecks: opts.skipChecks,
			summary: preflight.summary,
			failed: preflight.failed,
			overridden: preflight.overridden.map(o => ({...o.result, overriddenBy: o.by})),
			warnings: preflight.warnings,
		},
		clusters: outcome.clusters.map(c => {
			const spec = plan.clusters.find(p => p.cluster.name === c.cluster)!;
			return {
				cluster: c.cluster,
				context: c.context,
				network: spec.cluster.network,
				role: spec.cluster.role,
				outcome: c.outcome,
				address: c.address ?? null,
				steps: c.steps,
				notes: spec.notes,
			};
		}),
	};
}
