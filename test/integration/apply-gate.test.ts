/**
 * `eastwest apply` changes nothing before its gates pass: istioctl (found, executable, answering `version`)
 * and the blocking preflight checks. The bundled CLI against loopback fake API servers, whose request logs
 * show what was read and what was written, with the fake istioctl (or a broken one) first on PATH.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {FakeApiServer, writeKubeconfig, type LoggedRequest} from '../support/fake-apiserver.js';
import {fakeIstioctlEnv, readFakeIstioctlLog} from '../support/fake-istioctl.js';
import {runCli} from '../helpers/cli.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

/** A multi-network primary; `istiod: false` leaves it without a control plane (Istio's CRDs only). */
async function primary(name: string, network: string, options: {istiod?: boolean} = {}): Promise<FakeApiServer> {
	const s = await FakeApiServer.start({token: 'secret-token'});
	servers.push(s);
	s.addIstioCrds();
	if (options.istiod !== false) s.addIstiod({clusterId: name, meshId: 'mesh1', network});
	s.deployment = {scenario: 'ready', delayMs: 20};
	s.loadBalancer = {scenario: 'ip', delayMs: 20};
	return s;
}

async function setup(options: {westIstiod?: boolean} = {}) {
	const east = await primary('east', 'net-east');
	const west = await primary('west', 'net-west', {istiod: options.westIstiod ?? true});
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'west-ctx', server: west},
	]);
	return {east, west, kubeconfig};
}

const multi = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east-ctx=east:net-east', '--cluster', 'west-ctx=west:net-west'];

/** Requests that change something. An access review (POST selfsubjectaccessreviews) only asks a question. */
const isWrite = (r: LoggedRequest) => ['PATCH', 'POST', 'PUT', 'DELETE'].includes(r.method) && !r.path.endsWith('/selfsubjectaccessreviews');
const writesTo = (...s: FakeApiServer[]) => s.flatMap(x => x.requests.filter(isWrite).map(r => `${r.method} ${r.path}`));

test('a cluster without a control plane: exit 1, the failure with its hint, --skip-checks named, no write anywhere, no istioctl install', async () => {
	const {east, west, kubeconfig} = await setup({westIstiod: false});
	const {env} = fakeIstioctlEnv();
	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env});
	assert.equal(r.code, 1, r.stdout + r.stderr);
	assert.match(
		r.stdout,
		/^west \(context west-ctx\)\n-+\n(?:.*\n)*?✘ istiod for the default revision is installed and ready\n {4}no istiod Deployment in istio-system\n {4}hint: install the control plane first \(istioctl install with meshID, clusterName and network as planned\), or let apply install it: --control-plane default\n {4}see: https:\/\/istio\.io\//m,
	);
	assert.match(r.stdout, /^✘ preflight checks failed: \d+ passed, \d+ warnings?, 1 failed, \d+ skipped$/m);
	assert.doesNotMatch(r.stdout, /^\[(east|west)\]/m, 'no step started');
	assert.equal(
		r.stderr,
		'eastwest: 1 blocking preflight check failed (istiod-present on west); nothing was changed: fix it and run again, or pass --skip-checks to run anyway\n',
	);
	// Both clusters were read (the preflight), neither was written.
	assert.ok(east.requests.length > 0 && west.requests.length > 0);
	assert.deepEqual(writesTo(east, west), []);
	assert.equal(west.get('v1', 'Namespace', undefined, 'istio-system'), undefined, 'istio-system was not created on west');
	assert.deepEqual(
		readFakeIstioctlLog(env).map(x => x.argv[0]),
		['version'],
		'istioctl was asked its version only',
	);

	// -o json: one document carrying the failed result; the error line is the same.
	const json = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '-o', 'json', '--dry-run'], {env});
	assert.equal(json.code, 1);
	const doc = JSON.parse(json.stdout);
	assert.deepEqual(
		doc.preflight.failed.map((x: any) => [x.id, x.cluster, x.status, x.hint]),
		[
			[
				'istiod-present',
				'west',
				'fail',
				'install the control plane first (istioctl install with meshID, clusterName and network as planned), or let apply install it: --control-plane default',
			],
		],
	);
	assert.deepEqual(
		doc.clusters.map((c: any) => c.outcome),
		['not-started', 'not-started'],
	);
	assert.match(json.stderr, /--skip-checks/);
	assert.deepEqual(writesTo(east, west), []);
	assert.equal(readFakeIstioctlLog(env).filter(x => x.argv[0] === 'install').length, 0);
});

test('the same plan with --skip-checks proceeds, saying which failed check it skipped', async () => {
	const {east, west, kubeconfig} = await setup({westIstiod: false});
	const {env} = fakeIstioctlEnv();
	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--skip-checks', '--timeout', '20s'], {env});
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.match(r.stderr, /^eastwest: warning: --skip-checks: running despite 1 blocking preflight check that failed: istiod-present on west$/m);
	assert.match(r.stdout, /^✘ preflight checks failed: .*; running anyway \(--skip-checks\)$/m);
	assert.match(r.stdout, /^\[west\] ✔ Install the east-west gateway for network net-west \(istioctl install\): changed/m);
	assert.equal(west.get('v1', 'Namespace', undefined, 'istio-system')?.metadata.labels['topology.istio.io/network'], 'net-west');
	assert.ok(writesTo(east).length > 0);
	assert.equal(readFakeIstioctlLog(env).filter(x => x.argv[0] === 'install').length, 2);
});

