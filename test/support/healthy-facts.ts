/** Facts of clusters where everything is as the plan wants: the checks catalogue passes them all. */
import {requiredPermissions, type ClusterFacts} from '../../source/core/checks/index.js';
import {renderExposeIstiod, renderExposeServices} from '../../source/core/manifests.js';
import {TOPOLOGY_INFO, type ClusterSpec, type MeshPlanInput} from '../../source/core/model.js';
import {readPeers, remoteObserved, remoteSecretName} from '../../source/core/remote.js';
import type {IstiodView} from '../../source/core/istiod-view.js';
import type {IstiodDebugAnswer} from '../../source/core/ports.js';

export const ROOT = 'a'.repeat(64);
export const OTHER_ROOT = 'b'.repeat(64);
/** The shared root's certificate fingerprint, as the collector reports it. */
export const ROOT_FINGERPRINT = Array.from({length: 32}, () => 'AB').join(':');

/** Facts of a cluster where everything is as the plan wants. */
export function healthy(plan: MeshPlanInput, c: ClusterSpec): ClusterFacts {
	const revision = plan.revision;
	const primary = plan.clusters.find(x => x.role === 'primary')!;
	const expose = {
		istiodGateway: renderExposeIstiod({revision})[0] as unknown as Record<string, unknown>,
		istiodVirtualService: renderExposeIstiod({revision})[1] as unknown as Record<string, unknown>,
		crossNetworkGateway: renderExposeServices()[0] as unknown as Record<string, unknown>,
	};
	return {
		context: c.context,
		reachable: true,
		serverVersion: 'v1.35.4',
		permissions: requiredPermissions(c, plan).map(p => ({...p, allowed: true})),
		namespace: {
			present: true,
			labels: {'topology.istio.io/network': c.network},
			annotations: c.role === 'remote' ? {'topology.istio.io/controlPlaneClusters': primary.name} : {},
		},
		istiod:
			c.role === 'primary'
				? [{name: revision ? `istiod-${revision}` : 'istiod', revision, clusterId: c.name, externalIstiod: plan.topology !== 'multi-network', ready: true}]
				: [],
		istiodVersions:
			c.role === 'primary' ? [{name: revision ? `istiod-${revision}` : 'istiod', ...(revision ? {revision} : {}), version: '1.31.0', ready: true}] : [],
		injectors: c.role === 'primary' ? [{revision, meshId: plan.meshId, network: c.network, clusterName: c.name}] : [],
		cacerts: {present: true, keys: ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'], rootCertSha256: ROOT},
		caBundle: {
			rootSubject: 'O=Istio, CN=Root CA',
			rootFingerprint: ROOT_FINGERPRINT,
			intermediateSubject: `O=Istio, CN=Intermediate CA, L=${c.name}`,
			intermediateNotAfter: '2028-01-01T00:00:00.000Z',
			chainsToRoot: true,
			keyMatches: true,
			readAt: '2026-01-01T00:00:00.000Z',
		},
		istioCaSecret: false,
		trustDomain: 'cluster.local',
		trustDomainAliases: [],
		readerRbac: structuredClone(READER_RBAC),
		apiServerHost: `${c.name}.example.internal`,
		apiServer: serverOf(c),
		remoteSecrets: {
			listed: readPeers(plan, c).map(secretOf),
			byPeer: Object.fromEntries(
				readPeers(plan, c).map(p => [p.name, {secret: secretOf(p), credentials: {kind: 'ok' as const, message: `may read ${p.name}`}}]),
			),
		},
		...(c.role === 'remote' ? {remote: remoteOf(plan, c)} : {}),
		loadBalancer: {services: 1, withAddress: 1},
		gateway: {
			deployment: {
				metadata: {name: 'istio-eastwestgateway', generation: 1},
				spec: {
					replicas: 1,
					template: {
						metadata: {
							labels: {
								istio: 'eastwestgateway',
								app: 'istio-eastwestgateway',
								'topology.istio.io/network': c.network,
								...(revision ? {'istio.io/rev': revision} : {}),
							},
						},
						spec: {containers: [{name: 'istio-proxy', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: c.network}]}]},
					},
				},
				status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1},
			},
			service: {
				metadata: {name: 'istio-eastwestgateway', labels: {'topology.istio.io/network': c.network}},
				spec: {
					type: 'LoadBalancer',
					ports: [
						{name: 'status-port', port: 15021},
						{name: 'tls', port: 15443},
						{name: 'tls-istiod', port: 15012},
						{name: 'tls-webhook', port: 15017},
					],
				},
				status: {loadBalancer: {ingress: [{ip: c.name === 'east' ? '192.0.2.10' : '192.0.2.20'}]}},
			},
			pods: [],
		},
		expose,
		caRootCertSha256: ROOT,
		...(c.role === 'primary' ? {istiodView: healthyIstiodView(plan, c)} : {}),
	};
}

