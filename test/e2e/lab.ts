/** Helpers for the e2e suites, which run inside the lab's network namespace (npm run test:e2e). */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {root} from '../helpers/cli.js';

/** The suites talk to the lab's real API servers; outside the lab they have nothing to run against. */
export function requireLab(topology: 'multi-primary' | 'primary-remote'): void {
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

/** Every token string held by remote secrets on these contexts (to assert that no output contains one). */
export function remoteSecretTokens(contexts: string[]): string[] {
	return contexts.flatMap(ctx =>
		kubectlJson(ctx, ['-n', 'istio-system', 'get', 'secrets', '-l', 'istio/multiCluster=true']).items.flatMap((s: any) =>
			Object.values<string>(s.data ?? {}).flatMap(v => [...Buffer.from(v, 'base64').toString().matchAll(/token: (\S+)/g)].map(m => m[1]!)),
		),
	);
}
