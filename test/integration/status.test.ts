/**
 * `eastwest status` against loopback fake API servers: the real kube watches feeding the status monitor,
 * a dropped watch and its reconnect, an unhealthy gateway, an unreachable cluster, and the request budget.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {createServer} from 'node:net';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';
import {createClusterClientFactory} from '../../source/kube/index.js';
import {StatusMonitor} from '../../source/engine/status-monitor.js';
import type {ClusterHealth} from '../../source/core/status.js';
import {GATEWAY_PORTS} from '../../source/core/manifests.js';
import {runCli} from '../helpers/cli.js';
import {FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT, fixtureCacertsData} from '../support/ca-fixtures.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

const gatewayLabels = (network: string) => ({app: 'istio-eastwestgateway', istio: 'eastwestgateway', 'topology.istio.io/network': network});

async function clusterWithGateway(network: string, scenario: 'ready' | 'image-pull-auto' = 'ready'): Promise<FakeApiServer> {
	const s = await FakeApiServer.start({token: 't'});
	servers.push(s);
	s.addIstioCrds();
	s.addNamespace('istio-system', {'topology.istio.io/network': network});
	s.addIstiod({clusterId: network});
	s.deployment = {scenario, delayMs: 10};
	s.loadBalancer = {scenario: 'ip', delayMs: 10};
	s.put({
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels: gatewayLabels(network)},
		spec: {
			replicas: 1,
			selector: {matchLabels: {app: 'istio-eastwestgateway'}},
			template: {
				metadata: {labels: gatewayLabels(network)},
				spec: {containers: [{name: 'istio-proxy', image: 'auto', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network}]}]},
			},
		},
	});
	s.put({
		apiVersion: 'v1',
		kind: 'Service',
		metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels: gatewayLabels(network)},
		spec: {type: 'LoadBalancer', selector: {app: 'istio-eastwestgateway'}, ports: GATEWAY_PORTS.map(p => ({...p}))},
	});
	s.put({
		apiVersion: 'networking.istio.io/v1',
		kind: 'Gateway',
		metadata: {name: 'cross-network-gateway', namespace: 'istio-system'},
		spec: {selector: {istio: 'eastwestgateway'}, servers: []},
	});
	return s;
}

/** Until the fake's scripted rollout and LoadBalancer have played out (a condition, not a time). */
async function settled(s: FakeApiServer, scenario: 'ready' | 'image-pull-auto' = 'ready'): Promise<void> {
	const done = () => {
		const svc = s.get('v1', 'Service', 'istio-system', 'istio-eastwestgateway');
		const dep = s.get('apps/v1', 'Deployment', 'istio-system', 'istio-eastwestgateway');
		const rolled = scenario === 'ready' ? dep?.status?.availableReplicas === 1 : s.list('v1', 'Pod', 'istio-system').length > 0;
		return Boolean(svc?.status?.loadBalancer?.ingress?.length) && rolled;
	};
	const deadline = Date.now() + 10_000;
	while (!done()) {
		if (Date.now() > deadline) throw new Error('the fake API server never finished its scripted rollout');
		await new Promise(r => setTimeout(r, 5));
	}
}

async function closedPort(): Promise<number> {
	const srv = createServer();
	await new Promise<void>(r => srv.listen(0, '127.0.0.1', () => r()));
	const {port} = srv.address() as {port: number};
	await new Promise<void>(r => srv.close(() => r()));
	return port;
}

function until(monitor: StatusMonitor, predicate: (h: ClusterHealth[]) => boolean, what: string, timeoutMs = 8000): Promise<ClusterHealth[]> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			unsubscribe();
			reject(
				new Error(
					`timed out waiting for ${what}; last: ${JSON.stringify(monitor.snapshot().map(c => ({c: c.context, r: c.reachable, s: c.stale, h: c.healthy, e: c.error})))}`,
				),
			);
		}, timeoutMs);
		const check = (h: ClusterHealth[]) => {
			if (!predicate(h)) return;
			clearTimeout(timer);
			unsubscribe();
			resolve(h);
		};
		const unsubscribe = monitor.subscribe(check);
		check(monitor.snapshot());
	});
}

