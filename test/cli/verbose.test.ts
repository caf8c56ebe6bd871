/**
 * `-v` / `--verbose` from the bundled CLI: one stderr line per Kubernetes request and watch (verb, path, status,
 * milliseconds) and per istioctl command, none carrying the kubeconfig's token or an Authorization header.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {startPrimary, writeKubeconfig, type FakeApiServer} from '../support/fake-apiserver.js';
import {fakeIstioctlEnv} from '../support/fake-istioctl.js';
import {runCli} from '../helpers/cli.js';

const TOKEN = 'kubeconfig-token-3b9d0e';
const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

async function cluster(name = 'east'): Promise<FakeApiServer> {
	const s = await startPrimary(name, {token: TOKEN});
	servers.push(s);
	return s;
}

function assertClean(stderr: string): void {
	assert.ok(!stderr.includes(TOKEN), 'the kubeconfig token never shows');
	assert.doesNotMatch(stderr, /authorization:|bearer/i, 'no header is logged');
}

test('status -v: a line per request and per watch opened and closed, in a fixed shape', async () => {
	const s = await cluster();
	const kubeconfig = writeKubeconfig([{name: 'east', server: s}]);
	const r = await runCli(['status', '--context', 'east', '--kubeconfig', kubeconfig, '-o', 'json', '-v']);
	assert.ok(r.code === 0 || r.code === 1, r.stderr);
	JSON.parse(r.stdout);
	const lines = r.stderr.split('\n').filter(Boolean);
	assert.ok(lines.length > 0);
	for (const line of lines) assert.match(line, /^\[kube east\] (GET|LIST|WATCH|POST|PATCH) \/\S+ /, line);
	assert.match(r.stderr, /^\[kube east\] GET \/api\/v1\/namespaces\/istio-system\/pods\?labelSelector=app%3Distio-eastwestgateway 200 \d+ms$/m);
	assert.match(r.stderr, /^\[kube east\] WATCH \/apis\/apps\/v1\/namespaces\/istio-system\/deployments\?\S*allowWatchBookmarks=true\S* 200 \d+ms, open$/m);
	assert.match(r.stderr, /^\[kube east\] WATCH \/apis\/apps\/v1\/namespaces\/istio-system\/deployments\?\S+ closed after \d+(ms|\.\ds), \d+ events?$/m);
	assertClean(r.stderr);

	const quiet = await runCli(['status', '--context', 'east', '--kubeconfig', kubeconfig, '-o', 'json']);
	assert.equal(quiet.stderr, '', 'nothing without -v');
});

test('check --verbose: requests that fail say so (an unreachable cluster), still without secrets', async () => {
	const s = await cluster();
	const kubeconfig = writeKubeconfig([
		{name: 'east', server: s},
		{name: 'west', server: 'http://127.0.0.1:9', token: TOKEN},
	]);
	const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east=east:net-east', '--cluster', 'west=west:net-west'];
	const r = await runCli(['check', ...plan, '--phase', 'preflight', '--kubeconfig', kubeconfig, '--verbose']);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /^\[kube east\] GET \/version 200 \d+ms$/m);
	assert.match(r.stderr, /^\[kube east\] POST \/apis\/authorization\.k8s\.io\/v1\/selfsubjectaccessreviews 201 \d+ms$/m);
	assert.match(r.stderr, /^\[kube west\] GET \/version failed after \d+ms: cannot reach the API server: connection refused$/m);
	assertClean(r.stderr);
});

test('apply -v: each istioctl command line, and how it ended', async () => {
	const s = await cluster('east');
	const w = await cluster('west');
	s.deployment = w.deployment = {scenario: 'ready', delayMs: 10};
	s.loadBalancer = w.loadBalancer = {scenario: 'ip', delayMs: 10};
	const kubeconfig = writeKubeconfig([
		{name: 'east', server: s},
		{name: 'west', server: w},
	]);
	const {env} = fakeIstioctlEnv();
	const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east=east:net-east', '--cluster', 'west=west:net-west'];
	const r = await runCli(['apply', ...plan, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s', '-v'], {env});
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stderr, /^\[istioctl\] \S+\/istioctl install -y -f - --context west --kubeconfig \S+ --readiness-timeout 20s$/m);
	assert.match(r.stderr, /^\[istioctl\] exit 0 after \d+(ms|\.\ds): install -y -f - --context west /m);
	assertClean(r.stderr);
});
