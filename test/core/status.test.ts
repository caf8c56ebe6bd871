import {test} from 'node:test';
import assert from 'node:assert/strict';
import {evaluateCluster, topologyPicture, type ClusterObservation} from '../../source/core/status.js';

/** A gateway Deployment as istioctl renders it for a network (and revision). */
const gatewayDeployment = (network: string, revision?: string) => ({
	metadata: {name: 'istio-eastwestgateway', generation: 1},
	spec: {
		replicas: 1,
		template: {
			metadata: {labels: {istio: 'eastwestgateway', app: 'istio-eastwestgateway', 'topology.istio.io/network': network, 'istio.io/rev': revision ?? 'default'}},
			spec: {containers: [{name: 'istio-proxy', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network}]}]},
		},
	},
	status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1},
});
const readyDeployment = gatewayDeployment('net-east');
const ports = [
	{name: 'status-port', port: 15021},
	{name: 'tls', port: 15443},
	{name: 'tls-istiod', port: 15012},
	{name: 'tls-webhook', port: 15017},
];
const service = (over: Record<string, unknown> = {}) => ({
	metadata: {name: 'istio-eastwestgateway', labels: {'topology.istio.io/network': 'net-east'}},
	spec: {type: 'LoadBalancer', ports},
	status: {loadBalancer: {ingress: [{ip: '127.0.10.1'}]}},
	...over,
});
const healthy = (over: Partial<ClusterObservation> = {}): ClusterObservation => ({
	context: 'east',
	reachable: true,
	stale: false,
	deployment: readyDeployment,
	service: service(),
	pods: [],
	namespaceLabels: {'topology.istio.io/network': 'net-east'},
	gateways: ['cross-network-gateway'],
	virtualServices: [],
	istiod: [{name: 'istiod', ready: true}],
	...over,
});
const exp = {name: 'east', network: 'net-east', role: 'primary' as const, topology: 'multi-network' as const};
const row = (h: ReturnType<typeof evaluateCluster>, id: string) => h.rows.find(r => r.id === id);

test('a set-up multi-network primary is healthy, with its address', () => {
	const h = evaluateCluster(healthy(), exp);
	assert.equal(h.healthy, true, JSON.stringify(h.rows));
	assert.equal(h.address?.value, '127.0.10.1');
	assert.equal(row(h, 'deployment')!.text, '1/1 ready');
	assert.equal(row(h, 'expose-services')!.level, 'ok');
	assert.equal(row(h, 'expose-istiod'), undefined, 'not expected and not present: no row');
});

test('missing gateway, missing expose resource and wrong network label fail with reasons', () => {
	const h = evaluateCluster(healthy({deployment: undefined, gateways: [], namespaceLabels: {'topology.istio.io/network': 'other'}}), exp);
	assert.equal(h.healthy, false);
	assert.match(row(h, 'deployment')!.reason!, /does not exist/);
	assert.equal(row(h, 'expose-services')!.level, 'fail');
	assert.match(row(h, 'network')!.reason!, /istio-system has network other, plan says net-east/);
});

test('pending address warns and says why; missing ports fail', () => {
	const h = evaluateCluster(healthy({service: service({status: {}, spec: {type: 'LoadBalancer', ports: ports.slice(0, 2)}})}), exp);
	assert.equal(row(h, 'address')!.level, 'warn');
	assert.equal(h.healthy, false, 'a gateway without an address is not healthy');
	assert.match(row(h, 'address')!.reason!, /MetalLB/);
	assert.equal(row(h, 'ports')!.level, 'fail');
	assert.match(row(h, 'ports')!.reason!, /tls-istiod 15012, tls-webhook 15017/);
});

test('injection failure on the gateway pods is a failed pods row', () => {
	const pod = {
		metadata: {name: 'gw-1'},
		spec: {containers: [{name: 'istio-proxy', image: 'auto'}]},
		status: {containerStatuses: [{name: 'istio-proxy', image: 'auto', state: {waiting: {reason: 'ImagePullBackOff'}}}]},
	};
	const h = evaluateCluster(
		healthy({pods: [pod], deployment: {...readyDeployment, status: {...readyDeployment.status, availableReplicas: 0, readyReplicas: 0}}}),
		exp,
	);
	assert.equal(row(h, 'pods')!.level, 'fail');
	assert.match(row(h, 'pods')!.reason!, /sidecar injection did not run/);
	assert.equal(row(h, 'deployment')!.level, 'warn');
});

