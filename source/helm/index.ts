/**
 * helm through execa: locate it, check its version, and the ComponentInstaller adapter that installs,
 * upgrades, inspects and uninstalls a component's releases (core/helm.ts says which, with which values).
 * The only user of the `helm` CLI.
 */
import {constants} from 'node:fs';
import {access, readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import {
	chartVersionOf,
	componentReleases,
	isPending,
	pendingHint,
	RELEASE_LABEL,
	RELEASE_LABEL_VALUE,
	upgradeArgs,
	valuesDifferences,
	type ChartSource,
	type HelmRelease,
} from '../core/helm.js';
import {LineSplitter, stripAnsi} from '../core/istioctl-output.js';
import {formatIstioctlEnd, formatIstioctlStart} from '../core/log.js';
import type {ComponentInstaller, ComponentInstallOptions, ComponentTarget, ReleaseState, UninstallOutcome} from '../core/ports.js';

export const HELM_DOCS_URL = 'https://helm.sh/docs/intro/install/';
/** The oldest Helm with `--labels` on upgrade and `--dry-run=server`. */
export const MIN_HELM_VERSION = '3.13.0';

const KILL_GRACE_MS = 2000;
const QUERY_TIMEOUT_MS = 30_000;
/** Beyond the run's deadline, how long one helm upgrade may take before it is stopped. */
const INSTALL_SLACK_MS = 120_000;
const LAST_LINES = 20;

export interface HelmErrorInfo {
	message: string;
	hint?: string;
	lastLines: string[];
	exitCode?: number;
	cancelled?: boolean;
	timedOut?: boolean;
}

export class HelmError extends Error {
	constructor(readonly info: HelmErrorInfo) {
		super(info.message);
		this.name = 'HelmError';
	}
}

let logSink: ((line: string) => void) | undefined;

/** Where `-v` lines go: each helm command line (secret-named values redacted) and how it ended. */
export function setHelmLog(sink: ((line: string) => void) | undefined): void {
	logSink = sink;
}

function announce(command: string, args: string[]): (exit: number | string | undefined) => void {
	if (!logSink) return () => {};
	const started = Date.now();
	logSink(formatIstioctlStart(command, args));
	return exit => logSink?.(formatIstioctlEnd(args, exit, Date.now() - started));
}

async function isExecutable(file: string): Promise<'executable' | 'not-executable' | 'missing'> {
	try {
		if (!(await stat(file)).isFile()) return 'missing';
	} catch {
		return 'missing';
	}
	try {
		await access(file, constants.X_OK);
		return 'executable';
	} catch {
		return 'not-executable';
	}
}

/** Compare dotted versions (v prefix and suffixes ignored): negative when a < b. */
export function compareVersions(a: string, b: string): number {
	const parts = (v: string) => (/(\d+)\.(\d+)\.?(\d+)?/.exec(v)?.slice(1) ?? []).map(n => Number(n ?? 0));
	const [x, y] = [parts(a), parts(b)];
	for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
	return 0;
}

/** A located helm: its path and environment. */
export interface Helm {
	readonly path: string;
	/** `helm version`: e.g. v4.3.2. Rejects (a HelmError) when it fails, answers nothing, or is older than MIN_HELM_VERSION. */
	clientVersion(signal?: AbortSignal): Promise<string>;
	run(args: string[], options: RunOptions): Promise<RunResult>;
}

interface RunOptions {
	signal?: AbortSignal;
	timeoutMs: number;
	onLine?: (line: string) => void;
}

interface RunResult {
	exitCode?: number;
	stdout: string;
	/** The last output lines (stderr and stdout), ANSI stripped. */
	lastLines: string[];
	cancelled: boolean;
	timedOut: boolean;
	failed: boolean;
	code?: string;
}

/** Find helm: the --helm path, else the first executable `helm` on PATH. Throws a HelmError with the reason. */
export async function locateHelm(options: {path?: string; env: NodeJS.ProcessEnv}): Promise<Helm> {
	const hint = `install Helm ${MIN_HELM_VERSION} or newer (${HELM_DOCS_URL}) or pass --helm PATH`;
	if (options.path) {
		const file = path.resolve(options.path);
		const kind = await isExecutable(file);
		if (kind !== 'executable') {
			const why = kind === 'missing' ? `${file} does not exist` : `${file} is not executable; chmod +x it`;
			throw new HelmError({message: `--helm ${options.path}: no executable file there (${why})`, hint, lastLines: []});
		}
		return new ExecHelm(file, options.env);
	}
	for (const dir of (options.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		const file = path.join(dir, 'helm');
		if ((await isExecutable(file)) === 'executable') return new ExecHelm(file, options.env);
	}
	throw new HelmError({message: `helm not found on PATH: ${hint}`, hint, lastLines: []});
}

/** Process groups of running helm children, killed if eastwest exits while they run. */
const running = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		try {
			process.kill(pid, signal);
		} catch {
			// Already gone.
		}
	}
}

