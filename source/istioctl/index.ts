/** istioctl through execa: locate, client version, `install -y -f -` with streamed progress and clean cancellation. */
import {constants} from 'node:fs';
import {access, stat} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import {LineSplitter, isDecoration, stripAnsi, parseIstioctlLine, summarizeIstioctlFailure} from '../core/istioctl-output.js';
import type {CreateRemoteSecretOptions, Istioctl, IstioctlErrorInfo, IstioctlInstallOptions} from '../core/ports.js';
import {Sealed} from '../core/sealed.js';
import {formatIstioctlEnd, formatIstioctlStart} from '../core/log.js';

let logSink: ((line: string) => void) | undefined;

/** Where `-v` lines go: each istioctl command line (secrets redacted) and how it ended. */
export function setIstioctlLog(sink: ((line: string) => void) | undefined): void {
	logSink = sink;
}

/** Log the command line now; the returned function logs how it ended. */
function announce(command: string, args: string[]): (exit: number | string | undefined) => void {
	if (!logSink) return () => {};
	const started = Date.now();
	logSink(formatIstioctlStart(command, args));
	return exit => logSink?.(formatIstioctlEnd(args, exit, Date.now() - started));
}

export const INSTALL_DOCS_URL = 'https://istio.io/latest/docs/setup/additional-setup/download-istio-release/';

/** How long a terminated istioctl gets before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Beyond --readiness-timeout, how long istioctl may take to apply and report before it is stopped. */
const INSTALL_SLACK_MS = 120_000;
const VERSION_TIMEOUT_MS = 30_000;
const LAST_LINES = 20;

export class IstioctlError extends Error {
	constructor(readonly info: IstioctlErrorInfo) {
		super(info.message);
		this.name = 'IstioctlError';
	}
}

export class IstioctlNotFoundError extends Error {
	readonly hint: string;
	constructor(message: string, hint: string) {
		super(message);
		this.name = 'IstioctlNotFoundError';
		this.hint = hint;
	}
}

/** What is at a path: an executable file, a file without the execute permission, something else, or nothing. */
async function fileKind(file: string): Promise<'executable' | 'not-executable' | 'not-a-file' | 'missing'> {
	let s;
	try {
		s = await stat(file);
	} catch {
		return 'missing';
	}
	if (!s.isFile()) return 'not-a-file';
	try {
		await access(file, constants.X_OK);
		return 'executable';
	} catch {
		return 'not-executable';
	}
}

/** Find istioctl: the --istioctl path, else the first executable `istioctl` on PATH. */
export async function locateIstioctl(options: {path?: string; env: NodeJS.ProcessEnv}): Promise<Istioctl> {
	const hint = `install the istioctl matching your control plane (${INSTALL_DOCS_URL}) or pass --istioctl PATH`;
	if (options.path) {
		const file = path.resolve(options.path);
		const kind = await fileKind(file);
		if (kind !== 'executable') {
			const why = {missing: `${file} does not exist`, 'not-a-file': `${file} is not a file`, 'not-executable': `${file} is not executable; chmod +x it`}[kind];
			throw new IstioctlNotFoundError(`--istioctl ${options.path}: no executable file there (${why})`, hint);
		}
		return new ExecIstioctl(file, options.env);
	}
	const names = process.platform === 'win32' ? ['istioctl.exe', 'istioctl'] : ['istioctl'];
	let notExecutable: string | undefined;
	for (const dir of (options.env.PATH ?? '').split(path.delimiter)) {
		if (!dir) continue;
		for (const name of names) {
			const file = path.join(dir, name);
			const kind = await fileKind(file);
			if (kind === 'executable') return new ExecIstioctl(file, options.env);
			// Like a shell, skip it and keep looking; name it if nothing better turns up.
			if (kind === 'not-executable') notExecutable ??= file;
		}
	}
	if (notExecutable) {
		throw new IstioctlNotFoundError(`istioctl on PATH is not executable: ${notExecutable}; chmod +x it, or pass --istioctl PATH`, hint);
	}
	throw new IstioctlNotFoundError(`istioctl not found on PATH: ${hint}`, hint);
}

/** The first non-empty line of a process's output, stderr first (where a failing CLI says why). */
function firstOutputLine(...texts: unknown[]): string | undefined {
	for (const t of texts) {
		const line = String(t ?? '')
			.split('\n')
			.map(l => l.trim())
			.find(Boolean);
		if (line) return line;
	}
	return undefined;
}

