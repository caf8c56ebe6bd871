import {test} from 'node:test';
import assert from 'node:assert/strict';
import {describeCreateFailure, rolloutBlocker, type EventLike, type ReplicaSetLike, type RolloutContext} from '../../source/core/rollout-reason.js';

const UNREACHABLE =
	'Internal error occurred: failed calling webhook "object.sidecar-injector.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/inject/cluster/west/net/net-west?timeout=10s": dial tcp 10.96.0.10:443: connect: network is unreachable';

const primary: RolloutContext = {cluster: 'east', deployment: 'istio-eastwestgateway', namespace: 'istio-system', selector: 'app=istio-eastwestgateway'};
const remote: RolloutContext = {...primary, cluster: 'west', remoteOf: {primary: 'east', gatewayAddress: '192.0.2.1'}};

const rs = (name: string, revision: number, replicas: number, failure?: string): ReplicaSetLike => ({
	metadata: {
		name,
		annotations: {'deployment.kubernetes.io/revision': String(revision)},
		ownerReferences: [{kind: 'Deployment', name: 'istio-eastwestgateway'}],
	},
	spec: {replicas},
	status: failure ? {conditions: [{type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure}]} : {},
});

const warning = (kind: string, name: string, reason: string, message: string, at = '2026-12-07T04:00:00Z'): EventLike => ({
	type: 'Warning',
	reason,
	message,
	involvedObject: {kind, name},
	lastTimestamp: at,
});

