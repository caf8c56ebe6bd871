/**
 * Exec credential plugins (users[].user.exec: `aws eks get-token`, gke-gcloud-auth-plugin, kubelogin) run the way
 * kubectl runs them: once per plugin configuration, the credential kept until its expirationTimestamp, concurrent
 * requests sharing one run, KUBERNETES_EXEC_INFO set, stdin not offered. A missing or failing plugin becomes a
 * one-line KubeError naming the command and the first line of what it said; the credential itself never appears.
 */
import {spawn} from 'node:child_process';
import path from 'node:path';
import type {KubeConfig} from '@kubernetes/client-node';
import {formatCommandLine, formatPluginRun} from '../core/log.js';
import {firstLine} from '../core/text.js';
import {KubeError} from './errors.js';
import {kubeLog, redactKnown, rememberSecret} from './log.js';
import {currentSignal} from './signal.js';

/** The exec stanza of a kubeconfig user. */
export interface ExecConfig {
	apiVersion?: string;
	command?: string;
	args?: string[];
	env?: Array<{name?: string; value?: string}> | null;
	installHint?: string;
	provideClusterInfo?: boolean;
	interactiveMode?: string;
}

interface Credential {
	token?: string;
	clientCertificateData?: string;
	clientKeyData?: string;
	expiresAt?: number;
}

/** A plugin gets this long before it is stopped and reported (kubectl has no limit; a run here is headless). */
export const PLUGIN_TIMEOUT_MS = 60_000;
const DEFAULT_API_VERSION = 'client.authentication.k8s.io/v1beta1';

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

/** Hints for the plugins people meet most: how to install them and how to log in again. */
const KNOWN: Array<{match: RegExp; install: string; login: string}> = [
	{
		match: /^aws$/,
		install: 'install the AWS CLI v2 (https://aws.amazon.com/cli/)',
		login: 'log in again (aws sso login, or check aws configure / AWS_PROFILE) and retry',
	},
	{
		match: /^aws-iam-authenticator$/,
		install: 'install aws-iam-authenticator, or switch to aws eks update-kubeconfig',
		login: 'check your AWS credentials (aws sts get-caller-identity) and retry',
	},
	{
		match: /^gke-gcloud-auth-plugin$/,
		install: 'install it: gcloud components install gke-gcloud-auth-plugin',
		login: 'log in again (gcloud auth login) and retry',
	},
	{
		match: /^kubelogin$/,
		install: 'install kubelogin (az aks install-cli, or https://azure.github.io/kubelogin/)',
		login: 'log in again (az login, or kubelogin convert-kubeconfig) and retry',
	},
	{
		match: /^kubectl-oidc_login$|^kubectl$/,
		install: 'install the oidc-login plugin (kubectl krew install oidc-login)',
		login: 'log in again (run kubectl oidc-login get-token with the same flags) and retry',
	},
];

function known(command: string) {
	const base = path.basename(command);
	return KNOWN.find(k => k.match.test(base));
}

/** A plugin's own words, in one line of at most 300 characters. */
const saidLine = (text: string) => firstLine(text).slice(0, 300);

/** The plugin as the user would see it in their kubeconfig: command and args, secret-named flags redacted. */
export function pluginCommandLine(exec: ExecConfig): string {
	return formatCommandLine(exec.command ?? '', exec.args ?? []);
}

function pluginError(exec: ExecConfig, context: string, what: string, hint: string): KubeError {
	return new KubeError({kind: 'unauthorized', message: redactKnown(`credential plugin ${pluginCommandLine(exec)} for context ${context} ${what}`), hint});
}

const cache = new Map<string, {credential?: Credential; running?: Promise<Credential>}>();

function cacheKey(exec: ExecConfig, server: string | undefined): string {
	return JSON.stringify([exec.command, exec.args ?? [], exec.env ?? [], exec.apiVersion ?? '', exec.provideClusterInfo ? server : '']);
}

