import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createRunPlan} from '../../source/engine/index.js';
import {createRemovePlan} from '../../source/engine/remove.js';
import {buildPlan} from '../../source/core/plan.js';
import {buildTeardown, type TeardownOutcome} from '../../source/core/teardown.js';
import type {Event} from '../../source/core/events.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {DeleteTarget, RemoveOptions} from '../../source/core/ports.js';
import {FakeFactory, FakeIstioctl, istiodDeployment, type FakeCluster, type Obj} from '../support/fake-cluster.js';
import {multiNetwork, primaryRemote, primaryRemoteMultiNetwork} from '../support/plans.js';
import {FakeClock} from '../support/fake-clock.js';

/** A cluster before eastwest: istio-system (unlabelled), maybe the user's istiod, and a user ConfigMap. */
function seed(c: FakeCluster, primary: boolean): void {
	c.put({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'istio-system', labels: {'kubernetes.io/metadata.name': 'istio-system'}}});
	c.put({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'user-settings', namespace: 'istio-system'}, data: {a: '1'}});
	if (primary) c.put({...istiodDeployment(), metadata: {...istiodDeployment().metadata, namespace: 'istio-system'}}, 'Deployment');
}

/** The store without what every write touches: managedFields and empty label/annotation maps. */
function comparable(c: FakeCluster): Obj[] {
	return c.snapshot().map(o => {
		const m = {...o.metadata};
		delete m.managedFields;
		for (const k of ['labels', 'annotations']) if (m[k] && Object.keys(m[k]).length === 0) delete m[k];
		return {...o, metadata: m};
	});
}

async function apply(input: MeshPlanInput, factory: FakeFactory) {
	const outcome = await createRunPlan({factory, istioctl: new FakeIstioctl(factory)})(buildPlan(input), {
		timeoutMs: 2000,
		dryRun: false,
		force: false,
		onEvent: () => {},
	});
	assert.equal(outcome.ok, true, JSON.stringify(outcome.clusters.flatMap(c => c.steps.filter(s => s.status === 'failed'))));
}

async function remove(
	input: MeshPlanInput,
	factory: FakeFactory,
	opts: {dryRun?: boolean; ca?: boolean; signal?: AbortSignal; timeoutMs?: number; clock?: FakeClock; onEvent?: (e: Event) => void} = {},
) {
	const events: Event[] = [];
	const outcome = await createRemovePlan({factory, ...(opts.clock ? {clock: opts.clock} : {})})(buildTeardown(input, {ca: opts.ca}), {
		timeoutMs: opts.timeoutMs ?? 2000,
		dryRun: opts.dryRun ?? false,
		...(opts.signal ? {signal: opts.signal} : {}),
		onEvent: e => {
			events.push(e);
			opts.onEvent?.(e);
		},
	});
	return {outcome, events};
}

const steps = (o: TeardownOutcome) => o.clusters.flatMap(c => c.steps);

