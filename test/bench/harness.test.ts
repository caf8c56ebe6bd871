/**
 * The benchmark harness (bench/, run by `npm run bench`, not by `npm test`) keeps working: its pure
 * pieces compute what they claim, and the bundle still keeps the cluster libraries out of the code
 * the wizard loads before its first frame. No timing is asserted here.
 */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {parse} from 'yaml';
import {cliPath, median, processTree, quantile, statusKb, table} from '../../bench/lib.js';
import {writeHeavyIstioctl} from '../../bench/apply-fleet.js';
import {kubeconfigYaml, wizardLoad} from '../../bench/first-frame.js';
import {contextNames} from '../../bench/keypress.js';
import {requestKind, verdictClock} from '../../bench/status-watch.js';
import {ensureBuilt} from '../helpers/cli.js';

test('median and quantiles interpolate between the middle samples, whatever the order', () => {
	assert.equal(median([5, 1, 3]), 3);
	assert.equal(median([4, 1, 3, 2]), 2.5);
	assert.equal(quantile([10, 20, 30, 40, 50], 0.95), 48);
	assert.equal(quantile([7], 0.95), 7);
	assert.throws(() => median([]), /empty/);
});

test('tables are markdown with a separator row', () => {
	assert.equal(table(['a', 'b'], [[1, 'x']]), '| a | b |\n| --- | --- |\n| 1 | x |');
});

test('the 20-context kubeconfig parses, every server on the given loopback port', () => {
	const doc = parse(kubeconfigYaml(20, 4321));
	assert.equal(doc.contexts.length, 20);
	assert.equal(new Set(doc.contexts.map((c: {name: string}) => c.name)).size, 20);
	assert.ok(doc.clusters.every((c: {cluster: {server: string}}) => c.cluster.server === 'https://127.0.0.1:4321'));
	assert.equal(doc['current-context'], doc.contexts[0].name);
});

test('1,000 distinct context names for the picker', () => {
	const names = contextNames(1000);
	assert.equal(new Set(names).size, 1000);
	assert.ok(names.filter(n => n.includes('prod-eu-west')).length > 0);
});

test('requests are classified by verb and resource, discovery apart', () => {
	const r = (path: string, watch = false, query: Record<string, string> = {}) => ({method: 'GET', path, query, watch});
	assert.equal(requestKind(r('/apis/apps/v1/namespaces/istio-system/deployments')), 'list deployments');
	assert.equal(requestKind(r('/apis/apps/v1/namespaces/istio-system/deployments', true)), 'watch deployments');
	assert.equal(
		requestKind(r('/api/v1/namespaces/istio-system/services', true, {fieldSelector: 'metadata.name=istio-eastwestgateway'})),
		'watch services (one object by name)',
	);
	assert.equal(requestKind(r('/api/v1/namespaces', false, {fieldSelector: 'metadata.name=istio-system'})), 'list namespaces (one object by name)');
	assert.equal(requestKind(r('/api/v1/namespaces/istio-system')), 'get namespaces');
	assert.equal(requestKind(r('/apis/networking.istio.io/v1')), 'discovery apis/networking.istio.io/v1');
	assert.equal(requestKind({method: 'PATCH', path: '/api/v1/namespaces/istio-system/services/x', query: {}, watch: false}), 'patch services');
});

test('the wizard loads @kubernetes/client-node only after its first frame', () => {
	ensureBuilt();
	const load = wizardLoad();
	assert.equal(load.clientNodeBefore, false);
	assert.ok(load.bytes > 0);
	// The marker the check looks for is in the bundle, in a chunk loaded later.
	const chunks = path.join(path.dirname(cliPath), 'chunks');
	assert.ok(readdirSync(chunks).some(f => f.endsWith('.js') && readFileSync(path.join(chunks, f), 'utf8').includes('V1Deployment')));
});

test("the status bench notes each context's first verdict line once, across chunk boundaries", () => {
	const clock = verdictClock(performance.now());
	clock.push('12:00:01 cluster-001 healthy\n12:00:01 cluster-001 ✔ gateway: ready\n12:00:01 cluster-0');
	assert.deepEqual([...clock.first.keys()], ['cluster-001']);
	clock.push('02 not healthy\n12:00:02 cluster-003 unreachable: connect ECONNREFUSED\n12:00:09 cluster-001 not healthy\n');
	assert.deepEqual([...clock.first.keys()], ['cluster-001', 'cluster-002', 'cluster-003']);
});

test('the fleet bench istioctl answers version through the test double, and the process tree is read from /proc', () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-harness-'));
	try {
		const istioctl = writeHeavyIstioctl(dir);
		const out = execFileSync(istioctl, ['version', '--remote=false', '-o', 'json'], {encoding: 'utf8', env: {...process.env, BENCH_ISTIOCTL_MB: '1'}});
		assert.match(JSON.parse(out).clientVersion.version, /^1\.\d+\.\d+/);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
	const tree = processTree(process.pid);
	assert.equal(tree[0], process.pid);
	assert.ok(statusKb(process.pid, 'VmRSS') > 0);
	assert.equal(statusKb(2 ** 22 + 17, 'VmRSS'), 0, 'a process that is gone reads as 0');
});
