import {test} from 'node:test';
import assert from 'node:assert/strict';
import {StatusMonitor} from '../../source/engine/status-monitor.js';
import {snapshotWithin} from '../../source/commands/status.js';
import {renderStatusText, statusJson} from '../../source/commands/status-format.js';
import {FakeCluster, seedSetUpCluster} from '../support/fake-cluster.js';
import {FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT, fixtureCacertsData} from '../support/ca-fixtures.js';

const exp = (name: string, network: string) => ({name, network, role: 'primary' as const, topology: 'multi-network' as const});

function roots(c: FakeCluster, published: string, plugged?: string): void {
	c.put({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-ca-root-cert', namespace: 'istio-system'}, data: {'root-cert.pem': published}});
	if (plugged) c.put({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data: fixtureCacertsData(plugged)});
}

function mesh(): {east: FakeCluster; west: FakeCluster; monitor: StatusMonitor} {
	const east = new FakeCluster('east');
	const west = new FakeCluster('west');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	seedSetUpCluster(west, 'net-west', '127.0.20.1');
	const fakes = {east, west};
	const monitor = new StatusMonitor(
		c => fakes[c as 'east' | 'west'].client(),
		[
			{context: 'east', expectation: exp('east', 'net-east')},
			{context: 'west', expectation: exp('west', 'net-west')},
		],
	);
	return {east, west, monitor};
}

test('status monitor: one root → ✔; a change to a different root → ✘ and not healthy; cacerts shared but not republished → ‼', async () => {
	const {east, west, monitor} = mesh();
	roots(east, FIXTURE_ROOT_CERT, FIXTURE_ROOT_CERT);
	roots(west, FIXTURE_ROOT_CERT, FIXTURE_ROOT_CERT);
	monitor.start();
	await new Promise(r => setImmediate(r));
	assert.ok(monitor.synced);
	assert.equal(monitor.trust()!.level, 'pass');
	assert.match(renderStatusText(monitor.snapshot(), monitor.trust()), /^✔ trust +every cluster trusts one root \(O=Istio, CN=Root CA, sha256 /m);

	// west is re-plugged with another root and istiod republished it: the clusters no longer trust each other.
	roots(west, FIXTURE_OTHER_ROOT_CERT, FIXTURE_OTHER_ROOT_CERT);
	const different = monitor.trust()!;
	assert.equal(different.level, 'fail');
	assert.equal(different.line, 'east and west have different roots: cross-cluster mTLS fails');
	const doc = JSON.parse(statusJson(monitor.snapshot(), new Date(0), different));
	assert.equal(doc.healthy, false);
	assert.equal(doc.trust.level, 'fail');

	// west gets east's root in cacerts; its istiod has not republished yet.
	roots(west, FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT);
	assert.equal(monitor.trust()!.level, 'warn');
	assert.match(renderStatusText(monitor.snapshot(), monitor.trust()), /^‼ trust +converging: west does not publish the plugged-in root/m);
	roots(west, FIXTURE_ROOT_CERT);
	assert.equal(monitor.trust()!.level, 'pass');
	monitor.stop();
});

test('status monitor: nothing but subjects and fingerprints reaches the engine from cacerts', async () => {
	const {east, west, monitor} = mesh();
	roots(east, FIXTURE_ROOT_CERT, FIXTURE_ROOT_CERT);
	roots(west, FIXTURE_ROOT_CERT, FIXTURE_ROOT_CERT);
	const health = await snapshotWithin(monitor, 5000, new AbortController().signal);
	assert.notEqual(health, 'cancelled');
	const json = statusJson(health as Exclude<typeof health, 'cancelled'>, new Date(0), monitor.trust());
	assert.ok(!json.includes('PRIVATE KEY') && !json.includes(fixtureCacertsData()['ca-key.pem']!));
});

test('status monitor: a single cluster has no trust line', async () => {
	const east = new FakeCluster('east');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	const monitor = new StatusMonitor(() => east.client(), [{context: 'east', expectation: exp('east', 'net-east')}]);
	await snapshotWithin(monitor, 5000, new AbortController().signal);
	assert.equal(monitor.trust(), undefined);
});
