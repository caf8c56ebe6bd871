/**
 * The mesh wiring between clusters: remote secrets (which API servers each istiod reads) and a remote's
 * control plane (the remote profile install that points the remote at its primary's istiod). Names,
 * the rendered remote IstioOperator, and one judgement each for "is this remote wired as the plan says"
 * and "is this remote secret the one the plan needs" — used by the engine (install or leave unchanged),
 * the checks catalogue and the status view alike.
 */
import {ISTIO_NAMESPACE, normalRevision} from './model.js';
import type {Manifest} from './manifests.js';
import type {GatewayAddress} from './rollout.js';
import {OWNING_RESOURCE_LABEL} from './gateway.js';
import {list, rec} from './record.js';

/** metadata.name of the remote profile's IstioOperator: its own owner label, so it never prunes another install. */
export const REMOTE_OPERATOR_NAME = 'eastwest-remote';
export const CONTROL_PLANE_ANNOTATION = 'topology.istio.io/controlPlaneClusters';
export const MULTICLUSTER_LABEL = 'istio/multiCluster';
export const CLUSTER_ANNOTATION = 'networking.istio.io/cluster';
/** The service account whose token a remote secret carries (istioctl create-remote-secret's default). */
export const READER_SERVICE_ACCOUNT = 'istio-reader-service-account';
/**
 * The long-lived token Secret istioctl create-remote-secret makes for the reader when it is missing,
 * even with --create-service-account=false: a dry run must not call it before this Secret exists.
 */
export const READER_TOKEN_SECRET = `${READER_SERVICE_ACCOUNT}-istio-remote-secret-token`;

/** The Secret istioctl create-remote-secret --name <cluster> makes. */
export function remoteSecretName(cluster: string): string {
	return `istio-remote-secret-${cluster}`;
}

/** istiodRemote.injectionPath: the injector reads the remote's cluster ID and network from it. */
export function injectionPath(cluster: string, network: string): string {
	return `/inject/cluster/${cluster}/net/${network}`;
}

/** The remote's selectorless Service (and EndpointSlice) that stands for the primary's istiod. */
export function remoteIstiodServiceName(revision?: string): string {
	const r = normalRevision(revision);
	return r ? `istiod-${r}` : 'istiod';
}

export function injectorWebhookName(revision?: string): string {
	const r = normalRevision(revision);
	return r ? `istio-sidecar-injector-${r}` : 'istio-sidecar-injector';
}

/** Does a controlPlaneClusters value (comma-separated cluster IDs, or `*`) name this primary? */
export function controlPlaneIncludes(value: string | undefined, primary: string): boolean {
	if (!value) return false;
	return value
		.split(',')
		.map(v => v.trim())
		.some(v => v === '*' || v === primary);
}

export interface RemoteControlPlaneOptions {
	cluster: string;
	network: string;
	meshId: string;
	revision?: string;
	/** The primary's east-west gateway address (remotePilotAddress). */
	discoveryAddress: string;
}

/** A placeholder for manifests shown before the primary's gateway has an address. */
export const DISCOVERY_ADDRESS_PLACEHOLDER = '<primary gateway address>';

/** The remote profile IstioOperator (istio.io primary-remote step "install the remote"). */
export function renderRemoteControlPlane(options: RemoteControlPlaneOptions): Manifest {
	const revision = normalRevision(options.revision) ?? '';
	return {
		apiVersion: 'install.istio.io/v1alpha1',
		kind: 'IstioOperator',
		metadata: {name: REMOTE_OPERATOR_NAME},
		spec: {
			revision,
			profile: 'remote',
			values: {
				istiodRemote: {injectionPath: injectionPath(options.cluster, options.network)},
				global: {
					meshID: options.meshId,
					multiCluster: {clusterName: options.cluster},
					network: options.network,
					remotePilotAddress: options.discoveryAddress,
				},
			},
		},
	};
}

// ---------- the remote's control plane ----------

/** What a remote cluster has of its wiring, as read from its API server. */
export interface RemoteObserved {
	/** The controlPlaneClusters annotation on istio-system. */
	controlPlaneClusters?: string;
	/** Names of istiod Deployments running on the cluster (a remote must have none). */
	localIstiods: string[];
	/** Service istio-system/istiod[-<rev>]. */
	service?: {
		type?: string;
		externalName?: string;
		selector?: Record<string, string>;
		ports: Array<{port?: number; targetPort?: number | string}>;
		owner?: string;
	};
	/** EndpointSlice addresses and ports of that Service. */
	endpoints?: {addresses: string[]; ports: number[]};
	/** The injector webhook configuration: every webhook's service path, and whether each has a caBundle. */
	webhook?: {paths: string[]; caBundle: boolean};
}

