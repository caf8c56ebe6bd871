import {X509Certificate} from 'node:crypto';
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {collectFacts, meshTrustOf, sha256, trustDomainOf} from '../../source/checks/collect.js';
import {runChecks} from '../../source/core/checks/index.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {FakeCluster, ROOT_PEM, clusterObjects, remoteSecretObject, wireMesh} from '../support/fake-cluster.js';
import {meshPlan, numberedNetworks} from '../support/plans.js';
import {FIXTURE_CA_KEY} from '../support/ca-fixtures.js';
import {healthyIstiodAnswer} from '../support/healthy-facts.js';

const plan: MeshPlanInput = meshPlan({topology: 'primary-remote-multi-network', network: numberedNetworks});

test('collected facts from a healthy primary-remote-multi-network mesh pass preflight and post-install', async () => {
	for (const phase of ['preflight', 'post-install'] as const) {
		const east = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true));
		const west = new FakeCluster('ctx-west', clusterObjects('west', 'network2', false));
		wireMesh(plan, {east, west}, {east: 'https://east.example.internal:6443', west: 'https://west.example.internal:6443'});
		const eastClient = east;
		const asked: string[] = [];
		eastClient.readIstiodDebug = async request => {
			asked.push(...request.paths);
			return healthyIstiodAnswer(plan, plan.clusters[0]!);
		};
		const facts = {
			east: await collectFacts(eastClient, {plan, cluster: plan.clusters[0]!, phase, server: 'https://east.example.internal:6443'}),
			west: await collectFacts(west, {plan, cluster: plan.clusters[1]!, phase, server: 'https://west.example.internal:6443'}),
		};
		assert.deepEqual(facts.east.errors, []);
		const results = runChecks(plan, facts, phase);
		assert.deepEqual(
			results.filter(r => r.status !== 'pass').map(r => `${r.id}@${r.cluster}: ${r.reason}`),
			[],
			phase,
		);
		assert.deepEqual(asked, phase === 'post-install' ? ['/debug/clusterz', '/debug/networkz'] : [], "istiod's view is read after the install only");
		assert.equal(facts.west.istiodView, undefined, 'a remote has no istiod to ask');
	}
});

test("istiod's view: an istiod that cannot be read is a warning with its hint, never a failure", async () => {
	const east = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true));
	east.readIstiodDebug = async () => {
		throw Object.assign(new Error('istiod in ctx-east did not answer within 4s'), {
			info: {kind: 'timeout', message: 'istiod in ctx-east did not answer within 4s', hint: 'is istiod running?'},
		});
	};
	const facts = await collectFacts(east, {plan, cluster: plan.clusters[0]!, phase: 'post-install'});
	assert.deepEqual(facts.istiodView, {read: false, error: 'istiod in ctx-east did not answer within 4s', kind: 'timeout', hint: 'is istiod running?'});
	const results = runChecks(plan, {east: facts}, 'post-install').filter(r => r.id.startsWith('istiod-sees') || r.id.startsWith('istiod-knows'));
	assert.deepEqual(
		results.map(r => `${r.id} ${r.status}: ${r.reason} / ${r.hint}`),
		[
			"istiod-sees-clusters warn: could not read istiod's view: istiod in ctx-east did not answer within 4s / is istiod running?",
			"istiod-knows-gateways warn: could not read istiod's view: istiod in ctx-east did not answer within 4s / is istiod running?",
		],
	);
});

test('preflight facts: hashes, never key material; istiod env; injector values; permissions; LB heuristic', async () => {
	const east = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true), {denied: ['create deployments']});
	const facts = await collectFacts(east, {plan, cluster: plan.clusters[0]!, phase: 'preflight', server: 'https://127.0.0.1:6443'});
	assert.equal(facts.apiServerHost, '127.0.0.1');
	assert.deepEqual(facts.cacerts, {present: true, keys: ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem'], rootCertSha256: sha256(ROOT_PEM)});
	const keyLines = FIXTURE_CA_KEY.split('\n').filter(l => l.length > 20 && !l.startsWith('---'));
	for (const line of [...keyLines, Buffer.from(FIXTURE_CA_KEY).toString('base64').slice(0, 40)])
		assert.ok(!JSON.stringify(facts).includes(line), 'no key bytes in the facts');
	assert.doesNotMatch(JSON.stringify(facts), /BEGIN|PRIVATE/, 'no PEM in the facts');
	assert.equal(facts.caRootCertSha256, sha256(ROOT_PEM));
	// The ConfigMap's certificate, comparable with cacerts' root.
	assert.deepEqual(facts.caRootCert, {subject: 'O=Istio, CN=Root CA', fingerprint: new X509Certificate(ROOT_PEM).fingerprint256});
	assert.equal(facts.caRootCert!.fingerprint, facts.caBundle!.rootFingerprint);
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
	const east = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true), {forbidden: ['Secret/istio-system/cacerts']});
	const facts = await collectFacts(east, {plan, cluster: plan.clusters[0]!, phase: 'preflight'});
	assert.equal(facts.cacerts, undefined);
	assert.deepEqual(facts.errors, ['get Secret istio-system/cacerts: secrets "cacerts" is forbidden for user admin']);
	const r = runChecks(plan, {east: facts}, 'preflight').find(x => x.id === 'plugged-in-ca')!;
	assert.equal(r.status, 'skip');
});

