/**
 * `eastwest apply`: headless run of a plan, text or JSON, with confirmation, deadlines and Ctrl-C.
 * Before anything changes: the plan, istioctl (located and asked its version) and the blocking preflight checks.
 */
import path from 'node:path';
import {confirmOnTerminal} from './confirm.js';
import {DEFAULT_CHECKS_TIMEOUT_MS, runCheckPhase, type ReadResult} from '../checks/run.js';
import {collectClusterFacts} from '../checks/collect.js';
import {SKIPPED_UNREACHABLE, groupResults, resolvedBy, summarize, type CheckResult, type CheckSummary, type ResolvingFlag} from '../core/checks/index.js';
import {formatClusterFlag} from '../core/cluster-flag.js';
import {formatElapsed, type Event, type RunOutcome} from '../core/events.js';
import type {MeshPlanInput} from '../core/model.js';
import {buildPlan, type Plan, type Step} from '../core/plan.js';
import type {TeardownPlan} from '../core/teardown.js';
import type {CaSource, ClusterClientFactory, Istioctl, KubeconfigSource, RunPlan} from '../core/ports.js';
import * as engine from '../engine/index.js';
import * as istioctlLayer from '../istioctl/index.js';
import * as kube from '../kube/index.js';
import {globalFlags, oneOf, parseFlags, readParallel, readTimeout, type OptionSpec} from './args.js';
import {DEFAULT_PARALLEL} from '../core/slots.js';
import {EXIT, UsageError, WorkError} from '../core/exit-codes.js';
import {PLAN_FLAG_OPTIONS, readPlanOrProfile} from './plan-flags.js';
import {loadSavedPlan, recordProfileRun, savedParallel} from './saved-plan.js';
import {openCaDir} from './ca.js';
import type {CommandContext} from '../core/command-context.js';
import {firstLine} from '../core/text.js';

export interface ApplyDeps {
	createFactory(source: KubeconfigSource): ClusterClientFactory;
	locateIstioctl(options: {path?: string; env: NodeJS.ProcessEnv}): Promise<Istioctl>;
	createRunPlan(deps: {factory: ClusterClientFactory; istioctl: Istioctl}): RunPlan;
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

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** A waiting line repeats at most this often while its reason holds. */
const WAITING_PRINT_INTERVAL_MS = 10_000;

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	return applyCommand(args, ctx, {
		createFactory: source => kube.createClusterClientFactory(source),
		locateIstioctl: options => istioctlLayer.locateIstioctl(options),
		createRunPlan: deps => engine.createRunPlan(deps),
		loadProfile: loadSavedPlan,
		profileParallel: savedParallel,
		recordRun: recordProfileRun,
		openCa: openCaDir,
		interactive: () => Boolean(process.stdin.isTTY && ctx.stderr.isTTY),
		confirm: confirmOnTerminal,
	});
}

interface ParsedApply {
	/** From the plan flags; absent when --profile names the plan. */
	input?: MeshPlanInput;
	profile?: string;
	dryRun: boolean;
	yes: boolean;
	timeoutMs: number;
	output: 'text' | 'json';
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
}

/** The flags of `eastwest apply` (besides the global ones). */
export const FLAGS = {
	...PLAN_FLAG_OPTIONS,
	profile: {type: 'string'},
	'dry-run': {type: 'boolean'},
	yes: {type: 'boolean', short: 'y'},
	timeout: {type: 'string'},
	output: {type: 'string', short: 'o'},
	force: {type: 'boolean'},
	reinstall: {type: 'boolean'},
	'skip-checks': {type: 'boolean'},
	parallel: {type: 'string'},
	ca: {type: 'string'},
	'restart-istiod': {type: 'boolean'},
} as const satisfies OptionSpec;