export interface RemoteExpectation {
	cluster: string;
	network: string;
	primary: string;
	revision?: string;
	/** The primary's gateway address, when known. */
	address?: GatewayAddress;
}

export type RemoteField = 'local-istiod' | 'annotation' | 'service' | 'owner' | 'endpoints' | 'webhook-path' | 'webhook-ca';

export interface RemoteReason {
	field: RemoteField;
	text: string;
}

/**
 * Every way a remote differs from the plan, in a fixed order; empty when it is wired as planned.
 * `owner` (the install is not eastwest's) matters to the engine only, as for gateways.
 * `webhook-ca` (the primary has not patched the caBundle yet) is not something an install fixes.
 */
export function remoteReasons(observed: RemoteObserved, expected: RemoteExpectation): RemoteReason[] {
	const reasons: RemoteReason[] = [];
	const svcName = remoteIstiodServiceName(expected.revision);
	if (observed.localIstiods.length > 0) {
		reasons.push({field: 'local-istiod', text: `runs its own control plane (Deployment ${observed.localIstiods.join(', ')}): a primary, not a remote`});
	}
	if (!controlPlaneIncludes(observed.controlPlaneClusters, expected.primary)) {
		reasons.push({
			field: 'annotation',
			text: observed.controlPlaneClusters
				? `istio-system is annotated ${CONTROL_PLANE_ANNOTATION}=${observed.controlPlaneClusters}, which does not name ${expected.primary}`
				: `istio-system has no ${CONTROL_PLANE_ANNOTATION} annotation (want ${expected.primary})`,
		});
	}
	const svc = observed.service;
	if (!svc) {
		reasons.push({field: 'service', text: `Service ${ISTIO_NAMESPACE}/${svcName} does not exist (the remote profile is not installed)`});
	} else {
		if (svc.owner !== REMOTE_OPERATOR_NAME) {
			reasons.push({field: 'owner', text: `the remote profile was not installed by eastwest (${OWNING_RESOURCE_LABEL} is ${svc.owner ?? 'missing'})`});
		}
		const address = expected.address;
		if (address?.kind === 'hostname') {
			if (svc.type !== 'ExternalName' || svc.externalName !== address.value) {
				reasons.push({
					field: 'endpoints',
					text: `Service ${svcName} is ${svc.type === 'ExternalName' ? `ExternalName ${svc.externalName ?? ''}` : (svc.type ?? 'ClusterIP')} (want ExternalName ${address.value})`,
				});
			}
		} else if (address) {
			const have = observed.endpoints;
			const ports = [15012, 15017];
			if (!have || !have.addresses.includes(address.value)) {
				reasons.push({
					field: 'endpoints',
					text: `EndpointSlice ${svcName} points at ${have?.addresses.length ? have.addresses.join(', ') : 'nothing'} (want ${address.value}, the primary's gateway)`,
				});
			} else if (!ports.every(p => have.ports.includes(p))) {
				reasons.push({field: 'endpoints', text: `EndpointSlice ${svcName} has ports ${have.ports.join(', ') || 'none'} (want 15012 and 15017)`});
			}
		}
	}
	const wantPath = injectionPath(expected.cluster, expected.network);
	const hook = observed.webhook;
	if (!hook || hook.paths.length === 0) {
		reasons.push({field: 'webhook-path', text: `MutatingWebhookConfiguration ${injectorWebhookName(expected.revision)} does not exist`});
	} else if (!hook.paths.every(p => p === wantPath)) {
		reasons.push({field: 'webhook-path', text: `the injector webhook path is ${[...new Set(hook.paths)].join(', ')} (want ${wantPath})`});
	} else if (!hook.caBundle) {
		reasons.push({
			field: 'webhook-ca',
			text: `the injector webhook has no caBundle yet: ${expected.primary}'s istiod patches it once it reads this cluster (remote secret + annotation)`,
		});
	}
	return reasons;
}

/**
 * The reasons an install would fix. The engine's "unchanged" test ignores the caBundle (the primary
 * patches it), the annotation (its own step) and who installed the remote profile: one found in place
 * that is wired as planned is used as it is, and remove leaves it.
 */
export function installReasons(reasons: readonly RemoteReason[]): RemoteReason[] {
	return reasons.filter(r => r.field !== 'webhook-ca' && r.field !== 'annotation' && r.field !== 'owner');
}

// ---------- remote secrets ----------

/** What a remote secret holds, without its credentials (see ports: RemoteSecretInfo). */
export interface RemoteSecretView {
	name: string;
	multiClusterLabel: boolean;
	clusterAnnotation?: string;
	entries: Array<{cluster: string; server?: string; auth: string; inlineCa: boolean; problem?: string}>;
}

export interface RemoteSecretExpectation {
	/** The peer the secret gives access to: its cluster name. */
	peer: string;
	/** The API server address the plan wants in it. */
	server?: string;
}

