import {test} from 'node:test';
import assert from 'node:assert/strict';
import {buildPlan, orderSteps, type Step} from '../../source/core/plan.js';
import {multiNetwork} from '../support/plans.js';

const kinds = (steps: Step[], cluster: string) => steps.filter(s => s.cluster === cluster).map(s => s.kind);

test('multi-network: every cluster labels, installs, waits and exposes services, independently', () => {
	const input = multiNetwork;
	const plan = buildPlan(input);
	for (const c of ['east', 'west']) {
		assert.deepEqual(kinds(plan.steps, c), ['label-network', 'install-gateway', 'wait-rollout', 'wait-address', 'expose-services']);
	}
	// No step depends on another cluster: they can run side by side.
	for (const s of plan.steps) for (const d of s.dependsOn) assert.ok(d.startsWith(`${s.cluster}/`), `${s.id} -> ${d}`);
	const install = plan.steps.find(s => s.id === 'west/install-gateway')!;
	assert.equal(install.context, 'cw');
	assert.equal((install.manifests[0] as any).spec.values.global.network, 'net-west');
	assert.equal(plan.steps.find(s => s.id === 'east/label-network')!.network, 'net-east');
	assert.equal(plan.steps.find(s => s.id === 'east/expose-services')!.manifests[0]!.metadata.name, 'cross-network-gateway');
});

test('primary-remote: only the primary gets a gateway and exposes istiod; the remote gets notes', () => {
	const plan = buildPlan({
		topology: 'primary-remote',
		meshId: 'mesh1',
		revision: 'canary',
		clusters: [
			{context: 'c1', name: 'one', network: 'net1', role: 'primary'},
			{context: 'c2', name: 'two', network: 'net1', role: 'remote'},
		],
	});
	assert.deepEqual(kinds(plan.steps, 'one'), ['install-gateway', 'wait-rollout', 'wait-address', 'expose-istiod']);
	assert.deepEqual(kinds(plan.steps, 'two'), []);
	const expose = plan.steps.find(s => s.id === 'one/expose-istiod')!;
	assert.deepEqual(expose.manifests.map(m => m.metadata.name), ['istiod-gateway', 'istiod-vs-canary']);
	assert.equal((plan.steps[0]!.manifests[0] as any).spec.revision, 'canary');
	const remote = plan.clusters.find(c => c.cluster.name === 'two')!;
	assert.ok(remote.notes.some(n => /No east-west gateway/.test(n)));
	assert.ok(remote.notes.some(n => /create-remote-secret --context c2 --name two/.test(n)));
});

test('primary-remote across networks: the remote gateway waits for the primary to expose istiod', () => {
	const plan = buildPlan({
		topology: 'primary-remote-multi-network',
		meshId: 'mesh1',
		clusters: [
			{context: 'c1', name: 'one', network: 'net1', role: 'primary'},
			{context: 'c2', name: 'two', network: 'net2', role: 'remote'},
		],
	});
	assert.deepEqual(kinds(plan.steps, 'one'), ['label-network', 'install-gateway', 'wait-rollout', 'wait-address', 'expose-istiod', 'expose-services']);
	assert.deepEqual(kinds(plan.steps, 'two'), ['label-network', 'install-gateway', 'wait-rollout', 'wait-address']);
	const remoteInstall = plan.steps.find(s => s.id === 'two/install-gateway')!;
	assert.deepEqual(remoteInstall.dependsOn.sort(), ['one/expose-istiod', 'two/label-network']);
	const order = plan.steps.map(s => s.id);
	assert.ok(order.indexOf('one/expose-istiod') < order.indexOf('two/install-gateway'));
	assert.equal(plan.steps.find(s => s.id === 'one/expose-services')!.dependsOn[0], 'one/expose-istiod');
});

test('orderSteps refuses cycles and unknown dependencies', () => {
	const s = (id: string, dependsOn: string[]): Step => ({id, kind: 'wait-rollout', cluster: 'c', context: 'c', dependsOn, title: id, manifests: []});
	assert.throws(() => orderSteps([s('a', ['b']), s('b', ['a'])]), /cycle/);
	assert.throws(() => orderSteps([s('a', ['zzz'])]), /unknown step zzz/);
	assert.deepEqual(orderSteps([s('b', ['a']), s('a', [])]).map(x => x.id), ['a', 'b']);
});

test('plan option v1beta1 reaches the expose manifests', () => {
	const plan = buildPlan(
		{topology: 'multi-network', meshId: 'm', clusters: [
			{context: 'a', name: 'a', network: 'n1', role: 'primary'},
			{context: 'b', name: 'b', network: 'n2', role: 'primary'},
		]},
		{apiVersion: 'v1beta1'},
	);
	assert.equal(plan.steps.find(s => s.kind === 'expose-services')!.manifests[0]!.apiVersion, 'networking.istio.io/v1beta1');
});