test('multi-network: apply then remove returns both clusters to what they were; a second remove finds everything already gone', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	for (const c of factory.clusters.values()) seed(c, true);
	const before = [...factory.clusters.values()].map(comparable);
	await apply(multiNetwork, factory);
	assert.ok(factory.cluster('ce').deployments.has('istio-eastwestgateway'));

	const {outcome, events} = await remove(multiNetwork, factory);
	factory.dispose();
	assert.equal(outcome.ok, true, JSON.stringify(steps(outcome)));
	assert.deepEqual([...factory.clusters.values()].map(comparable), before);
	assert.deepEqual(outcome.left, []);
	const secret = steps(outcome).find(s => s.id === 'east/remove/remote-secret/west')!;
	assert.equal(secret.status, 'changed');
	assert.match(secret.detail!, /removed Secret istio-system\/istio-remote-secret-west/);
	const gateway = steps(outcome).find(s => s.id === 'west/remove/install-gateway')!;
	// The Deployment holds the install record, so it goes last (an interrupted removal can be finished).
	assert.match(gateway.detail!, /removed .*Service istio-system\/istio-eastwestgateway.*, Deployment istio-system\/istio-eastwestgateway$/);
	// Removal order on a cluster: the exposure before the gateway, the gateway before the label.
	const doneAt = (id: string) => events.findIndex(e => e.type === 'step-done' && e.stepId === id);
	assert.ok(doneAt('east/remove/expose-services') < events.findIndex(e => e.type === 'step-start' && e.stepId === 'east/remove/install-gateway'));
	assert.ok(doneAt('east/remove/install-gateway') < events.findIndex(e => e.type === 'step-start' && e.stepId === 'east/remove/label-network'));
	assert.equal(events.at(-1)?.type, 'run-done');

	const callsBefore = factory.cluster('ce').calls.length;
	const again = await remove(multiNetwork, factory);
	assert.equal(again.outcome.ok, true);
	for (const s of steps(again.outcome)) {
		assert.equal(s.status, 'unchanged', s.id);
		assert.equal(s.detail, 'already gone', s.id);
	}
	assert.ok(
		!factory
			.cluster('ce')
			.calls.slice(callsBefore)
			.some(c => c.startsWith('delete ')),
		'nothing left to delete',
	);
});