test('healthy clusters: the warnings are printed, the run goes ahead', async () => {
	const {east, kubeconfig} = await setup();
	// east's API server advertises a node address to its own pods (as kind does); 127.0.10.5 stands for it and is never dialled.
	east.put({
		apiVersion: 'discovery.k8s.io/v1',
		kind: 'EndpointSlice',
		metadata: {name: 'kubernetes', namespace: 'default', labels: {'kubernetes.io/service-name': 'kubernetes'}},
		addressType: 'IPv4',
		endpoints: [{addresses: ['127.0.10.5']}],
		ports: [{name: 'https', port: 6443, protocol: 'TCP'}],
	});
	const {env} = fakeIstioctlEnv();
	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--dry-run'], {env});
	assert.equal(r.code, 0, r.stdout + r.stderr);
	// The fake API servers listen on 127.0.0.1, which other clusters could not reach.
	const claim = '‼ the API server address written into remote secrets is one other clusters can use';
	assert.match(
		r.stdout,
		new RegExp(
			`^${claim}\\n {4}the kubeconfig's server is 127\\.0\\.0\\.1, a loopback address no other cluster can use; the cluster advertises https://127\\.0\\.10\\.5:6443\\n {4}hint: .*pass --api-server east-ctx=https://127\\.0\\.10\\.5:6443\\n`,
			'm',
		),
	);
	assert.match(
		r.stdout,
		new RegExp(
			`^${claim}\\n {4}the kubeconfig's server is 127\\.0\\.0\\.1, a loopback address no other cluster can use\\n {4}hint: .*pass --api-server west-ctx=https://HOST:PORT`,
			'm',
		),
	);
	assert.match(r.stdout, /^‼ preflight checks passed with warnings: \d+ passed, \d+ warnings, 0 failed/m);
	assert.match(
		r.stdout,
		/^\[east\] – Install the east-west gateway for network net-east \(istioctl install\): skipped \(dry run: istioctl install --dry-run passed/m,
	);
	assert.equal(r.stderr, '');
});

/** A directory holding an `istioctl` script with this body and mode, for PATH or --istioctl. */
function brokenIstioctl(body: string, mode = 0o755): {dir: string; file: string} {
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-broken-istioctl-'));
	const file = path.join(dir, 'istioctl');
	writeFileSync(file, body);
	chmodSync(file, mode);
	return {dir, file};
}

test('istioctl missing, not executable, or failing `version`: exit 2, one line with its path and what it said, no cluster changed', async () => {
	const {east, west, kubeconfig} = await setup({westIstiod: false});
	const {env} = fakeIstioctlEnv();
	const run = (extraEnv: NodeJS.ProcessEnv, extraArgs: string[] = []) =>
		runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', ...extraArgs], {env: {...env, ...extraEnv}});
	const nodeDir = path.dirname(process.execPath);

	const missing = await run({PATH: '/nonexistent'});
	assert.equal(missing.code, 2);
	assert.match(
		missing.stderr,
		/^eastwest: istioctl not found on PATH: install the istioctl matching your control plane \(https:\/\/istio\.io\/[^)]*\) or pass --istioctl PATH\n$/,
	);

	const gone = await run({}, ['--istioctl', '/nonexistent/istioctl']);
	assert.equal(gone.code, 2);
	assert.equal(gone.stderr, 'eastwest: --istioctl /nonexistent/istioctl: no executable file there (/nonexistent/istioctl does not exist)\n');

	const plain = brokenIstioctl('#!/bin/sh\necho 1.30.3\n', 0o644);
	const notExecOnPath = await run({PATH: `${plain.dir}${path.delimiter}${nodeDir}`});
	assert.equal(notExecOnPath.code, 2);
	assert.equal(notExecOnPath.stderr, `eastwest: istioctl on PATH is not executable: ${plain.file}; chmod +x it, or pass --istioctl PATH\n`);
	const notExecFlag = await run({}, ['--istioctl', plain.file]);
	assert.equal(notExecFlag.code, 2);
	assert.equal(notExecFlag.stderr, `eastwest: --istioctl ${plain.file}: no executable file there (${plain.file} is not executable; chmod +x it)\n`);

	const failing = brokenIstioctl('#!/bin/sh\necho "Error: failed to load the kube client: exec format error" >&2\necho "second line" >&2\nexit 3\n');
	const versionFails = await run({PATH: `${failing.dir}${path.delimiter}${nodeDir}`});
	assert.equal(versionFails.code, 2);
	assert.equal(versionFails.stderr, `eastwest: ${failing.file} version failed (exit 3): Error: failed to load the kube client: exec format error\n`);

	const noVersion = brokenIstioctl('#!/bin/sh\necho "usage: something else"\n');
	const notIstioctl = await run({}, ['--istioctl', noVersion.file]);
	assert.equal(notIstioctl.code, 2);
	assert.equal(notIstioctl.stderr, `eastwest: ${noVersion.file} version printed no version: usage: something else\n`);

	for (const r of [missing, gone, notExecOnPath, notExecFlag, versionFails, notIstioctl]) assert.equal(r.stdout, '');
	// The preflight reads overlap istioctl's `version`, but nothing is written before both are done.
	assert.deepEqual(
		[...east.requests, ...west.requests].filter(r => r.method !== 'GET' && !(r.method === 'POST' && r.path.includes('/selfsubjectaccessreviews'))),
		[],
	);
	assert.deepEqual(readFakeIstioctlLog(env), []);
});