function runPlugin(exec: ExecConfig, context: string, cluster: {server?: string; caData?: string; skipTLSVerify?: boolean} | undefined): Promise<Credential> {
	const command = exec.command ?? '';
	const apiVersion = exec.apiVersion ?? DEFAULT_API_VERSION;
	const hints = known(command);
	if (exec.interactiveMode === 'Always') {
		return Promise.reject(
			pluginError(
				exec,
				context,
				'needs a terminal to ask you something (interactiveMode: Always)',
				`run ${pluginCommandLine(exec)} yourself once to log in, then retry`,
			),
		);
	}
	const execInfo = {
		apiVersion,
		kind: 'ExecCredential',
		spec: {
			interactive: false,
			...(exec.provideClusterInfo && cluster
				? {
						cluster: {
							server: cluster.server,
							...(cluster.caData ? {'certificate-authority-data': cluster.caData} : {}),
							...(cluster.skipTLSVerify ? {'insecure-skip-tls-verify': true} : {}),
						},
					}
				: {}),
		},
	};
	const env: NodeJS.ProcessEnv = {...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(execInfo)};
	for (const e of exec.env ?? []) if (e?.name) env[e.name] = e.value ?? '';
	const started = Date.now();
	return new Promise<Credential>((resolve, reject) => {
		let stdout = '';
		let stderr = '';
		let spawnError: NodeJS.ErrnoException | undefined;
		let timedOut = false;
		const child = spawn(command, exec.args ?? [], {env, stdio: ['ignore', 'pipe', 'pipe']});
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, PLUGIN_TIMEOUT_MS);
		child.stdout.setEncoding('utf8');
		child.stderr.setEncoding('utf8');
		child.stdout.on('data', (d: string) => (stdout += d));
		child.stderr.on('data', (d: string) => (stderr += d));
		child.on('error', error => (spawnError = error));
		child.on('close', code => {
			clearTimeout(timer);
			kubeLog(
				formatPluginRun(
					context,
					command,
					exec.args ?? [],
					spawnError ? (spawnError.code ?? 'failed') : timedOut ? 'stopped' : (code ?? 'killed'),
					Date.now() - started,
				),
			);
			if (spawnError) {
				const missing = spawnError.code === 'ENOENT';
				const hint = exec.installHint
					? saidLine(exec.installHint)
					: (hints?.install ?? `install ${path.basename(command)}, or fix users[].user.exec.command in the kubeconfig`);
				reject(
					pluginError(
						exec,
						context,
						missing ? `is not installed (${command} not found)` : `cannot be run (${spawnError.code ?? spawnError.message})`,
						missing ? hint : `check that ${command} is an executable file`,
					),
				);
				return;
			}
			if (timedOut) {
				reject(
					pluginError(
						exec,
						context,
						`did not finish within ${PLUGIN_TIMEOUT_MS / 1000}s`,
						`run ${pluginCommandLine(exec)} yourself: it may be waiting for a login`,
					),
				);
				return;
			}
			if (code !== 0) {
				const said = saidLine(stderr) || saidLine(stdout.startsWith('{') ? '' : stdout) || 'no message';
				reject(
					pluginError(
						exec,
						context,
						`failed (exit ${code ?? 'signal'}): ${said}`,
						hints?.login ?? `run ${pluginCommandLine(exec)} yourself to see why, log in again, and retry`,
					),
				);
				return;
			}
			// Never quote what the plugin printed: on a success it is the credential.
			let parsed: {
				apiVersion?: string;
				kind?: string;
				status?: {token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string};
			};
			try {
				parsed = JSON.parse(stdout) as typeof parsed;
			} catch {
				reject(
					pluginError(
						exec,
						context,
						'printed something that is not an ExecCredential (JSON expected)',
						'check that the plugin and its apiVersion in the kubeconfig match, and update it',
					),
				);
				return;
			}
			const status = parsed?.status;
			rememberSecret(status?.token);
			rememberSecret(status?.clientKeyData);
			if (parsed?.kind !== 'ExecCredential' || parsed.apiVersion !== apiVersion) {
				reject(
					pluginError(
						exec,
						context,
						`returned ${parsed?.kind ?? 'no kind'} ${parsed?.apiVersion ?? 'without apiVersion'}, but the kubeconfig expects ExecCredential ${apiVersion}`,
						'update the plugin, or the apiVersion of users[].user.exec in the kubeconfig',
					),
				);
				return;
			}
			if (!status?.token && !(status?.clientCertificateData && status.clientKeyData)) {
				reject(pluginError(exec, context, 'returned neither a token nor a client certificate and key', 'log in again with the plugin and retry'));
				return;
			}
			const credential: Credential = {};
			if (status.token) credential.token = status.token;
			if (status.clientCertificateData) credential.clientCertificateData = status.clientCertificateData;
			if (status.clientKeyData) credential.clientKeyData = status.clientKeyData;
			const expires = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) : NaN;
			if (!Number.isNaN(expires)) credential.expiresAt = expires;
			resolve(credential);
		});
	});
}