/** Process groups of running istioctl children, killed if eastwest exits while they run. */
const running = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.on('exit', () => {
			for (const p of running) killGroup(p, 'SIGKILL');
		});
	}
	running.add(pid);
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		// Negative pid: the whole process group (the child runs detached as its own group leader).
		process.kill(-pid, signal);
	} catch {
		try {
			process.kill(pid, signal);
		} catch {
			// Already gone.
		}
	}
}

class ExecIstioctl implements Istioctl {
	constructor(
		readonly path: string,
		private readonly env: NodeJS.ProcessEnv,
	) {}

	async clientVersion(signal?: AbortSignal): Promise<string> {
		const run = async (args: string[]) => {
			const ended = announce(this.path, args);
			const result = await execa(this.path, args, {
				env: this.env,
				extendEnv: false,
				reject: false,
				timeout: VERSION_TIMEOUT_MS,
				cancelSignal: signal,
				stdin: 'ignore',
			});
			ended(result.exitCode ?? result.code ?? (result.isCanceled ? 'cancelled' : undefined));
			return result;
		};
		const json = await run(['version', '--remote=false', '-o', 'json']);
		if (json.exitCode === 0) {
			try {
				const parsed = JSON.parse(String(json.stdout)) as {clientVersion?: {version?: string}};
				if (parsed.clientVersion?.version) return parsed.clientVersion.version;
			} catch {
				// Older istioctl: fall through to --short.
			}
		}
		if (signal?.aborted) throw new IstioctlError({message: 'istioctl version was cancelled', lastLines: [], cancelled: true});
		const short = await run(['version', '--remote=false', '--short']);
		const text = String(short.stdout).trim();
		const version = /(\d+\.\d+\.\d+[\w.+-]*)/.exec(text)?.[1];
		if (short.exitCode === 0 && version) return version;
		const lines = `${String(json.stderr)}\n${String(short.stderr)}`.split('\n').filter(Boolean);
		// One line: the path, how it ended and the first thing it said.
		const said = firstOutputLine(short.stderr, short.stdout, json.stderr, json.stdout);
		const how = short.timedOut
			? `did not answer within ${Math.round(VERSION_TIMEOUT_MS / 1000)}s`
			: short.exitCode === undefined
				? `could not be started${short.code ? ` (${short.code})` : ''}`
				: short.exitCode !== 0
					? `failed (exit ${short.exitCode})`
					: 'printed no version';
		throw new IstioctlError({
			message: `${this.path} version ${how}${said ? `: ${said}` : ''}`,
			hint: `check that ${this.path} is istioctl (${INSTALL_DOCS_URL})`,
			lastLines: lines.slice(-LAST_LINES),
			exitCode: short.exitCode,
		});
	}

	/** stdout holds a service-account token: it is sealed at once, never logged, never quoted in an error. */
	async createRemoteSecret(options: CreateRemoteSecretOptions): Promise<Sealed<string>> {
		const args = ['create-remote-secret', '--context', options.context, '--name', options.name];
		if (options.kubeconfig) args.push('--kubeconfig', options.kubeconfig);
		if (options.server) args.push('--server', options.server);
		if (options.createServiceAccount === false) args.push('--create-service-account=false');
		if (options.signal?.aborted) {
			throw new IstioctlError({message: 'istioctl create-remote-secret was cancelled before it started', lastLines: [], cancelled: true});
		}
		const ended = announce(this.path, args);
		const result = await execa(this.path, args, {
			env: this.env,
			extendEnv: false,
			reject: false,
			stdin: 'ignore',
			timeout: options.timeoutMs,
			cancelSignal: options.signal,
			forceKillAfterDelay: KILL_GRACE_MS,
			stripFinalNewline: false,
		});
		ended(result.exitCode ?? result.code ?? (result.isCanceled ? 'cancelled' : result.signal));
		const lastLines = String(result.stderr ?? '')
			.split('\n')
			.map(l => stripAnsi(l).trim())
			.filter(Boolean);
		for (const line of lastLines) options.onLine?.(line);
		const said = lastLines.find(l => !/^warn/i.test(l)) ?? lastLines[0];
		if (result.isCanceled) throw new IstioctlError({message: 'istioctl create-remote-secret was cancelled', lastLines, cancelled: true});
		if (result.timedOut) {
			throw new IstioctlError({
				message: `istioctl create-remote-secret --context ${options.context} did not finish within ${Math.round(options.timeoutMs / 1000)}s`,
				hint: `it waits for the token of service account istio-reader-service-account in ${options.context}: is its token controller running? raise --timeout if the cluster is slow`,
				lastLines,
				timedOut: true,
			});
		}
		if (result.failed) {
			const how = result.exitCode === undefined ? `could not be started${result.code ? ` (${result.code})` : ''}` : `failed (exit ${result.exitCode})`;
			throw new IstioctlError({
				message: `istioctl create-remote-secret --context ${options.context} ${how}${said ? `: ${said.replace(/^Error:\s*/, '')}` : ''}`,
				hint: `check that the context's user may create service accounts, secrets and cluster role bindings in ${options.context}`,
				lastLines,
				...(result.exitCode !== undefined ? {exitCode: result.exitCode} : {}),
			});
		}
		return new Sealed(String(result.stdout));
	}