test('absent objects are facts too: no cacerts with istio-ca-secret, no gateway, no expose resources', async () => {
	const objs = clusterObjects('east', 'network1', true).filter(
		o => o.metadata.name !== 'cacerts' && o.metadata.name !== 'istio-eastwestgateway' && o.kind !== 'Gateway',
	);
	objs.push({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'istio-ca-secret', namespace: 'istio-system'}, data: {}});
	const pre = await collectFacts(new FakeCluster('ctx-east', objs), {plan, cluster: plan.clusters[0]!, phase: 'preflight'});
	assert.deepEqual(pre.cacerts, {present: false, keys: []});
	assert.equal(pre.istioCaSecret, true);
	const post = await collectFacts(new FakeCluster('ctx-east', objs), {plan, cluster: plan.clusters[0]!, phase: 'post-install'});
	assert.deepEqual(post.gateway, {deployment: null, service: null, pods: []});
	assert.equal(post.expose!.istiodGateway, null);
	assert.ok(post.expose!.istiodVirtualService);
	const results = runChecks(plan, {east: post}, 'post-install');
	assert.equal(results.find(r => r.id === 'gateway-rolled-out')!.reason, 'the Deployment does not exist');
	assert.match(results.find(r => r.id === 'istiod-exposed')!.reason!, /Gateway istiod-gateway is missing/);
});

test('an unreachable cluster stops after the probe with its error', async () => {
	const client = new FakeCluster('ctx-west', [], {reachable: false});
	const facts = await collectFacts(client, {plan, cluster: plan.clusters[1]!, phase: 'preflight'});
	assert.equal(facts.reachable, false);
	assert.equal(facts.error, 'cannot reach the API server of ctx-west (check the network)');
	assert.deepEqual(client.calls, ['probe'], 'nothing is read after the probe');
});

test('parsers: trust domain', () => {
	assert.equal(trustDomainOf({data: {mesh: 'trustDomain: corp.example\n'}}), 'corp.example');
	assert.equal(trustDomainOf({data: {mesh: 'accessLogFile: /dev/stdout\n'}}), 'cluster.local');
});

test('parsers: trust domain aliases', () => {
	assert.deepEqual(meshTrustOf({data: {mesh: 'trustDomain: a.example\ntrustDomainAliases: [b.example, c.example]\n'}}), {
		trustDomain: 'a.example',
		aliases: ['b.example', 'c.example'],
	});
	assert.deepEqual(meshTrustOf({data: {mesh: ': not yaml ['}}), {trustDomain: 'cluster.local', aliases: []});
});

