import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
	CONTROL_PLANE_OPERATOR_NAME,
	controlPlaneWant,
	diffText,
	iopFileProblem,
	judgeControlPlane,
	overlayControlPlane,
	renderControlPlane,
	type ControlPlaneWant,
} from '../../source/core/control-plane.js';
import {istiodFromDeployment} from '../../source/core/istiod.js';
import {buildPlan} from '../../source/core/plan.js';
import type {IstiodInfo} from '../../source/core/ports.js';
import {multiNetwork, primaryRemote} from '../support/plans.js';
import {runChecks} from '../../source/core/checks/index.js';
import type {ClusterFacts} from '../../source/core/checks/index.js';

const want: ControlPlaneWant = {cluster: 'east', network: 'net-east', meshId: 'mesh1', externalIstiod: false};
const ctx = {context: 'ce'};
const singleCluster: IstiodInfo = {name: 'istiod', clusterId: 'Kubernetes', ready: true};

test('no istiod at all is an install; an istiod of another revision only is refused, naming both revisions', () => {
	assert.deepEqual(judgeControlPlane({istiods: []}, want, ctx), {action: 'install', detail: 'no istiod of revision default'});
	const v = judgeControlPlane({istiods: [{name: 'istiod-canary', revision: 'canary', ready: true}]}, want, ctx);
	assert.equal(v.action, 'refused');
	assert.match(v.action === 'refused' ? v.message : '', /another revision only \(istiod-canary \(revision canary\)\), not revision default/);
	// The plan that names that revision finds it.
	assert.equal(
		judgeControlPlane({istiods: [{name: 'istiod-canary', revision: 'canary', ready: true}]}, {...want, revision: 'canary'}, ctx).action,
		'needs-file',
	);
});

test('an istiod with the planned values is ready; single-cluster defaults without a file name every differing value and the exact command', () => {
	const ready = judgeControlPlane(
		{istiods: [{name: 'istiod', clusterId: 'east', ready: true}], injector: {meshId: 'mesh1', network: 'net-east', clusterName: 'east'}},
		want,
		ctx,
	);
	assert.equal(ready.action, 'ready');
	const v = judgeControlPlane({istiods: [singleCluster], injector: {}}, {...want, externalIstiod: true}, ctx);
	assert.equal(v.action, 'needs-file');
	if (v.action !== 'needs-file') return;
	assert.equal(diffText(v.diff), 'CLUSTER_ID Kubernetes → east, meshID (unset) → mesh1, network (unset) → net-east, EXTERNAL_ISTIOD (unset) → true');
	assert.match(v.message, /CLUSTER_ID Kubernetes → east, meshID \(unset\) → mesh1/);
	assert.equal(
		v.hint,
		'pass --control-plane-iop ce=FILE (the IstioOperator you installed with), or run: istioctl install --context ce -f FILE --set values.global.meshID=mesh1 --set values.global.multiCluster.clusterName=east --set values.global.network=net-east --set values.pilot.env.EXTERNAL_ISTIOD=true',
	);
	// Only what differs is set.
	const partly = judgeControlPlane({istiods: [{...singleCluster, clusterId: 'east'}], injector: {meshId: 'mesh1', network: 'other'}}, want, ctx);
	assert.equal(partly.action === 'needs-file' ? diffText(partly.diff) : '', 'network other → net-east');
});

test('with the user IstioOperator file the differing control plane is a retrofit', () => {
	const v = judgeControlPlane({istiods: [singleCluster]}, want, {context: 'ce', iopFile: 'east.yaml'});
	assert.equal(v.action, 'retrofit');
	assert.match(v.action === 'retrofit' ? v.detail : '', /CLUSTER_ID Kubernetes → east.*\(overlaid on east\.yaml\)/);
});