class ExecHelm implements Helm {
	constructor(
		readonly path: string,
		private readonly env: NodeJS.ProcessEnv,
	) {}

	async clientVersion(signal?: AbortSignal): Promise<string> {
		const result = await this.run(['version', '--template', '{{.Version}}'], {timeoutMs: QUERY_TIMEOUT_MS, ...(signal ? {signal} : {})});
		if (result.cancelled) throw new HelmError({message: 'helm version was cancelled', lastLines: [], cancelled: true});
		const version = /v?\d+\.\d+\.\d+[\w.+-]*/.exec(result.stdout.trim())?.[0];
		if (result.failed || !version) {
			const said = result.lastLines.find(Boolean);
			const how = result.timedOut
				? `did not answer within ${QUERY_TIMEOUT_MS / 1000}s`
				: result.exitCode === undefined
					? `could not be started${result.code ? ` (${result.code})` : ''}`
					: result.exitCode !== 0
						? `failed (exit ${result.exitCode})`
						: 'printed no version';
			throw new HelmError({
				message: `${this.path} version ${how}${said ? `: ${said}` : ''}`,
				hint: `check that ${this.path} is Helm (${HELM_DOCS_URL})`,
				lastLines: result.lastLines,
				...(result.exitCode !== undefined ? {exitCode: result.exitCode} : {}),
			});
		}
		if (compareVersions(version, MIN_HELM_VERSION) < 0) {
			throw new HelmError({
				message: `${this.path} is Helm ${version}, older than ${MIN_HELM_VERSION} (eastwest needs --labels and --dry-run=server)`,
				hint: `install Helm ${MIN_HELM_VERSION} or newer (${HELM_DOCS_URL}) or pass --helm PATH`,
				lastLines: [],
			});
		}
		return version;
	}