/** Flags → plan input; every problem at once as UsageError lines. */
export function parseApplyArgs(args: string[]): ParsedApply {
	const {values} = parseFlags('apply', args, FLAGS);
	const output = oneOf('output', values.output, ['text', 'json'] as const, 'text');
	const read = readPlanOrProfile(values);
	const problems = [...read.problems];
	const input: MeshPlanInput | undefined = read.input;
	const timeout = readTimeout(values.timeout, DEFAULT_TIMEOUT_MS, '90s, 5m or 1m30s');
	if (timeout.problem !== undefined) problems.push(timeout.problem);
	if (values.ca === '') problems.push('--ca needs the directory of the root CA (root-cert.pem, root-key.pem); create one with eastwest ca create --out DIR');
	const timeoutMs = timeout.ms ?? DEFAULT_TIMEOUT_MS;
	const parallel = readParallel(values.parallel);
	if (parallel.problem !== undefined) problems.push(parallel.problem);
	if (problems.length > 0) throw new UsageError(problems.join('\neastwest: '));
	const g = globalFlags(values);
	return {
		...(input ? {input} : {}),
		...(values.profile !== undefined ? {profile: values.profile} : {}),
		dryRun: Boolean(values['dry-run']),
		yes: Boolean(values.yes),
		timeoutMs,
		output,
		force: Boolean(values.force),
		reinstall: Boolean(values.reinstall),
		skipChecks: Boolean(values['skip-checks']),
		...(parallel.value !== undefined ? {parallel: parallel.value} : {}),
		...(values.ca ? {caDir: path.resolve(values.ca)} : {}),
		restartIstiod: Boolean(values['restart-istiod']),
		...(g.kubeconfig ? {kubeconfig: g.kubeconfig} : {}),
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
	if (parsed.restartIstiod && input.caDir === undefined) {
		throw new UsageError('--restart-istiod restarts istiod after a new CA is plugged in: give --ca DIR too (or a profile saved with --ca)');
	}
	// --parallel, else the profile's, else the default.
	const parallel = parsed.parallel ?? (parsed.profile !== undefined ? await deps.profileParallel?.(parsed.profile) : undefined) ?? DEFAULT_PARALLEL;
	const opts = {...parsed, input, parallel};
	const source: KubeconfigSource = {env: ctx.env, ...(opts.kubeconfig ? {kubeconfig: opts.kubeconfig} : {})};
	let factory: ClusterClientFactory;
	try {
		factory = deps.createFactory(source);
	} catch (error) {
		// A missing or malformed kubeconfig is bad input.
		throw new UsageError(firstLine(error));
	}
	const known = new Set(factory.kubeconfig.contexts.map(c => c.name));
	const missing = opts.input.clusters.filter(c => !known.has(c.context));
	if (missing.length > 0) {
		const files = factory.kubeconfig.files.join(', ') || '(no kubeconfig file)';
		throw new UsageError(
			missing.map(c => `context "${c.context}" (--cluster ${formatClusterFlag(c)}) is not in the kubeconfig ${files}; list contexts with kubectl config get-contexts`).join('\neastwest: '),
		);
	}
	// The root is read (and its key checked) before any cluster or istioctl is asked anything.
	const ca = opts.input.caDir !== undefined ? await (deps.openCa ?? openCaDir)(opts.input.caDir) : undefined;
	const mustAsk = !opts.yes && !opts.dryRun;
	// Known before any cluster is read: a run nobody can confirm is refused at once.
	if (mustAsk && !deps.interactive()) {
		throw new UsageError('eastwest apply changes clusters and needs confirmation: pass --yes (or --dry-run to preview)');
	}
	// istioctl as the wizard checks it: found, executable, and answering `version`; before any cluster is touched.
	let istioctl: Istioctl;
	let istioctlVersion: string;
	try {
		istioctl = await deps.locateIstioctl({...(opts.istioctl ? {path: opts.istioctl} : {}), env: ctx.env});
		istioctlVersion = await istioctl.clientVersion(ctx.signal);
	} catch (error) {
		if (ctx.signal.aborted) return EXIT.interrupted;
		throw new UsageError(firstLine(error));
	}
	const plan = buildPlan(opts.input);

	const preflight = await runPreflight(opts, factory, ctx.signal);
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
			throw new WorkError(`${count} failed (${which}); nothing was changed: fix ${preflight.failed.length === 1 ? 'it' : 'them'} and run again, or pass --skip-checks to run anyway`);
		}
		ctx.stderr.write(`eastwest: warning: --skip-checks: running despite ${count} that failed: ${which}\n`);
	}

	if (mustAsk) {
		ctx.stderr.write(describeChanges(plan));
		const ok = await deps.confirm('Proceed? [y/N] ', ctx.signal);
		if (ctx.signal.aborted) return EXIT.interrupted;
		if (!ok) {
			ctx.stderr.write('eastwest: nothing changed\n');
			return EXIT.failed;
		}
	}

	const printer = opts.output === 'text' ? new TextPrinter(ctx, plan) : undefined;
	const runPlan = deps.createRunPlan({factory, istioctl});
	let outcome: RunOutcome;
	try {
		outcome = await runPlan(plan, {
			timeoutMs: opts.timeoutMs,
			dryRun: opts.dryRun,
			force: opts.force,
			reinstall: opts.reinstall,
			parallel: opts.parallel,
			...(ca ? {ca, restartIstiod: opts.restartIstiod} : {}),
			signal: ctx.signal,
			onEvent: event => printer?.print(event),
		});
	} catch (error) {
		throw new WorkError(`the run stopped unexpectedly: ${firstLine(error)}`);
	}
	if (opts.profile !== undefined) {
		const warning = await deps.recordRun(opts.profile, outcome.cancelled ? 'cancelled' : outcome.ok ? 'succeeded' : 'failed', opts.dryRun);
		if (warning) ctx.stderr.write(`eastwest: warning: ${warning}\n`);
	}
	if (opts.output === 'json') ctx.stdout.write(`${JSON.stringify(jsonResult(plan, opts, outcome, istioctl.path, istioctlVersion, preflight), null, 2)}\n`);
	if (outcome.cancelled) return EXIT.interrupted;
	return outcome.ok ? EXIT.ok : EXIT.failed;
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