test('primary-remote primary needs istiod exposed for its revision', () => {
	const e = {name: 'east', network: 'net1', role: 'primary' as const, topology: 'primary-remote' as const, revision: 'canary'};
	const obs = healthy({
		deployment: gatewayDeployment('net1', 'canary'),
		namespaceLabels: {'topology.istio.io/network': 'net1'},
		service: service({metadata: {labels: {'topology.istio.io/network': 'net1'}}}),
		gateways: ['istiod-gateway'],
		virtualServices: ['istiod-vs'],
		istiod: [{name: 'istiod-canary', revision: 'canary', ready: true}],
	});
	const h = evaluateCluster(obs, e);
	assert.equal(row(h, 'expose-istiod')!.level, 'fail');
	assert.match(row(h, 'expose-istiod')!.reason!, /istiod-vs-canary/);
	const fixed = evaluateCluster({...obs, virtualServices: ['istiod-vs-canary']}, e);
	assert.equal(fixed.healthy, true, JSON.stringify(fixed.rows));
	assert.equal(row(fixed, 'istiod')!.text, 'istiod-canary (rev canary)');
});

test('a remote with its own istiod is warned about; a primary without istiod fails', () => {
	const remote = evaluateCluster(healthy({deployment: undefined, service: undefined, gateways: [], namespaceLabels: {}}), {
		name: 'west',
		role: 'remote',
		topology: 'primary-remote',
		network: 'n',
	});
	assert.equal(row(remote, 'istiod')!.level, 'warn');
	const primary = evaluateCluster(healthy({istiod: []}), exp);
	assert.match(row(primary, 'istiod')!.reason!, /no istiod Deployment/);
});