test('primary-remote across networks: the remote profile goes, its CRDs and Base objects stay and are reported', async () => {
	const factory = new FakeFactory(['c1', 'c2'], '/tmp/kubeconfig');
	seed(factory.cluster('c1'), true);
	seed(factory.cluster('c2'), false);
	const before = [...factory.clusters.values()].map(comparable);
	await apply(primaryRemoteMultiNetwork, factory);
	const remote = factory.cluster('c2');
	assert.ok(remote.services.has('istiod'), 'the remote profile was installed');

	const {outcome} = await remove(primaryRemoteMultiNetwork, factory);
	factory.dispose();
	assert.equal(outcome.ok, true, JSON.stringify(steps(outcome)));
	const kept = (o: Obj) => o.metadata?.labels?.['operator.istio.io/component'] === 'Base';
	assert.deepEqual(comparable(factory.cluster('c1')), before[0]);
	assert.deepEqual(
		comparable(remote).filter(o => !kept(o)),
		before[1],
	);
	assert.deepEqual(
		comparable(remote)
			.filter(kept)
			.map(o => o.kind)
			.sort(),
		['ClusterRole', 'CustomResourceDefinition', 'ServiceAccount'],
	);
	// CRDs are never even listed; the cluster role and the reader service account are found by their label and left with the reason.
	assert.deepEqual(
		outcome.left.map(l => [l.cluster, l.stepId]),
		[
			['two', 'two/remove/install-remote'],
			['two', 'two/remove/install-remote'],
		],
	);
	assert.ok(outcome.left.some(l => /ClusterRole istio-reader-clusterrole-istio-system is a cluster-wide Base object of eastwest-remote \(kept/.test(l.reason)));
	assert.ok(
		outcome.left.some(l => /ServiceAccount istio-system\/.* is a Base object of eastwest-remote \(kept/.test(l.reason)),
		JSON.stringify(outcome.left),
	);
	assert.ok(!remote.objectsOf('MutatingWebhookConfiguration').length, 'the injector webhook of the remote profile is gone');
	assert.ok(factory.cluster('c1').deployments.has('istiod'), "the primary's control plane stays");

	const again = await remove(primaryRemoteMultiNetwork, factory);
	assert.equal(again.outcome.ok, true);
	assert.deepEqual(again.outcome.left, []);
	for (const s of steps(again.outcome)) assert.equal(s.status, 'unchanged', s.id);
	assert.equal(steps(again.outcome).find(s => s.id === 'two/remove/install-remote')!.detail, 'already gone (2 Base objects of eastwest-remote kept by design)');
});

test('a foreign object in every slot survives, and the outcome says why it was left', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const east = factory.cluster('ce');
	const west = factory.cluster('cw');
	seed(east, true);
	seed(west, true);
	// east: the network label was set by the user (same value as the plan's).
	east.put({
		apiVersion: 'v1',
		kind: 'Namespace',
		metadata: {
			name: 'istio-system',
			labels: {'topology.istio.io/network': 'net-east'},
			managedFields: [{manager: 'kubectl-label', operation: 'Update', fieldsV1: {'f:metadata': {'f:labels': {'f:topology.istio.io/network': {}}}}}],
		},
	});
	// west: the user's own cross-network Gateway, and the user's own cacerts.
	west.put({
		apiVersion: 'networking.istio.io/v1',
		kind: 'Gateway',
		metadata: {name: 'cross-network-gateway', namespace: 'istio-system', managedFields: [{manager: 'kubectl-client-side-apply', operation: 'Update'}]},
		spec: {mine: true},
	});
	west.put({
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {name: 'cacerts', namespace: 'istio-system', managedFields: [{manager: 'kubectl-create', operation: 'Update'}]},
		data: {'ca-cert.pem': 'Y2E='},
	});
	// west: a user gateway install (another IstioOperator) in the gateway's namespace.
	west.put({
		apiVersion: 'v1',
		kind: 'Service',
		metadata: {
			name: 'istio-ingressgateway',
			namespace: 'istio-system',
			labels: {'install.operator.istio.io/owning-resource': 'installed-state', 'operator.istio.io/component': 'IngressGateways'},
		},
	});
	await apply(multiNetwork, factory);
	// east: a remote secret for west created by hand after the apply (eastwest's one was replaced).
	east.put({
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {
			name: 'istio-remote-secret-west',
			namespace: 'istio-system',
			labels: {'istio/multiCluster': 'true'},
			managedFields: [{manager: 'kubectl-create', operation: 'Update'}],
		},
		data: {},
	});

	const {outcome} = await remove(multiNetwork, factory, {ca: true});
	factory.dispose();
	assert.equal(outcome.ok, true, JSON.stringify(steps(outcome)));
	assert.equal(east.namespaces.get('istio-system')?.['topology.istio.io/network'], 'net-east', "the user's label stays");
	assert.ok(east.objectsOf('Secret', {name: 'istio-remote-secret-west'}).length === 1, "the user's remote secret stays");
	assert.equal(west.objectsOf('Gateway', {name: 'cross-network-gateway'}).length, 1, "the user's Gateway stays (eastwest only shares it)");
	assert.equal(west.objectsOf('Secret', {name: 'cacerts'}).length, 1, "the user's cacerts stays");
	assert.equal(west.services.has('istio-ingressgateway'), true, "another install's objects stay");
	assert.equal(west.deployments.has('istiod'), true, 'the control plane stays');
	assert.equal(west.deployments.has('istio-eastwestgateway'), false, "eastwest's gateway goes");
	assert.equal(west.namespaces.get('istio-system')?.['topology.istio.io/network'], undefined, "eastwest's label on west goes");
	const reasons = outcome.left.map(l => `${l.cluster}: ${l.reason}`);
	assert.ok(
		reasons.some(r => /^east: istio-system label topology.istio.io\/network set by someone else \(kubectl-label\)/.test(r)),
		reasons.join('\n'),
	);
	assert.ok(
		reasons.some(r => /^east: Secret istio-system\/istio-remote-secret-west was not created by eastwest \(field manager: kubectl-create\)/.test(r)),
		reasons.join('\n'),
	);
	assert.ok(
		reasons.some(r => /^west: Gateway istio-system\/cross-network-gateway is also managed by kubectl-client-side-apply/.test(r)),
		reasons.join('\n'),
	);
	assert.ok(
		reasons.some(r => /^west: Secret istio-system\/cacerts was not created by eastwest/.test(r)),
		reasons.join('\n'),
	);
	const label = steps(outcome).find(s => s.id === 'east/remove/label-network')!;
	assert.equal(label.status, 'skipped');
	assert.match(label.detail!, /^left: istio-system label/);
});

test('dry run: nothing changes; each step says what it would remove', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	for (const c of factory.clusters.values()) seed(c, true);
	await apply(multiNetwork, factory);
	const after = [...factory.clusters.values()].map(c => c.snapshot());
	const {outcome} = await remove(multiNetwork, factory, {dryRun: true});
	factory.dispose();
	assert.equal(outcome.ok, true);
	assert.deepEqual(
		[...factory.clusters.values()].map(c => c.snapshot()),
		after,
	);
	const gw = steps(outcome).find(s => s.id === 'east/remove/install-gateway')!;
	assert.equal(gw.status, 'skipped');
	assert.match(gw.detail!, /^dry run: would remove .*Deployment istio-system\/istio-eastwestgateway/);
	assert.ok(
		factory
			.cluster('ce')
			.calls.filter(c => c.startsWith('delete '))
			.every(c => c.endsWith(' dry-run')),
	);
});

