/**
 * `eastwest version`: the text and JSON renderings, and the bundled CLI against loopback fake API
 * servers and the fake istioctl (skew warning, unreachable and silent contexts, missing istioctl).
 */
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import pkg from '../../package.json' with {type: 'json'};
import {buildReport, renderVersionText, versionJson, type IstioctlReport} from '../../source/commands/version.js';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';
import {fakeBin, fakeIstioctlEnv, readFakeIstioctlLog} from '../support/fake-istioctl.js';
import {runCli} from '../helpers/cli.js';

// ---------- rendering ----------

const found: IstioctlReport = {found: true, path: '/opt/istio/bin/istioctl', version: '1.29.2'};
const cp = (version: string | undefined, extra: {name?: string; revision?: string; ready?: boolean; image?: string} = {}) => ({
	name: extra.name ?? 'istiod',
	...(extra.revision ? {revision: extra.revision} : {}),
	...(version !== undefined ? {version} : {}),
	image: extra.image ?? `docker.io/istio/pilot:${version ?? 'latest'}`,
	ready: extra.ready ?? true,
});

test('text: one line per fact; skewed control planes make warnings, unknown versions do not', () => {
	const report = buildReport('0.1.0', found, [
		{context: 'east', controlPlanes: [cp('1.30.0'), cp('1.31.0', {name: 'istiod-canary', revision: 'canary', ready: false})]},
		{context: 'west', controlPlanes: [cp('latest')]},
		{context: 'north', controlPlanes: []},
		{context: 'south', controlPlanes: [], error: 'cannot reach the API server of south (check the network)', hint: 'is it up?'},
	]);
	assert.equal(
		renderVersionText(report),
		[
			'eastwest: 0.1.0',
			'istioctl: 1.29.2 (/opt/istio/bin/istioctl)',
			'control plane on east: istiod 1.30.0 (image docker.io/istio/pilot:1.30.0)',
			'control plane on east: istiod-canary 1.31.0, revision canary, not ready (image docker.io/istio/pilot:1.31.0)',
			'control plane on west: istiod latest, skew with istioctl unknown (image docker.io/istio/pilot:latest)',
			'control plane on north: none (no istiod Deployment in istio-system)',
			'control plane on south: unknown: cannot reach the API server of south (check the network)',
			'',
		].join('\n'),
	);
	assert.deepEqual(report.warnings, [
		'istioctl 1.29.2 and istiod-canary 1.31.0 on east are 2 minor versions apart; istioctl supports control planes at most one minor version from its own: use istioctl 1.31 with it (--istioctl PATH)',
	]);
});

test('text: istioctl not found, or found without a readable version; then no skew is claimed either way', () => {
	const missing = buildReport('0.1.0', {found: false, lookedIn: ['/usr/local/bin', '/usr/bin'], error: 'istioctl not found on PATH'}, [
		{context: 'east', controlPlanes: [cp('1.20.0')]},
	]);
	assert.match(renderVersionText(missing), /^istioctl: not found \(looked in \/usr\/local\/bin, \/usr\/bin\)$/m);
	assert.match(renderVersionText(missing), /^control plane on east: istiod 1\.20\.0 \(image docker\.io\/istio\/pilot:1\.20\.0\)$/m);
	assert.deepEqual(missing.warnings, []);
	const broken = buildReport('0.1.0', {found: true, path: '/x/istioctl', error: 'Error: exec format error'}, []);
	assert.equal(renderVersionText(broken), 'eastwest: 0.1.0\nistioctl: version unknown (/x/istioctl): Error: exec format error\n');
	assert.match(renderVersionText(buildReport('0.1.0', {found: false, lookedIn: []}, [])), /not found \(looked in an empty PATH\)/);
});

