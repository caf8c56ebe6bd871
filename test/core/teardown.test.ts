import {test} from 'node:test';
import assert from 'node:assert/strict';
import {buildTeardown, appliedVerdict, installedVerdict, type TeardownStep} from '../../source/core/teardown.js';
import {namespaceKeyVerdict} from '../../source/core/namespace-key.js';
import {multiNetwork, primaryRemote, primaryRemoteMultiNetwork} from '../support/plans.js';

const ids = (steps: TeardownStep[]) => steps.map(s => s.id);
/** Position of a step id in the run order. */
const at = (steps: TeardownStep[], id: string) => {
	const i = steps.findIndex(s => s.id === id);
	assert.ok(i >= 0, `no step ${id} in ${ids(steps).join(', ')}`);
	return i;
};
/** Every step's dependencies come before it, and `before` must finish before `after` (directly or through others). */
function runsBefore(steps: TeardownStep[], before: string, after: string): boolean {
	const byId = new Map(steps.map(s => [s.id, s]));
	const reach = (id: string, seen = new Set<string>()): boolean => {
		for (const d of byId.get(id)?.dependsOn ?? []) {
			if (d === before) return true;
			if (!seen.has(d)) {
				seen.add(d);
				if (reach(d, seen)) return true;
			}
		}
		return false;
	};
	return reach(after);
}

test('multi-network: per cluster, exposure → remote secrets → gateway → network label; the waits have no removal', () => {
	const plan = buildTeardown(multiNetwork);
	const east = plan.clusters.find(c => c.cluster.name === 'east')!;
	assert.deepEqual(
		east.steps.map(s => s.kind),
		['remove-remote-secret', 'remove-expose-services', 'remove-gateway', 'remove-network-label'],
	);
	const s = plan.steps;
	assert.ok(runsBefore(s, 'east/remove/expose-services', 'east/remove/install-gateway'));
	assert.ok(runsBefore(s, 'east/remove/install-gateway', 'east/remove/label-network'));
	// A remote secret needs both namespaces: both clusters' secrets go before either label.
	assert.ok(runsBefore(s, 'west/remove/remote-secret/east', 'east/remove/label-network'));
	assert.ok(runsBefore(s, 'east/remove/remote-secret/west', 'east/remove/label-network'));
	for (const step of s) for (const d of step.dependsOn) assert.ok(at(s, d) < at(s, step.id), `${d} must come before ${step.id}`);
	const secret = s.find(x => x.id === 'east/remove/remote-secret/west')!;
	assert.deepEqual(secret.objects, [{apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'istio-remote-secret-west'}]);
	assert.equal(secret.context, 'ce');
	assert.deepEqual(s.find(x => x.id === 'west/remove/label-network')!.key, {field: 'label', name: 'topology.istio.io/network', value: 'net-west'});
	assert.equal(s.find(x => x.id === 'east/remove/install-gateway')!.owner, 'eastwest');
	assert.ok(!s.some(x => x.kind === 'remove-cacerts'), 'cacerts only with --ca');
});

test('primary-remote across networks: the remote gateway, then the primary secret for it, then the remote control plane, then the exposed istiod', () => {
	const s = buildTeardown(primaryRemoteMultiNetwork).steps;
	assert.ok(runsBefore(s, 'two/remove/install-gateway', 'one/remove/remote-secret/two'));
	assert.ok(runsBefore(s, 'one/remove/remote-secret/two', 'two/remove/install-remote'));
	assert.ok(runsBefore(s, 'two/remove/install-remote', 'one/remove/expose-istiod'));
	assert.ok(runsBefore(s, 'two/remove/install-remote', 'two/remove/annotate-remote'));
	assert.ok(runsBefore(s, 'two/remove/annotate-remote', 'two/remove/label-network'));
	assert.ok(!runsBefore(s, 'one/remove/install-gateway', 'two/remove/install-gateway'), 'the remote gateway does not wait for the primary one');
	const remote = s.find(x => x.id === 'two/remove/install-remote')!;
	assert.equal(remote.owner, 'eastwest-remote');
	assert.deepEqual(s.find(x => x.id === 'two/remove/annotate-remote')!.key, {
		field: 'annotation',
		name: 'topology.istio.io/controlPlaneClusters',
		value: 'one',
	});
});

test('primary-remote: the remote has no gateway or label; --ca adds cacerts last on every cluster', () => {
	const plan = buildTeardown(primaryRemote, {ca: true});
	const west = plan.clusters.find(c => c.cluster.name === 'west')!;
	assert.deepEqual(
		west.steps.map(s => s.kind),
		['remove-remote', 'remove-annotation', 'remove-cacerts'],
	);
	const cacerts = plan.steps.find(x => x.id === 'west/remove/cacerts')!;
	assert.deepEqual(cacerts.dependsOn.sort(), ['west/remove/annotate-remote', 'west/remove/install-remote']);
	assert.ok(plan.steps.some(x => x.id === 'east/remove/cacerts'));
});

const managed = (...managers: string[]) => ({managedFields: managers.map(manager => ({manager, operation: 'Apply'}))});
const gw = {apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace: 'istio-system', name: 'cross-network-gateway'};

