import {test} from 'node:test';
import assert from 'node:assert/strict';
import {collectFacts, injectorFacts, serverHost, sha256, trustDomainOf} from '../../source/checks/collect.js';
import {runChecks} from '../../source/core/checks.js';
import {renderExposeIstiod, renderExposeServices} from '../../source/core/manifests.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {ClusterClient, ProbeResult} from '../../source/core/ports.js';

const ROOT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n';

const plan: MeshPlanInput = {
	topology: 'primary-remote-multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'ctx-east', name: 'east', network: 'network1', role: 'primary'},
		{context: 'ctx-west', name: 'west', network: 'network2', role: 'remote'},
	],
};

type Obj = Record<string, any>;

/** An in-memory ClusterClient: objects by apiVersion/kind/namespace/name; reads of `forbidden` keys throw. */
class FakeClusterClient implements Partial<ClusterClient> {
	readonly calls: string[] = [];
	constructor(
		readonly context: string,
		readonly objects: Obj[],
		readonly options: {reachable?: boolean; denied?: string[]; forbidden?: string[]} = {},
	) {}
	private key(kind: string, namespace: string | undefined, name: string) {
		return `${kind}/${namespace ?? ''}/${name}`;
	}
	async probe(): Promise<ProbeResult> {
		const reachable = this.options.reachable ?? true;
		return {
			context: this.context,
			reachable,
			...(reachable ? {auth: 'ok' as const, serverVersion: 'v1.35.1'} : {error: {kind: 'unreachable' as const, message: `cannot reach the API server of ${this.context}`, hint: 'check the network'}}),
			istioNamespace: true,
			istioCrds: true,
			istiod: [],
			elapsedMs: 1,
		};
	}
	async getObject(apiVersion: string, kind: string, namespace: string | undefined, name: string) {
		const key = this.key(kind, namespace, name);
		this.calls.push(`get ${apiVersion} ${key}`);
		if (this.options.forbidden?.includes(key)) throw new Error(`${kind.toLowerCase()}s "${name}" is forbidden for user admin`);
		return this.objects.find(o => o.kind === kind && o.apiVersion === apiVersion && o.metadata.name === name && (o.metadata.namespace ?? undefined) === namespace);
	}
	async listObjects(apiVersion: string, kind: string, namespace: string | undefined, labelSelector?: string) {
		const [k, v] = labelSelector?.split('=') ?? [];
		return this.objects.filter(o => o.kind === kind && o.apiVersion === apiVersion && (namespace === undefined || o.metadata.namespace === namespace) && (!k || o.metadata.labels?.[k] === v));
	}
	async getDeployment(namespace: string, name: string) {
		return this.getObject('apps/v1', 'Deployment', namespace, name);
	}
	async getService(namespace: string, name: string) {
		return this.getObject('v1', 'Service', namespace, name);
	}
	async listPods(namespace: string, selector: string) {
		return this.listObjects('v1', 'Pod', namespace, selector);
	}
	async canI(check: {verb: string; resource: string}) {
		return !this.options.denied?.includes(`${check.verb} ${check.resource}`);
	}
}

const asClient = (f: FakeClusterClient) => f as unknown as ClusterClient;