test('json: {eastwest, istioctl, contexts[], warnings[]}; the default revision is named, unknowns are null', () => {
	const report = buildReport('0.1.0', found, [
		{context: 'east', controlPlanes: [cp(undefined, {image: 'pilot@sha256:0123'}), cp('1.31.0', {name: 'istiod-canary', revision: 'canary'})]},
		{context: 'south', controlPlanes: [], error: 'forbidden on south: no', hint: 'ask for RBAC'},
	]);
	assert.deepEqual(JSON.parse(versionJson(report)), {
		eastwest: {version: '0.1.0'},
		istioctl: {found: true, path: '/opt/istio/bin/istioctl', version: '1.29.2'},
		contexts: [
			{
				context: 'east',
				controlPlanes: [
					{
						name: 'istiod',
						revision: 'default',
						version: null,
						image: 'pilot@sha256:0123',
						ready: true,
						skew: {status: 'unknown', reason: 'the control-plane version is unknown'},
					},
					{
						name: 'istiod-canary',
						revision: 'canary',
						version: '1.31.0',
						image: 'docker.io/istio/pilot:1.31.0',
						ready: true,
						skew: {status: 'warn', minorsApart: 2, reason: '2 minor versions apart'},
					},
				],
			},
			{context: 'south', error: 'forbidden on south: no', hint: 'ask for RBAC', controlPlanes: []},
		],
		warnings: [report.warnings[0]],
	});
	assert.equal(report.warnings.length, 1);
});

// ---------- the bundled CLI ----------

const servers: FakeApiServer[] = [];
let east: FakeApiServer;
let west: FakeApiServer;
let bare: FakeApiServer;
let silent: Server;
const silentSockets = new Set<Socket>();
let silentPort = 0;
let closedPort = 0;

before(async () => {
	east = await FakeApiServer.start({token: 't'});
	east.addIstiod({clusterId: 'east'});
	west = await FakeApiServer.start({token: 't'});
	west.addIstiod({clusterId: 'west'});
	// A canary revision one release ahead, as during a revision-based upgrade.
	west.put({
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: {name: 'istiod-canary', namespace: 'istio-system', labels: {app: 'istiod', 'istio.io/rev': 'canary'}, generation: 1},
		spec: {
			replicas: 1,
			selector: {matchLabels: {app: 'istiod', 'istio.io/rev': 'canary'}},
			template: {metadata: {labels: {app: 'istiod'}}, spec: {containers: [{name: 'discovery', image: 'gcr.io/istio-release/pilot:1.32.0-rc.0-distroless'}]}},
		},
		status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1},
	});
	bare = await FakeApiServer.start({token: 't'});
	bare.addNamespace('istio-system');
	servers.push(east, west, bare);
	// Accepts connections and never answers: a black-holed API server.
	silent = createServer(socket => {
		silentSockets.add(socket);
		socket.on('close', () => silentSockets.delete(socket));
	});
	await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', () => resolve()));
	silentPort = (silent.address() as {port: number}).port;
	const probe = createServer();
	await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', () => resolve()));
	closedPort = (probe.address() as {port: number}).port;
	await new Promise<void>(resolve => probe.close(() => resolve()));
});

after(async () => {
	await Promise.all(servers.map(s => s.close()));
	for (const socket of silentSockets) socket.destroy();
	await new Promise<void>(resolve => silent.close(() => resolve()));
});

function kubeconfig(): string {
	return writeKubeconfig([
		{name: 'east', server: east},
		{name: 'west', server: west},
		{name: 'bare', server: bare},
		{name: 'gone', server: `http://127.0.0.1:${closedPort}`},
		{name: 'silent', server: `http://127.0.0.1:${silentPort}`},
	]);
}

test('no --context: eastwest and istioctl only, asked with --remote=false; no cluster is contacted', async () => {
	const {env} = fakeIstioctlEnv();
	const before = east.requests.length;
	const r = await runCli(['version'], {env: {...env, KUBECONFIG: kubeconfig()}});
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, `eastwest: ${pkg.version}\nistioctl: 1.30.3 (${path.join(fakeBin, 'istioctl')})\n`);
	assert.equal(r.stderr, '');
	assert.equal(east.requests.length, before);
	const calls = readFakeIstioctlLog(env).map(c => c.argv);
	assert.ok(calls.length > 0 && calls.every(a => a[0] === 'version' && a.includes('--remote=false')), JSON.stringify(calls));
});