	/** Run helm in its own process group; Ctrl-C (the signal) and the deadline stop the whole group. */
	async run(args: string[], options: RunOptions): Promise<RunResult> {
		if (options.signal?.aborted) return {stdout: '', lastLines: [], cancelled: true, timedOut: false, failed: true};
		const ended = announce(this.path, args);
		const child = execa(this.path, args, {env: this.env, extendEnv: false, reject: false, stdin: 'ignore', buffer: false, detached: true});
		if (child.pid !== undefined) {
			if (!exitHookInstalled) {
				exitHookInstalled = true;
				process.on('exit', () => {
					for (const p of running) killGroup(p, 'SIGKILL');
				});
			}
			running.add(child.pid);
		}
		let cancelled = false;
		let timedOut = false;
		let graceTimer: NodeJS.Timeout | undefined;
		const stop = () => {
			if (child.pid === undefined || child.exitCode !== null) return;
			killGroup(child.pid, 'SIGTERM');
			graceTimer ??= setTimeout(() => {
				if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
			}, KILL_GRACE_MS);
		};
		const onAbort = () => {
			cancelled = true;
			stop();
		};
		options.signal?.addEventListener('abort', onAbort, {once: true});
		const deadline = setTimeout(() => {
			timedOut = true;
			stop();
		}, options.timeoutMs);
		let stdout = '';
		const lastLines: string[] = [];
		const keep = (line: string) => {
			const text = stripAnsi(line).trimEnd();
			if (!text) return;
			lastLines.push(text);
			if (lastLines.length > LAST_LINES) lastLines.shift();
			options.onLine?.(text);
		};
		const err = new LineSplitter();
		child.stdout?.setEncoding('utf8');
		child.stderr?.setEncoding('utf8');
		child.stdout?.on('data', (chunk: string) => {
			stdout += chunk;
		});
		child.stderr?.on('data', (chunk: string) => err.push(chunk).forEach(keep));
		let result;
		try {
			result = await child;
			ended(result.exitCode ?? result.code ?? (cancelled ? 'cancelled' : result.signal));
		} finally {
			clearTimeout(deadline);
			options.signal?.removeEventListener('abort', onAbort);
			if (child.pid !== undefined) {
				killGroup(child.pid, 'SIGKILL');
				running.delete(child.pid);
			}
			if (graceTimer) clearTimeout(graceTimer);
		}
		err.flush().forEach(keep);
		return {
			...(result.exitCode !== undefined ? {exitCode: result.exitCode} : {}),
			...(result.code ? {code: result.code} : {}),
			stdout,
			lastLines,
			cancelled,
			timedOut,
			failed: result.failed || cancelled || timedOut,
		};
	}
}

/** helm list entry (-o json). */
interface ListedRelease {
	name?: string;
	namespace?: string;
	status?: string;
	chart?: string;
}

export interface HelmInstallerOptions {
	charts: ChartSource;
	/** Adopt or replace a same-named release eastwest did not make even when its values differ. */
	force?: boolean;
}

/** The ComponentInstaller of Helm: releases of Istio's charts (core/helm.ts), with eastwest's release label. */
export function helmInstaller(helm: Helm, options: HelmInstallerOptions): ComponentInstaller {
	return new HelmInstaller(helm, options);
}

class HelmInstaller implements ComponentInstaller {
	readonly kind = 'helm' as const;
	readonly verb = 'helm upgrade --install';
	readonly keepsReleases = true;
	readonly path: string;
	private readonly chartVersions = new Map<string, Promise<string | undefined>>();

	constructor(
		private readonly helm: Helm,
		private readonly options: HelmInstallerOptions,
	) {
		this.path = helm.path;
	}