/** Every way a remote secret differs from what istiod needs to read the peer; empty when it is fit. */
export function remoteSecretReasons(secret: RemoteSecretView, expected: RemoteSecretExpectation): string[] {
	const reasons: string[] = [];
	if (!secret.multiClusterLabel) reasons.push(`it is not labelled ${MULTICLUSTER_LABEL}=true, so istiod ignores it`);
	if (secret.clusterAnnotation !== expected.peer)
		reasons.push(`annotation ${CLUSTER_ANNOTATION} is ${secret.clusterAnnotation ?? 'missing'} (want ${expected.peer})`);
	const entry = secret.entries.find(e => e.cluster === expected.peer);
	if (!entry) {
		const keys = secret.entries.map(e => e.cluster);
		reasons.push(
			`it has no kubeconfig under key ${expected.peer}${keys.length ? ` (it has ${keys.join(', ')}): the key must equal the peer's cluster name` : ''}`,
		);
		return reasons;
	}
	if (entry.problem) reasons.push(entry.problem);
	if (entry.auth !== 'token' && entry.auth !== 'client-certificate')
		reasons.push(`its kubeconfig authenticates with ${entry.auth}, which istiod cannot use (it needs an inline token)`);
	if (expected.server && entry.server !== expected.server) reasons.push(`it points at ${entry.server ?? 'no server'} (want ${expected.server})`);
	return reasons;
}

/** Raw objects read from a remote, as the API returns them. */
export interface RemoteRaw {
	namespace?: Record<string, unknown>;
	/** Deployments in istio-system labelled app=istiod. */
	istiods: Array<Record<string, unknown>>;
	service?: Record<string, unknown>;
	/** EndpointSlices labelled kubernetes.io/service-name=<the istiod Service>. */
	slices: Array<Record<string, unknown>>;
	webhook?: Record<string, unknown>;
}

/** RemoteObserved from raw objects (one reading for the engine, the checks and the status view). */
export function remoteObserved(raw: RemoteRaw): RemoteObserved {
	const observed: RemoteObserved = {localIstiods: raw.istiods.map(d => String(rec(d.metadata).name ?? ''))};
	const annotation = rec(rec(raw.namespace?.metadata).annotations)[CONTROL_PLANE_ANNOTATION];
	if (typeof annotation === 'string') observed.controlPlaneClusters = annotation;
	if (raw.service) {
		const spec = rec(raw.service.spec);
		const owner = rec(rec(raw.service.metadata).labels)[OWNING_RESOURCE_LABEL];
		observed.service = {
			...(typeof spec.type === 'string' ? {type: spec.type} : {}),
			...(typeof spec.externalName === 'string' ? {externalName: spec.externalName} : {}),
			...(spec.selector ? {selector: spec.selector as Record<string, string>} : {}),
			ports: list(spec.ports).map(p => rec(p) as {port?: number; targetPort?: number | string}),
			...(typeof owner === 'string' ? {owner} : {}),
		};
	}
	if (raw.slices.length > 0) {
		observed.endpoints = {
			addresses: raw.slices.flatMap(s => list(s.endpoints).flatMap(e => list(rec(e).addresses))).filter((a): a is string => typeof a === 'string'),
			ports: raw.slices.flatMap(s => list(s.ports).map(p => rec(p).port)).filter((p): p is number => typeof p === 'number'),
		};
	}
	if (raw.webhook) {
		const hooks = list(raw.webhook.webhooks).map(rec);
		observed.webhook = {
			paths: hooks.map(h => rec(rec(h.clientConfig).service).path).filter((p): p is string => typeof p === 'string'),
			caBundle: hooks.length > 0 && hooks.every(h => typeof rec(h.clientConfig).caBundle === 'string' && rec(h.clientConfig).caBundle !== ''),
		};
	}
	return observed;
}

// ---------- who reads whom ----------

/**
 * The clusters whose API servers `reader`'s istiod reads (a remote secret each, in reader's istio-system):
 * in primary-remote the primary reads every remote; with every cluster a primary, each reads all the others.
 * A remote reads nobody.
 */
export function readPeers<C extends {name: string; role: string}>(plan: {clusters: readonly C[]}, reader: Pick<C, 'name' | 'role'>): C[] {
	if (reader.role !== 'primary') return [];
	const remotes = plan.clusters.filter(c => c.role !== 'primary');
	return remotes.length > 0 ? remotes : plan.clusters.filter(c => c.name !== reader.name);
}

/** The primary a remote's istio-system should name (undefined for a primary, or a plan without one). */
export function controllingPrimary<C extends {name: string; role: string}>(plan: {clusters: readonly C[]}, cluster: Pick<C, 'role'>): C | undefined {
	return cluster.role === 'remote' ? plan.clusters.find(c => c.role === 'primary') : undefined;
}
