/** The mesh plan: what the user asks eastwest to set up. Pure data. */

export const TOPOLOGIES = ['primary-remote', 'multi-network', 'primary-remote-multi-network'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** How workloads join the mesh: Istio sidecars, or ambient mode (ztunnel per node, no sidecars). */
export const DATAPLANES = ['sidecar', 'ambient'] as const;
export type Dataplane = (typeof DATAPLANES)[number];

export function isDataplane(value: string): value is Dataplane {
	return (DATAPLANES as readonly string[]).includes(value);
}

export const ROLES = ['primary', 'remote'] as const;
export type Role = (typeof ROLES)[number];

export interface ClusterSpec {
	/** kubeconfig context name: the only way eastwest refers to credentials. */
	context: string;
	/** Istio cluster name (values.global.multiCluster.clusterName). */
	name: string;
	/** Istio network ID (topology.istio.io/network). */
	network: string;
	role: Role;
	/**
	 * The API server URL other clusters' istiod use to read this one (written into remote secrets,
	 * istioctl create-remote-secret --server). Default: the kubeconfig's server for the context.
	 */
	apiServer?: string;
}

export interface MeshPlanInput {
	topology: Topology;
	meshId: string;
	/** Control-plane revision; empty or undefined means the default revision. */
	revision?: string;
	clusters: ClusterSpec[];
	/** The control-plane step on every primary (install Istio where none runs, retrofit with the user's IstioOperator); absent: none is planned. */
	controlPlane?: ControlPlaneInput;
	/** Directory of the root CA (root-cert.pem, root-key.pem) whose intermediates the run plugs into every cluster (Secret istio-system/cacerts). A path only: never the key. */
	caDir?: string;
	/** The data plane; undefined means sidecar. Ambient is supported for multi-network only. */
	dataplane?: Dataplane;
	/** Ambient: the Services shared across clusters (label istio.io/global=true), each `NAMESPACE/NAME` or `NAMESPACE/*`. */
	globalServices?: string[];
}

/** The plan's data plane, sidecar when unset. */
export function planDataplane(plan: Pick<MeshPlanInput, 'dataplane'>): Dataplane {
	return plan.dataplane ?? 'sidecar';
}

export interface ControlPlaneInput {
	/** The istioctl profile of an install: `default` as Istio's multicluster docs, or `minimal` (istiod only). */
	profile?: 'default' | 'minimal';
	/** By kube context: the path of the user's own IstioOperator (--control-plane-iop), overlaid with the plan's values. A path only. */
	iops?: Record<string, string>;
}

export interface TopologyInfo {
	id: Topology;
	title: string;
	/** One line on when to pick it. */
	when: string;
	/** True when every cluster needs its own network ID distinct from some other cluster. */
	multiNetwork: boolean;
	/** True when the topology has exactly one primary and remotes. */
	primaryRemote: boolean;
}

export const TOPOLOGY_INFO: Record<Topology, TopologyInfo> = {
	'primary-remote': {
		id: 'primary-remote',
		title: 'Primary-Remote',
		when: 'One istiod on the primary serves remote clusters whose pods can reach each other directly (one flat network).',
		multiNetwork: false,
		primaryRemote: true,
	},
	'multi-network': {
		id: 'multi-network',
		title: 'Multi-network',
		when: 'Every cluster runs its own istiod; pods on different networks reach each other only through east-west gateways.',
		multiNetwork: true,
		primaryRemote: false,
	},
	'primary-remote-multi-network': {
		id: 'primary-remote-multi-network',
		title: 'Primary-Remote across networks',
		when: 'One istiod on the primary serves remotes on other networks; remotes reach istiod and services through the gateways.',
		multiNetwork: true,
		primaryRemote: true,
	},
};

/** Clusters that get an east-west gateway: every cluster of a multi-network plan, the primary otherwise. */
export function needsGateway(cluster: Pick<ClusterSpec, 'role'>, plan: Pick<MeshPlanInput, 'topology'>): boolean {
	return TOPOLOGY_INFO[plan.topology].multiNetwork || cluster.role === 'primary';
}

export function isTopology(value: string): value is Topology {
	return (TOPOLOGIES as readonly string[]).includes(value);
}

export function isRole(value: string): value is Role {
	return (ROLES as readonly string[]).includes(value);
}

export const ISTIO_NAMESPACE = 'istio-system';
export const NETWORK_LABEL = 'topology.istio.io/network';
export const GATEWAY_NAME = 'istio-eastwestgateway';
export const GATEWAY_OPERATOR_NAME = 'eastwest';
export const FIELD_MANAGER = 'eastwest';
/** Secret istio-system/cacerts: the plugged-in CA istiod signs with. */
export const CACERTS_SECRET = 'cacerts';

/** The revision as the manifests want it: undefined for the default revision. */
export function normalRevision(revision: string | undefined): string | undefined {
	const r = revision?.trim();
	return r ? r : undefined;
}
