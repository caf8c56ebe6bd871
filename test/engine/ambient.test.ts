import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createRunPlan} from '../../source/engine/index.js';
import {buildPlan} from '../../source/core/plan.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {FakeCluster, FakeFactory, FakeIstioctl} from '../support/fake-cluster.js';

const input: MeshPlanInput = {
	topology: 'multi-network',
	meshId: 'mesh1',
	dataplane: 'ambient',
	globalServices: ['sample/helloworld'],
	clusters: [
		{context: 'ctx-east', name: 'east', network: 'net-east', role: 'primary'},
		{context: 'ctx-west', name: 'west', network: 'net-west', role: 'primary'},
	],
};

const namespace = (network: string) => ({
	apiVersion: 'v1',
	kind: 'Namespace',
	metadata: {name: 'istio-system', labels: {'topology.istio.io/network': network}},
});

async function run(objects: Record<string, object[]>) {
	const factory = new FakeFactory([], '/tmp/kubeconfig');
	for (const c of input.clusters) factory.add(new FakeCluster(c.context, [namespace(c.network), ...(objects[c.context] ?? [])] as never));
	const outcome = await createRunPlan({factory, istioctl: new FakeIstioctl(factory)})(buildPlan(input), {
		timeoutMs: 2000,
		dryRun: false,
		force: false,
		onEvent: () => {},
	});
	factory.dispose();
	return {factory, outcome};
}

test('ambient apply: a sidecar east-west gateway in the way stops the Gateway step and nothing is applied on that cluster', async () => {
	const sidecar = {
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels: {istio: 'eastwestgateway', app: 'istio-eastwestgateway'}},
		spec: {},
	};
	const {factory, outcome} = await run({'ctx-east': [sidecar]});
	const east = outcome.clusters.find(c => c.cluster === 'east')!;
	const step = east.steps.find(s => s.kind === 'apply-ambient-gateway')!;
	assert.equal(step.status, 'failed');
	assert.match(step.error ?? '', /sidecar east-west gateway \(istio=eastwestgateway\)/);
	assert.match(step.hint ?? '', /never replaces a sidecar east-west gateway/);
	assert.ok(!factory.cluster('ctx-east').calls.some(c => c.startsWith('apply Gateway/')), 'no Gateway applied on east');
	assert.ok(!factory.cluster('ctx-east').calls.some(c => c.startsWith('apply Service/')), 'no label written on east');
	// west has nothing in the way: its Gateway is applied server-side.
	assert.ok(factory.cluster('ctx-west').calls.some(c => c.startsWith('apply Gateway/istio-eastwestgateway')));
	assert.equal(factory.cluster('ctx-west').applied.get('Gateway/istio-eastwestgateway')?.spec && true, true);
});