/** deleteObject that never answers until its signal aborts (as a stalled API server would). */
function stallDeletes(c: FakeCluster, onStall: () => void = () => {}): () => void {
	const original = c.deleteObject.bind(c);
	c.deleteObject = (_ref: DeleteTarget, options: RemoveOptions) =>
		new Promise((_, reject) => {
			onStall();
			const stop = () => reject(Object.assign(new Error('request cancelled'), {info: {kind: 'cancelled', message: 'request cancelled'}}));
			if (options.signal?.aborted) stop();
			options.signal?.addEventListener('abort', stop, {once: true});
		});
	return () => {
		c.deleteObject = original;
	};
}

test('cancelled mid-run: the outcome is cancelled, later steps do not run, and a re-run finishes the job', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	for (const c of factory.clusters.values()) seed(c, true);
	const before = [...factory.clusters.values()].map(comparable);
	await apply(multiNetwork, factory);
	const restore = stallDeletes(factory.cluster('cw'));
	const controller = new AbortController();
	const {outcome} = await remove(multiNetwork, factory, {
		signal: controller.signal,
		onEvent: e => {
			if (e.type === 'step-start' && e.cluster === 'west') setImmediate(() => controller.abort());
		},
	});
	assert.equal(outcome.cancelled, true);
	assert.equal(outcome.ok, false);
	const west = outcome.clusters.find(c => c.cluster === 'west')!;
	assert.equal(west.outcome, 'cancelled');
	assert.ok(west.steps.some(s => s.status === 'cancelled'));
	assert.ok(west.steps.some(s => s.status === 'not-run'));
	restore();
	const again = await remove(multiNetwork, factory);
	factory.dispose();
	assert.equal(again.outcome.ok, true);
	assert.deepEqual([...factory.clusters.values()].map(comparable), before);
});

test('a step whose API server does not answer fails at the deadline and names it; its dependents do not run', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	for (const c of factory.clusters.values()) seed(c, true);
	await apply(multiNetwork, factory);
	// Once every step still holding a deadline is one whose delete on cw hangs, time passes the deadline.
	const clock = new FakeClock();
	let stalled = 0;
	let moved = false;
	const check = () =>
		setImmediate(() => {
			if (moved || stalled === 0 || clock.pending !== stalled) return;
			moved = true;
			void clock.advance(50);
		});
	stallDeletes(factory.cluster('cw'), () => {
		stalled += 1;
		check();
	});
	const {outcome} = await remove(multiNetwork, factory, {timeoutMs: 50, clock, onEvent: check});
	factory.dispose();
	assert.equal(outcome.ok, false);
	assert.equal(outcome.cancelled, false);
	const west = outcome.clusters.find(c => c.cluster === 'west')!;
	const failed = west.steps.find(s => s.status === 'failed')!;
	assert.match(failed.error!, /gave up after 0\.1s: the API server of cw did not answer in time/);
	assert.equal(west.steps.find(s => s.id === 'west/remove/label-network')!.status, 'not-run');
	assert.equal(outcome.clusters.find(c => c.cluster === 'east')!.outcome, 'failed', "east's label waits for west's secret for east, which could not go");
});