test('an applied object goes only when eastwest alone created it', () => {
	assert.deepEqual(appliedVerdict(undefined, gw), {action: 'gone'});
	assert.deepEqual(appliedVerdict({metadata: {name: 'x', ...managed('eastwest')}}, gw), {action: 'remove'});
	const foreign = appliedVerdict({metadata: {name: 'x', ...managed('kubectl-client-side-apply')}}, gw);
	assert.equal(foreign.action, 'leave');
	assert.match(
		(foreign as {reason: string}).reason,
		/Gateway istio-system\/cross-network-gateway was not created by eastwest \(field manager: kubectl-client-side-apply\)/,
	);
	const shared = appliedVerdict({metadata: {name: 'x', ...managed('kubectl-create', 'eastwest')}}, gw);
	assert.match((shared as {reason: string}).reason, /also managed by kubectl-create/);
	assert.equal(appliedVerdict({metadata: {name: 'x'}}, gw).action, 'leave', "no managedFields: not provably eastwest's");
});

const labelled = (kind: string, labels: Record<string, string>, namespace?: string) => ({
	apiVersion: 'v1',
	kind,
	metadata: {name: kind === 'Deployment' && labels.app === 'istiod' ? 'istiod' : 'obj', ...(namespace ? {namespace} : {}), labels},
});
const own = 'install.operator.istio.io/owning-resource';

test("installed objects: the owner's go, except CRDs, control planes and cluster-wide Base objects", () => {
	assert.deepEqual(installedVerdict(labelled('Service', {[own]: 'eastwest', 'operator.istio.io/component': 'IngressGateways'}, 'istio-system'), 'eastwest'), {
		action: 'remove',
	});
	assert.equal(installedVerdict(labelled('Service', {[own]: 'installed-state'}, 'istio-system'), 'eastwest').action, 'leave');
	// The default revision tag that istioctl re-applies with the gateway (and relabels) stays: it is the control plane's.
	const tag = installedVerdict(labelled('Service', {[own]: 'eastwest', 'operator.istio.io/component': 'Pilot'}, 'istio-system'), 'eastwest');
	assert.equal(tag.action, 'leave');
	assert.match((tag as {reason: string}).reason, /Istio's Pilot component, which istioctl re-applied with the gateway: it belongs to the control plane/);
	assert.equal(installedVerdict(labelled('MutatingWebhookConfiguration', {[own]: 'eastwest'}), 'eastwest').action, 'leave');
	assert.equal(
		installedVerdict(labelled('CustomResourceDefinition', {[own]: 'eastwest-remote', 'operator.istio.io/component': 'Base'}), 'eastwest-remote').action,
		'leave',
	);
	assert.equal(installedVerdict(labelled('ClusterRole', {[own]: 'eastwest-remote', 'operator.istio.io/component': 'Base'}), 'eastwest-remote').action, 'leave');
	// The istio-reader service account often predates the remote install (which relabels it): kept.
	assert.equal(
		installedVerdict(labelled('ServiceAccount', {[own]: 'eastwest-remote', 'operator.istio.io/component': 'Base'}, 'istio-system'), 'eastwest-remote').action,
		'leave',
	);
	assert.deepEqual(
		installedVerdict(labelled('Service', {[own]: 'eastwest-remote', 'operator.istio.io/component': 'Pilot'}, 'istio-system'), 'eastwest-remote'),
		{action: 'remove'},
	);
	const cp = installedVerdict(labelled('Deployment', {[own]: 'eastwest', app: 'istiod'}, 'istio-system'), 'eastwest');
	assert.match((cp as {reason: string}).reason, /control plane/);
});

const nsWith = (labels: Record<string, string>, fields: Array<{manager: string; keys: string[]}>) => ({
	metadata: {
		name: 'istio-system',
		labels,
		managedFields: fields.map(f => ({
			manager: f.manager,
			operation: 'Apply',
			fieldsV1: {'f:metadata': {'f:labels': Object.fromEntries(f.keys.map(k => [`f:${k}`, {}]))}},
		})),
	},
});
const label = {field: 'label' as const, name: 'topology.istio.io/network', value: 'net1'};

test("a namespace label goes only when eastwest set it and it still holds the plan's value", () => {
	assert.deepEqual(namespaceKeyVerdict(undefined, label), {action: 'gone'});
	assert.deepEqual(namespaceKeyVerdict(nsWith({}, []), label), {action: 'gone'});
	assert.deepEqual(namespaceKeyVerdict(nsWith({'topology.istio.io/network': 'net1'}, [{manager: 'eastwest', keys: ['topology.istio.io/network']}]), label), {
		action: 'remove',
	});
	const other = namespaceKeyVerdict(
		nsWith({'topology.istio.io/network': 'net1'}, [
			{manager: 'kubectl-label', keys: ['topology.istio.io/network']},
			{manager: 'eastwest', keys: []},
		]),
		label,
	);
	assert.match((other as {reason: string}).reason, /istio-system label topology.istio.io\/network set by someone else \(kubectl-label\)/);
	const changed = namespaceKeyVerdict(nsWith({'topology.istio.io/network': 'net9'}, [{manager: 'eastwest', keys: ['topology.istio.io/network']}]), label);
	assert.match((changed as {reason: string}).reason, /is net9, not the plan's net1/);
	const annotation = {field: 'annotation' as const, name: 'topology.istio.io/controlPlaneClusters', value: 'east'};
	const ns = {
		metadata: {
			annotations: {'topology.istio.io/controlPlaneClusters': 'east'},
			managedFields: [
				{manager: 'eastwest', operation: 'Update', fieldsV1: {'f:metadata': {'f:annotations': {'f:topology.istio.io/controlPlaneClusters': {}}}}},
			],
		},
	};
	assert.deepEqual(namespaceKeyVerdict(ns, annotation), {action: 'remove'});
	assert.equal(namespaceKeyVerdict(ns, label).action, 'gone', 'labels and annotations are not confused');
});