function clusterObjects(name: string, network: string, primary: boolean): Obj[] {
	const objs: Obj[] = [
		{apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'istio-system', labels: {'topology.istio.io/network': network}, annotations: primary ? {} : {'topology.istio.io/controlPlaneClusters': 'east'}}},
		{apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data: Object.fromEntries(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem'].map(k => [k, 'c2VjcmV0']))},
		{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio', namespace: 'istio-system'}, data: {mesh: 'defaultConfig:\n  discoveryAddress: istiod:15012\ntrustDomain: cluster.local\n'}},
		{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-ca-root-cert', namespace: 'istio-system'}, data: {'root-cert.pem': ROOT_PEM}},
		{apiVersion: 'v1', kind: 'Service', metadata: {name: 'lb', namespace: 'default'}, spec: {type: 'LoadBalancer'}, status: {loadBalancer: {ingress: [{ip: '192.0.2.9'}]}}},
		{
			apiVersion: 'apps/v1',
			kind: 'Deployment',
			metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', generation: 1},
			spec: {replicas: 1, template: {metadata: {labels: {istio: 'eastwestgateway', app: 'istio-eastwestgateway', 'topology.istio.io/network': network}}, spec: {containers: [{name: 'istio-proxy', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network}]}]}}},
			status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1},
		},
		{
			apiVersion: 'v1',
			kind: 'Service',
			metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels: {'topology.istio.io/network': network}},
			spec: {type: 'LoadBalancer', ports: [{name: 'status-port', port: 15021}, {name: 'tls', port: 15443}, {name: 'tls-istiod', port: 15012}, {name: 'tls-webhook', port: 15017}]},
			status: {loadBalancer: {ingress: [{ip: primary ? '192.0.2.10' : '192.0.2.20'}]}},
		},
	];
	objs[1]!.data['root-cert.pem'] = Buffer.from(ROOT_PEM).toString('base64');
	if (primary) {
		objs.push(
			{
				apiVersion: 'apps/v1',
				kind: 'Deployment',
				metadata: {name: 'istiod', namespace: 'istio-system', labels: {app: 'istiod'}, generation: 1},
				spec: {replicas: 1, template: {spec: {containers: [{name: 'discovery', env: [{name: 'CLUSTER_ID', value: name}, {name: 'EXTERNAL_ISTIOD', value: 'true'}]}]}}},
				status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1},
			},
			{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-sidecar-injector', namespace: 'istio-system'}, data: {values: JSON.stringify({global: {meshID: 'mesh1', network, multiCluster: {clusterName: name}}, revision: ''})}},
			...[...renderExposeIstiod(), ...renderExposeServices()].map(m => structuredClone(m) as Obj),
		);
	}
	return objs;
}

test('collected facts from a healthy primary-remote-multi-network mesh pass preflight and post-install', async () => {
	for (const phase of ['preflight', 'post-install'] as const) {
		const east = new FakeClusterClient('ctx-east', clusterObjects('east', 'network1', true));
		const west = new FakeClusterClient('ctx-west', clusterObjects('west', 'network2', false));
		const facts = {
			east: await collectFacts(asClient(east), {plan, cluster: plan.clusters[0]!, phase, server: 'https://east.example.internal:6443'}),
			west: await collectFacts(asClient(west), {plan, cluster: plan.clusters[1]!, phase, server: 'https://west.example.internal:6443'}),
		};
		assert.deepEqual(facts.east.errors, []);
		const results = runChecks(plan, facts, phase);
		assert.deepEqual(results.filter(r => r.status !== 'pass').map(r => `${r.id}@${r.cluster}: ${r.reason}`), [], phase);
	}
});