test("post-install field facts: the reader service account's bindings and roles, istiod's version from its image tag, the mesh config's aliases", async () => {
	const rbac = 'rbac.authorization.k8s.io/v1';
	const subjects = [{kind: 'ServiceAccount', name: 'istio-reader-service-account', namespace: 'istio-system'}];
	const west = new FakeCluster('ctx-west', [
		...clusterObjects('west', 'network2', false).filter(o => o.kind !== 'ConfigMap' || o.metadata.name !== 'istio'),
		{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio', namespace: 'istio-system'}, data: {mesh: 'trustDomainAliases: [east.example]\n'}},
		{
			apiVersion: rbac,
			kind: 'Role',
			metadata: {name: 'mesh-config', namespace: 'istio-system'},
			rules: [{apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch'], resourceNames: ['istio']}],
		},
		{apiVersion: rbac, kind: 'RoleBinding', metadata: {name: 'mesh-config', namespace: 'istio-system'}, roleRef: {kind: 'Role', name: 'mesh-config'}, subjects},
		{apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: {name: 'gone'}, roleRef: {kind: 'ClusterRole', name: 'gone'}, subjects},
		{
			apiVersion: rbac,
			kind: 'ClusterRoleBinding',
			metadata: {name: 'other'},
			roleRef: {kind: 'ClusterRole', name: 'view'},
			subjects: [{kind: 'User', name: 'alice'}],
		},
	]);
	const facts = await collectFacts(west, {plan, cluster: plan.clusters[1]!, phase: 'post-install'});
	assert.deepEqual(facts.trustDomainAliases, ['east.example']);
	assert.deepEqual(
		facts.readerRbac?.roles
			.map(
				r =>
					`${r.binding} → ${r.role}: ${r.rules === null ? 'missing' : r.rules.map(x => `${x.verbs.join('/')} ${x.resources.join(',')} ${x.resourceNames.join(',')}`).join('; ')}`,
			)
			.sort(),
		[
			'ClusterRoleBinding gone → ClusterRole gone: missing',
			'ClusterRoleBinding istio-reader-clusterrole-istio-system → ClusterRole istio-reader-clusterrole-istio-system: get/list/watch endpoints,pods,services,nodes,namespaces,secrets,configmaps ; get/list/watch endpointslices ',
			'RoleBinding istio-system/mesh-config → Role istio-system/mesh-config: list/watch configmaps istio',
		],
	);
	const east = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true));
	const primary = await collectFacts(east, {plan, cluster: plan.clusters[0]!, phase: 'post-install'});
	assert.deepEqual(primary.istiodVersions, [{name: 'istiod', version: '1.31.0', image: 'docker.io/istio/pilot:1.31.0', ready: true}]);
	assert.equal(primary.readerRbac, undefined, 'nobody reads the primary of primary-remote: its reader role is not read');
});

test('post-install wiring facts: remote secrets without credentials, their verdicts, a revoked token, the remote wiring', async () => {
	const east = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true));
	const west = new FakeCluster('ctx-west', clusterObjects('west', 'network2', false));
	wireMesh(plan, {east, west}, {east: 'https://east.example.internal:6443', west: 'https://west.example.internal:6443'});
	const collect = () => collectFacts(east, {plan, cluster: plan.clusters[0]!, phase: 'post-install', server: 'https://east.example.internal:6443'});
	const facts = await collect();
	assert.deepEqual(facts.remoteSecrets!.byPeer.west!.secret!.entries, [
		{cluster: 'west', server: 'https://west.example.internal:6443', auth: 'token', inlineCa: true},
	]);
	assert.equal(facts.remoteSecrets!.byPeer.west!.credentials!.kind, 'ok');
	assert.ok(east.calls.includes('verifyRemoteSecret istio-remote-secret-west west'));
	assert.ok(!JSON.stringify(facts).includes(west.readerToken), 'the token never enters the facts');
	assert.equal(facts.remote, undefined, 'a primary has no remote wiring');

	west.revokeToken();
	const revoked = runChecks(plan, {east: await collect()}, 'post-install').find(r => r.id === 'remote-secret-credentials')!;
	assert.equal(revoked.status, 'fail');
	assert.match(revoked.reason!, /does not accept the token in istio-system\/istio-remote-secret-west on ctx-east/);
	assert.equal(revoked.hint, 'run eastwest apply again to refresh it');

	const remote = await collectFacts(west, {plan, cluster: plan.clusters[1]!, phase: 'post-install', server: 'https://west.example.internal:6443'});
	assert.equal(remote.remote!.controlPlaneClusters, 'east');
	assert.deepEqual(remote.remote!.endpoints, {addresses: ['192.0.2.10'], ports: [15012, 15017]});
	assert.deepEqual(remote.remote!.webhook, {paths: ['/inject/cluster/west/net/network2', '/inject/cluster/west/net/network2'], caBundle: true});
	assert.equal(remote.remoteSecrets, undefined, 'a remote reads nobody');
});

test('a secret made with another --name is found by its server and named in the failure', async () => {
	const east = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true));
	const west = new FakeCluster('ctx-west', clusterObjects('west', 'network2', false), {server: 'https://west.example.internal:6443'});
	east.put(remoteSecretObject('west', west, {key: 'cluster2'}));
	const facts = await collectFacts(east, {plan, cluster: plan.clusters[0]!, phase: 'post-install', server: 'https://east.example.internal:6443'});
	assert.equal(facts.remoteSecrets!.byPeer.west!.secret, null);
	assert.deepEqual(
		facts.remoteSecrets!.listed.map(s => s.name),
		['istio-remote-secret-cluster2'],
	);
	const westFacts = {context: 'ctx-west', reachable: true, apiServer: 'https://west.example.internal:6443'};
	const r = runChecks(plan, {east: facts, west: westFacts}, 'post-install').find(x => x.id === 'remote-secrets')!;
	assert.equal(r.status, 'fail');
	assert.match(
		r.reason!,
		/istio-remote-secret-cluster2 opens https:\/\/west\.example\.internal:6443 under key cluster2, but istiod knows that cluster as west/,
	);
});

test('preflight: a loopback kubeconfig server reads what the API server advertises (never dialled); a routable one does not', async () => {
	const east = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true), {advertised: 'https://127.0.10.5:6443'});
	const loopback = await collectFacts(east, {plan, cluster: plan.clusters[0]!, phase: 'preflight', server: 'https://127.0.0.1:40123'});
	assert.equal(loopback.advertisedApiServer, 'https://127.0.10.5:6443');
	const routable = new FakeCluster('ctx-east', clusterObjects('east', 'network1', true), {advertised: 'https://127.0.10.5:6443'});
	const facts = await collectFacts(routable, {plan, cluster: plan.clusters[0]!, phase: 'preflight', server: 'https://east.example.internal:6443'});
	assert.equal(facts.advertisedApiServer, undefined);
	assert.ok(!routable.calls.includes('advertisedApiServer'));
});
