/** Helpers for the e2e suites, which run inside the lab's network namespace (npm run test:e2e). */
import {execFileSync, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import {STEP_KINDS} from '../../source/core/plan.js';
import path from 'node:path';
import {root} from '../helpers/cli.js';

/** The suites talk to the lab's real API servers; outside the lab they have nothing to run against. */
export function requireLab(topology: 'multi-primary' | 'primary-remote' | 'bare' | 'single-cluster' | 'ambient'): void {
	if (!process.env.EASTWEST_LAB || !process.env.KUBECONFIG) {
		throw new Error('the e2e suites run inside the lab: use `npm run test:e2e` (or `npm run lab:exec -- node scripts/run-tests.mjs --e2e`)');
	}
	const actual = process.env.EASTWEST_LAB_TOPOLOGY;
	if (actual && actual !== topology) throw new Error(`this suite needs the ${topology} lab, but the lab is ${actual}`);
}

/** kubectl (the lab's) -o json, parsed. */
export function kubectlJson(context: string, args: string[]): any {
	return JSON.parse(execFileSync('kubectl', ['--context', context, ...args, '-o', 'json'], {encoding: 'utf8'}));
}

export function kubectl(context: string, args: string[]): string {
	return execFileSync('kubectl', ['--context', context, ...args], {encoding: 'utf8'});
}

/** lab/lb.sh pending|assign [cluster]: the LB controller re-reads its mode every second. */
export function lbMode(mode: 'pending' | 'assign', cluster?: string): void {
	execFileSync('bash', [path.join(root, 'lab/lb.sh'), mode, ...(cluster ? [cluster] : [])], {stdio: 'ignore'});
}

export const kubeconfig = () => process.env.KUBECONFIG!;

/**
 * Use the kubeconfig inside a remote secret (as istiod would) for one kubectl call, from inside the lab.
 * The kubeconfig goes to a private temporary file that is removed at once; nothing of it is printed.
 */
export function kubectlAsRemoteSecret(context: string, secret: string, key: string, args: string[]): string {
	const data = kubectlJson(context, ['-n', 'istio-system', 'get', 'secret', secret]).data[key];
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ew-secret-'));
	const file = path.join(dir, 'kubeconfig');
	try {
		writeFileSync(file, Buffer.from(data, 'base64'), {mode: 0o600});
		return execFileSync('kubectl', ['--kubeconfig', file, ...args], {encoding: 'utf8'});
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

/** Polls fn until it returns a value (not undefined) or the deadline passes; the error says what was awaited and the last value seen. */
export async function waitFor<T>(what: string, deadlineMs: number, fn: () => T | undefined | Promise<T | undefined>, last?: () => string): Promise<T> {
	const end = Date.now() + deadlineMs;
	for (;;) {
		const value = await fn();
		if (value !== undefined) return value;
		if (Date.now() >= end) throw new Error(`timed out after ${deadlineMs / 1000}s waiting for ${what}${last ? `; last seen: ${last()}` : ''}`);
		await new Promise(resolve => setTimeout(resolve, 1000));
	}
}

/** GET one of istiod's debug paths through `kubectl port-forward deploy/istiod :15014` (the real API server's port-forward). */
export async function istiodDebug(context: string, debugPath: string): Promise<any> {
	const child = spawn('kubectl', ['--context', context, '-n', 'istio-system', 'port-forward', 'deploy/istiod', ':15014'], {stdio: ['ignore', 'pipe', 'pipe']});
	try {
		const port = await new Promise<number>((resolve, reject) => {
			let out = '';
			const timer = setTimeout(() => reject(new Error(`kubectl port-forward in ${context} printed no local port within 20s: ${out}`)), 20_000);
			const onData = (d: Buffer) => {
				out += d;
				const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
				if (m) {
					clearTimeout(timer);
					resolve(Number(m[1]));
				}
			};
			child.stdout.on('data', onData);
			child.stderr.on('data', onData);
			child.on('exit', code => reject(new Error(`kubectl port-forward in ${context} exited (${code}): ${out}`)));
		});
		const response = await fetch(`http://127.0.0.1:${port}${debugPath}`, {signal: AbortSignal.timeout(10_000)});
		if (!response.ok) throw new Error(`${debugPath} in ${context}: HTTP ${response.status}`);
		return await response.json();
	} finally {
		child.kill();
	}
}

/** The remote secret of `remote` in `primary`, made by the real istioctl (server: the kubeconfig's, or the one given). */
export function applyRemoteSecret(primary: string, remote: string, server?: string): void {
	const secret = execFileSync('istioctl', ['create-remote-secret', '--context', remote, '--name', remote, ...(server ? ['--server', server] : [])], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	execFileSync('kubectl', ['--context', primary, 'apply', '-f', '-'], {input: secret, stdio: ['pipe', 'ignore', 'pipe']});
}

/** Whether eastwest apply itself creates the remote secrets (a plan step); until then the suites make them with istioctl. */
export const applyMakesRemoteSecrets = (STEP_KINDS as readonly string[]).includes('remote-secret');

/** root-cert.pem of ConfigMap istio-ca-root-cert (what istiod writes), trimmed; undefined when absent. */
export function rootCertOf(context: string, namespace: string): string | undefined {
	try {
		return (kubectlJson(context, ['-n', namespace, 'get', 'configmap', 'istio-ca-root-cert']).data['root-cert.pem'] as string).trim();
	} catch {
		return undefined;
	}
}

/**
 * Istio's plug-in CA procedure with openssl: a new root and one intermediate per cluster, secret cacerts
 * (replaced if present) in each, then `kubectl rollout restart deploy/istiod`; resolves with the root (trimmed)
 * once every cluster's istio-system/istio-ca-root-cert holds it.
 */
export async function plugInSharedRoot(clusters: string[]): Promise<string> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eastwest-e2e-ca-'));
	const ssl = (args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe']});
	try {
		ssl([
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-keyout',
			'root-key.pem',
			'-out',
			'root-cert.pem',
			'-days',
			'30',
			'-subj',
			`/O=eastwest-e2e/CN=Root CA ${Date.now()}`,
			'-addext',
			'basicConstraints=critical,CA:TRUE',
			'-addext',
			'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
		]);
		const root = readFileSync(path.join(dir, 'root-cert.pem'), 'utf8');
		for (const c of clusters) {
			mkdirSync(path.join(dir, c));
			writeFileSync(path.join(dir, c, 'ext.cnf'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n');
			ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${c}/ca-key.pem`, '-out', `${c}/ca.csr`, '-subj', `/O=eastwest-e2e/CN=Intermediate CA/L=${c}`]);
			ssl([
				'x509',
				'-req',
				'-in',
				`${c}/ca.csr`,
				'-CA',
				'root-cert.pem',
				'-CAkey',
				'root-key.pem',
				'-CAcreateserial',
				'-days',
				'30',
				'-extfile',
				`${c}/ext.cnf`,
				'-out',
				`${c}/ca-cert.pem`,
			]);
			writeFileSync(path.join(dir, c, 'cert-chain.pem'), readFileSync(path.join(dir, c, 'ca-cert.pem'), 'utf8') + root);
			writeFileSync(path.join(dir, c, 'root-cert.pem'), root);
			kubectl(c, ['-n', 'istio-system', 'delete', 'secret', 'cacerts', '--ignore-not-found']);
			kubectl(c, [
				'-n',
				'istio-system',
				'create',
				'secret',
				'generic',
				'cacerts',
				...['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'].map(f => `--from-file=${f}=${path.join(dir, c, f)}`),
			]);
			kubectl(c, ['-n', 'istio-system', 'rollout', 'restart', 'deployment/istiod']);
		}
		for (const c of clusters) {
			await waitFor(`istio-ca-root-cert in ${c}/istio-system to hold the plugged-in root`, 120_000, () =>
				rootCertOf(c, 'istio-system') === root.trim() ? true : undefined,
			);
		}
		return root.trim();
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

/** Every token string held by remote secrets on these contexts (to assert that no output contains one). */
export function remoteSecretTokens(contexts: string[]): string[] {
	return contexts.flatMap(ctx =>
		kubectlJson(ctx, ['-n', 'istio-system', 'get', 'secrets', '-l', 'istio/multiCluster=true']).items.flatMap((s: any) =>
			Object.values<string>(s.data ?? {}).flatMap(v =>
				[
					...Buffer.from(v, 'base64')
						.toString()
						.matchAll(/token: (\S+)/g),
				].map(m => m[1]!),
			),
		),
	);
}

/** Kinds whose objects change on their own (leader-election leases, events), whatever eastwest does. */
export const VOLATILE_KINDS = new Set(['events', 'events.events.k8s.io', 'leases.coordination.k8s.io', 'pods.metrics.k8s.io']);

/**
 * Every object in istio-system (every listable namespaced kind but the volatile ones, and istiod's
 * leader-election ConfigMaps), the namespace itself and every webhook configuration, each as its uid and
 * everything but what controllers write through the status subresource (status, and the managedFields
 * entries of status writers) and the resourceVersion that such writes move: two snapshots are equal
 * exactly when nothing among them was created, deleted, or changed by a client.
 */
export function versionSnapshot(context: string): Record<string, string> {
	const kinds = kubectl(context, ['api-resources', '--verbs=list', '--namespaced', '-o', 'name'])
		.split('\n')
		.filter(k => k && !VOLATILE_KINDS.has(k));
	const out: Record<string, string> = {};
	const add = (items: any[]) => {
		// istiod's leader elections renew a ConfigMap's annotation every few seconds, whatever eastwest does.
		for (const o of items.filter(x => !x.metadata.annotations?.['control-plane.alpha.kubernetes.io/leader'])) {
			const {status: _status, ...rest} = o;
			const {resourceVersion: _rv, managedFields, ...metadata} = o.metadata;
			const fields = (managedFields ?? []).filter((m: any) => m.subresource !== 'status');
			out[`${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`] =
				`${o.metadata.uid} ${JSON.stringify({...rest, metadata: {...metadata, managedFields: fields}})}`;
		}
	};
	add(kubectlJson(context, ['get', 'namespaces', '--field-selector', 'metadata.name=istio-system']).items ?? []);
	add(kubectlJson(context, ['-n', 'istio-system', 'get', kinds.join(','), '--ignore-not-found']).items ?? []);
	add(kubectlJson(context, ['get', 'mutatingwebhookconfigurations,validatingwebhookconfigurations']).items ?? []);
	return out;
}

/** Which keys of two snapshots differ, in words, for an assertion message. */
export function snapshotDiff(before: Record<string, string>, after: Record<string, string>): string[] {
	const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
	return keys
		.filter(k => before[k] !== after[k])
		.map(k => (before[k] === undefined ? `created ${k}` : after[k] === undefined ? `deleted ${k}` : `changed ${k}`));
}
