import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, {type AddressInfo} from 'node:net';
import {Duplex} from 'node:stream';
import {KubeConfig} from '@kubernetes/client-node';
import {KubeClusterClient} from '../../source/kube/client.js';
import {KubeError} from '../../source/kube/errors.js';
import {getOverStream, monitoringPort} from '../../source/kube/istiod-debug.js';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';

/** A stand-in for istiod's monitoring port: the debug bodies it serves, and the requests it saw. */
async function debugServer(routes: Record<string, {status?: number; body: string}>, options: {hang?: boolean} = {}) {
	const seen: string[] = [];
	const server = http.createServer((req, res) => {
		seen.push(req.url ?? '');
		if (options.hang) return;
		const route = routes[req.url ?? ''];
		res.writeHead(route?.status ?? (route ? 200 : 404), {'Content-Type': 'application/json'});
		res.end(route?.body ?? '');
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		port,
		seen,
		close: () =>
			new Promise<void>(resolve => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

function istiodPod(name: string, options: {phase?: string; ready?: boolean; port?: string; revision?: string} = {}) {
	return {
		apiVersion: 'v1',
		kind: 'Pod',
		metadata: {
			name,
			namespace: 'istio-system',
			labels: {app: 'istiod', 'istio.io/rev': options.revision ?? 'default'},
			annotations: options.port === undefined ? {} : {'prometheus.io/port': options.port},
		},
		spec: {containers: [{name: 'discovery', image: 'pilot'}]},
		status: {phase: options.phase ?? 'Running', conditions: [{type: 'Ready', status: options.ready === false ? 'False' : 'True'}]},
	};
}

const CLUSTERZ = JSON.stringify([
	{id: 'east', secretName: '', syncStatus: 'synced'},
	{id: 'west', secretName: 'istio-system/istio-remote-secret-west', syncStatus: 'synced'},
]);
const NETWORKZ = JSON.stringify([{Network: 'net-west', Cluster: 'west', Addr: '127.0.20.1', Port: 15443, HBONEPort: 0}]);

describe('readIstiodDebug: the kube layer against a fake API server and a local debug endpoint', () => {
	let fake: FakeApiServer;
	let kc: KubeConfig;
	before(async () => {
		fake = await FakeApiServer.start({token: 't'});
		fake.addNamespace('istio-system');
		kc = new KubeConfig();
		kc.loadFromFile(writeKubeconfig([{name: 'east', server: fake}]));
	});
	after(async () => {
		await fake.close();
	});

	test('lists Running istiod pods, forwards to the annotated port and GETs each path', async () => {
		const istiod = await debugServer({'/debug/clusterz': {body: CLUSTERZ}, '/debug/networkz': {body: NETWORKZ}});
		fake.put(istiodPod('istiod-old', {phase: 'Pending', port: '15014'}));
		fake.put(istiodPod('istiod-abc', {port: '15099'}));
		const dialled: string[] = [];
		const client = new KubeClusterClient('east', kc, {
			dial: (namespace, pod, port) => {
				dialled.push(`${namespace}/${pod}:${port}`);
				return net.connect(istiod.port, '127.0.0.1');
			},
		});
		try {
			const answer = await client.readIstiodDebug({paths: ['/debug/clusterz', '/debug/networkz'], timeoutMs: 5000});
			assert.equal(answer.pod, 'istiod-abc');
			assert.equal(answer.port, 15099);
			assert.deepEqual(dialled.sort(), ['istio-system/istiod-abc:15099', 'istio-system/istiod-abc:15099']);
			assert.deepEqual(answer.responses, [
				{path: '/debug/clusterz', status: 200, body: CLUSTERZ},
				{path: '/debug/networkz', status: 200, body: NETWORKZ},
			]);
			assert.deepEqual(istiod.seen.sort(), ['/debug/clusterz', '/debug/networkz']);
			const list = fake.requests.find(r => r.path === '/api/v1/namespaces/istio-system/pods');
			assert.equal(list?.query.labelSelector, 'app=istiod');
		} finally {
			fake.remove('v1', 'Pod', 'istio-system', 'istiod-old');
			fake.remove('v1', 'Pod', 'istio-system', 'istiod-abc');
			await istiod.close();
		}
	});

	test('a revision selects its own pods; a non-200 answer comes back as its status', async () => {
		const istiod = await debugServer({'/debug/clusterz': {status: 503, body: 'not ready'}});
		fake.put(istiodPod('istiod-canary-1', {revision: 'canary'}));
		const client = new KubeClusterClient('east', kc, {dial: () => net.connect(istiod.port, '127.0.0.1')});
		try {
			const answer = await client.readIstiodDebug({revision: 'canary', paths: ['/debug/clusterz'], timeoutMs: 5000});
			assert.equal(answer.pod, 'istiod-canary-1');
			assert.equal(answer.port, 15014);
			assert.deepEqual(answer.responses, [{path: '/debug/clusterz', status: 503, body: 'not ready'}]);
			const list = fake.requests.filter(r => r.path === '/api/v1/namespaces/istio-system/pods').at(-1);
			assert.equal(list?.query.labelSelector, 'app=istiod,istio.io/rev=canary');
		} finally {
			fake.remove('v1', 'Pod', 'istio-system', 'istiod-canary-1');
			await istiod.close();
		}
	});

	test('no Running istiod pod: a not-found error naming the cluster and how to look', async () => {
		fake.put(istiodPod('istiod-pending', {phase: 'Pending'}));
		const client = new KubeClusterClient('east', kc, {dial: () => assert.fail('nothing to dial')});
		try {
			await assert.rejects(client.readIstiodDebug({paths: ['/debug/clusterz'], timeoutMs: 5000}), (error: unknown) => {
				assert.ok(error instanceof KubeError);
				assert.equal(error.info.kind, 'not-found');
				assert.match(error.info.message, /no Running istiod pod in istio-system on east/);
				assert.match(error.info.hint ?? '', /kubectl --context east -n istio-system get pods -l app=istiod/);
				return true;
			});
		} finally {
			fake.remove('v1', 'Pod', 'istio-system', 'istiod-pending');
		}
	});

	test('an istiod that never answers: a timeout at the deadline, saying what it was doing', async () => {
		const istiod = await debugServer({}, {hang: true});
		fake.put(istiodPod('istiod-slow'));
		const client = new KubeClusterClient('east', kc, {dial: () => net.connect(istiod.port, '127.0.0.1')});
		try {
			await assert.rejects(client.readIstiodDebug({paths: ['/debug/clusterz'], timeoutMs: 300}), (error: unknown) => {
				assert.ok(error instanceof KubeError);
				assert.equal(error.info.kind, 'timeout');
				assert.match(error.info.message, /istiod in east did not answer within 0\.3s \(port-forward to istiod-slow:15014\)/);
				return true;
			});
		} finally {
			fake.remove('v1', 'Pod', 'istio-system', 'istiod-slow');
			await istiod.close();
		}
	});

	test('a port-forward that fails: unreachable, with the port-forward to try by hand', async () => {
		fake.put(istiodPod('istiod-x'));
		const client = new KubeClusterClient('east', kc, {
			dial: () => {
				// As portForwardDialer fails: the stream is handed out at once, then destroyed with the API server's answer.
				const stream = new Duplex({
					read() {},
					write(_chunk, _encoding, callback) {
						callback();
					},
				});
				setImmediate(() => stream.destroy(new Error('error dialing backend: dial tcp 127.0.0.1:10250: connect: connection refused')));
				return stream;
			},
		});
		try {
			await assert.rejects(client.readIstiodDebug({paths: ['/debug/clusterz'], timeoutMs: 5000}), (error: unknown) => {
				assert.ok(error instanceof KubeError);
				assert.equal(error.info.kind, 'unreachable');
				assert.match(error.info.message, /could not port-forward to istiod-x:15014 on east: error dialing backend/);
				assert.match(error.info.hint ?? '', /port-forward deploy\/istiod 15014/);
				return true;
			});
		} finally {
			fake.remove('v1', 'Pod', 'istio-system', 'istiod-x');
		}
	});

	test('the caller cancelling: cancelled, not a timeout', async () => {
		const istiod = await debugServer({}, {hang: true});
		fake.put(istiodPod('istiod-c'));
		const client = new KubeClusterClient('east', kc, {dial: () => net.connect(istiod.port, '127.0.0.1')});
		const controller = new AbortController();
		try {
			const read = client.readIstiodDebug({paths: ['/debug/clusterz'], timeoutMs: 10_000, signal: controller.signal});
			setTimeout(() => controller.abort(), 50);
			await assert.rejects(read, (error: unknown) => error instanceof KubeError && error.info.kind === 'cancelled');
		} finally {
			fake.remove('v1', 'Pod', 'istio-system', 'istiod-c');
			await istiod.close();
		}
	});
});

describe('getOverStream and monitoringPort', () => {
	test('a chunked body larger than one read arrives whole', async () => {
		const big = JSON.stringify(Array.from({length: 2000}, (_, i) => ({id: `c${i}`, secretName: `istio-system/s${i}`, syncStatus: 'synced'})));
		const server = http.createServer((_req, res) => {
			res.writeHead(200);
			res.write(big.slice(0, 1000));
			setImmediate(() => res.end(big.slice(1000)));
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as AddressInfo;
		try {
			const answer = await getOverStream(() => net.connect(port, '127.0.0.1'), '/debug/clusterz', new AbortController().signal);
			assert.equal(answer.status, 200);
			assert.equal(answer.body, big);
		} finally {
			server.closeAllConnections();
			await new Promise<void>(resolve => server.close(() => resolve()));
		}
	});

	test('the prometheus.io/port annotation decides, 15014 otherwise', () => {
		assert.equal(monitoringPort(istiodPod('a', {port: '9999'}) as any), 9999);
		assert.equal(monitoringPort(istiodPod('a') as any), 15014);
		assert.equal(monitoringPort(istiodPod('a', {port: 'nope'}) as any), 15014);
		assert.equal(monitoringPort(istiodPod('a', {port: '70000'}) as any), 15014);
	});
});

describe("istiod's view through the API server's pods/portforward (WebSocket, client-node's PortForward)", () => {
	let east: FakeApiServer;
	let west: FakeApiServer;
	const remoteSecret = (id: string, server: string) => ({
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {name: `istio-remote-secret-${id}`, namespace: 'istio-system', labels: {'istio/multiCluster': 'true'}},
		data: {[id]: Buffer.from(`apiVersion: v1\nkind: Config\nclusters:\n- name: ${id}\n  cluster:\n    server: ${server}\n`).toString('base64')},
	});
	const gatewayService = (network: string, ip: string) => ({
		apiVersion: 'v1',
		kind: 'Service',
		metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels: {'topology.istio.io/network': network}},
		spec: {type: 'LoadBalancer', ports: [{name: 'tls', port: 15443}]},
		status: {loadBalancer: {ingress: [{ip}]}},
	});
	before(async () => {
		east = await FakeApiServer.start({token: 'e'});
		west = await FakeApiServer.start({token: 'w'});
		east.addIstiod({clusterId: 'east', network: 'net-east'});
		west.addIstiod({clusterId: 'west', network: 'net-west'});
		east.put(gatewayService('net-east', '127.0.10.1'));
		west.put(gatewayService('net-west', '127.0.20.1'));
	});
	after(async () => {
		await east.close();
		await west.close();
	});

	test("a remote secret that reaches west: west synced, both networks' gateways; the stream is the real port-forward", async () => {
		east.put(remoteSecret('west', west.url));
		const kc = new KubeConfig();
		kc.loadFromFile(writeKubeconfig([{name: 'east', server: east}]));
		const answer = await new KubeClusterClient('east', kc).readIstiodDebug({paths: ['/debug/clusterz', '/debug/networkz'], timeoutMs: 5000});
		assert.equal(answer.pod, 'istiod-5d8f7c9b4-fk7x2');
		assert.deepEqual(JSON.parse(answer.responses[0]!.body), [
			{id: 'east', secretName: '', syncStatus: 'synced'},
			{id: 'west', secretName: 'istio-system/istio-remote-secret-west', syncStatus: 'synced'},
		]);
		assert.deepEqual(
			JSON.parse(answer.responses[1]!.body).map((g: any) => `${g.Network} ${g.Cluster} ${g.Addr}:${g.Port}`),
			['net-east east 127.0.10.1:15443', 'net-west west 127.0.20.1:15443'],
		);
		const pf = east.requests.filter(r => r.path === '/api/v1/namespaces/istio-system/pods/istiod-5d8f7c9b4-fk7x2/portforward');
		assert.equal(pf.length, 2, 'one port-forward per path');
		assert.equal(pf[0]!.query.ports, '15014');
	});

	test('a remote secret whose server answers nobody: timeout', async () => {
		east.put(remoteSecret('west', 'http://127.0.0.1:9'));
		const kc = new KubeConfig();
		kc.loadFromFile(writeKubeconfig([{name: 'east', server: east}]));
		const answer = await new KubeClusterClient('east', kc).readIstiodDebug({paths: ['/debug/clusterz'], timeoutMs: 5000});
		assert.equal(JSON.parse(answer.responses[0]!.body)[1].syncStatus, 'timeout');
	});

	test('a port-forward the API server refuses (403): forbidden, naming the permission', async () => {
		east.forbid({verb: 'create', resource: 'pods/portforward', namespace: 'istio-system'});
		const kc = new KubeConfig();
		kc.loadFromFile(writeKubeconfig([{name: 'east', server: east}]));
		await assert.rejects(new KubeClusterClient('east', kc).readIstiodDebug({paths: ['/debug/clusterz'], timeoutMs: 5000}), (error: unknown) => {
			assert.ok(error instanceof KubeError);
			assert.equal(error.info.kind, 'forbidden');
			assert.match(error.info.hint ?? '', /create on pods\/portforward in istio-system/);
			return true;
		});
	});
});