test('primary-remote across networks: an annotation someone else set and a remote install of another owner survive', async () => {
	const factory = new FakeFactory(['c1', 'c2'], '/tmp/kubeconfig');
	seed(factory.cluster('c1'), true);
	const remote = factory.cluster('c2');
	// The remote was annotated by hand (value as the plan's) before eastwest ran.
	remote.put({
		apiVersion: 'v1',
		kind: 'Namespace',
		metadata: {
			name: 'istio-system',
			annotations: {'topology.istio.io/controlPlaneClusters': 'one'},
			managedFields: [
				{manager: 'kubectl-annotate', operation: 'Update', fieldsV1: {'f:metadata': {'f:annotations': {'f:topology.istio.io/controlPlaneClusters': {}}}}},
			],
		},
	});
	await apply(primaryRemoteMultiNetwork, factory);
	// Another tool's install in the same namespace, with its own owning-resource label.
	remote.put({
		apiVersion: 'v1',
		kind: 'ConfigMap',
		metadata: {
			name: 'other-install',
			namespace: 'istio-system',
			labels: {'install.operator.istio.io/owning-resource': 'user-operator', 'operator.istio.io/component': 'Pilot'},
		},
	});
	const {outcome} = await remove(primaryRemoteMultiNetwork, factory);
	factory.dispose();
	assert.equal(outcome.ok, true, JSON.stringify(steps(outcome)));
	const ns = remote.objectsOf('Namespace', {name: 'istio-system'})[0]!;
	assert.equal(ns.metadata.annotations['topology.istio.io/controlPlaneClusters'], 'one', "the user's annotation stays");
	assert.equal(ns.metadata.labels?.['topology.istio.io/network'], undefined, "eastwest's network label goes");
	assert.equal(remote.objectsOf('ConfigMap', {name: 'other-install'}).length, 1, "another owner's object stays");
	assert.ok(
		outcome.left.some(l => /controlPlaneClusters set by someone else \(kubectl-annotate\)/.test(l.reason)),
		outcome.left.map(l => l.reason).join('\n'),
	);
});

/** Each cluster's gateway as the docs procedure leaves it: istioctl install of an IstioOperator named eastwest, kubectl apply of expose-services. */
function docsGateway(c: FakeCluster, network: string): void {
	c.installGateway(network, undefined);
	c.put({
		apiVersion: 'networking.istio.io/v1',
		kind: 'Gateway',
		metadata: {name: 'cross-network-gateway', namespace: 'istio-system', managedFields: [{manager: 'kubectl-client-side-apply', operation: 'Update'}]},
		spec: {selector: {istio: 'eastwestgateway'}},
	});
}

test('a gateway installed before eastwest (the docs procedure, same IstioOperator name) is used by apply and left whole by remove', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	for (const c of factory.clusters.values()) seed(c, true);
	docsGateway(factory.cluster('ce'), 'net-east');
	docsGateway(factory.cluster('cw'), 'net-west');
	const uids = [...factory.clusters.values()].map(c => [
		c.deployments.get('istio-eastwestgateway')!.metadata.uid,
		c.services.get('istio-eastwestgateway')!.metadata.uid,
	]);
	const istioctl = new FakeIstioctl(factory);
	const applied = await createRunPlan({factory, istioctl})(buildPlan(multiNetwork), {timeoutMs: 2000, dryRun: false, force: false, onEvent: () => {}});
	assert.equal(applied.ok, true, JSON.stringify(applied.clusters));
	const install = applied.clusters.flatMap(c => c.steps).filter(s => s.id.endsWith('/install-gateway'));
	for (const s of install) {
		assert.equal(s.status, 'unchanged');
		assert.match(s.detail ?? '', /^found in place \(installed before eastwest, by IstioOperator eastwest\): .*remove leaves it$/);
	}
	assert.equal(istioctl.installs.length, 0, 'istioctl install is not run over it');

	const {outcome} = await remove(multiNetwork, factory);
	assert.equal(outcome.ok, true, JSON.stringify(steps(outcome)));
	[...factory.clusters.values()].forEach((c, i) => {
		assert.deepEqual(
			[c.deployments.get('istio-eastwestgateway')?.metadata.uid, c.services.get('istio-eastwestgateway')?.metadata.uid],
			uids[i],
			'Deployment and Service stay, the same objects',
		);
		assert.equal(c.objectsOf('ServiceAccount', {name: 'istio-eastwestgateway-service-account'}).length, 1);
		assert.equal(c.objectsOf('Gateway', {name: 'cross-network-gateway'}).length, 1, "the user's expose Gateway stays");
	});
	const reasons = outcome.left.map(l => l.reason).join('\n');
	assert.match(
		reasons,
		/Deployment istio-system\/istio-eastwestgateway and the rest of its install were found in place \(installed before eastwest, by IstioOperator eastwest\): eastwest did not install them, so it leaves them/,
	);
	factory.dispose();
});