test('--version stays the short form', async () => {
	const r = await runCli(['--version']);
	assert.equal(r.code, 0);
	assert.equal(r.stdout, `${pkg.version}\n`);
});

test('contexts within one minor of istioctl: every istiod with its revision and version, no warning, exit 0', async () => {
	const {env} = fakeIstioctlEnv({FAKE_ISTIOCTL_VERSION: '1.31.1'});
	const r = await runCli(['version', '--context', 'east', '--context', 'west', '--kubeconfig', kubeconfig()], {env});
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.equal(r.stderr, '');
	assert.match(r.stdout, /^istioctl: 1\.31\.1 \(/m);
	assert.match(r.stdout, /^control plane on east: istiod 1\.30\.0 \(image docker\.io\/istio\/pilot:1\.30\.0\)$/m);
	assert.match(r.stdout, /^control plane on west: istiod 1\.30\.0 \(image docker\.io\/istio\/pilot:1\.30\.0\)$/m);
	assert.match(
		r.stdout,
		/^control plane on west: istiod-canary 1\.32\.0-rc\.0, revision canary \(image gcr\.io\/istio-release\/pilot:1\.32\.0-rc\.0-distroless\)$/m,
	);
});

test('istioctl two minors behind a control plane: a warning on stderr naming it, in JSON too; still exit 0', async () => {
	const {env} = fakeIstioctlEnv({FAKE_ISTIOCTL_VERSION: '1.30.3'});
	const r = await runCli(['version', '--context', 'west', '--kubeconfig', kubeconfig()], {env});
	assert.equal(r.code, 0, r.stderr);
	assert.equal(
		r.stderr,
		'warning: istioctl 1.30.3 and istiod-canary 1.32.0-rc.0 on west are 2 minor versions apart; istioctl supports control planes at most one minor version from its own: use istioctl 1.32 with it (--istioctl PATH)\n',
	);
	const json = await runCli(['version', '--context', 'west', '-o', 'json', '--kubeconfig', kubeconfig()], {env});
	assert.equal(json.code, 0);
	const doc = JSON.parse(json.stdout);
	assert.deepEqual(
		doc.contexts[0].controlPlanes.map((c: {name: string; skew: {status: string}}) => `${c.name}:${c.skew.status}`),
		['istiod:ok', 'istiod-canary:warn'],
	);
	assert.equal(doc.warnings.length, 1);
});

test('-o json: the whole document', async () => {
	const {env} = fakeIstioctlEnv();
	const r = await runCli(['version', '-o', 'json', '--context', 'east', '--context', 'bare', '--kubeconfig', kubeconfig()], {env});
	assert.equal(r.code, 0, r.stderr);
	assert.deepEqual(JSON.parse(r.stdout), {
		eastwest: {version: pkg.version},
		istioctl: {found: true, path: path.join(fakeBin, 'istioctl'), version: '1.30.3'},
		contexts: [
			{
				context: 'east',
				controlPlanes: [
					{name: 'istiod', revision: 'default', version: '1.30.0', image: 'docker.io/istio/pilot:1.30.0', ready: true, skew: {status: 'ok', minorsApart: 0}},
				],
			},
			{context: 'bare', controlPlanes: []},
		],
		warnings: [],
	});
});

test('an unreachable and a silent context: their lines say why, the others still print, exit 1 (as kubectl version)', async () => {
	const {env} = fakeIstioctlEnv();
	const started = Date.now();
	const r = await runCli(['version', '--context', 'gone', '--context', 'east', '--context', 'silent', '--timeout', '500ms', '--kubeconfig', kubeconfig()], {
		env,
	});
	assert.equal(r.code, 1, r.stdout + r.stderr);
	const lines = r.stdout.trimEnd().split('\n');
	assert.equal(lines.length, 5, r.stdout);
	assert.match(lines[2]!, /^control plane on gone: unknown: cannot reach the API server gone: connection refused$/);
	assert.match(lines[3]!, /^control plane on east: istiod 1\.30\.0 /);
	assert.equal(lines[4], 'control plane on silent: unknown: no answer from the API server of silent within 0.5s');
	assert.ok(Date.now() - started < 20_000);
	const json = await runCli(['version', '-o', 'json', '--context', 'gone', '--kubeconfig', kubeconfig()], {env});
	assert.equal(json.code, 1);
	const doc = JSON.parse(json.stdout);
	assert.equal(typeof doc.contexts[0].error, 'string');
	assert.deepEqual(doc.contexts[0].controlPlanes, []);
});

test('a context whose istiod may not be listed: the 403 in one line, exit 1', async () => {
	const locked = await FakeApiServer.start({token: 't'});
	servers.push(locked);
	locked.addIstiod();
	locked.forbid({verb: 'list', resource: 'deployments', namespace: 'istio-system'});
	const {env} = fakeIstioctlEnv();
	const r = await runCli(['version', '--context', 'locked', '--kubeconfig', writeKubeconfig([{name: 'locked', server: locked}])], {env});
	assert.equal(r.code, 1, r.stdout + r.stderr);
	assert.match(r.stdout, /^control plane on locked: unknown: forbidden on locked: .*$/m);
});

test('istioctl missing: the row says where eastwest looked; not a failure', async () => {
	const emptyDir = mkdtempSync(path.join(tmpdir(), 'ew-nobin-'));
	const r = await runCli(['version'], {env: {PATH: emptyDir}});
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stdout, `eastwest: ${pkg.version}\nistioctl: not found (looked in ${emptyDir})\n`);
	const given = await runCli(['version', '--istioctl', '/nonexistent/istioctl', '-o', 'json'], {env: {PATH: emptyDir}});
	assert.equal(given.code, 0, given.stderr);
	assert.deepEqual(JSON.parse(given.stdout).istioctl, {
		found: false,
		lookedIn: ['/nonexistent/istioctl'],
		error: '--istioctl /nonexistent/istioctl: no executable file there (/nonexistent/istioctl does not exist)',
	});
});

