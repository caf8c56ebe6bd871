import {test} from 'node:test';
import assert from 'node:assert/strict';
import {podProblems, rolloutStatus, serviceAddress} from '../../source/core/rollout.js';
import {formatElapsed, parseDuration} from '../../source/core/events.js';
import {parseClusterFlag} from '../../source/core/cluster-flag.js';

const dep = (status: object, generation = 2, replicas = 1) => ({metadata: {name: 'gw', generation}, spec: {replicas}, status});

test('rollout waits for the controller to observe the generation', () => {
	assert.deepEqual(rolloutStatus(dep({observedGeneration: 1}, 2)).state, 'waiting');
	assert.match(rolloutStatus(dep({observedGeneration: 1}, 2)).message, /observe gw generation 2/);
});

test('rollout follows kubectl: updated, old pending termination, available', () => {
	assert.match(rolloutStatus(dep({observedGeneration: 2, updatedReplicas: 0, replicas: 1}, 2, 2)).message, /0 out of 2 new replicas/);
	assert.match(rolloutStatus(dep({observedGeneration: 2, updatedReplicas: 1, replicas: 2})).message, /1 old replicas are pending termination/);
	assert.match(
		rolloutStatus(dep({observedGeneration: 2, updatedReplicas: 1, replicas: 1, availableReplicas: 0})).message,
		/0 of 1 updated replicas are available/,
	);
	assert.equal(rolloutStatus(dep({observedGeneration: 2, updatedReplicas: 1, replicas: 1, availableReplicas: 1})).state, 'done');
});

test('ProgressDeadlineExceeded fails the rollout', () => {
	const r = rolloutStatus(
		dep({
			observedGeneration: 2,
			conditions: [{type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "gw-1" has timed out progressing.'}],
		}),
	);
	assert.equal(r.state, 'failed');
	assert.match(r.message, /progress deadline.*timed out progressing/);
});

test('ImagePullBackOff on image auto is reported as failed injection', () => {
	const pod = (image: string) => ({
		metadata: {name: 'gw-abc'},
		spec: {containers: [{name: 'istio-proxy', image}]},
		status: {containerStatuses: [{name: 'istio-proxy', image, state: {waiting: {reason: 'ImagePullBackOff', message: 'Back-off pulling image'}}}]},
	});
	const [p] = podProblems([pod('auto')], 'canary');
	assert.match(p!.message, /image "auto": sidecar injection did not run/);
	assert.match(p!.hint!, /istio-sidecar-injector-canary/);
	const [q] = podProblems([pod('docker.io/istio/proxyv2:1.30.3')]);
	assert.equal(q!.message, 'Back-off pulling image');
	assert.equal(q!.hint, undefined);
	assert.deepEqual(podProblems([{metadata: {name: 'ok'}, status: {containerStatuses: [{name: 'x', ready: true, state: {}}]}}]), []);
});

test('unschedulable pods are reported with the scheduler message', () => {
	const [p] = podProblems([
		{
			metadata: {name: 'gw'},
			status: {conditions: [{type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.'}]},
		},
	]);
	assert.equal(p!.reason, 'Unschedulable');
	assert.match(p!.message, /Insufficient cpu/);
});

test('service address: LB ip, then hostname, then externalIPs; pending reasons per type', () => {
	assert.deepEqual(serviceAddress({spec: {type: 'LoadBalancer'}, status: {loadBalancer: {ingress: [{ip: '127.0.10.1'}]}}}), {
		state: 'ready',
		address: {kind: 'ip', value: '127.0.10.1'},
		source: 'loadBalancer',
	});
	assert.deepEqual((serviceAddress({status: {loadBalancer: {ingress: [{hostname: 'a.elb.example'}]}}}) as any).address, {
		kind: 'hostname',
		value: 'a.elb.example',
	});
	assert.deepEqual((serviceAddress({spec: {type: 'ClusterIP', externalIPs: ['127.0.0.9']}}) as any).source, 'externalIPs');
	const lb = serviceAddress({spec: {type: 'LoadBalancer'}, status: {loadBalancer: {}}});
	assert.equal(lb.state, 'pending');
	assert.match((lb as any).hint, /MetalLB/);
	assert.match((serviceAddress({spec: {type: 'NodePort'}, metadata: {annotations: {'traffic.istio.io/nodeSelector': '{}'}}}) as any).reason, /NodePort/);
	assert.match((serviceAddress({spec: {type: 'ClusterIP'}}) as any).reason, /type ClusterIP/);
});

test('durations and elapsed time', () => {
	assert.equal(parseDuration('5m'), 300_000);
	assert.equal(parseDuration('90'), 90_000);
	assert.equal(parseDuration('1m30s'), 90_000);
	assert.equal(parseDuration('250ms'), 250);
	assert.equal(parseDuration('5 minutes'), undefined);
	assert.equal(parseDuration('m5'), undefined);
	assert.equal(parseDuration(''), undefined);
	assert.equal(formatElapsed(800), '0.8s');
	assert.equal(formatElapsed(42_000), '42s');
	assert.equal(formatElapsed(65_000), '1m05s');
});

test('--cluster CONTEXT=NAME:NETWORK[:role], contexts may contain colons', () => {
	assert.deepEqual(parseClusterFlag('east=east:net1:primary'), {spec: {context: 'east', name: 'east', network: 'net1', role: 'primary'}});
	assert.deepEqual(parseClusterFlag('arn:aws:eks:us-west-2:1:cluster/a=a:n1', 'remote'), {
		spec: {context: 'arn:aws:eks:us-west-2:1:cluster/a', name: 'a', network: 'n1', role: 'remote'},
	});
	assert.deepEqual(parseClusterFlag('ctx=a:n1'), {spec: {context: 'ctx', name: 'a', network: 'n1'}});
	assert.match((parseClusterFlag('ctx') as any).error, /expected CONTEXT=NAME:NETWORK/);
	assert.match((parseClusterFlag('ctx=a') as any).error, /expected CONTEXT=NAME:NETWORK/);
	assert.match((parseClusterFlag('ctx=a:n:boss') as any).error, /role "boss"/);
});
