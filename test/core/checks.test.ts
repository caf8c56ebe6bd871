import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
	CHECKS,
	checksFor,
	kubernetesMinor,
	requiredPermissions,
	resolvedBy,
	runChecks,
	summarize,
	type CheckPhase,
	type CheckResult,
	type ClusterFacts,
} from '../../source/core/checks/index.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {OTHER_ROOT, ROOT_FINGERPRINT, allHealthy, healthy, secretOf} from '../support/healthy-facts.js';
import type {CredentialVerdict} from '../../source/core/ports.js';
import {meshPlan, numberedNetworks} from '../support/plans.js';

const multiNetwork: MeshPlanInput = meshPlan({network: numberedNetworks});
const primaryRemote: MeshPlanInput = {
	topology: 'primary-remote',
	meshId: 'mesh1',
	revision: 'canary',
	clusters: [
		{context: 'ctx-east', name: 'east', network: 'network1', role: 'primary'},
		{context: 'ctx-west', name: 'west', network: 'network1', role: 'remote'},
	],
};
const prmn: MeshPlanInput = {
	...primaryRemote,
	topology: 'primary-remote-multi-network',
	clusters: [primaryRemote.clusters[0]!, {...primaryRemote.clusters[1]!, network: 'network2'}],
};

function find(results: CheckResult[], id: string, cluster?: string): CheckResult {
	const r = results.find(x => x.id === id && x.cluster === cluster);
	assert.ok(r, `no result ${id} for ${cluster ?? 'mesh'}: ${results.map(x => `${x.id}@${x.cluster ?? 'mesh'}`).join(' ')}`);
	return r;
}

/** Run with one cluster's facts changed; return that check's result (resultCluster null: the mesh-wide result). */
function withFault(
	plan: MeshPlanInput,
	phase: CheckPhase,
	cluster: string,
	change: (f: ClusterFacts) => void,
	id: string,
	resultCluster: string | null = cluster,
): CheckResult {
	const facts = allHealthy(plan);
	change(facts[cluster]!);
	return find(runChecks(plan, facts, phase), id, resultCluster ?? undefined);
}

for (const plan of [multiNetwork, primaryRemote, prmn]) {
	for (const phase of ['preflight', 'post-install'] as const) {
		test(`${plan.topology} ${phase}: healthy clusters pass every check`, () => {
			const results = runChecks(plan, allHealthy(plan), phase);
			assert.ok(results.length > 0);
			const notPassing = results.filter(r => r.status !== 'pass');
			assert.deepEqual(notPassing, []);
		});
	}
}

