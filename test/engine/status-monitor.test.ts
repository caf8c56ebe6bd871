import {test} from 'node:test';
import assert from 'node:assert/strict';
import {StatusMonitor} from '../../source/engine/status-monitor.js';
import {profileTargets, snapshotWithin} from '../../source/commands/status.js';
import {statusJson} from '../../source/commands/status-format.js';
import {FakeCluster, readyGateway, seedSetUpCluster, wireMesh} from '../support/fake-cluster.js';

const exp = (name: string, network: string) => ({name, network, role: 'primary' as const, topology: 'multi-network' as const});

test('one watch per resource kind per cluster; snapshot once all answered; stop closes them all', async () => {
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
	const health = await snapshotWithin(monitor, 5000, new AbortController().signal);
	assert.notEqual(health, 'cancelled');
	const h = health as Exclude<typeof health, 'cancelled'>;
	// deployments, services, pods, namespaces, gateways, virtualservices, the two roots (istio-ca-root-cert, cacerts),
	// and the remote secrets a primary reads peers with.
	assert.equal(east.watchesStarted, 9);
	assert.equal(west.watchesStarted, 9);
	assert.deepEqual(
		h.map(c => [c.context, c.healthy, c.address?.value]),
		[
			['east', true, '127.0.10.1'],
			['west', true, '127.0.20.1'],
		],
	);
	assert.equal(east.openWatches + west.openWatches, 0, 'snapshot stops its watches');
});

test('a dropped watch marks the cluster stale, and it recovers on reconnect', async () => {
	const east = new FakeCluster('east');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	const monitor = new StatusMonitor(() => east.client(), [{context: 'east', expectation: exp('east', 'net-east')}]);
	const seen: Array<{stale: boolean; reachable: boolean; healthy: boolean}> = [];
	monitor.subscribe(h => seen.push({stale: h[0]!.stale, reachable: h[0]!.reachable, healthy: h[0]!.healthy}));
	monitor.start();
	await new Promise(r => setImmediate(r));
	assert.equal(monitor.snapshot()[0]!.healthy, true);
	east.drop();
	const during = monitor.snapshot()[0]!;
	assert.equal(during.reachable, false);
	assert.equal(during.healthy, false);
	assert.equal(during.address?.value, '127.0.10.1', 'keeps the last known data while reconnecting');
	east.restore();
	const after = monitor.snapshot()[0]!;
	assert.equal(after.healthy, true);
	assert.equal(after.stale, false);
	monitor.stop();
	assert.equal(east.openWatches, 0);
	assert.ok(seen.some(s => !s.healthy) && seen.at(-1)!.healthy);
});