	async install(options: IstioctlInstallOptions): Promise<void> {
		const args = ['install', '-y', '-f', '-', '--context', options.context];
		if (options.kubeconfig) args.push('--kubeconfig', options.kubeconfig);
		args.push('--readiness-timeout', `${Math.max(1, Math.ceil(options.readinessTimeoutMs / 1000))}s`);
		if (options.dryRun) args.push('--dry-run');

		const lastLines: string[] = [];
		const emit = (line: string) => {
			// istioctl opens with a sail drawn in ASCII: nothing to report or keep.
			if (isDecoration(line)) return;
			lastLines.push(line);
			if (lastLines.length > LAST_LINES) lastLines.shift();
			options.onLine?.(line, parseIstioctlLine(line));
		};

		if (options.signal?.aborted) {
			throw new IstioctlError({message: 'istioctl install was cancelled before it started', lastLines: [], cancelled: true});
		}

		const ended = announce(this.path, args);
		const child = execa(this.path, args, {
			env: this.env,
			extendEnv: false,
			input: options.manifestYaml,
			reject: false,
			buffer: false,
			detached: true,
			stripFinalNewline: false,
		});
		if (child.pid !== undefined) track(child.pid);

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
		}, options.readinessTimeoutMs + INSTALL_SLACK_MS);

		const splitters = {stdout: new LineSplitter(), stderr: new LineSplitter()};
		child.stdout?.setEncoding('utf8');
		child.stderr?.setEncoding('utf8');
		child.stdout?.on('data', (chunk: string) => splitters.stdout.push(chunk).forEach(emit));
		child.stderr?.on('data', (chunk: string) => splitters.stderr.push(chunk).forEach(emit));

		let result;
		try {
			result = await child;
			ended(result.exitCode ?? result.code ?? result.signal);
		} finally {
			clearTimeout(deadline);
			options.signal?.removeEventListener('abort', onAbort);
			if (child.pid !== undefined) {
				// Anything the istioctl process group left behind goes with it.
				killGroup(child.pid, 'SIGKILL');
				running.delete(child.pid);
			}
			if (graceTimer) clearTimeout(graceTimer);
		}
		splitters.stdout.flush().forEach(emit);
		splitters.stderr.flush().forEach(emit);

		if (cancelled) {
			throw new IstioctlError({message: 'istioctl install was cancelled', lastLines, cancelled: true, exitCode: result.exitCode});
		}
		if (timedOut) {
			throw new IstioctlError({
				message: `istioctl install did not finish within ${Math.round((options.readinessTimeoutMs + INSTALL_SLACK_MS) / 1000)}s and was stopped`,
				hint: 'istioctl hung past its readiness timeout; run it by hand with the same flags to see where it stops',
				lastLines,
				timedOut: true,
				exitCode: result.exitCode,
			});
		}
		if (result.failed) {
			if (result.exitCode === undefined && result.code === 'ENOENT') {
				throw new IstioctlError({
					message: `cannot run ${this.path}: no such file`,
					hint: `install istioctl (${INSTALL_DOCS_URL}) or pass --istioctl PATH`,
					lastLines,
				});
			}
			const summary = summarizeIstioctlFailure(lastLines, result.exitCode);
			throw new IstioctlError({
				message: summary.message,
				...(summary.hint ? {hint: summary.hint} : {}),
				lastLines,
				exitCode: result.exitCode,
				timedOut: summary.timedOut,
			});
		}
	}
}