test('every check has an id, a claim, a hint and an istio.io doc; ids are unique', () => {
	const ids = new Set<string>();
	for (const c of CHECKS) {
		assert.ok(!ids.has(c.id), c.id);
		ids.add(c.id);
		const doc = typeof c.doc === 'function' ? c.doc(multiNetwork) : c.doc;
		assert.match(doc, /^https:\/\/istio\.io\//);
	}
	// A failing check carries its hint and doc; claims are sentences naming the plan's values.
	const r = withFault(multiNetwork, 'post-install', 'west', f => (f.namespace!.labels['topology.istio.io/network'] = 'network9'), 'namespace-network');
	assert.equal(r.status, 'fail');
	assert.equal(r.claim, 'istio-system carries network label network2');
	assert.match(r.hint!, /kubectl --context ctx-west label namespace istio-system topology.istio.io\/network=network2 --overwrite/);
	assert.match(r.doc!, /multi-primary_multi-network/);
});

test('checksFor filters by topology and phase', () => {
	const pre = checksFor('multi-network', 'preflight').map(c => c.id);
	assert.ok(pre.includes('network-label'));
	assert.ok(!pre.includes('istiod-external'));
	assert.ok(!pre.includes('gateway-rolled-out'));
	assert.ok(checksFor('primary-remote', 'preflight').some(c => c.id === 'istiod-external'));
	assert.ok(!checksFor('primary-remote', 'post-install').some(c => c.id === 'services-exposed'));
});

test('P1 reachable: unreachable fails with the error and skips the rest of that cluster; old Kubernetes warns', () => {
	const facts = allHealthy(multiNetwork);
	facts.west = {context: 'ctx-west', reachable: false, error: 'connect ECONNREFUSED 127.0.0.1:6443'};
	const results = runChecks(multiNetwork, facts, 'preflight');
	const reach = find(results, 'cluster-reachable', 'west');
	assert.equal(reach.status, 'fail');
	assert.match(reach.reason!, /ECONNREFUSED/);
	assert.match(reach.hint!, /kubectl --context ctx-west version/);
	assert.equal(find(results, 'permissions', 'west').status, 'skip');
	assert.equal(find(results, 'permissions', 'west').reason, 'the cluster is unreachable');
	assert.equal(find(results, 'permissions', 'east').status, 'pass');
	assert.equal(find(results, 'shared-root-ca').status, 'skip', 'one reachable cluster cannot be compared');
	const old = withFault(multiNetwork, 'preflight', 'east', f => (f.serverVersion = 'v1.29.3-eks-1'), 'cluster-reachable');
	assert.equal(old.status, 'warn');
	assert.match(old.reason!, /older than 1.32/);
	assert.deepEqual(kubernetesMinor('v1.35.4-gke.100'), {major: 1, minor: 35});
	assert.equal(kubernetesMinor('garbage'), undefined);
});

test('missing facts skip (never pass)', () => {
	const results = runChecks(multiNetwork, {east: healthy(multiNetwork, multiNetwork.clusters[0]!)}, 'preflight');
	for (const r of results.filter(x => x.cluster === 'west')) assert.equal(r.status, 'skip', r.id);
	const r = withFault(multiNetwork, 'preflight', 'east', f => delete f.permissions, 'permissions');
	assert.equal(r.status, 'skip');
});

test('P2 permissions: a denied review fails naming the permission', () => {
	const r = withFault(
		multiNetwork,
		'preflight',
		'east',
		f => {
			f.permissions = f.permissions!.map(p => (p.resource === 'deployments' ? {...p, allowed: false} : p));
		},
		'permissions',
	);
	assert.equal(r.status, 'fail');
	assert.equal(r.reason, 'not allowed to create deployments.apps in istio-system');
	// A review that was never asked counts as not allowed.
	const r2 = withFault(multiNetwork, 'preflight', 'east', f => (f.permissions = f.permissions!.filter(p => p.resource !== 'gateways')), 'permissions');
	assert.match(r2.reason!, /create gateways.networking.istio.io/);
	// Remotes in primary-remote need no gateway or expose permissions.
	const remote = requiredPermissions(primaryRemote.clusters[1]!, primaryRemote);
	assert.deepEqual(
		remote.map(p => p.resource),
		['secrets'],
	);
	assert.ok(requiredPermissions(primaryRemote.clusters[0]!, primaryRemote).some(p => p.resource === 'virtualservices'));
});

test('P4 network label: absent or equal passes, different fails', () => {
	assert.equal(withFault(multiNetwork, 'preflight', 'east', f => (f.namespace!.labels = {}), 'network-label').status, 'pass');
	assert.equal(
		withFault(multiNetwork, 'preflight', 'east', f => (f.namespace = {present: false, labels: {}, annotations: {}}), 'network-label').status,
		'pass',
	);
	const r = withFault(multiNetwork, 'preflight', 'east', f => (f.namespace!.labels['topology.istio.io/network'] = 'network2'), 'network-label');
	assert.equal(r.status, 'fail');
	assert.equal(r.reason, 'istio-system is labeled topology.istio.io/network=network2, the plan says network1');
	assert.match(r.hint!, /--force to relabel/);
	const single = withFault(primaryRemote, 'preflight', 'west', f => (f.namespace!.labels['topology.istio.io/network'] = 'network9'), 'network-label');
	assert.equal(single.status, 'fail');
	assert.match(single.hint!, /does not relabel in primary-remote.*kubectl --context ctx-west label namespace istio-system/);
});

test('P5 remote annotation names the primary or *; not set yet is fine (apply sets it), another primary warns', () => {
	assert.equal(
		withFault(
			primaryRemote,
			'preflight',
			'west',
			f => (f.namespace!.annotations = {'topology.istio.io/controlPlaneClusters': '*'}),
			'remote-control-plane-annotation',
		).status,
		'pass',
	);
	const missing = withFault(primaryRemote, 'preflight', 'west', f => (f.namespace!.annotations = {}), 'remote-control-plane-annotation');
	assert.equal(missing.status, 'pass');
	assert.match(missing.reason!, /not set yet: apply sets it/);
	const other = withFault(
		primaryRemote,
		'preflight',
		'west',
		f => (f.namespace!.annotations = {'topology.istio.io/controlPlaneClusters': 'north'}),
		'remote-control-plane-annotation',
	);
	assert.equal(other.status, 'warn');
	assert.match(other.hint!, /--force hands it to east/);
	assert.ok(!runChecks(primaryRemote, allHealthy(primaryRemote), 'preflight').some(r => r.id === 'remote-control-plane-annotation' && r.cluster === 'east'));
});

test('P6 a remote running its own istiod fails (blocking): eastwest never installs the remote profile over a control plane', () => {
	const r = withFault(primaryRemote, 'preflight', 'west', f => (f.istiod = [{name: 'istiod', ready: true}]), 'remote-no-local-istiod');
	assert.equal(r.level, 'fail');
	assert.equal(r.status, 'fail');
	assert.equal(r.reason, 'it runs its own control plane (Deployment istiod)');
	assert.match(r.hint!, /make west a primary in the plan, or uninstall its istiod/);
	assert.equal(
		withFault(primaryRemote, 'post-install', 'west', f => (f.istiod = [{name: 'istiod-canary', ready: true}]), 'remote-no-local-istiod').status,
		'fail',
	);
});

test('P7 istiod on the primary: present for the revision, CLUSTER_ID, EXTERNAL_ISTIOD, injector values', () => {
	const absent = withFault(primaryRemote, 'preflight', 'east', f => (f.istiod = [{name: 'istiod', ready: true, clusterId: 'east'}]), 'istiod-present');
	assert.equal(absent.status, 'fail');
	assert.equal(absent.reason, 'no istiod-canary Deployment in istio-system; found istiod (default)');
	assert.equal(withFault(primaryRemote, 'preflight', 'east', f => (f.istiod![0]!.ready = false), 'istiod-present').status, 'warn');
	const defaultId = withFault(primaryRemote, 'preflight', 'east', f => (f.istiod![0]!.clusterId = 'Kubernetes'), 'istiod-cluster-id');
	assert.equal(defaultId.status, 'fail');
	assert.match(defaultId.reason!, /Kubernetes.*breaks multicluster/);
	assert.equal(
		withFault(primaryRemote, 'preflight', 'east', f => (f.istiod![0]!.clusterId = 'other'), 'istiod-cluster-id').reason,
		'CLUSTER_ID is other, the plan says east',
	);
	assert.equal(withFault(primaryRemote, 'preflight', 'east', f => (f.istiod![0]!.externalIstiod = false), 'istiod-external').status, 'fail');
	assert.ok(!runChecks(multiNetwork, allHealthy(multiNetwork), 'preflight').some(r => r.id === 'istiod-external'));
	const values = withFault(
		primaryRemote,
		'preflight',
		'east',
		f => (f.injectors = [{revision: 'canary', meshId: 'mesh2', network: '', clusterName: 'east'}]),
		'injector-values',
	);
	assert.equal(values.status, 'fail');
	assert.equal(values.reason, 'meshID is mesh2, network is unset');
	assert.equal(withFault(primaryRemote, 'preflight', 'east', f => (f.injectors = []), 'injector-values').status, 'skip');
});

test('P3 cacerts: all four keys; self-signed CA warns; differing roots fail across the mesh', () => {
	const selfSigned = withFault(
		multiNetwork,
		'preflight',
		'east',
		f => {
			f.cacerts = {present: false, keys: []};
			f.istioCaSecret = true;
		},
		'plugged-in-ca',
	);
	assert.equal(selfSigned.status, 'warn');
	assert.match(selfSigned.reason!, /self-signed CA \(istio-ca-secret\)/);
	const partial = withFault(multiNetwork, 'preflight', 'east', f => (f.cacerts!.keys = ['ca-cert.pem', 'root-cert.pem']), 'plugged-in-ca');
	assert.equal(partial.status, 'fail');
	assert.equal(partial.reason, 'cacerts lacks ca-key.pem, cert-chain.pem');
	const differ = withFault(
		multiNetwork,
		'preflight',
		'west',
		f => {
			f.cacerts!.rootCertSha256 = OTHER_ROOT;
			f.caBundle!.rootFingerprint = ROOT_FINGERPRINT.replace(/AB/g, 'CD');
		},
		'shared-root-ca',
		null,
	);
	assert.equal(differ.status, 'fail');
	assert.equal(differ.reason, 'the root certificate differs: east sha256 AB:AB:AB:AB:AB:AB:AB:AB… vs west sha256 CD:CD:CD:CD:CD:CD:CD:CD…');
	// Where the certificates were not parsed, the PEM's hash stands in.
	const east = healthy(multiNetwork, multiNetwork.clusters[0]!);
	const west = healthy(multiNetwork, multiNetwork.clusters[1]!);
	delete east.caBundle;
	delete west.caBundle;
	west.cacerts!.rootCertSha256 = OTHER_ROOT;
	const byText = runChecks(multiNetwork, {east, west}, 'preflight').find(r => r.id === 'shared-root-ca')!;
	assert.equal(byText.reason, 'the root certificate differs: east sha256 aaaaaaaaaaaa… vs west sha256 bbbbbbbbbbbb…');
	assert.match(differ.hint!, /one root CA/);
});

test('P8 LoadBalancer heuristic warns when no LoadBalancer Service has an address', () => {
	assert.equal(withFault(multiNetwork, 'preflight', 'east', f => (f.loadBalancer = {services: 2, withAddress: 0}), 'load-balancer-support').status, 'warn');
	const none = withFault(multiNetwork, 'preflight', 'east', f => (f.loadBalancer = {services: 0, withAddress: 0}), 'load-balancer-support');
	assert.equal(none.level, 'info');
	assert.equal(none.status, 'warn');
	assert.match(none.hint!, /MetalLB/);
	// The same-network remote of primary-remote gets no gateway, so no LB check.
	assert.ok(!runChecks(primaryRemote, allHealthy(primaryRemote), 'preflight').some(r => r.id === 'load-balancer-support' && r.cluster === 'west'));
});

test('P9 API server host: loopback warns where other clusters must reach it', () => {
	const r = withFault(primaryRemote, 'preflight', 'west', f => (f.apiServerHost = '127.0.0.1'), 'api-server-address');
	assert.equal(r.status, 'warn');
	assert.match(r.hint!, /pass --api-server ctx-west=https:\/\/HOST:PORT/);
	// A loopback kubeconfig (kind) whose cluster advertises a node address: that is the suggestion.
	const kind = withFault(
		primaryRemote,
		'preflight',
		'west',
		f => {
			f.apiServerHost = '127.0.0.1';
			f.advertisedApiServer = 'https://172.18.0.2:6443';
		},
		'api-server-address',
	);
	assert.equal(kind.status, 'warn');
	assert.match(kind.reason!, /loopback address no other cluster can use; the cluster advertises https:\/\/172\.18\.0\.2:6443$/);
	assert.match(kind.hint!, /pass --api-server ctx-west=https:\/\/172\.18\.0\.2:6443$/);
	// An advertised loopback address is no suggestion.
	const lo = withFault(
		primaryRemote,
		'preflight',
		'west',
		f => {
			f.apiServerHost = '127.0.0.1';
			f.advertisedApiServer = 'https://127.0.0.1:6443';
		},
		'api-server-address',
	);
	assert.doesNotMatch(lo.hint!, /127\.0\.0\.1/);
	// The plan's override is what is judged, not the kubeconfig.
	const overridden = {...primaryRemote, clusters: [primaryRemote.clusters[0]!, {...primaryRemote.clusters[1]!, apiServer: 'https://10.1.2.3:6443'}]};
	const ok = withFault(overridden, 'preflight', 'west', f => (f.apiServerHost = '127.0.0.1'), 'api-server-address');
	assert.equal(ok.status, 'pass');
	assert.equal(ok.reason, 'https://10.1.2.3:6443 (--api-server)');
	// The primary's own API server is not read by another cluster in primary-remote.
	assert.ok(!runChecks(primaryRemote, allHealthy(primaryRemote), 'preflight').some(r => r.id === 'api-server-address' && r.cluster === 'east'));
	assert.equal(withFault(multiNetwork, 'preflight', 'east', f => (f.apiServerHost = 'localhost'), 'api-server-address').status, 'warn');
});

test('P10 plan-valid and distinct networks come from the plan', () => {
	const bad = {...multiNetwork, clusters: [multiNetwork.clusters[0]!, {...multiNetwork.clusters[1]!, name: 'West_2', network: 'network1'}]};
	const results = runChecks(bad, {}, 'preflight');
	const valid = find(results, 'plan-valid');
	assert.equal(valid.status, 'fail');
	assert.match(valid.reason!, /West_2" is not a DNS-1123 label/);
	assert.equal(find(results, 'distinct-networks').status, 'fail');
	assert.equal(find(results, 'distinct-networks').reason, 'all clusters are on network1');
	const sameAsPrimary = {...prmn, clusters: [prmn.clusters[0]!, {...prmn.clusters[1]!, network: 'network1'}]};
	assert.equal(find(runChecks(sameAsPrimary, {}, 'preflight'), 'distinct-networks').reason, 'west shares network network1 with the primary');
	assert.ok(!runChecks(primaryRemote, {}, 'preflight').some(r => r.id === 'distinct-networks'));
});

test('P11 trust domains must match', () => {
	const r = withFault(multiNetwork, 'preflight', 'west', f => (f.trustDomain = 'west.example'), 'trust-domain', null);
	assert.equal(r.status, 'warn');
	assert.equal(r.reason, 'the trust domain differs: east cluster.local vs west west.example');
});

test('A1 gateway rolled out: absent or not ready fails with the pod problem', () => {
	assert.equal(
		withFault(multiNetwork, 'post-install', 'east', f => (f.gateway!.deployment = null), 'gateway-rolled-out').reason,
		'the Deployment does not exist',
	);
	const r = withFault(
		multiNetwork,
		'post-install',
		'east',
		f => {
			f.gateway!.deployment!.status = {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0};
			f.gateway!.pods = [
				{
					metadata: {name: 'gw-1'},
					spec: {containers: [{name: 'istio-proxy', image: 'auto'}]},
					status: {containerStatuses: [{name: 'istio-proxy', image: 'auto', state: {waiting: {reason: 'ImagePullBackOff'}}}]},
				},
			];
		},
		'gateway-rolled-out',
	);
	assert.equal(r.status, 'fail');
	assert.match(r.reason!, /0 of 1 updated replicas are available; gw-1: ImagePullBackOff: .*image "auto"/);
});

test('A2 gateway labels and network view env as rendered', () => {
	const r = withFault(
		primaryRemote,
		'post-install',
		'east',
		f => {
			delete f.gateway!.deployment!.spec!.template!.metadata!.labels!['istio.io/rev'];
			f.gateway!.deployment!.spec!.template!.spec!.containers = [{name: 'istio-proxy', env: []}];
		},
		'gateway-labels',
	);
	assert.equal(r.status, 'fail');
	assert.equal(r.reason, 'label istio.io/rev is missing (want canary); ISTIO_META_REQUESTED_NETWORK_VIEW is missing (want network1)');
});

test('A3 gateway Service: type, ports, network label', () => {
	const ports = withFault(
		multiNetwork,
		'post-install',
		'east',
		f => (f.gateway!.service!.spec!.ports = f.gateway!.service!.spec!.ports!.filter(p => p.port !== 15443)),
		'gateway-service',
	);
	assert.equal(ports.status, 'fail');
	assert.equal(ports.reason, 'ports missing: tls 15443');
	const label = withFault(multiNetwork, 'post-install', 'east', f => (f.gateway!.service!.metadata!.labels = {}), 'gateway-service');
	assert.equal(label.reason, 'label topology.istio.io/network is missing');
	assert.equal(withFault(multiNetwork, 'post-install', 'east', f => (f.gateway!.service!.spec!.type = 'ClusterIP'), 'gateway-service').status, 'fail');
	assert.equal(
		withFault(
			multiNetwork,
			'post-install',
			'east',
			f => (f.gateway!.service!.spec = {...f.gateway!.service!.spec, type: 'NodePort', externalIPs: ['192.0.2.1']}),
			'gateway-service',
		).status,
		'warn',
	);
	assert.equal(withFault(multiNetwork, 'post-install', 'east', f => (f.gateway!.service = null), 'gateway-service').reason, 'the Service does not exist');
});

test('A4 external address: pending fails with the controller hint; a hostname warns', () => {
	const pending = withFault(multiNetwork, 'post-install', 'east', f => (f.gateway!.service!.status = {}), 'gateway-address');
	assert.equal(pending.status, 'fail');
	assert.match(pending.hint!, /MetalLB/);
	const host = withFault(
		multiNetwork,
		'post-install',
		'east',
		f => (f.gateway!.service!.status = {loadBalancer: {ingress: [{hostname: 'gw.elb.example'}]}}),
		'gateway-address',
	);
	assert.equal(host.status, 'warn');
	assert.equal(host.reason, 'the address is a hostname, gw.elb.example');
});

test('A5 istiod exposed on the primary of primary-remote', () => {
	const r = withFault(primaryRemote, 'post-install', 'east', f => (f.expose!.istiodVirtualService = null), 'istiod-exposed');
	assert.equal(r.status, 'fail');
	assert.equal(r.reason, 'VirtualService istiod-vs-canary is missing');
	const servers = withFault(
		primaryRemote,
		'post-install',
		'east',
		f => {
			const gw = structuredClone(f.expose!.istiodGateway!) as any;
			gw.spec.servers = gw.spec.servers.slice(0, 1);
			f.expose!.istiodGateway = gw;
		},
		'istiod-exposed',
	);
	assert.equal(servers.reason, 'no PASSTHROUGH server on 15017');
	assert.ok(!runChecks(multiNetwork, allHealthy(multiNetwork), 'post-install').some(r => r.id === 'istiod-exposed'));
});

test('A6 services exposed on multi-network primaries only', () => {
	const r = withFault(multiNetwork, 'post-install', 'west', f => (f.expose!.crossNetworkGateway = null), 'services-exposed');
	assert.equal(r.status, 'fail');
	const wrongMode = withFault(
		multiNetwork,
		'post-install',
		'west',
		f => {
			const gw = structuredClone(f.expose!.crossNetworkGateway!) as any;
			gw.spec.servers[0].tls.mode = 'PASSTHROUGH';
			f.expose!.crossNetworkGateway = gw;
		},
		'services-exposed',
	);
	assert.equal(wrongMode.status, 'fail');
	const results = runChecks(prmn, allHealthy(prmn), 'post-install');
	assert.ok(results.some(r => r.id === 'services-exposed' && r.cluster === 'east'));
	assert.ok(!results.some(r => r.id === 'services-exposed' && r.cluster === 'west'));
});

test('A10 root cert converged: different fails, absent on a cluster warns', () => {
	const differ = withFault(multiNetwork, 'post-install', 'west', f => (f.caRootCertSha256 = OTHER_ROOT), 'root-cert-converged', null);
	assert.equal(differ.status, 'fail');
	const absent = withFault(prmn, 'post-install', 'west', f => (f.caRootCertSha256 = null), 'root-cert-converged', null);
	assert.equal(absent.status, 'warn');
	assert.equal(absent.reason, 'istio-ca-root-cert is not in west yet');
});

test('A11 namespace network label after install', () => {
	assert.equal(
		withFault(multiNetwork, 'post-install', 'east', f => (f.namespace = {present: false, labels: {}, annotations: {}}), 'namespace-network').status,
		'fail',
	);
});

test('results come per cluster in plan order, then the mesh checks; summarize counts them', () => {
	const facts = allHealthy(multiNetwork);
	facts.west!.gateway!.service!.status = {};
	const results = runChecks(multiNetwork, facts, 'post-install');
	const groups = results.map(r => r.cluster ?? 'mesh');
	assert.deepEqual([...new Set(groups)], ['east', 'west', 'mesh']);
	const s = summarize(results);
	assert.equal(s.fail, 1);
	assert.equal(s.pass + s.fail + s.warn + s.skip, results.length);
});

test('remote secrets: one per peer, labelled, annotated and keyed by the cluster name; a misnamed one is pointed out', () => {
	// multi-network: each primary reads the other; primary-remote: only the primary reads (the remote).
	assert.ok(find(runChecks(multiNetwork, allHealthy(multiNetwork), 'post-install'), 'remote-secrets', 'west'));
	assert.ok(!runChecks(primaryRemote, allHealthy(primaryRemote), 'post-install').some(r => r.id.startsWith('remote-secret') && r.cluster === 'west'));
	const claim = find(runChecks(primaryRemote, allHealthy(primaryRemote), 'post-install'), 'remote-secrets', 'east').claim;
	assert.match(claim, /remote secret for west, labelled istio\/multiCluster=true/);

	const missing = withFault(
		primaryRemote,
		'post-install',
		'east',
		f => {
			f.remoteSecrets = {listed: [], byPeer: {west: {secret: null}}};
		},
		'remote-secrets',
	);
	assert.equal(missing.status, 'fail');
	assert.equal(missing.reason, 'no Secret istio-remote-secret-west for west');
	assert.match(missing.hint!, /istioctl create-remote-secret --context ctx-west --name west \| kubectl --context ctx-east apply -f -/);

	// Made with --name cluster2 instead of west: the #1 authentication error.
	const wrong = {...secretOf(primaryRemote.clusters[1]!), name: 'istio-remote-secret-cluster2', clusterAnnotation: 'cluster2'};
	wrong.entries = [{...wrong.entries[0]!, cluster: 'cluster2'}];
	const misnamed = withFault(
		primaryRemote,
		'post-install',
		'east',
		f => {
			f.remoteSecrets = {listed: [wrong], byPeer: {west: {secret: null}}};
		},
		'remote-secrets',
	);
	assert.equal(
		misnamed.reason,
		"no Secret istio-remote-secret-west; istio-remote-secret-cluster2 opens https://west.example.internal:6443 under key cluster2, but istiod knows that cluster as west: the key must equal the peer's cluster name",
	);

	const unlabelled = withFault(
		primaryRemote,
		'post-install',
		'east',
		f => {
			const s = {...secretOf(primaryRemote.clusters[1]!), multiClusterLabel: false};
			delete (s as {clusterAnnotation?: string}).clusterAnnotation;
			f.remoteSecrets = {listed: [], byPeer: {west: {secret: s}}};
		},
		'remote-secrets',
	);
	assert.equal(
		unlabelled.reason,
		'istio-remote-secret-west: it is not labelled istio/multiCluster=true, so istiod ignores it; annotation networking.istio.io/cluster is missing (want west)',
	);

	// Another server than the plan's --api-server.
	const moved = {...multiNetwork, clusters: [multiNetwork.clusters[0]!, {...multiNetwork.clusters[1]!, apiServer: 'https://10.9.9.9:6443'}]};
	const stale = withFault(moved, 'post-install', 'east', () => {}, 'remote-secrets');
	assert.equal(stale.reason, 'istio-remote-secret-west: it points at https://west.example.internal:6443 (want https://10.9.9.9:6443)');
	assert.equal(withFault(primaryRemote, 'post-install', 'east', f => delete f.remoteSecrets, 'remote-secrets').status, 'skip');
});

test('remote secret credentials: 401/403/invalid fail, unreachable warns that istiod may still reach it', () => {
	const verdict = (kind: CredentialVerdict['kind'], message: string, hint?: string) =>
		withFault(
			primaryRemote,
			'post-install',
			'east',
			f => (f.remoteSecrets!.byPeer.west!.credentials = {kind, message, ...(hint ? {hint} : {})}),
			'remote-secret-credentials',
		);
	for (const kind of ['unauthorized', 'forbidden', 'invalid'] as const) {
		const r = verdict(kind, `the token is refused (${kind})`, 'run eastwest apply again to refresh it');
		assert.equal(r.status, 'fail', kind);
		assert.equal(r.reason, `the token is refused (${kind})`);
		assert.equal(r.hint, 'run eastwest apply again to refresh it');
	}
	for (const kind of ['unreachable', 'timeout'] as const) {
		const r = verdict(kind, 'cannot reach https://west.example.internal:6443');
		assert.equal(r.status, 'warn', kind);
		assert.match(r.reason!, /cannot reach .*: this machine cannot tell, istiod inside the cluster may still reach it$/);
	}
	const none = withFault(primaryRemote, 'post-install', 'east', f => (f.remoteSecrets!.byPeer.west = {secret: null}), 'remote-secret-credentials');
	assert.equal(none.status, 'skip');
});

test("a remote: controlPlaneClusters, istiod endpoints at the primary's gateway on 15012/15017, injector path and caBundle", () => {
	const annotation = withFault(prmn, 'post-install', 'west', f => (f.remote!.controlPlaneClusters = 'north'), 'remote-controlled-by-primary');
	assert.equal(annotation.status, 'fail');
	assert.equal(annotation.reason, 'istio-system is annotated topology.istio.io/controlPlaneClusters=north, which does not name east');

	const elsewhere = withFault(
		prmn,
		'post-install',
		'west',
		f => (f.remote!.endpoints = {addresses: ['192.0.2.99'], ports: [15012, 15017]}),
		'remote-istiod-endpoints',
	);
	assert.equal(elsewhere.status, 'fail');
	assert.equal(elsewhere.reason, "EndpointSlice istiod-canary points at 192.0.2.99 (want 192.0.2.10, the primary's gateway)");
	const port = withFault(prmn, 'post-install', 'west', f => (f.remote!.endpoints = {addresses: ['192.0.2.10'], ports: [15012]}), 'remote-istiod-endpoints');
	assert.equal(port.reason, 'EndpointSlice istiod-canary has ports 15012 (want 15012 and 15017)');
	const noService = withFault(prmn, 'post-install', 'west', f => delete f.remote!.service, 'remote-istiod-endpoints');
	assert.match(noService.reason!, /Service istio-system\/istiod-canary does not exist/);
	// The primary's address comes from the primary's facts; without them the endpoints are not compared.
	const facts = allHealthy(prmn);
	delete facts.east!.gateway;
	assert.equal(find(runChecks(prmn, facts, 'post-install'), 'remote-istiod-endpoints', 'west').status, 'skip');

	const path = withFault(prmn, 'post-install', 'west', f => (f.remote!.webhook = {paths: ['/inject'], caBundle: true}), 'remote-injector-webhook');
	assert.equal(path.status, 'fail');
	assert.equal(path.reason, 'the injector webhook path is /inject (want /inject/cluster/west/net/network2)');
	const ca = withFault(
		prmn,
		'post-install',
		'west',
		f => (f.remote!.webhook = {paths: ['/inject/cluster/west/net/network2'], caBundle: false}),
		'remote-injector-webhook',
	);
	assert.equal(ca.status, 'warn');
	assert.match(ca.hint!, /x509: certificate signed by unknown authority/);
	// None of these concern a primary (its remote secrets do).
	const onPrimary = runChecks(prmn, allHealthy(prmn), 'post-install')
		.filter(r => r.id.startsWith('remote-') && r.cluster === 'east')
		.map(r => r.id);
	assert.deepEqual(onPrimary, ['remote-secrets', 'remote-secret-credentials', 'remote-secret-loopback']);
});

test('a failed check is resolved by the run only when apply has every flag its declaration names, and the plan allows it', () => {
	const relabel = withFault(multiNetwork, 'preflight', 'east', f => (f.namespace!.labels['topology.istio.io/network'] = 'old'), 'network-label');
	assert.equal(relabel.status, 'fail');
	assert.equal(resolvedBy(relabel, multiNetwork, ['--force']), '--force: the run relabels istio-system with the planned network');
	assert.equal(resolvedBy(relabel, multiNetwork, []), undefined);
	const sameNetwork = withFault(primaryRemote, 'preflight', 'east', f => (f.namespace!.labels['topology.istio.io/network'] = 'old'), 'network-label');
	assert.equal(resolvedBy(sameNetwork, primaryRemote, ['--force']), undefined, 'primary-remote never relabels');

	const withCa = {...multiNetwork, caDir: 'root'};
	const root = withFault(withCa, 'preflight', 'east', f => (f.caBundle!.rootFingerprint = OTHER_ROOT), 'shared-root-ca', null);
	assert.equal(root.status, 'fail');
	assert.equal(resolvedBy(root, withCa, ['--force', '--ca']), '--ca --force: the run replaces cacerts with an intermediate of the root in root');
	assert.equal(resolvedBy(root, withCa, ['--ca']), undefined, '--ca alone keeps an existing cacerts');
	assert.equal(resolvedBy(root, multiNetwork, ['--force']), undefined, '--force without a root has nothing to plug in');

	const resolvable = CHECKS.filter(c => c.resolvedBy).map(c => `${c.id} ${c.resolvedBy!.flags.join(' ')}`);
	assert.deepEqual(resolvable, [
		'network-label --force',
		'plugged-in-ca --ca --force',
		'shared-root-ca --ca --force',
		'cacerts-chain --ca --force',
		'cacerts-key --ca --force',
		'cacerts-expiry --ca --force',
	]);
	const unreachable = withFault(multiNetwork, 'preflight', 'east', f => (f.reachable = false), 'cluster-reachable');
	assert.equal(resolvedBy(unreachable, withCa, ['--force', '--ca']), undefined, 'a check that names no flag is never resolved');
});

test("hints speak in the front-end's voice: the wizard's names its screens where the command line's names a flag", () => {
	const loopback = (f: ClusterFacts) => (f.apiServerHost = '127.0.0.1');
	const facts = allHealthy(multiNetwork);
	loopback(facts.west!);
	const cli = find(runChecks(multiNetwork, facts, 'preflight'), 'api-server-address', 'west');
	const wizard = find(runChecks(multiNetwork, facts, 'preflight', 'wizard'), 'api-server-address', 'west');
	assert.equal(cli.status, 'warn');
	assert.match(cli.hint!, /pass --api-server ctx-west=https:\/\/HOST:PORT/);
	assert.equal(
		wizard.hint,
		"istiod in another cluster must reach this API server: set west's API server on the IDs screen to https://HOST:PORT, an address it can reach",
	);
	assert.deepEqual({...wizard, hint: cli.hint}, cli, 'only the hint differs');

	// Every hint that names one of apply's flags has a wizard voice, which sends the user to a screen, or says
	// plainly that the wizard does not do it and gives the command line to run instead.
	const flag = /--(?:api-server|force|ca|out|restart-istiod)\b/;
	const plans = [multiNetwork, primaryRemote, prmn].map(p => ({...p, caDir: 'root'}));
	const needing: string[] = [];
	for (const plan of plans) {
		const healthyFacts = allHealthy(plan);
		const factsOf = (name: string) => healthyFacts[name];
		for (const c of CHECKS) {
			if (!c.topologies.includes(plan.topology)) continue;
			const hints =
				c.scope === 'cluster'
					? plan.clusters
							.map(cluster => ({plan, cluster, facts: healthyFacts[cluster.name], factsOf}))
							.map(i => ({cli: typeof c.hint === 'function' ? c.hint(i) : c.hint, wizard: c.wizardHint?.(i)}))
					: [{plan, facts: plan.clusters.map(cluster => ({cluster, facts: healthyFacts[cluster.name]}))}].map(i => ({
							cli: typeof c.hint === 'function' ? c.hint(i) : c.hint,
							wizard: c.wizardHint?.(i),
						}));
			for (const h of hints) {
				if (!flag.test(h.cli)) continue;
				needing.push(c.id);
				assert.ok(h.wizard, `${c.id} names a flag (${h.cli}) and has no wizard voice`);
				const [before, after] = h.wizard.split('from the command line');
				assert.doesNotMatch(before!, flag, `${c.id}: ${h.wizard}`);
				assert.ok(after === undefined || /eastwest apply/.test(after), `${c.id}: ${h.wizard}`);
				assert.match(h.wizard, /IDs screen|Trust screen|from the command line|wizard/, `${c.id}: ${h.wizard}`);
			}
		}
	}
	assert.deepEqual([...new Set(needing)].sort(), [
		'api-server-address',
		'cacerts-chain',
		'cacerts-expiry',
		'cacerts-key',
		'network-label',
		'plugged-in-ca',
		'remote-control-plane-annotation',
		'remote-secret-credentials',
		'root-cert-converged',
	]);
});
