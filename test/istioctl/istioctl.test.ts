import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, writeFileSync, chmodSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {IstioctlError, IstioctlNotFoundError, locateIstioctl} from '../../source/istioctl/index.js';
import type {IstioctlProgress} from '../../source/core/ports.js';
import {fakeIstioctlEnv, readFakeIstioctlLog} from '../support/fake-istioctl.js';

const yaml = 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata:\n  name: eastwest\n';

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

test('locate: a missing istioctl is a one-line error saying what to install', async () => {
	const empty = mkdtempSync(path.join(tmpdir(), 'ew-empty-'));
	await assert.rejects(locateIstioctl({env: {PATH: empty}}), (e: unknown) => {
		assert.ok(e instanceof IstioctlNotFoundError);
		assert.match(
			e.message,
			/^istioctl not found on PATH: install the istioctl matching your control plane \(https:\/\/istio\.io\/.*\) or pass --istioctl PATH$/,
		);
		return true;
	});
	const notExec = path.join(empty, 'istioctl');
	writeFileSync(notExec, 'x');
	chmodSync(notExec, 0o644);
	await assert.rejects(locateIstioctl({env: {PATH: empty}}), IstioctlNotFoundError);
	await assert.rejects(locateIstioctl({path: path.join(empty, 'nope'), env: {}}), /--istioctl .*nope: no executable file there/);
});

test('locate finds istioctl on PATH or at --istioctl and reads the client version (json, then --short)', async () => {
	const {env, bin} = fakeIstioctlEnv();
	const onPath = await locateIstioctl({env});
	assert.equal(onPath.path, path.join(bin, 'istioctl'));
	assert.equal(await onPath.clientVersion(), '1.30.3');
	const explicit = await locateIstioctl({path: path.join(bin, 'istioctl'), env: {...env, FAKE_ISTIOCTL_VERSION: '1.29.1', FAKE_ISTIOCTL_NO_JSON: '1'}});
	assert.equal(await explicit.clientVersion(), '1.29.1');
	const calls = readFakeIstioctlLog(env).map(r => r.argv.join(' '));
	assert.deepEqual(calls, ['version --remote=false -o json', 'version --remote=false -o json', 'version --remote=false --short']);
});

test('install passes the documented flags, feeds the YAML on stdin and streams parsed lines', async () => {
	const {env} = fakeIstioctlEnv();
	const istioctl = await locateIstioctl({env});
	const lines: Array<[string, IstioctlProgress | undefined]> = [];
	await istioctl.install({
		context: 'east',
		kubeconfig: '/k/config',
		manifestYaml: yaml,
		readinessTimeoutMs: 90_000,
		dryRun: true,
		onLine: (l, p) => lines.push([l, p]),
	});
	const [run] = readFakeIstioctlLog(env);
	assert.deepEqual(run!.argv, ['install', '-y', '-f', '-', '--context', 'east', '--kubeconfig', '/k/config', '--readiness-timeout', '90s', '--dry-run']);
	assert.equal(run!.stdin, yaml);
	assert.deepEqual(
		lines.map(([, p]) => p?.type),
		['waiting', 'component-done', 'pruning', 'complete'],
	);
	assert.equal(lines[1]![0], '✔ Ingress gateways installed 🛬');
});

test('a readiness failure rejects with the Error line, a hint naming the Deployment, the exit code and the last lines', async () => {
	const {env} = fakeIstioctlEnv({FAKE_ISTIOCTL_SCENARIO: 'fail-readiness'});
	const istioctl = await locateIstioctl({env});
	await assert.rejects(istioctl.install({context: 'east', manifestYaml: yaml, readinessTimeoutMs: 300_000, dryRun: false}), (e: unknown) => {
		assert.ok(e instanceof IstioctlError);
		assert.equal(e.info.message, 'failed to install manifests: errors occurred during operation');
		assert.match(e.info.hint ?? '', /Deployment\/istio-system\/istio-eastwestgateway did not become ready: .*ImagePullBackOff/);
		assert.equal(e.info.exitCode, 1);
		assert.equal(e.info.timedOut, true);
		assert.ok(e.info.lastLines.some(l => l.includes('resources not ready after 5m0s')));
		return true;
	});
});

test('cancellation kills istioctl and the children it spawned', async () => {
	const {env} = fakeIstioctlEnv({FAKE_ISTIOCTL_SCENARIO: 'hang'});
	const istioctl = await locateIstioctl({env});
	const controller = new AbortController();
	const seen: string[] = [];
	const running = istioctl.install({
		context: 'east',
		manifestYaml: yaml,
		readinessTimeoutMs: 60_000,
		dryRun: false,
		signal: controller.signal,
		onLine: l => seen.push(l),
	});
	// Wait until the fake has started its child (it logs the pid).
	let childPid: number | undefined;
	for (let i = 0; i < 200 && childPid === undefined; i++) {
		childPid = readFakeIstioctlLog(env).find(r => r.childPid)?.childPid;
		if (childPid === undefined) await delay(25);
	}
	assert.ok(childPid, 'the fake istioctl started a child');
	const istioctlPid = readFakeIstioctlLog(env)[0]!.pid;
	controller.abort();
	await assert.rejects(running, (e: unknown) => e instanceof IstioctlError && e.info.cancelled === true);
	for (let i = 0; i < 100 && (alive(childPid) || alive(istioctlPid)); i++) await delay(20);
	assert.equal(alive(istioctlPid), false, 'istioctl is gone');
	assert.equal(alive(childPid), false, 'its child is gone');
	assert.ok(existsSync(env.FAKE_ISTIOCTL_LOG!));
	assert.equal(readFileSync(env.FAKE_ISTIOCTL_LOG!, 'utf8').includes('"stdin"'), true);
});