test('preflight facts: hashes, never key material; istiod env; injector values; permissions; LB heuristic', async () => {
	const east = new FakeClusterClient('ctx-east', clusterObjects('east', 'network1', true), {denied: ['create deployments']});
	const facts = await collectFacts(asClient(east), {plan, cluster: plan.clusters[0]!, phase: 'preflight', server: 'https://127.0.0.1:6443'});
	assert.equal(facts.apiServerHost, '127.0.0.1');
	assert.deepEqual(facts.cacerts, {present: true, keys: ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem'], rootCertSha256: sha256(ROOT_PEM)});
	assert.doesNotMatch(JSON.stringify(facts), /c2VjcmV0|MIIBroot/, 'no secret or certificate bytes in the facts');
	assert.equal(facts.caRootCertSha256, sha256(ROOT_PEM));
	assert.deepEqual(facts.istiod, [{name: 'istiod', ready: true, clusterId: 'east', externalIstiod: true}]);
	assert.deepEqual(facts.injectors, [{meshId: 'mesh1', network: 'network1', clusterName: 'east'}]);
	assert.equal(facts.permissions!.find(p => p.resource === 'deployments')!.allowed, false);
	assert.deepEqual(facts.loadBalancer, {services: 2, withAddress: 2});
	assert.equal(facts.istioCaSecret, false);
	assert.equal(facts.gateway, undefined, 'preflight does not read the gateway');
	const results = runChecks(plan, {east: facts}, 'preflight');
	assert.equal(results.find(r => r.id === 'permissions')!.status, 'fail');
	assert.equal(results.find(r => r.id === 'api-server-address' && r.cluster === 'west')!.status, 'skip');
});

test('a forbidden read leaves the fact unset (check skipped) and names the read in errors', async () => {
	const east = new FakeClusterClient('ctx-east', clusterObjects('east', 'network1', true), {forbidden: ['Secret/istio-system/cacerts']});
	const facts = await collectFacts(asClient(east), {plan, cluster: plan.clusters[0]!, phase: 'preflight'});
	assert.equal(facts.cacerts, undefined);
	assert.deepEqual(facts.errors, ['get Secret istio-system/cacerts: secrets "cacerts" is forbidden for user admin']);
	const r = runChecks(plan, {east: facts}, 'preflight').find(x => x.id === 'plugged-in-ca')!;
	assert.equal(r.status, 'skip');
});

test('absent objects are facts too: no cacerts with istio-ca-secret, no gateway, no expose resources', async () => {
	const objs = clusterObjects('east', 'network1', true).filter(o => o.metadata.name !== 'cacerts' && o.metadata.name !== 'istio-eastwestgateway' && o.kind !== 'Gateway');
	objs.push({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'istio-ca-secret', namespace: 'istio-system'}, data: {}});
	const pre = await collectFacts(asClient(new FakeClusterClient('ctx-east', objs)), {plan, cluster: plan.clusters[0]!, phase: 'preflight'});
	assert.deepEqual(pre.cacerts, {present: false, keys: []});
	assert.equal(pre.istioCaSecret, true);
	const post = await collectFacts(asClient(new FakeClusterClient('ctx-east', objs)), {plan, cluster: plan.clusters[0]!, phase: 'post-install'});
	assert.deepEqual(post.gateway, {deployment: null, service: null, pods: []});
	assert.equal(post.expose!.istiodGateway, null);
	assert.ok(post.expose!.istiodVirtualService);
	const results = runChecks(plan, {east: post}, 'post-install');
	assert.equal(results.find(r => r.id === 'gateway-rolled-out')!.reason, 'the Deployment does not exist');
	assert.match(results.find(r => r.id === 'istiod-exposed')!.reason!, /Gateway istiod-gateway is missing/);
});

test('an unreachable cluster stops after the probe with its error', async () => {
	const client = new FakeClusterClient('ctx-west', [], {reachable: false});
	const facts = await collectFacts(asClient(client), {plan, cluster: plan.clusters[1]!, phase: 'preflight'});
	assert.equal(facts.reachable, false);
	assert.equal(facts.error, 'cannot reach the API server of ctx-west (check the network)');
	assert.deepEqual(client.calls, []);
});

test('parsers: injector values, trust domain, server host', () => {
	assert.deepEqual(injectorFacts({data: {values: JSON.stringify({revision: 'canary', global: {meshID: 'm', network: 'n', multiCluster: {clusterName: 'c'}}})}}), {revision: 'canary', meshId: 'm', network: 'n', clusterName: 'c'});
	assert.deepEqual(injectorFacts({data: {values: 'not json'}}), {});
	assert.equal(trustDomainOf({data: {mesh: 'trustDomain: corp.example\n'}}), 'corp.example');
	assert.equal(trustDomainOf({data: {mesh: 'accessLogFile: /dev/stdout\n'}}), 'cluster.local');
	assert.equal(serverHost('https://[::1]:6443'), '[::1]');
	assert.equal(serverHost('https://api.example.com'), 'api.example.com');
	assert.equal(serverHost('nonsense'), undefined);
});