test('an unreachable cluster is reported with its error; missing Istio CRDs are not unreachability', async () => {
	const down = new FakeCluster('down');
	down.drop({kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:1'});
	const bare = new FakeCluster('bare');
	bare.set('Deployment', []);
	bare.set('Service', []);
	bare.set('Pod', []);
	bare.set('Namespace', []);
	bare.missingKinds.add('Gateway');
	bare.missingKinds.add('VirtualService');
	const fakes = {down, bare};
	const monitor = new StatusMonitor(
		c => fakes[c as 'down' | 'bare'].client(),
		[
			{context: 'down', expectation: {}},
			{context: 'bare', expectation: {}},
		],
	);
	const h = (await snapshotWithin(monitor, 5000, new AbortController().signal)) as any[];
	assert.equal(h[0].reachable, false);
	assert.match(h[0].error, /ECONNREFUSED/);
	assert.equal(h[1].reachable, true);
	assert.equal(h[1].rows.find((r: any) => r.id === 'deployment').text, 'not installed');
});

test('a cluster that never answers is reported at the deadline, saying so', async () => {
	const silent = new FakeCluster('silent');
	const client = silent.client();
	const never = {...client, watchDeployments: () => ({stop() {}})};
	const monitor = new StatusMonitor(() => never, [{context: 'silent', expectation: {}}]);
	const h = (await snapshotWithin(monitor, 50, new AbortController().signal)) as any[];
	assert.equal(h[0].healthy, false);
	assert.match(h[0].error, /some watches gave no answer within 0.1s/);
});

test('the wiring live: the primary reads the remote, the remote is controlled by the primary; one watch per kind; no token in -o json', async () => {
	const plan = {
		topology: 'primary-remote-multi-network' as const,
		meshId: 'mesh1',
		clusters: [
			{context: 'ctx-east', name: 'east', network: 'net-east', role: 'primary' as const},
			{context: 'ctx-west', name: 'west', network: 'net-west', role: 'remote' as const},
		],
	};
	const east = new FakeCluster('ctx-east');
	const west = new FakeCluster('ctx-west');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	seedSetUpCluster(west, 'net-west', '127.0.20.1');
	west.set('Deployment', [readyGateway('net-west', '127.0.20.1').deployment]);
	west.put({
		apiVersion: 'v1',
		kind: 'Namespace',
		metadata: {name: 'istio-system', labels: {'topology.istio.io/network': 'net-west'}, annotations: {'topology.istio.io/controlPlaneClusters': 'east'}},
	});
	const servers = {east: 'https://172.18.0.2:6443', west: 'https://172.18.0.3:6443'};
	wireMesh(plan, {east, west}, servers);
	const kubeconfig = {
		files: [],
		contexts: [
			{name: 'ctx-east', cluster: 'e', user: 'u', server: servers.east},
			{name: 'ctx-west', cluster: 'w', user: 'u', server: servers.west},
		],
		warnings: [],
	};
	const fakes: Record<string, FakeCluster> = {'ctx-east': east, 'ctx-west': west};
	const targets = profileTargets(plan, kubeconfig);
	assert.deepEqual(
		targets.map(t => [t.expectation.peers, t.expectation.primary]),
		[
			[[{name: 'west', server: servers.west}], undefined],
			[[], 'east'],
		],
	);

	const monitor = new StatusMonitor(c => fakes[c]!.client(), targets);
	monitor.start();
	await new Promise(r => setImmediate(r));
	let [e, w] = monitor.snapshot();
	assert.deepEqual(
		e!.rows.filter(r => r.id === 'reads').map(r => [r.peer, r.level, r.text]),
		[['west', 'ok', `west at ${servers.west}`]],
	);
	assert.deepEqual(
		w!.rows.find(r => r.id === 'control-plane'),
		{id: 'control-plane', label: 'controlled by', level: 'ok', text: 'east via 127.0.10.1'},
	);
	assert.equal(
		w!.rows.some(r => r.id === 'reads'),
		false,
		'a remote reads nobody',
	);
	// The remote watches its istiod EndpointSlice and the injector webhook instead of remote secrets.
	assert.equal(east.watchesStarted, 9);
	assert.equal(west.watchesStarted, 10);
	// Both watch cacerts; only the primary watches remote secrets.
	const secretWatches = (c: typeof east) => c.calls.filter(call => call === 'watch Secret').length;
	assert.deepEqual([secretWatches(east), secretWatches(west)], [2, 1]);

	// A change arrives by watch: the remote's istiod endpoints move away from the primary's gateway.
	const slice = west.objectsOf('EndpointSlice')[0]!;
	west.put({...slice, endpoints: [{addresses: ['127.0.10.99']}]});
	east.set('Secret', []);
	[e, w] = monitor.snapshot();
	assert.equal(w!.rows.find(r => r.id === 'control-plane')!.level, 'fail');
	assert.match(w!.rows.find(r => r.id === 'control-plane')!.reason!, /points at 127\.0\.10\.99 \(want 127\.0\.10\.1/);
	assert.equal(e!.rows.find(r => r.id === 'reads')!.level, 'fail');
	monitor.stop();

	const json = statusJson([e!, w!], new Date(0));
	const doc = JSON.parse(json);
	assert.deepEqual(
		doc.clusters[0].wiring.reads.map((r: {peer: string; ok: boolean}) => [r.peer, r.ok]),
		[['west', false]],
	);
	assert.equal(doc.clusters[1].wiring.controlledBy.primary, 'east');
	assert.deepEqual(doc.clusters[0].checks.find((c: {id: string}) => c.id === 'reads').peer, 'west');
	for (const token of [east.readerToken, west.readerToken]) assert.ok(!json.includes(token));
});

test("istiod's view: read at start (the snapshot waits for it), again each interval, never for a remote; stop ends the reads", async () => {
	const east = new FakeCluster('east');
	const west = new FakeCluster('west');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	seedSetUpCluster(west, 'net-west', '127.0.20.1');
	const reads: string[] = [];
	let status = 'syncing';
	const eastClient = east.client();
	eastClient.readIstiodDebug = async request => {
		reads.push(`${request.paths.join(',')} within ${request.timeoutMs}ms`);
		await new Promise(r => setTimeout(r, 30));
		return {
			pod: 'istiod-1',
			port: 15014,
			responses: [
				{
					path: '/debug/clusterz',
					status: 200,
					body: JSON.stringify([
						{id: 'east', secretName: '', syncStatus: 'synced'},
						{id: 'west', secretName: 'istio-system/istio-remote-secret-west', syncStatus: status},
					]),
				},
				{path: '/debug/networkz', status: 200, body: 'null'},
			],
		};
	};
	const westClient = west.client();
	westClient.readIstiodDebug = async () => assert.fail('a remote has no istiod to ask');
	const clients = {east: eastClient, west: westClient};
	const targets = [
		{context: 'east', expectation: {...exp('east', 'net-east'), istiodView: {self: 'east', peers: ['west'], gatewayNetworks: []}}},
		{context: 'west', expectation: {...exp('west', 'net-west'), role: 'remote' as const}},
	];
	const health = await snapshotWithin(
		new StatusMonitor(c => clients[c as 'east' | 'west'], targets, {istiodViewTimeoutMs: 1234}),
		5000,
		new AbortController().signal,
	);
	assert.notEqual(health, 'cancelled');
	const row = (health as Exclude<typeof health, 'cancelled'>)[0]!.rows.find(r => r.id === 'istiod-sees:west');
	assert.deepEqual([row?.level, row?.text], ['warn', 'syncing'], 'the snapshot waited for the first read');
	assert.deepEqual(reads, ['/debug/clusterz,/debug/networkz within 1234ms']);

	const monitor = new StatusMonitor(c => clients[c as 'east' | 'west'], targets, {istiodViewIntervalMs: 20});
	const synced = new Promise<void>(resolve =>
		monitor.subscribe(h => {
			if (h[0]!.rows.some(r => r.id === 'istiod-sees:west' && r.level === 'ok')) resolve();
		}),
	);
	monitor.start();
	status = 'synced';
	await synced;
	monitor.stop();
	const after = reads.length;
	await new Promise(r => setTimeout(r, 100));
	assert.equal(reads.length, after, 'no read after stop');
});