test('a remote whose injector is out of reach: the reason names the primary istiod behind its gateway, with a hint', () => {
	const b = rolloutBlocker({replicaSets: [rs('istio-eastwestgateway-abc', 1, 1, UNREACHABLE)], pods: [], events: []}, remote);
	assert.equal(
		b?.reason,
		"pods cannot be created: the sidecar injector at istiod.istio-system.svc:443 is unreachable (dial tcp 10.96.0.10:443: connect: network is unreachable); on a remote that is east's istiod through east's gateway 192.0.2.1:15017",
	);
	assert.match(b?.hint ?? '', /east's istiod is running.*east's gateway passes 15017 through to it.*west's API server can reach 192\.0\.2\.1:15017/);
});

test('on a primary the injector is its own istiod (revision named); a remote without a known address still names the port', () => {
	const onPrimary = describeCreateFailure(UNREACHABLE, {...primary, revision: 'canary'});
	assert.equal(
		onPrimary.reason,
		'pods cannot be created: the sidecar injector at istiod.istio-system.svc:443 is unreachable (dial tcp 10.96.0.10:443: connect: network is unreachable)',
	);
	assert.match(onPrimary.hint, /istiod-canary is running in istio-system/);
	const noAddress = describeCreateFailure(UNREACHABLE, {...remote, remoteOf: {primary: 'east'}});
	assert.match(noAddress.reason, /through east's gateway port 15017$/);
});

test('webhook failures are told apart: untrusted certificate, timeout, another webhook, a denial, a quota, anything else', () => {
	const x509 = describeCreateFailure(
		'failed calling webhook "object.sidecar-injector.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/inject?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority',
		remote,
	);
	assert.match(x509.reason, /sidecar injector at istiod\.istio-system\.svc:443 presents a certificate the API server does not trust/);
	assert.match(x509.hint, /caBundle.*restart istiod on east/);
	const slow = describeCreateFailure(
		'failed calling webhook "object.sidecar-injector.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/inject": context deadline exceeded',
		primary,
	);
	assert.match(slow.reason, /does not answer in time/);
	const other = describeCreateFailure(
		'failed calling webhook "policy.example.com": failed to call webhook: Post "https://policy.kyverno.svc:443/mutate": connection refused',
		remote,
	);
	assert.match(other.reason, /^pods cannot be created: admission webhook "policy\.example\.com" at policy\.kyverno\.svc:443 is unreachable/);
	assert.doesNotMatch(other.reason, /on a remote/);
	assert.match(other.hint, /webhook "policy\.example\.com"/);
	const denied = describeCreateFailure('admission webhook "validate.example.com" denied the request: privileged pods are not allowed', primary);
	assert.equal(denied.reason, 'pods cannot be created: admission webhook "validate.example.com" denied them: privileged pods are not allowed');
	const quota = describeCreateFailure('pods "gw-abc" is forbidden: exceeded quota: compute, requested: cpu=2, used: cpu=8, limited: cpu=8', primary);
	assert.match(quota.hint, /ResourceQuota in istio-system/);
	const other2 = describeCreateFailure('something else\nsecond line', primary);
	assert.equal(other2.reason, 'pods cannot be created: something else');
	assert.equal(other2.hint, 'see kubectl describe replicaset -n istio-system -l app=istio-eastwestgateway');
});

test('the ReplicaFailure condition keeps its first error: the newest FailedCreate event of that ReplicaSet says what fails now', () => {
	const first =
		'pods "istio-eastwestgateway-abc-" is forbidden: error looking up service account istio-system/istio-eastwestgateway-service-account: serviceaccount "istio-eastwestgateway-service-account" not found';
	const events = [
		warning('ReplicaSet', 'istio-eastwestgateway-abc', 'FailedCreate', `Error creating: ${first}`, '2026-12-07T04:00:00Z'),
		warning(
			'ReplicaSet',
			'istio-eastwestgateway-abc',
			'FailedCreate',
			`(combined from similar events): Error creating: ${UNREACHABLE}`,
			'2026-12-07T04:00:30Z',
		),
		warning('ReplicaSet', 'istio-eastwestgateway-old', 'FailedCreate', 'Error creating: older ReplicaSet', '2026-12-07T04:01:00Z'),
	];
	const b = rolloutBlocker({replicaSets: [rs('istio-eastwestgateway-abc', 2, 1, first)], pods: [], events}, remote);
	assert.match(b?.reason ?? '', /^pods cannot be created: the sidecar injector at istiod\.istio-system\.svc:443 is unreachable/);
	const onlyCondition = rolloutBlocker({replicaSets: [rs('istio-eastwestgateway-abc', 2, 1, first)], pods: [], events: []}, remote);
	assert.equal(onlyCondition?.reason, `pods cannot be created: ${first}`);
	assert.match(onlyCondition?.hint ?? '', /should have created the ServiceAccount/);
});

test('only the live ReplicaSets count: an old one scaled to zero, or another Deployment, says nothing', () => {
	const old = rs('istio-eastwestgateway-old', 1, 0, UNREACHABLE);
	const foreign: ReplicaSetLike = {
		...rs('other-abc', 1, 1, UNREACHABLE),
		metadata: {name: 'other-abc', ownerReferences: [{kind: 'Deployment', name: 'other'}]},
	};
	assert.equal(rolloutBlocker({replicaSets: [old, foreign, rs('istio-eastwestgateway-new', 2, 1)], pods: [], events: []}, primary), undefined);
});

test('pod problems come next: ImagePullBackOff of image auto keeps its injection hint', () => {
	const pod = {
		metadata: {name: 'istio-eastwestgateway-abc-x'},
		spec: {containers: [{name: 'istio-proxy', image: 'auto'}]},
		status: {containerStatuses: [{name: 'istio-proxy', image: 'auto', state: {waiting: {reason: 'ImagePullBackOff', message: 'Back-off'}}}]},
	};
	const b = rolloutBlocker({replicaSets: [rs('istio-eastwestgateway-abc', 1, 1)], pods: [pod], events: []}, primary);
	assert.equal(b?.reason, 'pod istio-eastwestgateway-abc-x: ImagePullBackOff: container istio-proxy still has image "auto": sidecar injection did not run');
	assert.match(b?.hint ?? '', /MutatingWebhookConfiguration istio-sidecar-injector/);
	const pulling = {
		...pod,
		spec: {containers: [{name: 'istio-proxy', image: 'registry.example/proxyv2:1.30'}]},
		status: {
			containerStatuses: [
				{name: 'istio-proxy', image: 'registry.example/proxyv2:1.30', state: {waiting: {reason: 'ErrImagePull', message: 'manifest unknown'}}},
			],
		},
	};
	const p = rolloutBlocker({replicaSets: [], pods: [pulling], events: []}, primary);
	assert.equal(p?.reason, 'pod istio-eastwestgateway-abc-x: ErrImagePull: manifest unknown');
	assert.equal(p?.hint, 'see kubectl describe pod -n istio-system istio-eastwestgateway-abc-x');
});

test('Warning events: the newest about one of the pods; a FailedCreate on a live ReplicaSet when no pod exists; others ignored', () => {
	const pod = {metadata: {name: 'gw-1'}, status: {phase: 'Pending'}};
	const events = [
		warning('Pod', 'gw-1', 'FailedMount', 'MountVolume.SetUp failed for volume "istiod-ca-cert"', '2026-12-07T04:00:00Z'),
		warning('Pod', 'gw-1', 'FailedMount', 'newer: configmap "istio-ca-root-cert" not found', '2026-12-07T04:00:05Z'),
		warning('Pod', 'someone-else', 'BackOff', 'not ours', '2026-12-07T04:00:09Z'),
		{...warning('Pod', 'gw-1', 'Pulled', 'normal event'), type: 'Normal'},
	];
	assert.equal(
		rolloutBlocker({replicaSets: [], pods: [pod], events}, primary)?.reason,
		'pod gw-1: FailedMount: newer: configmap "istio-ca-root-cert" not found',
	);
	const created = [warning('ReplicaSet', 'istio-eastwestgateway-abc', 'FailedCreate', `Error creating: ${UNREACHABLE}`)];
	const fromEvent = rolloutBlocker({replicaSets: [rs('istio-eastwestgateway-abc', 1, 1)], pods: [], events: created}, remote);
	assert.match(fromEvent?.reason ?? '', /^pods cannot be created: the sidecar injector at istiod\.istio-system\.svc:443 is unreachable .*192\.0\.2\.1:15017$/);
	const stale = [warning('ReplicaSet', 'istio-eastwestgateway-gone', 'FailedCreate', `Error creating: ${UNREACHABLE}`)];
	assert.equal(rolloutBlocker({replicaSets: [rs('istio-eastwestgateway-abc', 1, 1)], pods: [], events: stale}, remote), undefined);
});
