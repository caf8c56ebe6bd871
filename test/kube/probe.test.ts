import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {createClusterClientFactory} from '../../source/kube/index.js';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
	const server = http.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise<void>(resolve => server.close(() => resolve()));
	return port;
}

describe('probe against the fake API server', () => {
	let fake: FakeApiServer;
	before(async () => {
		fake = await FakeApiServer.start({token: 'good-token', gitVersion: 'v1.35.4'});
	});
	after(async () => {
		await fake.close();
	});

	test('a bare cluster: reachable, version, auth ok, no istio-system, no CRDs, no istiod', async () => {
		const file = writeKubeconfig([{name: 'bare', server: fake}]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('bare').probe();
		assert.equal(result.context, 'bare');
		assert.equal(result.reachable, true);
		assert.equal(result.auth, 'ok');
		assert.equal(result.serverVersion, 'v1.35.4');
		assert.equal(result.istioNamespace, false);
		assert.equal(result.istioCrds, false);
		assert.deepEqual(result.istioCrdNames, []);
		assert.deepEqual(result.istiod, []);
		assert.equal(result.error, undefined);
		assert.ok(result.elapsedMs >= 0);
	});

	test('istiod with a revision, CLUSTER_ID, EXTERNAL_ISTIOD and meshID/network from the injector values', async () => {
		const server = await FakeApiServer.start({token: 't'});
		try {
			server.addNamespace('istio-system', {'topology.istio.io/network': 'network1'});
			server.addIstioCrds();
			server.addIstiod({revision: '1-30', clusterId: 'east', meshId: 'mesh1', network: 'network1', externalIstiod: true});
			const file = writeKubeconfig([{name: 'east', server}]);
			const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('east').probe();
			assert.equal(result.istioNamespace, true);
			assert.equal(result.networkLabel, 'network1');
			assert.equal(result.istioCrds, true);
			assert.deepEqual(result.istioCrdNames, ['gateways.networking.istio.io', 'virtualservices.networking.istio.io']);
			assert.deepEqual(result.istiod, [
				{name: 'istiod-1-30', revision: '1-30', clusterId: 'east', meshId: 'mesh1', network: 'network1', externalIstiod: true, ready: true},
			]);
		} finally {
			await server.close();
		}
	});

	test('default-revision istiod that is not ready, and the IstioOperator CRD when it is installed', async () => {
		const server = await FakeApiServer.start();
		try {
			server.addIstioCrds({istioOperator: true});
			server.addIstiod({clusterId: 'west', ready: false});
			const file = writeKubeconfig([{name: 'west', server}]);
			const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('west').probe();
			assert.deepEqual(result.istioCrdNames, ['gateways.networking.istio.io', 'virtualservices.networking.istio.io', 'istiooperators.install.istio.io']);
			assert.equal(result.istiod.length, 1);
			assert.equal(result.istiod[0]!.name, 'istiod');
			assert.equal(result.istiod[0]!.revision, undefined);
			assert.equal(result.istiod[0]!.ready, false);
			assert.equal(result.istiod[0]!.meshId, undefined);
			assert.equal(result.networkLabel, undefined);
		} finally {
			await server.close();
		}
	});

	test('a wrong token is told apart as unauthorized (401), with a hint to refresh credentials', async () => {
		const file = writeKubeconfig([{name: 'stale', server: fake, token: 'expired'}]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('stale').probe();
		assert.equal(result.reachable, true);
		assert.equal(result.auth, 'unauthorized');
		assert.equal(result.error?.kind, 'unauthorized');
		assert.equal(result.error?.httpStatus, 401);
		assert.match(result.error!.message, /credentials rejected.*stale/);
		assert.match(result.error!.hint ?? '', /refresh/);
		assert.ok(!result.error!.message.includes('\n'));
	});

	test('RBAC refusing istio-system is told apart as forbidden (403), naming the user and resource', async () => {
		const server = await FakeApiServer.start({token: 't', user: 'dev@example.com'});
		try {
			server.forbid({verb: 'get', resource: 'namespaces'});
			const file = writeKubeconfig([{name: 'locked', server, user: 'dev'}]);
			const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('locked').probe();
			assert.equal(result.reachable, true);
			assert.equal(result.serverVersion, 'v1.35.4');
			assert.equal(result.auth, 'forbidden');
			assert.equal(result.error?.kind, 'forbidden');
			assert.equal(result.error?.httpStatus, 403);
			assert.match(result.error!.message, /User "dev@example.com" cannot get resource "namespaces"/);
			assert.match(result.error!.hint ?? '', /RBAC.*user dev/);
		} finally {
			await server.close();
		}
	});

	test('without CRD read permission, Istio CRDs are found through API discovery', async () => {
		const server = await FakeApiServer.start();
		try {
			server.addIstioCrds();
			server.forbid({resource: 'customresourcedefinitions'});
			const file = writeKubeconfig([{name: 'x', server}]);
			const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('x').probe();
			assert.equal(result.istioCrds, true);
			assert.equal(result.auth, 'ok');
		} finally {
			await server.close();
		}
	});

	test('a closed port is unreachable, with a one-line error and the kubectl command to check', async () => {
		const port = await closedPort();
		const file = writeKubeconfig([{name: 'gone', server: `http://127.0.0.1:${port}`}]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('gone').probe();
		assert.equal(result.reachable, false);
		assert.equal(result.auth, undefined);
		assert.equal(result.error?.kind, 'unreachable');
		assert.match(result.error!.message, /cannot reach the API server gone: connection refused/);
		assert.equal(result.error!.hint, 'is the API server up? check kubectl --context gone get --raw /version');
	});

	test('a server that never answers hits the probe deadline', async () => {
		const silent = http.createServer(() => {
			// never respond
		});
		await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
		try {
			const {port} = silent.address() as AddressInfo;
			const file = writeKubeconfig([{name: 'hung', server: `http://127.0.0.1:${port}`}]);
			const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('hung').probe({timeoutMs: 200});
			assert.equal(result.reachable, false);
			assert.equal(result.error?.kind, 'timeout');
			assert.match(result.error!.message, /did not answer within/);
		} finally {
			silent.closeAllConnections();
			await new Promise<void>(resolve => silent.close(() => resolve()));
		}
	});

	test('an aborted signal cancels the probe', async () => {
		const file = writeKubeconfig([{name: 'c', server: fake}]);
		const controller = new AbortController();
		controller.abort();
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('c').probe({signal: controller.signal});
		assert.equal(result.reachable, false);
		assert.equal(result.error?.kind, 'cancelled');
	});

	test('each context talks to its own server with its own credentials', async () => {
		const other = await FakeApiServer.start({token: 'other-token', gitVersion: 'v1.34.1'});
		try {
			const file = writeKubeconfig([
				{name: 'one', server: fake},
				{name: 'two', server: other},
			]);
			const factory = createClusterClientFactory({kubeconfig: file, env: {}});
			const [a, b] = await Promise.all([factory.client('one').probe(), factory.client('two').probe()]);
			assert.equal(a.serverVersion, 'v1.35.4');
			assert.equal(b.serverVersion, 'v1.34.1');
			assert.equal(a.auth, 'ok');
			assert.equal(b.auth, 'ok');
			assert.equal(factory.client('one'), factory.client('one'));
		} finally {
			await other.close();
		}
	});
});