test('a Helm-managed istiod is refused with the helm upgrade that would set the values, file or not', () => {
	const deployment = {
		metadata: {name: 'istiod', labels: {app: 'istiod'}, annotations: {'meta.helm.sh/release-name': 'istiod', 'meta.helm.sh/release-namespace': 'istio-system'}},
		spec: {template: {spec: {containers: [{name: 'discovery', env: [{name: 'CLUSTER_ID', value: 'Kubernetes'}]}]}}},
	};
	const info = istiodFromDeployment(deployment);
	assert.deepEqual(info.helmRelease, {name: 'istiod', namespace: 'istio-system'});
	for (const iopFile of [undefined, 'east.yaml']) {
		const v = judgeControlPlane({istiods: [info], injector: {meshId: 'mesh1', network: 'net-east'}}, want, {context: 'ce', ...(iopFile ? {iopFile} : {})});
		assert.equal(v.action, 'helm');
		if (v.action !== 'helm') return;
		assert.match(v.message, /managed by Helm \(release istio-system\/istiod\).*CLUSTER_ID Kubernetes → east/);
		assert.equal(v.hint, 'helm upgrade istiod istio/istiod -n istio-system --kube-context ce --reuse-values --set global.multiCluster.clusterName=east');
	}
	// A Helm-managed istiod that already runs as planned is simply ready.
	assert.equal(judgeControlPlane({istiods: [{...info, clusterId: 'east'}], injector: {meshId: 'mesh1', network: 'net-east'}}, want, ctx).action, 'ready');
});

test('the control-plane IstioOperator has its own name, the planned revision, profile and the docs values', () => {
	const iop = renderControlPlane({...want, revision: 'canary', externalIstiod: true, profile: 'minimal'});
	assert.deepEqual(iop, {
		apiVersion: 'install.istio.io/v1alpha1',
		kind: 'IstioOperator',
		metadata: {name: CONTROL_PLANE_OPERATOR_NAME},
		spec: {
			revision: 'canary',
			profile: 'minimal',
			values: {global: {meshID: 'mesh1', multiCluster: {clusterName: 'east'}, network: 'net-east'}, pilot: {env: {EXTERNAL_ISTIOD: true}}},
		},
	});
	assert.equal((renderControlPlane({...want, profile: 'default'}).spec as any).values.pilot, undefined);
});

test('a user IstioOperator keeps every other setting and its name; the multicluster values are laid over it', () => {
	const user = {
		apiVersion: 'install.istio.io/v1alpha1',
		kind: 'IstioOperator',
		metadata: {name: 'mine'},
		spec: {profile: 'default', meshConfig: {accessLogFile: '/dev/stdout'}, values: {global: {meshID: 'old', logging: {level: 'info'}}, pilot: {env: {X: '1'}}}},
	};
	const out = overlayControlPlane(user, {...want, externalIstiod: true});
	assert.deepEqual(out, {
		apiVersion: 'install.istio.io/v1alpha1',
		kind: 'IstioOperator',
		metadata: {name: 'mine'},
		spec: {
			profile: 'default',
			revision: '',
			meshConfig: {accessLogFile: '/dev/stdout'},
			values: {
				global: {meshID: 'mesh1', logging: {level: 'info'}, multiCluster: {clusterName: 'east'}, network: 'net-east'},
				pilot: {env: {X: '1', EXTERNAL_ISTIOD: true}},
			},
		},
	});
	assert.equal(user.spec.values.global.meshID, 'old', 'the parsed file is not changed');
});