test('unreachable and stale clusters are not healthy', () => {
	const u = evaluateCluster(
		{...healthy(), reachable: false, deployment: undefined, service: undefined, error: {kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:1'}},
		exp,
	);
	assert.equal(u.healthy, false);
	assert.match(u.error!, /ECONNREFUSED/);
	assert.equal(evaluateCluster(healthy({stale: true}), exp).healthy, false);
});

test('the topology picture groups clusters by network', () => {
	const east = evaluateCluster(healthy(), exp);
	const west = evaluateCluster(
		healthy({
			context: 'west',
			deployment: gatewayDeployment('net-west'),
			namespaceLabels: {'topology.istio.io/network': 'net-west'},
			service: service({metadata: {labels: {'topology.istio.io/network': 'net-west'}}, status: {loadBalancer: {ingress: [{ip: '127.0.20.1'}]}}}),
		}),
		{...exp, name: 'west', network: 'net-west'},
	);
	const lines = topologyPicture([east, west]);
	assert.deepEqual(lines, [
		'network net-east',
		'  east (primary) ── gateway 127.0.10.1 exposes services',
		'network net-west',
		'  west (primary) ── gateway 127.0.20.1 exposes services',
		'2 networks: cross-network traffic goes through the gateways on 15443',
	]);
});

test('the gateway is judged as apply and check judge it: pod-template fields, port names, a type without an address', () => {
	const wrongPods = gatewayDeployment('net-west');
	const h = evaluateCluster(healthy({deployment: wrongPods, service: service({spec: {type: 'ClusterIP', ports: [{port: 15021}, ...ports.slice(1)]}})}), exp);
	assert.equal(h.healthy, false);
	assert.deepEqual(row(h, 'gateway-spec'), {
		id: 'gateway-spec',
		label: 'gateway spec',
		level: 'fail',
		text: '2 fields not as planned',
		reason:
			'pod label topology.istio.io/network is net-west (want net-east); env ISTIO_META_REQUESTED_NETWORK_VIEW is net-west (want net-east): reinstall the gateway with eastwest apply',
	});
	assert.equal(row(h, 'ports')!.text, '!15021 15443 15012 15017');
	assert.equal(row(h, 'ports')!.reason, 'missing status-port 15021 (have unnamed 15021)');
	assert.equal(row(h, 'address')!.level, 'fail');
	assert.match(row(h, 'address')!.reason!, /type is ClusterIP, which gets no external address/);
});

test('a bare --context holds the gateway to the network it declares and to no particular revision', () => {
	const canary = evaluateCluster(healthy({deployment: gatewayDeployment('net-east', 'canary')}), {});
	assert.equal(canary.healthy, true, JSON.stringify(canary.rows));
	const other = evaluateCluster(healthy({deployment: gatewayDeployment('net-west')}), {});
	assert.equal(other.healthy, false);
	assert.equal(row(other, 'gateway-spec')!.text, '2 fields not as eastwest installs');
});

// ---------- wiring ----------

const westSecret = (over: Record<string, unknown> = {}) => ({
	namespace: 'istio-system',
	name: 'istio-remote-secret-west',
	multiClusterLabel: true,
	clusterAnnotation: 'west',
	entries: [{cluster: 'west', server: 'https://172.18.0.3:6443', auth: 'token' as const, inlineCa: true}],
	managers: ['eastwest'],
	...over,
});
const reading = {...exp, peers: [{name: 'west', server: 'https://172.18.0.3:6443'}]};

test('reads: each planned peer ✔ with the server its secret names, or ✘ with the reason (same judgement as the checks)', () => {
	const ok = evaluateCluster(healthy({remoteSecrets: [westSecret()]}), reading);
	assert.deepEqual(
		ok.rows.filter(r => r.id === 'reads').map(r => [r.peer, r.level, r.text]),
		[['west', 'ok', 'west at https://172.18.0.3:6443']],
	);
	assert.equal(ok.healthy, true);
	assert.deepEqual(ok.wiring, {reads: [{peer: 'west', ok: true, secret: 'istio-remote-secret-west', server: 'https://172.18.0.3:6443'}]});

	const none = evaluateCluster(healthy({remoteSecrets: []}), reading);
	assert.equal(row(none, 'reads')!.level, 'fail');
	assert.match(row(none, 'reads')!.reason!, /no remote secret istio-remote-secret-west labelled istio\/multiCluster=true: run eastwest apply/);
	assert.equal(none.healthy, false);

	const misnamed = evaluateCluster(
		healthy({
			remoteSecrets: [
				westSecret({
					name: 'istio-remote-secret-cluster2',
					clusterAnnotation: 'cluster2',
					entries: [{cluster: 'cluster2', server: 'https://172.18.0.3:6443', auth: 'token', inlineCa: true}],
				}),
			],
		}),
		reading,
	);
	assert.match(
		row(misnamed, 'reads')!.reason!,
		/istio-remote-secret-cluster2 opens https:\/\/172\.18\.0\.3:6443 under key cluster2: the key must equal the peer's cluster name/,
	);

	const moved = evaluateCluster(healthy({remoteSecrets: [westSecret()]}), {...exp, peers: [{name: 'west', server: 'https://10.0.0.9:6443'}]});
	assert.equal(row(moved, 'reads')!.reason, 'it points at https://172.18.0.3:6443 (want https://10.0.0.9:6443)');

	// No plan (a bare --context): every secret seen, judged by its own annotation.
	const bare = evaluateCluster(
		healthy({
			remoteSecrets: [
				westSecret(),
				westSecret({
					name: 'istio-remote-secret-north',
					clusterAnnotation: 'north',
					multiClusterLabel: true,
					entries: [{cluster: 'north', auth: 'exec', inlineCa: false, server: 'https://n:6443'}],
				}),
			],
		}),
		{},
	);
	assert.deepEqual(
		bare.rows.filter(r => r.id === 'reads').map(r => [r.peer, r.level]),
		[
			['west', 'ok'],
			['north', 'fail'],
		],
	);
	assert.match(bare.rows.find(r => r.peer === 'north')!.reason!, /authenticates with exec, which istiod cannot use/);
	// Secrets not watched: no rows, no wiring.
	assert.equal(evaluateCluster(healthy(), reading).wiring, undefined);
});

test('controlled by: a remote names its primary, points at its gateway on 15012/15017 and injects on its path', () => {
	const remoteExp = {
		name: 'west',
		network: 'net-west',
		role: 'remote' as const,
		topology: 'primary-remote-multi-network' as const,
		primary: 'east',
		peers: [],
		primaryAddress: {kind: 'ip' as const, value: '127.0.10.1'},
	};
	const wired = {
		controlPlaneClusters: 'east',
		localIstiods: [],
		service: {ports: [{port: 15012}], owner: 'eastwest-remote'},
		endpoints: {addresses: ['127.0.10.1'], ports: [15012, 15017]},
		webhook: {paths: ['/inject/cluster/west/net/net-west'], caBundle: true},
	};
	const obs = (remote: typeof wired) => healthy({context: 'west', istiod: [], remote, namespaceLabels: {'topology.istio.io/network': 'net-west'}});
	const ok = evaluateCluster(obs(wired), remoteExp);
	assert.deepEqual(row(ok, 'control-plane'), {id: 'control-plane', label: 'controlled by', level: 'ok', text: 'east via 127.0.10.1'});
	assert.deepEqual(ok.wiring!.controlledBy, {primary: 'east', ok: true, address: '127.0.10.1', reasons: []});

	const elsewhere = evaluateCluster(obs({...wired, endpoints: {addresses: ['127.0.10.9'], ports: [15012, 15017]}}), remoteExp);
	assert.equal(row(elsewhere, 'control-plane')!.level, 'fail');
	assert.match(row(elsewhere, 'control-plane')!.reason!, /points at 127\.0\.10\.9 \(want 127\.0\.10\.1, the primary's gateway\)/);
	assert.equal(elsewhere.healthy, false);

	const other = evaluateCluster(obs({...wired, controlPlaneClusters: 'north'}), remoteExp);
	assert.match(row(other, 'control-plane')!.reason!, /does not name east/);

	const noCa = evaluateCluster(obs({...wired, webhook: {paths: wired.webhook.paths, caBundle: false}}), remoteExp);
	assert.equal(row(noCa, 'control-plane')!.level, 'warn');
	assert.match(row(noCa, 'control-plane')!.reason!, /no caBundle yet/);
	// Without a primary in the plan there is nothing to compare with.
	assert.equal(row(evaluateCluster(obs(wired), {...remoteExp, primary: undefined}), 'control-plane'), undefined);
});