/** The credential for exec, from the cache while it is valid, else from one (shared) plugin run. */
export async function execCredential(
	exec: ExecConfig,
	context: string,
	cluster?: {server?: string; caData?: string; skipTLSVerify?: boolean},
): Promise<Credential> {
	if (!exec.command)
		throw new KubeError({
			kind: 'unauthorized',
			message: `the kubeconfig user of context ${context} has an exec plugin without a command`,
			hint: 'fix users[].user.exec.command in the kubeconfig',
		});
	const key = cacheKey(exec, cluster?.server);
	let entry = cache.get(key);
	if (!entry) {
		entry = {};
		cache.set(key, entry);
	}
	const current = entry.credential;
	// kubectl renews a little before expiry; a credential without expirationTimestamp lasts the process.
	if (current && (current.expiresAt === undefined || current.expiresAt - 10_000 > Date.now())) return current;
	if (!entry.running) {
		const mine = entry;
		entry.running = runPlugin(exec, context, cluster).then(
			credential => {
				mine.credential = credential;
				mine.running = undefined;
				return credential;
			},
			(error: unknown) => {
				mine.running = undefined;
				throw error;
			},
		);
	}
	// Marked handled here: every caller still gets the rejection, and one that gave up leaves none unhandled.
	entry.running!.catch(() => {});
	// The run is shared: a caller that gives up (deadline, Ctrl-C) stops waiting; the plugin finishes for the others.
	const running = entry.running!;
	const signal = currentSignal.getStore();
	if (!signal) return running;
	const cancelled = () =>
		new KubeError({
			kind: 'cancelled',
			message: redactKnown(`credential plugin ${pluginCommandLine(exec)} for context ${context} did not finish before the request was cancelled`),
			hint: `run ${pluginCommandLine(exec)} yourself: it may be waiting for a login`,
		});
	if (signal.aborted) throw cancelled();
	return new Promise<Credential>((resolve, reject) => {
		const onAbort = () => reject(cancelled());
		signal.addEventListener('abort', onAbort, {once: true});
		running.then(
			credential => {
				signal.removeEventListener('abort', onAbort);
				resolve(credential);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error instanceof Error ? error : new Error(String(error)));
			},
		);
	});
}

/** A client-node authenticator for one user's exec stanza (the user handed to client-node carries no exec). */
export function execAuthenticator(exec: ExecConfig, context: string, cluster?: {server?: string; caData?: string; skipTLSVerify?: boolean}): Authenticator {
	return {
		isAuthProvider: () => true,
		async applyAuthentication(_user, opts) {
			const credential = await execCredential(exec, context, cluster);
			const target = opts as {headers?: Record<string, string>; cert?: string; key?: string};
			if (credential.clientCertificateData) target.cert = credential.clientCertificateData;
			if (credential.clientKeyData) target.key = credential.clientKeyData;
			if (credential.token) {
				target.headers ??= {};
				target.headers.Authorization = `Bearer ${credential.token}`;
			}
		},
	};
}