/** What a primary's istiod reports when the mesh is wired: every other cluster synced, every network's gateway known. */
export function healthyIstiodView(plan: MeshPlanInput, c: ClusterSpec): IstiodView {
	return {
		read: true,
		pod: 'istiod-5d8f7c9b4-x2x2x',
		clusters: [
			{id: c.name, secretName: '', syncStatus: 'synced'},
			...plan.clusters.filter(o => o.name !== c.name).map(o => ({id: o.name, secretName: `istio-system/istio-remote-secret-${o.name}`, syncStatus: 'synced'})),
		],
		gateways: TOPOLOGY_INFO[plan.topology].multiNetwork
			? plan.clusters.map((o, i) => ({network: o.network, cluster: o.name, address: `192.0.2.${10 * (i + 1)}`, port: 15443}))
			: [],
		problems: [],
	};
}

/** The istio-reader role as the 1.29+ charts install it (configmaps included). */
export const READER_RBAC = {
	serviceAccount: 'istio-system/istio-reader-service-account',
	roles: [
		{
			binding: 'ClusterRoleBinding istio-reader-clusterrole-istio-system',
			role: 'ClusterRole istio-reader-clusterrole-istio-system',
			namespaced: false,
			rules: [
				{
					apiGroups: [''],
					resources: ['endpoints', 'pods', 'services', 'nodes', 'namespaces', 'secrets', 'configmaps'],
					verbs: ['get', 'list', 'watch'],
					resourceNames: [],
				},
				{apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'], resourceNames: []},
			],
		},
	],
};

export const serverOf = (c: ClusterSpec) => `https://${c.name}.example.internal:6443`;

/** The remote secret eastwest applies for a peer, as the kube layer describes it. */
export function secretOf(peer: ClusterSpec) {
	return {
		namespace: 'istio-system',
		name: remoteSecretName(peer.name),
		multiClusterLabel: true,
		clusterAnnotation: peer.name,
		entries: [{cluster: peer.name, server: serverOf(peer), auth: 'token' as const, inlineCa: true}],
		managers: ['eastwest'],
	};
}

/** A remote wired to the plan's primary (whose healthy gateway address is 192.0.2.10). */
function remoteOf(plan: MeshPlanInput, c: ClusterSpec) {
	const primary = plan.clusters.find(x => x.role === 'primary')!;
	const svc = plan.revision ? `istiod-${plan.revision}` : 'istiod';
	return remoteObserved({
		namespace: {metadata: {annotations: {'topology.istio.io/controlPlaneClusters': primary.name}}},
		istiods: [],
		service: {
			metadata: {name: svc, labels: {'install.operator.istio.io/owning-resource': 'eastwest-remote'}},
			spec: {ports: [{port: 15012}, {port: 443, targetPort: 15017}]},
		},
		slices: [{endpoints: [{addresses: ['192.0.2.10']}], ports: [{port: 15012}, {port: 15017}]}],
		webhook: {webhooks: [{clientConfig: {caBundle: 'Q0E=', service: {path: `/inject/cluster/${c.name}/net/${c.network}`}}}]},
	});
}

export function allHealthy(plan: MeshPlanInput): Record<string, ClusterFacts> {
	return Object.fromEntries(plan.clusters.map(c => [c.name, healthy(plan, c)]));
}

/** The same view as istiod's debug endpoints serve it (what ClusterClient.readIstiodDebug hands back). */
export function healthyIstiodAnswer(plan: MeshPlanInput, c: ClusterSpec): IstiodDebugAnswer {
	const view = healthyIstiodView(plan, c) as Extract<IstiodView, {read: true}>;
	return {
		pod: view.pod,
		port: 15014,
		responses: [
			{path: '/debug/clusterz', status: 200, body: JSON.stringify(view.clusters)},
			{
				path: '/debug/networkz',
				status: 200,
				body: JSON.stringify(view.gateways.map(g => ({Network: g.network, Cluster: g.cluster, Addr: g.address, Port: g.port, HBONEPort: 0}))),
			},
		],
	};
}