test('an istioctl whose version fails: its path and the first line it said; the --istioctl path is the one used', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-badctl-'));
	const bad = path.join(dir, 'istioctl');
	writeFileSync(bad, '#!/bin/sh\necho "Error: this build is broken" >&2\nexit 3\n');
	chmodSync(bad, 0o755);
	const {env} = fakeIstioctlEnv();
	const r = await runCli(['version', '--istioctl', bad], {env});
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, new RegExp(`^istioctl: version unknown \\(${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): Error: this build is broken$`, 'm'));
	assert.deepEqual(readFakeIstioctlLog(env), [], 'the istioctl on PATH is not run');
});

for (const [args, pattern] of [
	[['version', '--context', 'nowhere'], /context "nowhere" not found in kubeconfig .*; run 'kubectl config get-contexts'/],
	[['version', '-o', 'yaml'], /--output "yaml" is not one of text, json/],
	[['version', '--timeout', 'soon'], /--timeout "soon" is not a duration/],
	[['version', 'extra'], /unexpected argument/],
] as const) {
	test(`eastwest ${args.join(' ')} → exit 2, one line`, async () => {
		const {env} = fakeIstioctlEnv();
		const r = await runCli([...args], {env: {...env, KUBECONFIG: kubeconfig()}});
		assert.equal(r.code, 2, r.stdout + r.stderr);
		assert.match(r.stderr, pattern);
		assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
	});
}

test('version --help documents its flags; the main help lists the command', async () => {
	const r = await runCli(['version', '--help']);
	assert.equal(r.code, 0);
	for (const flag of ['--context', '--output', '--timeout', '--istioctl']) assert.ok(r.stdout.includes(flag), flag);
	assert.match((await runCli(['--help'])).stdout, /^ {2}version {2,}eastwest, istioctl and control-plane versions/m);
});
