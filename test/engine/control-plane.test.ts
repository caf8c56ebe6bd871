import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createRunPlan} from '../../source/engine/index.js';
import {buildPlan} from '../../source/core/plan.js';
import type {Event, RunOutcome} from '../../source/core/events.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {FakeFactory, FakeIstioctl, type FakeCluster} from '../support/fake-cluster.js';
import {multiNetwork} from '../support/plans.js';

const bare: MeshPlanInput = {...multiNetwork, controlPlane: {profile: 'default'}};
const USER_IOP = {apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: {name: 'mine'}, spec: {meshConfig: {accessLogFile: '/dev/stdout'}}};

async function run(
	input: MeshPlanInput,
	setup: (f: FakeFactory, i: FakeIstioctl) => void,
	opts: {dryRun?: boolean; factory?: FakeFactory; files?: boolean} = {},
) {
	const factory = opts.factory ?? new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const istioctl = new FakeIstioctl(factory);
	setup(factory, istioctl);
	const events: Event[] = [];
	const files = opts.files ? Object.fromEntries(Object.keys(input.controlPlane?.iops ?? {}).map(c => [c, structuredClone(USER_IOP)])) : undefined;
	const outcome = await createRunPlan({factory, istioctl})(buildPlan(input, files ? {controlPlaneFiles: files} : {}), {
		timeoutMs: 2000,
		dryRun: opts.dryRun ?? false,
		force: false,
		onEvent: e => events.push(e),
	});
	return {factory, istioctl, events, outcome};
}

const step = (o: RunOutcome, cluster: string, kind = 'control-plane') => o.clusters.find(c => c.cluster === cluster)!.steps.find(s => s.kind === kind)!;

/** istiod as `istioctl install` with single-cluster defaults leaves it. */
function singleCluster(f: FakeCluster): void {
	f.installControlPlane({});
}

test('bare clusters: the control plane is installed with its own IstioOperator and recorded; a re-run leaves it unchanged', async () => {
	const first = await run(bare, () => {});
	for (const [cluster, ctx] of [
		['east', 'ce'],
		['west', 'cw'],
	] as const) {
		const s = step(first.outcome, cluster);
		assert.equal(s.status, 'changed', s.error);
		assert.match(
			s.detail ?? '',
			new RegExp(`installed with istioctl \\(IstioOperator eastwest-control-plane\\): istiod runs with mesh1/${cluster}/net-${cluster}`),
		);
		const istiod = first.factory.cluster(ctx).deployments.get('istiod')!;
		assert.equal(istiod.metadata.annotations['eastwest/installed-by'], 'eastwest-control-plane');
	}
	const cpInstalls = first.istioctl.installs.filter(i => /eastwest-control-plane/.test(i.manifestYaml));
	assert.equal(cpInstalls.length, 2);
	assert.match(cpInstalls[0]!.manifestYaml, /profile: default/);
	// Every later step of the cluster ran after it.
	assert.equal(
		first.outcome.clusters.every(c => c.steps.every(s => s.status === 'changed' || s.status === 'unchanged')),
		true,
	);

	const again = await run(bare, () => {}, {factory: first.factory});
	assert.equal(step(again.outcome, 'east').status, 'unchanged');
	assert.match(step(again.outcome, 'east').detail ?? '', /installed by eastwest/);
	assert.equal(again.istioctl.installs.filter(i => /eastwest-control-plane/.test(i.manifestYaml)).length, 0);
});

test('single-cluster defaults without a file: refused naming every differing value, nothing changes on the cluster', async () => {
	const input: MeshPlanInput = {...multiNetwork, topology: 'multi-network', controlPlane: {}};
	const {factory, outcome, istioctl} = await run(input, f => {
		singleCluster(f.cluster('ce'));
		singleCluster(f.cluster('cw'));
	});
	const before = factory.cluster('ce').snapshot();
	const s = step(outcome, 'east');
	assert.equal(s.status, 'failed');
	assert.match(s.error ?? '', /CLUSTER_ID Kubernetes → east, meshID \(unset\) → mesh1, network \(unset\) → net-east/);
	assert.match(s.hint ?? '', /--control-plane-iop ce=FILE .*istioctl install --context ce -f FILE --set values.global.meshID=mesh1/);
	assert.equal(istioctl.installs.length, 0);
	assert.equal(step(outcome, 'east', 'label-network').status, 'not-run');
	assert.deepEqual(factory.cluster('ce').snapshot(), before);
	assert.equal(factory.cluster('ce').namespaces.has('istio-system'), false);
});