test('live monitor over real watches: healthy, then a dropped watch goes stale and recovers; one list+watch per kind', async () => {
	const east = await clusterWithGateway('net-east');
	const kubeconfig = writeKubeconfig([{name: 'east', server: east}]);
	const factory = createClusterClientFactory({kubeconfig, env: {}});
	const monitor = new StatusMonitor(
		c => factory.client(c),
		[{context: 'east', expectation: {name: 'east', network: 'net-east', role: 'primary', topology: 'multi-network'}}],
		{istiodViewIntervalMs: 100},
	);
	monitor.start();
	try {
		const [h] = await until(
			monitor,
			hs => hs[0]!.healthy && hs[0]!.rows.some(r => r.id.startsWith('istiod-gateway:')),
			"a healthy gateway that istiod's view lists",
		);
		assert.match(h!.address!.value, /^127\.0\.10\.\d+$/);
		for (let i = 0; i < 500 && east.openWatches < 7; i++) await new Promise(r => setTimeout(r, 20));
		// istiod's view is read apart from the watches: a list of istiod pods, then a port-forward per debug path.
		const istiodRead = (r: {path: string; query: Record<string, string>}) => r.path.endsWith('/portforward') || r.query.labelSelector === 'app=istiod';
		const lists = east.count(
			r => !istiodRead(r) && ((r.method === 'GET' && !r.watch && r.path.includes('istio-system')) || (r.path === '/api/v1/namespaces' && !r.watch)),
		);
		const watches = east.count(r => r.watch);
		assert.equal(watches, 9, 'one watch per kind: deployments, services, pods, namespaces, gateways, virtualservices, secrets, istio-ca-root-cert, cacerts');
		assert.ok(lists >= 9 && lists <= 10, `one list per kind (saw ${lists})`);
		assert.ok(east.count(r => r.path.endsWith('/portforward')) >= 2, "istiod's view was read through pods/portforward");
		assert.deepEqual(
			h!.rows.filter(r => r.id.startsWith('istiod-gateway:')).map(r => `${r.label} ${r.level} ${r.text}`),
			[`gateway net-east ok ${h!.address!.value}:15443`],
		);

		east.failAll = 503;
		east.dropWatches();
		const [down] = await until(monitor, hs => !hs[0]!.reachable, 'the cluster to be reported unreachable while watches are down');
		assert.equal(down!.healthy, false);
		assert.equal(down!.address?.value, h!.address!.value, 'last known data is kept');
		east.failAll = undefined;
		const [back] = await until(monitor, hs => hs[0]!.healthy && !hs[0]!.stale, 'the watches to reconnect', 15_000);
		assert.equal(back!.reachable, true);
	} finally {
		monitor.stop();
	}
	// A watch whose request is still being answered closes as soon as its headers arrive.
	for (let i = 0; i < 500 && east.openWatches > 0; i++) await new Promise(r => setTimeout(r, 20));
	assert.equal(east.openWatches, 0, 'stop closes every watch');
});

test('status -o json: an injection failure and an unreachable cluster → exit 1 with reasons; text lists them too', async () => {
	const good = await clusterWithGateway('net-east');
	const bad = await clusterWithGateway('net-west', 'image-pull-auto');
	const port = await closedPort();
	const kubeconfig = writeKubeconfig([
		{name: 'good', server: good},
		{name: 'bad', server: bad},
		{name: 'gone', server: `http://127.0.0.1:${port}`, token: 't'},
	]);
	await Promise.all([settled(good), settled(bad, 'image-pull-auto')]);
	const r = await runCli(['status', '--kubeconfig', kubeconfig, '--context', 'good', '--context', 'bad', '--context', 'gone', '-o', 'json', '--timeout', '5s']);
	assert.equal(r.code, 1, r.stderr);
	const doc = JSON.parse(r.stdout);
	assert.equal(doc.healthy, false);
	const by = Object.fromEntries(doc.clusters.map((c: any) => [c.context, c]));
	assert.equal(by.good.healthy, true);
	assert.equal(by.bad.healthy, false);
	assert.match(by.bad.checks.find((c: any) => c.id === 'pods').reason, /image "auto": sidecar injection did not run/);
	assert.equal(by.gone.reachable, false);
	assert.match(by.gone.error, /127\.0\.0\.1|refused|unreachable/i);

	const text = await runCli(['status', '--kubeconfig', kubeconfig, '--context', 'good', '--context', 'gone', '--timeout', '5s']);
	assert.equal(text.code, 1);
	assert.match(text.stdout, /^good · network net-east · healthy$/m);
	assert.match(text.stdout, /^gone · unreachable$/m);
	assert.match(text.stdout, /1 of 2 clusters not healthy\./);
});

test('status --watch without a terminal prints a line per change and stops on SIGINT with 130', async () => {
	const s = await clusterWithGateway('net-east');
	const kubeconfig = writeKubeconfig([{name: 'east', server: s}]);
	await settled(s);
	// Interrupt once both lines are printed.
	const r = await runCli(['status', '--kubeconfig', kubeconfig, '--watch'], {
		signalWhen: out => / east healthy$/m.test(out) && / east ✔ gateway: 1\/1 ready$/m.test(out),
	});
	assert.equal(r.code, 130, r.stderr);
	assert.match(r.stdout, /^\d\d:\d\d:\d\d east healthy$/m);
	assert.match(r.stdout, /^\d\d:\d\d:\d\d east ✔ gateway: 1\/1 ready$/m);
	const lines = r.stdout.trim().split('\n');
	assert.equal(new Set(lines.map(l => l.slice(9))).size, lines.length, 'no line is repeated without a change');
});