const SYMBOL: Record<CheckResult['status'], string> = {pass: '✔', warn: '‼', fail: '✘', skip: '–'};

/** The preflight in `eastwest check`'s style, showing only what did not pass (passing checks are counted in the verdict). */
function formatPreflight(plan: MeshPlanInput, preflight: Preflight, skipChecks: boolean): string {
	const shown = preflight.results.filter(r => r.status === 'fail' || r.status === 'warn' || (r.status === 'skip' && r.reason === SKIPPED_UNREACHABLE));
	const lines: string[] = [];
	for (const group of groupResults(plan, shown)) {
		if (group.results.length === 0 && group.blocked === 0) continue;
		if (lines.length > 0) lines.push('');
		lines.push(group.title, '-'.repeat(group.title.length));
		for (const r of group.results) {
			lines.push(`${SYMBOL[r.status]} ${r.claim}`);
			if (r.reason) lines.push(`    ${r.reason}`);
			if (r.hint) lines.push(`    hint: ${r.hint}`);
			if (r.doc) lines.push(`    see: ${r.doc}`);
			const by = preflight.overridden.find(o => o.result === r)?.by;
			if (by) lines.push(`    overridden: ${by}`);
		}
		if (group.blocked > 0) lines.push(`${SYMBOL.skip} ${group.blocked} more check${group.blocked === 1 ? '' : 's'} skipped: ${SKIPPED_UNREACHABLE}`);
		for (const e of group.cluster ? (preflight.facts[group.cluster]?.errors ?? []) : []) lines.push(`    (could not read: ${e})`);
	}
	const s = preflight.summary;
	const counts = `${s.pass} passed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed, ${s.skip} skipped`;
	const verdict =
		preflight.failed.length > 0
			? `✘ preflight checks failed: ${counts}${skipChecks ? '; running anyway (--skip-checks)' : ''}`
			: s.fail > 0 || s.warn > 0
				? `‼ preflight checks passed with ${s.fail > 0 ? 'overrides' : 'warnings'}: ${counts}`
				: `✔ preflight checks passed: ${counts}`;
	if (lines.length > 0) lines.push('');
	lines.push(verdict, '');
	return `${lines.join('\n')}\n`;
}