test('a file that is not one IstioOperator of the planned revision is refused in one line', () => {
	const iop = {apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', spec: {revision: 'canary'}};
	assert.equal(iopFileProblem('f.yaml', [iop], 'canary'), undefined);
	assert.equal(iopFileProblem('f.yaml', [{...iop, spec: {}}], undefined), undefined);
	const problems = [
		iopFileProblem('f.yaml', [iop], undefined),
		iopFileProblem('f.yaml', [{apiVersion: 'v1', kind: 'ConfigMap'}], undefined),
		iopFileProblem('f.yaml', ['text'], undefined),
		iopFileProblem('f.yaml', [iop, iop], 'canary'),
		iopFileProblem('f.yaml', [{...iop, spec: {profile: 'remote', revision: 'canary'}}], 'canary'),
	];
	assert.deepEqual(problems, [
		'--control-plane-iop f.yaml: sets revision canary, the plan says default; use the same revision in both',
		'--control-plane-iop f.yaml: is not an IstioOperator (kind ConfigMap, apiVersion v1)',
		'--control-plane-iop f.yaml: is not an IstioOperator (not a YAML mapping)',
		'--control-plane-iop f.yaml: holds 2 YAML documents; give a file with exactly one IstioOperator',
		'--control-plane-iop f.yaml: profile remote installs no primary control plane',
	]);
});

test('the plan puts the control-plane step first on every primary when asked, and nowhere otherwise', () => {
	assert.equal(buildPlan(multiNetwork).steps.filter(s => s.kind === 'control-plane').length, 0);
	const plan = buildPlan({...primaryRemote, controlPlane: {profile: 'minimal'}});
	const cp = plan.steps.filter(s => s.kind === 'control-plane');
	assert.deepEqual(
		cp.map(s => s.id),
		['east/control-plane'],
	);
	const spec = cp[0]!.manifests[0]!.spec as any;
	assert.equal(spec.profile, 'minimal');
	assert.equal(spec.values.pilot.env.EXTERNAL_ISTIOD, true);
	assert.deepEqual(plan.steps.find(s => s.id === 'east/install-gateway')!.dependsOn, ['east/control-plane']);
	const mn = buildPlan(
		{...multiNetwork, controlPlane: {iops: {cw: 'west.yaml'}}},
		{controlPlaneFiles: {cw: {apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: {name: 'mine'}, spec: {}}}},
	);
	assert.deepEqual(mn.steps.find(s => s.id === 'east/label-network')!.dependsOn, ['east/control-plane']);
	const west = mn.steps.find(s => s.id === 'west/control-plane')!;
	assert.equal(west.iopFile, 'west.yaml');
	assert.equal(west.manifests[0]!.metadata.name, 'mine');
	assert.equal(mn.steps.find(s => s.id === 'east/control-plane')!.manifests[0]!.metadata.name, CONTROL_PLANE_OPERATOR_NAME);
	assert.equal(
		mn.steps.find(s => s.id === 'east/control-plane')!.title,
		"Install Istio's control plane on east unless it runs as planned (istioctl, revision default, mesh1/east/net-east)",
	);
	assert.equal(controlPlaneWant(primaryRemote, primaryRemote.clusters[0]!).externalIstiod, true);
});

test('preflight: the checks that block on the control plane pass as planned when the step fixes it, and still block when it cannot', () => {
	const facts = (istiod: IstiodInfo[]): ClusterFacts => ({context: 'ce', reachable: true, istiod, injectors: istiod.length ? [{}] : []});
	const ids = ['istiod-present', 'istiod-cluster-id', 'injector-values'];
	const judged = (plan: typeof multiNetwork, f: ClusterFacts, phase: 'preflight' | 'post-install' = 'preflight') =>
		runChecks(plan, {east: f, west: f}, phase)
			.filter(r => r.cluster === 'east' && ids.includes(r.id))
			.map(r => `${r.id} ${r.status}${r.reason?.startsWith('planned') ? ' planned' : ''}`);
	// Bare: no step → blocks; with the step → the install is planned.
	assert.deepEqual(judged(multiNetwork, facts([])), ['istiod-present fail', 'istiod-cluster-id skip', 'injector-values skip']);
	assert.deepEqual(judged({...multiNetwork, controlPlane: {}}, facts([])), [
		'istiod-present pass planned',
		'istiod-cluster-id skip',
		'injector-values pass planned',
	]);
	// After the run nothing is planned any more.
	assert.deepEqual(judged({...multiNetwork, controlPlane: {}}, facts([]), 'post-install'), ['istiod-present fail']);
	// Single-cluster defaults: blocks without a file, planned with one.
	assert.deepEqual(judged({...multiNetwork, controlPlane: {}}, facts([singleCluster])), [
		'istiod-present pass',
		'istiod-cluster-id fail',
		'injector-values fail',
	]);
	assert.deepEqual(judged({...multiNetwork, controlPlane: {iops: {ce: 'east.yaml'}}}, facts([singleCluster])), [
		'istiod-present pass',
		'istiod-cluster-id pass planned',
		'injector-values pass planned',
	]);
	// Helm-managed: the plan cannot fix it.
	const helm = {...singleCluster, helmRelease: {name: 'istiod', namespace: 'istio-system'}};
	assert.deepEqual(judged({...multiNetwork, controlPlane: {iops: {ce: 'east.yaml'}}}, facts([helm])), [
		'istiod-present pass',
		'istiod-cluster-id fail',
		'injector-values fail',
	]);
});
