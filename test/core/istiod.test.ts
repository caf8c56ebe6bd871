import {test} from 'node:test';
import assert from 'node:assert/strict';
import {injectorConfigMapName, injectorValues, isIstiodDeployment, istiodFromDeployment} from '../../source/core/istiod.js';

const dep = (name: string, labels: Record<string, string>, env: Array<{name: string; value: string}>, ready = true) => ({
	metadata: {name, generation: 1, labels},
	spec: {replicas: 1, template: {spec: {containers: [{name: 'sidecar'}, {name: 'discovery', env}]}}},
	status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: ready ? 1 : 0},
});

test('istiod facts: revision from the label, else the name; env from the discovery container', () => {
	assert.deepEqual(
		istiodFromDeployment(
			dep('istiod', {'istio.io/rev': 'default'}, [
				{name: 'CLUSTER_ID', value: 'east'},
				{name: 'EXTERNAL_ISTIOD', value: 'true'},
			]),
		),
		{
			name: 'istiod',
			ready: true,
			clusterId: 'east',
			externalIstiod: true,
		},
	);
	assert.equal(istiodFromDeployment(dep('istiod-1-30', {'istio.io/rev': '1-30'}, [])).revision, '1-30');
	assert.equal(istiodFromDeployment(dep('istiod-canary', {}, [])).revision, 'canary');
	assert.equal(istiodFromDeployment(dep('istiod', {}, [], false)).ready, false);
	assert.equal(istiodFromDeployment(dep('istiod', {}, [{name: 'EXTERNAL_ISTIOD', value: 'false'}])).externalIstiod, false);
	assert.equal(isIstiodDeployment(dep('istiod-x', {}, [])), true);
	assert.equal(isIstiodDeployment(dep('istio-eastwestgateway', {}, [])), false);
});

test('injector: one ConfigMap name per revision and one reading of its values', () => {
	assert.equal(injectorConfigMapName(undefined), 'istio-sidecar-injector');
	assert.equal(injectorConfigMapName(' '), 'istio-sidecar-injector');
	assert.equal(injectorConfigMapName('canary'), 'istio-sidecar-injector-canary');
	assert.deepEqual(injectorValues({values: JSON.stringify({revision: 'canary', global: {meshID: 'm', network: 'n', multiCluster: {clusterName: 'c'}}})}), {
		revision: 'canary',
		meshId: 'm',
		network: 'n',
		clusterName: 'c',
	});
	assert.deepEqual(
		injectorValues({values: JSON.stringify({revision: 'default', global: {meshID: '', network: 7}})}),
		{},
		'default revision, empty and non-string values are unset',
	);
	assert.deepEqual(injectorValues({values: 'not json'}), {});
	assert.deepEqual(injectorValues(undefined), {});
});