test('--reinstall keeps the record of an install eastwest made, but never claims one found in place', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	for (const c of factory.clusters.values()) seed(c, true);
	docsGateway(factory.cluster('cw'), 'net-west');
	const run = () =>
		createRunPlan({factory, istioctl: new FakeIstioctl(factory)})(buildPlan(multiNetwork), {
			timeoutMs: 2000,
			dryRun: false,
			force: false,
			reinstall: true,
			onEvent: () => {},
		});
	for (let i = 0; i < 2; i++) {
		const outcome = await run();
		assert.equal(outcome.ok, true, JSON.stringify(outcome.clusters));
		const detail = (id: string) => outcome.clusters.flatMap(c => c.steps).find(s => s.id === id)!.detail ?? '';
		assert.match(
			detail('east/install-gateway'),
			i === 0 ? /^installed with istioctl; before: Deployment .* does not exist/ : /^installed with istioctl; reinstalled on request/,
		);
		assert.match(
			detail('west/install-gateway'),
			/over a gateway found in place \(installed before eastwest, by IstioOperator eastwest\), which stays the user's: remove leaves it/,
		);
	}
	const {outcome} = await remove(multiNetwork, factory);
	assert.equal(outcome.ok, true, JSON.stringify(steps(outcome)));
	assert.equal(factory.cluster('ce').deployments.has('istio-eastwestgateway'), false, "eastwest's own install goes");
	assert.equal(factory.cluster('cw').deployments.has('istio-eastwestgateway'), true, 'the one found in place stays');
	factory.dispose();
});

test('a remote profile installed before eastwest is used as it is and left by remove', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	seed(factory.cluster('ce'), true);
	const istioctl = new FakeIstioctl(factory);
	const first = await createRunPlan({factory, istioctl})(buildPlan(primaryRemote), {timeoutMs: 2000, dryRun: false, force: false, onEvent: () => {}});
	assert.equal(first.ok, true, JSON.stringify(first.clusters));
	// Replace eastwest's record with what a hand-made install has: the same objects, no record.
	const remote = factory.cluster('cw');
	const svc = remote.objectsOf('Service', {name: 'istiod'})[0]!;
	remote.put({...svc, metadata: {...svc.metadata, annotations: {}, managedFields: [{manager: 'istio-operator', operation: 'Apply'}]}});
	const again = await createRunPlan({factory, istioctl})(buildPlan(primaryRemote), {timeoutMs: 2000, dryRun: false, force: false, onEvent: () => {}});
	const step = again.clusters.flatMap(c => c.steps).find(s => s.id === 'west/install-remote')!;
	assert.equal(step.status, 'unchanged');
	assert.match(step.detail ?? '', /^found in place \(installed before eastwest, by IstioOperator eastwest-remote\), pointed at east/);
	const {outcome} = await remove(primaryRemote, factory);
	assert.equal(outcome.ok, true, JSON.stringify(steps(outcome)));
	assert.equal(remote.objectsOf('Service', {name: 'istiod'}).length, 1, 'the remote profile stays');
	assert.match(outcome.left.map(l => l.reason).join('\n'), /Service istio-system\/istiod and the rest of its install were found in place/);
	factory.dispose();
});
