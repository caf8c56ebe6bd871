import {describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {
	PEER_UNREACHABLE_HINT,
	istiodExpectation,
	istiodViewError,
	istiodViewFrom,
	istiodViewLine,
	judgeIstiodView,
	parseClusterz,
	parseNetworkz,
	type IstiodView,
} from '../../source/core/istiod-view.js';
import {evaluateCluster, type ClusterObservation} from '../../source/core/status.js';
import {statusJson} from '../../source/commands/status-format.js';
import {multiNetwork, primaryRemote} from '../support/plans.js';

// Bodies as istiod 1.31 serves them (writeJSON pretty-prints with two spaces).
const CLUSTERZ = `[
  {
    "id": "east",
    "secretName": "",
    "syncStatus": "synced"
  },
  {
    "id": "west",
    "secretName": "istio-system/istio-remote-secret-west",
    "syncStatus": "timeout"
  }
]`;
const NETWORKZ = `[
  {
    "Network": "net-west",
    "Cluster": "west",
    "Addr": "127.0.20.1",
    "Port": 15443,
    "HBONEPort": 0,
    "ServiceAccount": {"Namespace": "istio-system", "Name": "istio-eastwestgateway-service-account"}
  }
]`;

const view = (clusters: Array<[string, string, string]>, gateways: Array<[string, string]> = []): IstiodView => ({
	read: true,
	pod: 'istiod-1',
	clusters: clusters.map(([id, secretName, syncStatus]) => ({id, secretName, syncStatus})),
	gateways: gateways.map(([network, address]) => ({network, address, port: 15443})),
	problems: [],
});

describe('parsing istiod debug bodies', () => {
	test('/debug/clusterz: id, secret and sync status of every cluster', () => {
		assert.deepEqual(parseClusterz(CLUSTERZ), [
			{id: 'east', secretName: '', syncStatus: 'synced'},
			{id: 'west', secretName: 'istio-system/istio-remote-secret-west', syncStatus: 'timeout'},
		]);
	});

	test('/debug/networkz: network, cluster, address and port of each gateway', () => {
		assert.deepEqual(parseNetworkz(NETWORKZ), [{network: 'net-west', cluster: 'west', address: '127.0.20.1', port: 15443}]);
	});

	test('null (istiod knows nothing yet) is an empty list; anything else than a JSON array is unreadable', () => {
		assert.deepEqual(parseNetworkz('null'), []);
		assert.equal(parseClusterz('<html>404</html>'), undefined);
		assert.equal(parseNetworkz('{"Network": "x"}'), undefined);
	});

	test('istiodViewFrom: a failing or unparsable endpoint is a problem of a read view, not an error', () => {
		const v = istiodViewFrom({
			pod: 'istiod-abc',
			port: 15014,
			responses: [
				{path: '/debug/clusterz', status: 200, body: CLUSTERZ},
				{path: '/debug/networkz', status: 503, body: 'not ready'},
			],
		});
		assert.equal(v.read, true);
		assert.ok(v.read);
		assert.equal(v.pod, 'istiod-abc');
		assert.equal(v.clusters.length, 2);
		assert.deepEqual(v.gateways, []);
		assert.deepEqual(v.problems, ['/debug/networkz answered HTTP 503']);
		const garbled = istiodViewFrom({pod: 'p', port: 15014, responses: [{path: '/debug/clusterz', status: 200, body: 'nope'}]});
		assert.ok(garbled.read);
		assert.deepEqual(garbled.problems, ['/debug/clusterz is not the JSON list istiod serves', '/debug/networkz was not read']);
	});
});

describe('judging istiod view', () => {
	const exp = istiodExpectation(multiNetwork, multiNetwork.clusters[0]!);

	test("the plan expects every other cluster as a peer and, multi-network, every network's gateway", () => {
		assert.deepEqual(exp, {self: 'east', peers: ['west'], gatewayNetworks: ['net-east', 'net-west']});
		assert.deepEqual(istiodExpectation(primaryRemote, primaryRemote.clusters[0]!).gatewayNetworks, [], 'one network: no cross-network gateway is expected');
	});

	test("synced ✔, syncing ‼, timeout and closed ✘ with the hint about the remote secret's server", () => {
		for (const [status, level, hint] of [
			['synced', 'ok', undefined],
			['syncing', 'warn', undefined],
			['timeout', 'fail', PEER_UNREACHABLE_HINT],
			['closed', 'fail', PEER_UNREACHABLE_HINT],
		] as const) {
			const [peer] = judgeIstiodView(
				view([
					['east', '', 'synced'],
					['west', 'istio-system/istio-remote-secret-west', status],
				]),
				{self: 'east', peers: ['west']},
			);
			assert.equal(peer!.level, level, status);
			assert.equal(peer!.text, status);
			assert.equal(peer!.hint, hint, status);
		}
		assert.equal(PEER_UNREACHABLE_HINT, "istiod cannot reach that API server: check the remote secret's server address");
	});

	test('a planned peer istiod does not list: ✘ not read, pointing at the remote secret; its own entry is no peer', () => {
		const items = judgeIstiodView(view([['east', '', 'synced']]), exp);
		const peer = items.find(i => i.kind === 'peer')!;
		assert.deepEqual([peer.subject, peer.level, peer.text, peer.reason], ['west', 'fail', 'not read', 'istiod has no remote secret for west']);
		assert.match(peer.hint!, /remote secret of west in east: eastwest apply does it/);
		assert.equal(items.filter(i => i.kind === 'peer').length, 1);
	});

	test('gateways: ✔ with the address istiod uses, ✘ for a network it lists no gateway for', () => {
		const items = judgeIstiodView(
			view(
				[
					['east', '', 'synced'],
					['west', 's', 'synced'],
				],
				[['net-east', '127.0.10.1']],
			),
			exp,
		);
		const nets = items.filter(i => i.kind === 'network').map(i => [i.subject, i.level, i.text]);
		assert.deepEqual(nets, [
			['net-east', 'ok', '127.0.10.1:15443'],
			['net-west', 'fail', 'no gateway'],
		]);
		const missing = items.find(i => i.subject === 'net-west')!;
		assert.match(missing.hint!, /topology\.istio\.io\/network=net-west, port 15443 and an external address/);
	});

	test('without a plan: every listed peer and network is judged as it is', () => {
		const items = judgeIstiodView(
			view(
				[
					['east', '', 'synced'],
					['north', 'istio-system/s', 'syncing'],
				],
				[['net-x', '127.0.0.9']],
			),
			{self: 'east'},
		);
		assert.deepEqual(items.map(istiodViewLine), ['sees north: syncing', 'gateway of net-x: 127.0.0.9:15443']);
	});

	test('istiod not read: one warning carrying the reason and the hint, nothing else', () => {
		const items = judgeIstiodView(istiodViewError({kind: 'timeout', message: 'istiod in east did not answer within 8s', hint: 'is istiod running?'}), exp);
		assert.deepEqual(items, [
			{kind: 'unread', subject: 'istiod', level: 'warn', text: 'not read', reason: 'istiod in east did not answer within 8s', hint: 'is istiod running?'},
		]);
	});
});

describe("istiod's view in status", () => {
	const obs = (istiodView?: IstiodView): ClusterObservation => ({
		context: 'east',
		reachable: true,
		stale: false,
		pods: [],
		gateways: [],
		virtualServices: [],
		istiod: [{name: 'istiod', ready: true}],
		...(istiodView ? {istiodView} : {}),
	});
	const expectation = {
		name: 'east',
		network: 'net-east',
		role: 'primary' as const,
		topology: 'multi-network' as const,
		istiodView: istiodExpectation(multiNetwork, multiNetwork.clusters[0]!),
	};

	test('one row per peer and per network; a timeout makes the cluster unhealthy with the hint in its reason', () => {
		const h = evaluateCluster(
			obs(
				view(
					[
						['east', '', 'synced'],
						['west', 'istio-system/istio-remote-secret-west', 'timeout'],
					],
					[
						['net-east', '127.0.10.1'],
						['net-west', '127.0.20.1'],
					],
				),
			),
			expectation,
		);
		const rows = h.rows.filter(r => r.id.startsWith('istiod-'));
		assert.deepEqual(
			rows.map(r => [r.id, r.label, r.level, r.text]),
			[
				['istiod-sees:west', 'sees west', 'fail', 'timeout'],
				['istiod-gateway:net-east', 'gateway net-east', 'ok', '127.0.10.1:15443'],
				['istiod-gateway:net-west', 'gateway net-west', 'ok', '127.0.20.1:15443'],
			],
		);
		assert.match(rows[0]!.reason!, /istio-remote-secret-west\) is timeout; istiod cannot reach that API server/);
		assert.equal(h.healthy, false);
	});

	test('istiod that cannot be read is a warning row and does not make the cluster unhealthy; no istiod pod says nothing', () => {
		const unread = evaluateCluster(obs(istiodViewError({kind: 'unreachable', message: 'could not port-forward to istiod-x:15014 on east: boom'})), {
			name: 'east',
		});
		const row = unread.rows.find(r => r.id === 'istiod-view')!;
		assert.deepEqual([row.level, row.text, row.reason], ['warn', 'not read', 'could not port-forward to istiod-x:15014 on east: boom']);
		const none = evaluateCluster(obs(istiodViewError({kind: 'not-found', message: 'no Running istiod pod'})), {name: 'east'});
		assert.equal(
			none.rows.some(r => r.id.startsWith('istiod-') && r.id !== 'istiod'),
			false,
		);
	});

	test('-o json carries istiod view as read, next to the rows', () => {
		const v = view(
			[
				['east', '', 'synced'],
				['west', 'istio-system/istio-remote-secret-west', 'synced'],
			],
			[['net-west', '127.0.20.1']],
		);
		const doc = JSON.parse(statusJson([evaluateCluster(obs(v), {name: 'east'})], new Date(0)));
		assert.deepEqual(doc.clusters[0].istiodView, v);
		assert.deepEqual(
			doc.clusters[0].checks.find((c: any) => c.id === 'istiod-sees:west'),
			{id: 'istiod-sees:west', level: 'ok', text: 'synced'},
		);
	});
});