test('single-cluster defaults with the user IstioOperator: retrofitted, its settings kept, injected namespaces named, pods left alone', async () => {
	const input: MeshPlanInput = {...multiNetwork, controlPlane: {iops: {ce: 'east.yaml', cw: 'west.yaml'}}};
	const {outcome, istioctl, factory} = await run(
		input,
		f => {
			singleCluster(f.cluster('ce'));
			singleCluster(f.cluster('cw'));
			f.cluster('ce').setPod({metadata: {name: 'app-1', namespace: 'shop', labels: {'security.istio.io/tlsMode': 'istio'}}, spec: {containers: []}});
		},
		{files: true},
	);
	const s = step(outcome, 'east');
	assert.equal(s.status, 'changed', s.error);
	assert.match(
		s.detail ?? '',
		/retrofitted with istioctl from east\.yaml: CLUSTER_ID Kubernetes → east, meshID \(unset\) → mesh1, network \(unset\) → net-east; pods in shop keep the old/,
	);
	const yaml = istioctl.installs.find(i => i.context === 'ce')!.manifestYaml;
	assert.match(yaml, /name: mine/);
	assert.match(yaml, /accessLogFile: \/dev\/stdout/);
	assert.ok(factory.cluster('ce').pods.has('app-1'));
	// Never recorded as eastwest's: remove leaves a retrofitted control plane.
	assert.equal(factory.cluster('ce').deployments.get('istiod')!.metadata.annotations?.['eastwest/installed-by'], undefined);
	assert.equal(step(outcome, 'west').status, 'changed');
	assert.match(step(outcome, 'west').detail ?? '', /no injected pods/);
});

test('a Helm-managed istiod is refused with what helm upgrade would set; istioctl never runs', async () => {
	const {outcome, istioctl} = await run(
		{...multiNetwork, controlPlane: {iops: {ce: 'east.yaml'}}},
		f => {
			singleCluster(f.cluster('ce'));
			const d = f.cluster('ce').deployments.get('istiod')!;
			f.cluster('ce').setDeployment({
				...d,
				metadata: {...d.metadata, annotations: {'meta.helm.sh/release-name': 'istiod', 'meta.helm.sh/release-namespace': 'istio-system'}},
			});
		},
		{files: true},
	);
	const s = step(outcome, 'east');
	assert.equal(s.status, 'failed');
	assert.match(s.error ?? '', /managed by Helm \(release istio-system\/istiod\)/);
	assert.match(
		s.hint ?? '',
		/^helm upgrade istiod istio\/istiod -n istio-system --kube-context ce --reuse-values --set global.meshID=mesh1 --set global.multiCluster.clusterName=east --set global.network=net-east$/,
	);
	assert.equal(istioctl.installs.filter(i => i.context === 'ce').length, 0);
});

test("istioctl failing: the step fails with istioctl's reason, later steps are not run; a re-run converges", async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const failed = await run(bare, (_f, i) => (i.scenario = {ce: 'fail'}), {factory});
	const s = step(failed.outcome, 'east');
	assert.equal(s.status, 'failed');
	assert.match(s.error ?? '', /failed to install manifests/);
	assert.equal(step(failed.outcome, 'east', 'install-gateway').status, 'not-run');
	const again = await run(bare, () => {}, {factory});
	assert.equal(step(again.outcome, 'east').status, 'changed');
	assert.equal(step(again.outcome, 'west').status, 'unchanged');
});

test('a dry run runs istioctl install --dry-run and installs nothing', async () => {
	const {outcome, istioctl, factory} = await run(bare, () => {}, {dryRun: true});
	assert.equal(step(outcome, 'east').status, 'skipped');
	assert.match(step(outcome, 'east').detail ?? '', /dry run: istioctl install --dry-run passed, nothing installed \(install: no istiod of revision default\)/);
	assert.ok(istioctl.installs.filter(i => /eastwest-control-plane/.test(i.manifestYaml)).every(i => i.dryRun));
	assert.equal(factory.cluster('ce').deployments.has('istiod'), false);
});