	private scope(target: Pick<ComponentTarget, 'context' | 'kubeconfig'>): string[] {
		return ['--kube-context', target.context, ...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : [])];
	}

	private async query(args: string[], what: string, signal: AbortSignal | undefined): Promise<string> {
		const result = await this.helm.run(args, {timeoutMs: QUERY_TIMEOUT_MS, ...(signal ? {signal} : {})});
		if (result.cancelled) throw new HelmError({message: `${what} was cancelled`, lastLines: result.lastLines, cancelled: true});
		if (result.failed) {
			throw new HelmError({
				message: `${what} failed${result.timedOut ? ` (no answer within ${QUERY_TIMEOUT_MS / 1000}s)` : ''}: ${result.lastLines.find(l => /error/i.test(l)) ?? result.lastLines[0] ?? `exit ${result.exitCode ?? '?'}`}`,
				lastLines: result.lastLines,
				...(result.exitCode !== undefined ? {exitCode: result.exitCode} : {}),
			});
		}
		return result.stdout;
	}

	/** One release as helm lists it (any status), and whether it carries eastwest's release label. */
	private async find(release: HelmRelease, target: ComponentTarget): Promise<{listed: ListedRelease; ours: boolean} | undefined> {
		const base = ['list', '--namespace', release.namespace, '--all', '--output', 'json', '--filter', `^${release.release}$`, ...this.scope(target)];
		const all = JSON.parse((await this.query(base, `helm list ${release.release}`, target.signal)) || '[]') as ListedRelease[];
		const listed = all.find(r => r.name === release.release);
		if (!listed) return undefined;
		const mine = JSON.parse(
			(await this.query([...base, '--selector', `${RELEASE_LABEL}=${RELEASE_LABEL_VALUE}`], `helm list ${release.release}`, target.signal)) || '[]',
		) as ListedRelease[];
		return {listed, ours: mine.some(r => r.name === release.release)};
	}

	/** The chart version the plan installs: --chart-version (or the istiod's), or the local chart's own. */
	private wantedChartVersion(chart: string): Promise<string | undefined> {
		const source = this.options.charts;
		if (source.kind === 'repo') return Promise.resolve(source.version);
		let version = this.chartVersions.get(chart);
		if (!version) {
			version = readFile(path.join(source.dir, chart, 'Chart.yaml'), 'utf8').then(
				text => /^version:\s*["']?([^"'\s]+)/m.exec(text)?.[1],
				() => undefined,
			);
			this.chartVersions.set(chart, version);
		}
		return version;
	}

	private async state(release: HelmRelease, target: ComponentTarget): Promise<ReleaseState | undefined> {
		const found = await this.find(release, target);
		if (!found) return undefined;
		const status = found.listed.status ?? 'unknown';
		const valuesText = await this.query(
			['get', 'values', release.release, '--namespace', release.namespace, '--output', 'json', ...this.scope(target)],
			`helm get values ${release.release}`,
			target.signal,
		);
		const have = (JSON.parse(valuesText.trim() || 'null') ?? {}) as Record<string, unknown>;
		const differences = valuesDifferences(release.values, have);
		const chartVersion = chartVersionOf(found.listed.chart, release.chart);
		const want = await this.wantedChartVersion(release.chart);
		if (want && chartVersion && want.replace(/^v/, '') !== chartVersion.replace(/^v/, '')) differences.push(`chart version is ${chartVersion} (want ${want})`);
		if (status !== 'deployed') differences.push(`status is ${status}`);
		return {
			installer: 'helm',
			name: release.release,
			namespace: release.namespace,
			chart: release.chart,
			...(chartVersion ? {chartVersion} : {}),
			status,
			ours: found.ours,
			differences,
		};
	}

	/** The component's main release (the gateway, or istiod), judged against the plan. */
	async inspect(target: ComponentTarget): Promise<ReleaseState | undefined> {
		const releases = componentReleases(target.component, target.params);
		return this.state(releases[releases.length - 1]!, target);
	}

	async install(options: ComponentInstallOptions): Promise<void> {
		const releases = componentReleases(options.component, options.params);
		for (const release of releases) {
			const main = release === releases[releases.length - 1];
			const state = await this.state(release, options);
			if (state && !state.ours) {
				// A release someone else made: used as it is when it matches, never taken over unless --force.
				if (state.differences.length === 0) {
					options.onLine?.(`release ${release.release} (not made by eastwest) matches the plan: used as it is`, undefined);
					continue;
				}
				if (!this.options.force) {
					throw new HelmError({
						message: `Helm release ${release.namespace}/${release.release} on ${options.context} was not installed by eastwest and differs from the plan: ${state.differences.join('; ')}`,
						hint: "change or uninstall that release, or re-run with --force to upgrade it to the plan (it stays the user's: remove leaves it)",
						lastLines: [],
					});
				}
			}
			if (state && isPending(state.status)) {
				if (!(state.ours && state.status === 'pending-install')) {
					throw new HelmError({
						message: `Helm release ${release.namespace}/${release.release} on ${options.context} is ${state.status}`,
						hint: pendingHint(release.release, release.namespace, state.status),
						lastLines: [],
					});
				}
				options.onLine?.(`release ${release.release} was left pending-install by an interrupted helm: uninstalling it to install again`, undefined);
				if (!options.dryRun) await this.uninstallRelease(release, options, QUERY_TIMEOUT_MS * 4, false);
			}
			// A release of eastwest's that already matches is left alone (the engine decides about the main one).
			if (!main && state?.ours && state.differences.length === 0) continue;
			await this.upgrade(release, options, state?.ours === false);
		}
	}

	private async upgrade(release: HelmRelease, options: ComponentInstallOptions, foreign: boolean): Promise<void> {
		const args = upgradeArgs(release, this.options.charts, {
			context: options.context,
			...(options.kubeconfig ? {kubeconfig: options.kubeconfig} : {}),
			dryRun: options.dryRun,
		});
		// A release someone else made keeps its own labels: --force upgrades its values only.
		const final = foreign ? args.filter((a, i) => a !== '--labels' && args[i - 1] !== '--labels') : args;
		const result = await this.helm.run(final, {
			timeoutMs: options.readinessTimeoutMs + INSTALL_SLACK_MS,
			...(options.signal ? {signal: options.signal} : {}),
			onLine: line => options.onLine?.(line, undefined),
		});
		const stdoutLines = result.stdout
			.split('\n')
			.map(l => stripAnsi(l).trim())
			.filter(Boolean);
		if (!options.dryRun) for (const line of stdoutLines.slice(0, 8)) options.onLine?.(line, undefined);
		if (result.cancelled) {
			throw new HelmError({
				message: `helm upgrade --install ${release.release} was cancelled`,
				hint: `a re-run converges; if helm list shows ${release.release} pending-install or pending-upgrade, eastwest says what to do`,
				lastLines: result.lastLines,
				cancelled: true,
			});
		}
		if (result.failed) {
			const said = result.lastLines.find(l => /^Error/i.test(l)) ?? result.lastLines[result.lastLines.length - 1];
			throw new HelmError({
				message: result.timedOut
					? `helm upgrade --install ${release.release} did not finish within ${Math.round((options.readinessTimeoutMs + INSTALL_SLACK_MS) / 1000)}s and was stopped`
					: `helm upgrade --install ${release.release} on ${options.context} failed${said ? `: ${said.replace(/^Error:\s*/, '')}` : ''}`,
				hint:
					this.options.charts.kind === 'repo'
						? `check that the chart repository ${this.options.charts.repo} is added (helm repo add ${this.options.charts.repo} https://istio-release.storage.googleapis.com/charts) and serves chart ${release.chart}${this.options.charts.version ? ` at ${this.options.charts.version}` : ''}`
						: `check that ${this.options.charts.dir}/${release.chart} holds Istio's ${release.chart} chart`,
				lastLines: result.lastLines,
				...(result.exitCode !== undefined ? {exitCode: result.exitCode} : {}),
				timedOut: result.timedOut,
			});
		}
	}

	private async uninstallRelease(release: HelmRelease, target: ComponentTarget, timeoutMs: number, dryRun: boolean): Promise<void> {
		const args = ['uninstall', release.release, '--namespace', release.namespace, ...this.scope(target), ...(dryRun ? ['--dry-run'] : [])];
		const result = await this.helm.run(args, {timeoutMs, ...(target.signal ? {signal: target.signal} : {})});
		if (result.cancelled) throw new HelmError({message: `helm uninstall ${release.release} was cancelled`, lastLines: result.lastLines, cancelled: true});
		if (result.failed) {
			const said = result.lastLines.find(l => /^Error/i.test(l)) ?? result.lastLines[result.lastLines.length - 1];
			throw new HelmError({
				message: `helm uninstall ${release.release} on ${target.context} failed${result.timedOut ? ` (no answer within ${Math.round(timeoutMs / 1000)}s)` : ''}${said ? `: ${said.replace(/^Error:\s*/, '')}` : ''}`,
				lastLines: result.lastLines,
				...(result.exitCode !== undefined ? {exitCode: result.exitCode} : {}),
			});
		}
	}

	/** Uninstall every release of the component that carries eastwest's label, last installed first. */
	async uninstall(target: ComponentTarget, options: {dryRun: boolean; timeoutMs: number}): Promise<UninstallOutcome> {
		let outcome: UninstallOutcome = 'not-found';
		for (const release of componentReleases(target.component, target.params).reverse()) {
			const found = await this.find(release, target);
			if (!found?.ours) continue;
			await this.uninstallRelease(release, target, options.timeoutMs, options.dryRun);
			outcome = 'uninstalled';
		}
		return outcome;
	}
}
