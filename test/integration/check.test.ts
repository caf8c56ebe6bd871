/**
 * `eastwest check` end to end: the bundled CLI, the real kube layer and collector, loopback fake API
 * servers with seeded faults.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';
import {runCli} from '../helpers/cli.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

async function primary(name: string, network: string, options: {label?: string; istiod?: boolean} = {}): Promise<FakeApiServer> {
	const s = await FakeApiServer.start({token: 't'});
	servers.push(s);
	s.addIstioCrds();
	s.addNamespace('istio-system', options.label === undefined ? {} : {'topology.istio.io/network': options.label});
	if (options.istiod !== false) s.addIstiod({clusterId: name, meshId: 'mesh1', network});
	return s;
}

const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east=east:net-east', '--cluster', 'west=west:net-west'];
const results = (stdout: string) => JSON.parse(stdout).results as Array<{id: string; cluster?: string; status: string; reason?: string}>;

test('preflight on healthy clusters passes; the text groups by cluster and ends with a summary', async () => {
	const east = await primary('east', 'net-east', {label: 'net-east'});
	const west = await primary('west', 'net-west');
	const kubeconfig = writeKubeconfig([
		{name: 'east', server: east},
		{name: 'west', server: west},
	]);
	const r = await runCli(['check', ...plan, '--phase', 'preflight', '--kubeconfig', kubeconfig]);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /^east \(context east\)\n-+\n/m);
	assert.match(r.stdout, /^✔ istio-system carries no topology\.istio\.io\/network label, or net-east$/m);
	assert.match(r.stdout, /^✔ istiod runs with CLUSTER_ID=west$/m);
	assert.match(r.stdout, /0 failed/);
});

test('seeded faults: a conflicting network label, a primary without istiod, a forbidden permission → exit 1 with hints', async () => {
	const east = await primary('east', 'net-east', {label: 'net-other'});
	const west = await primary('west', 'net-west', {istiod: false});
	west.forbid({verb: 'create', resource: 'services', namespace: 'istio-system'});
	const kubeconfig = writeKubeconfig([
		{name: 'east', server: east},
		{name: 'west', server: west},
	]);
	const r = await runCli(['check', ...plan, '--phase', 'preflight', '--kubeconfig', kubeconfig, '-o', 'json']);
	assert.equal(r.code, 1, r.stdout + r.stderr);
	const status = (id: string, cluster: string) => results(r.stdout).find(x => x.id === id && x.cluster === cluster);
	assert.equal(status('network-label', 'east')?.status, 'fail');
	assert.match(status('network-label', 'east')!.reason!, /net-other/);
	assert.equal(status('istiod-present', 'west')?.status, 'fail');
	assert.equal(status('permissions', 'west')?.status, 'fail');
	assert.match(status('permissions', 'west')!.reason!, /services/);
	assert.equal(status('network-label', 'west')?.status, 'pass');

	const text = await runCli(['check', ...plan, '--phase', 'preflight', '--kubeconfig', kubeconfig]);
	assert.equal(text.code, 1);
	assert.match(text.stdout, /^✘ istio-system carries no topology\.istio\.io\/network label, or net-east\n {4}.*net-other.*\n {4}hint: /m);
});

test('post-install on clusters without the gateway fails on the gateway checks; an unreachable cluster is one line', async () => {
	const east = await primary('east', 'net-east', {label: 'net-east'});
	const kubeconfig = writeKubeconfig([
		{name: 'east', server: east},
		{name: 'west', server: 'http://127.0.0.1:9', token: 't'},
	]);
	const r = await runCli(['check', ...plan, '--phase', 'post-install', '--kubeconfig', kubeconfig, '-o', 'json']);
	assert.equal(r.code, 1);
	const res = results(r.stdout);
	assert.equal(res.find(x => x.id === 'gateway-rolled-out' && x.cluster === 'east')?.status, 'fail');
	assert.equal(res.find(x => x.id === 'cluster-reachable' && x.cluster === 'west')?.status, 'fail');
	assert.ok(
		res.filter(x => x.cluster === 'west' && x.id !== 'cluster-reachable').every(x => x.status === 'skip'),
		'nothing else is claimed about an unreachable cluster',
	);
});

test('post-install reads the istio-reader role through RBAC: a role without configmaps fails, naming it and the reading istiod', async () => {
	const east = await primary('east', 'net-east', {label: 'net-east'});
	const west = await primary('west', 'net-west', {label: 'net-west'});
	const role = 'istio-reader-clusterrole-istio-system';
	const reader = (s: FakeApiServer, resources: string[]) => {
		s.put({
			apiVersion: 'rbac.authorization.k8s.io/v1',
			kind: 'ClusterRole',
			metadata: {name: role},
			rules: [{apiGroups: [''], resources, verbs: ['get', 'list', 'watch']}],
		});
		s.put({
			apiVersion: 'rbac.authorization.k8s.io/v1',
			kind: 'ClusterRoleBinding',
			metadata: {name: role},
			roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role},
			subjects: [{kind: 'ServiceAccount', name: 'istio-reader-service-account', namespace: 'istio-system'}],
		});
	};
	reader(east, ['pods', 'services', 'configmaps']);
	reader(west, ['pods', 'services']);
	const kubeconfig = writeKubeconfig([
		{name: 'east', server: east},
		{name: 'west', server: west},
	]);
	const r = await runCli(['check', ...plan, '--phase', 'post-install', '--kubeconfig', kubeconfig, '-o', 'json']);
	const res = results(r.stdout);
	const check = (cluster: string) => res.find(x => x.id === 'reader-role-configmaps' && x.cluster === cluster);
	assert.equal(check('east')?.status, 'pass', r.stdout + r.stderr);
	assert.equal(check('east')?.reason, `ClusterRole ${role}`);
	assert.equal(check('west')?.status, 'fail');
	assert.equal(
		check('west')?.reason,
		`ClusterRole ${role} does not let it list or watch configmaps: istiod 1.30.0 in east cannot read this cluster's trust domain`,
	);
	// The istiod version comes from its image tag (docker.io/istio/pilot:1.30.0): no rotation warning.
	assert.equal(res.find(x => x.id === 'istiod-secret-rotation' && x.cluster === 'east')?.status, 'pass');
});