/** What istiod publishes (ConfigMap istio-ca-root-cert) and, when given, the cacerts it is plugged in with. */
function seedRoots(s: FakeApiServer, published: string, plugged?: string): void {
	s.put({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-ca-root-cert', namespace: 'istio-system'}, data: {'root-cert.pem': published}});
	if (plugged) s.put({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data: fixtureCacertsData(plugged)});
}

async function twoClusters(): Promise<{east: FakeApiServer; west: FakeApiServer; kubeconfig: string}> {
	const east = await clusterWithGateway('net-east');
	const west = await clusterWithGateway('net-west');
	await Promise.all([settled(east), settled(west)]);
	return {
		east,
		west,
		kubeconfig: writeKubeconfig([
			{name: 'east', server: east},
			{name: 'west', server: west},
		]),
	};
}

const TWO = ['--context', 'east', '--context', 'west', '--timeout', '5s'];

test('status: one root in every cluster → ✔ trust line, -o json trust pass and healthy, exit 0', async () => {
	const {east, west, kubeconfig} = await twoClusters();
	seedRoots(east, FIXTURE_ROOT_CERT, FIXTURE_ROOT_CERT);
	seedRoots(west, FIXTURE_ROOT_CERT, FIXTURE_ROOT_CERT);
	const json = await runCli(['status', '--kubeconfig', kubeconfig, ...TWO, '-o', 'json']);
	assert.equal(json.code, 0, json.stderr);
	const doc = JSON.parse(json.stdout);
	assert.equal(doc.healthy, true);
	assert.equal(doc.trust.level, 'pass');
	assert.match(doc.trust.line, /^every cluster trusts one root \(O=Istio, CN=Root CA, sha256 [0-9A-F]{2}(:[0-9A-F]{2}){3}…\)$/);
	const text = await runCli(['status', '--kubeconfig', kubeconfig, ...TWO]);
	assert.equal(text.code, 0, text.stderr);
	assert.match(text.stdout, /^✔ trust {12}every cluster trusts one root \(O=Istio, CN=Root CA, sha256 /m);
	assert.match(text.stdout, /All 2 clusters healthy\./);
});

test('status: different roots → ✘ with the hint, -o json healthy false, exit 1, though every gateway is healthy', async () => {
	const {east, west, kubeconfig} = await twoClusters();
	seedRoots(east, FIXTURE_ROOT_CERT);
	seedRoots(west, FIXTURE_OTHER_ROOT_CERT);
	const json = await runCli(['status', '--kubeconfig', kubeconfig, ...TWO, '-o', 'json']);
	assert.equal(json.code, 1, json.stderr);
	const doc = JSON.parse(json.stdout);
	assert.equal(doc.healthy, false);
	assert.ok(
		doc.clusters.every((c: any) => c.healthy),
		'each cluster on its own is healthy',
	);
	assert.equal(doc.trust.level, 'fail');
	assert.equal(doc.trust.line, 'east and west have different roots: cross-cluster mTLS fails');
	assert.ok(!json.stdout.includes('BEGIN CERTIFICATE') && !json.stdout.includes('PRIVATE KEY'), 'no certificate or key text');
	const text = await runCli(['status', '--kubeconfig', kubeconfig, ...TWO]);
	assert.equal(text.code, 1);
	assert.match(text.stdout, /^✘ trust {12}east and west have different roots: cross-cluster mTLS fails$/m);
	assert.match(text.stdout, /eastwest apply --ca DIR --restart-istiod/);
	assert.match(text.stdout, /The clusters do not trust one root\./);
});

test('status: one plugged-in root not yet republished by istiod → ‼ converging, not a failure', async () => {
	const {east, west, kubeconfig} = await twoClusters();
	seedRoots(east, FIXTURE_ROOT_CERT, FIXTURE_ROOT_CERT);
	seedRoots(west, FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT);
	const json = await runCli(['status', '--kubeconfig', kubeconfig, ...TWO, '-o', 'json']);
	assert.equal(json.code, 0, json.stderr);
	const doc = JSON.parse(json.stdout);
	assert.equal(doc.trust.level, 'warn');
	assert.match(doc.trust.line, /^converging: west does not publish the plugged-in root/);
	assert.equal(doc.healthy, true);
	const text = await runCli(['status', '--kubeconfig', kubeconfig, ...TWO]);
	assert.match(text.stdout, /^‼ trust {12}converging: west /m);
});

test('status --watch without a terminal prints a trust line when istiod republishes the shared root', async () => {
	const {east, west, kubeconfig} = await twoClusters();
	seedRoots(east, FIXTURE_ROOT_CERT, FIXTURE_ROOT_CERT);
	seedRoots(west, FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT);
	let republished = false;
	const r = await runCli(['status', '--kubeconfig', kubeconfig, '--context', 'east', '--context', 'west', '--watch'], {
		signalWhen: out => {
			if (!republished && / mesh ‼ trust: converging: west /m.test(out)) {
				republished = true;
				seedRoots(west, FIXTURE_ROOT_CERT);
			}
			return / mesh ✔ trust: every cluster trusts one root /m.test(out);
		},
	});
	assert.equal(r.code, 130, r.stderr);
	const trustLines = r.stdout.split('\n').filter(l => / mesh . trust: /.test(l));
	assert.ok(trustLines.length >= 2);
	assert.match(trustLines[0]!, /^\d\d:\d\d:\d\d mesh ‼ trust: converging: west /);
	assert.match(trustLines.at(-1)!, /^\d\d:\d\d:\d\d mesh ✔ trust: every cluster trusts one root \(O=Istio, CN=Root CA, /);
});