/** The outcome of a run that never started: every step not run. */
function notStarted(plan: Plan): RunOutcome {
	return {
		ok: false,
		cancelled: false,
		clusters: plan.clusters.map(cp => ({
			cluster: cp.cluster.name,
			context: cp.cluster.context,
			outcome: 'not-started' as const,
			steps: cp.steps.map(st => ({id: st.id, kind: st.kind, status: 'not-run' as const})),
		})),
	};
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

/** How a front-end other than apply (remove) words a run's results and closing notes. */
export interface TextPrinterWords {
	result?: Partial<Record<'changed' | 'unchanged' | 'skipped', string>>;
	/** Heading of the clusters' notes after a successful run. */
	notes?: string;
}

/** One line per event; `[cluster]` prefix; ✔/✘ with indented hints; waiting lines rate-limited. */
export class TextPrinter {
	private readonly steps: Map<string, Pick<Step, 'id' | 'title'>>;
	private readonly lastWaiting = new Map<string, {reason: string; at: number}>();
	private readonly lastLine = new Map<string, string>();
	private readonly width: number;

	constructor(
		private readonly ctx: CommandContext,
		private readonly plan: Plan | TeardownPlan,
		private readonly words: TextPrinterWords = {},
	) {
		this.steps = new Map(plan.steps.map(s => [s.id, s]));
		this.width = Math.max(...plan.clusters.map(c => c.cluster.name.length));
	}

	private out(cluster: string, text: string): void {
		this.ctx.stdout.write(`${`[${cluster}]`.padEnd(this.width + 2)} ${text}\n`);
	}

	print(event: Event): void {
		switch (event.type) {
			case 'step-start':
				this.out(event.cluster, `… ${event.title}`);
				return;
			case 'line': {
				if (this.lastLine.get(event.stepId) === event.text) return;
				this.lastLine.set(event.stepId, event.text);
				this.out(event.cluster, `    istioctl: ${event.text}`);
				return;
			}
			case 'waiting': {
				const last = this.lastWaiting.get(event.stepId);
				if (last && last.reason === event.reason && event.elapsedMs - last.at < WAITING_PRINT_INTERVAL_MS) return;
				this.lastWaiting.set(event.stepId, {reason: event.reason, at: event.elapsedMs});
				this.out(event.cluster, `    waiting ${formatElapsed(event.elapsedMs)}: ${event.reason}`);
				return;
			}
			case 'step-done': {
				const title = this.steps.get(event.stepId)?.title ?? event.stepId;
				const mark = event.result === 'skipped' ? '–' : '✔';
				const word = this.words.result?.[event.result] ?? event.result;
				this.out(event.cluster, `${mark} ${title}: ${word}${event.detail && event.detail !== word ? ` (${event.detail})` : ''} [${formatElapsed(event.elapsedMs)}]`);
				return;
			}
			case 'step-failed': {
				const title = this.steps.get(event.stepId)?.title ?? event.stepId;
				this.out(event.cluster, `✘ ${title}: ${event.error}`);
				if (event.hint) this.out(event.cluster, `    hint: ${event.hint}`);
				return;
			}
			case 'address':
				this.out(event.cluster, `✔ gateway address: ${event.address.value}`);
				return;
			case 'run-done':
				this.summary(event.outcome);
				return;
		}
	}

	private summary(outcome: RunOutcome): void {
		const w = this.ctx.stdout;
		w.write(`\n${outcome.cancelled ? 'Interrupted' : outcome.ok ? 'Done' : 'Failed'}:\n`);
		for (const c of outcome.clusters) {
			if (c.steps.length === 0) {
				w.write(`  ${c.cluster} (context ${c.context}): nothing to do here\n`);
				continue;
			}
			const address = c.address ? `, gateway ${c.address.value}` : '';
			w.write(`  ${c.cluster} (context ${c.context}): ${c.outcome}${address}\n`);
			const done = c.steps.filter(s => s.status === 'changed' || s.status === 'unchanged' || s.status === 'skipped').map(s => `${s.kind} ${s.status}`);
			const bad = c.steps.filter(s => s.status === 'failed' || s.status === 'cancelled').map(s => `${s.kind} ${s.status}${s.error && s.status === 'failed' ? `: ${s.error}` : ''}`);
			const notRun = c.steps.filter(s => s.status === 'not-run').map(s => s.kind);
			if (done.length > 0 && c.outcome !== 'succeeded') w.write(`    done: ${done.join(', ')}\n`);
			for (const b of bad) w.write(`    ${b}\n`);
			if (notRun.length > 0) w.write(`    not run: ${notRun.join(', ')}\n`);
		}
		const notes = this.plan.clusters.flatMap(c => c.notes.map(n => `  ${c.cluster.name}: ${n}`));
		if (notes.length > 0 && outcome.ok) w.write(`\n${this.words.notes ?? 'Notes'}:\n${notes.join('\n')}\n`);
	}
}
