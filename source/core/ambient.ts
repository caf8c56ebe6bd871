/**
 * Ambient mode's east-west facts: the Gateway API `Gateway` of class `istio-east-west` that istiod turns
 * into the east-west gateway, the `istio.io/global` label that shares a Service across clusters, and the
 * topology rules Istio states for ambient multicluster. Pure data and rules.
 */
import type {Manifest} from './manifests.js';
import {FIELD_MANAGER, GATEWAY_NAME, ISTIO_NAMESPACE, NETWORK_LABEL, TOPOLOGY_INFO, normalRevision, type ClusterSpec, type Topology} from './model.js';
import {list, rec, strings, type Obj} from './record.js';
import {parseIstioVersion} from './version.js';

/** The GatewayClass istiod creates when AMBIENT_ENABLE_MULTI_NETWORK is on. */
export const EAST_WEST_GATEWAY_CLASS = 'istio-east-west';
/** The controller istiod runs for that class (GatewayClass spec.controllerName). */
export const EAST_WEST_CONTROLLER = 'istio.io/eastwest-controller';
/** The label istiod puts on the Deployment and Service it generates for the Gateway. */
export const MANAGED_GATEWAY_LABEL = 'gateway.istio.io/managed';
/** The ambient east-west gateway's listener: double HBONE on 15008. */
export const HBONE_LISTENER = {name: 'mesh', port: 15008, protocol: 'HBONE'} as const;
export const TLS_TERMINATE_MODE_OPTION = 'gateway.istio.io/tls-terminate-mode';
/** The ports of the Service istiod generates for the ambient east-west gateway. */
export const AMBIENT_GATEWAY_PORTS = [15021, 15008] as const;
/** The label that makes a Service (or a waypoint) global: reachable from every cluster of the mesh. */
export const GLOBAL_SERVICE_LABEL = 'istio.io/global';
/** The namespace label that enrols workloads in ambient mode. */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
export const REVISION_LABEL = 'istio.io/rev';
/** istiod's switch for ambient multi-network (off by default). */
export const AMBIENT_MULTI_NETWORK_ENV = 'AMBIENT_ENABLE_MULTI_NETWORK';
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** Gateway API version of the Gateway: v1 from Istio 1.29 on, v1beta1 before. */
export type GatewayApiVersion = 'v1' | 'v1beta1';

/** The Gateway API version to write for a control plane of `istioVersion` (v1 when it is unknown). */
export function gatewayApiVersionFor(istioVersion: string | undefined): GatewayApiVersion {
	const v = istioVersion ? parseIstioVersion(istioVersion) : undefined;
	if (!v) return 'v1';
	return v.major === 1 && v.minor < 29 ? 'v1beta1' : 'v1';
}

export interface AmbientGatewayOptions {
	network: string;
	/** A revisioned control plane with no default tag: the Gateway carries `istio.io/rev`. */
	revision?: string;
	apiVersion?: GatewayApiVersion;
}

/** The ambient east-west Gateway, as samples/multicluster/gen-eastwest-gateway.sh --ambient --network N renders it. */
export function renderAmbientEastWestGateway(options: AmbientGatewayOptions): Manifest {
	const revision = normalRevision(options.revision);
	return {
		apiVersion: `${GATEWAY_API_GROUP}/${options.apiVersion ?? 'v1'}`,
		kind: 'Gateway',
		metadata: {
			name: GATEWAY_NAME,
			namespace: ISTIO_NAMESPACE,
			labels: {[NETWORK_LABEL]: options.network, ...(revision ? {[REVISION_LABEL]: revision} : {})},
		},
		spec: {
			gatewayClassName: EAST_WEST_GATEWAY_CLASS,
			listeners: [
				{
					name: HBONE_LISTENER.name,
					port: HBONE_LISTENER.port,
					protocol: HBONE_LISTENER.protocol,
					tls: {mode: 'Terminate', options: {[TLS_TERMINATE_MODE_OPTION]: 'ISTIO_MUTUAL'}},
				},
			],
		},
	};
}

/**
 * Why ambient cannot run on this topology, or undefined when it can: Istio supports ambient multicluster
 * as multi-primary on different networks only.
 */
export function ambientTopologyProblem(topology: Topology, clusters: readonly Pick<ClusterSpec, 'network'>[]): string | undefined {
	if (TOPOLOGY_INFO[topology]?.primaryRemote) {
		return `ambient runs only with multi-network (every cluster a primary); Istio does not support primary-remote in ambient mode, so pick --topology multi-network or --dataplane sidecar`;
	}
	const networks = new Set(clusters.map(c => c.network).filter(Boolean));
	if (clusters.length >= 2 && networks.size < clusters.length) {
		return `ambient needs one network per cluster: single-network ambient multicluster is untested upstream and may be broken (istio/istio#58133); give each cluster its own network or use --dataplane sidecar`;
	}
	return undefined;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface GlobalServiceRef {
	namespace: string;
	/** A Service name, or undefined for every Service of the namespace (`NAMESPACE/*`). */
	name?: string;
}

/** `NAMESPACE/NAME` or `NAMESPACE/*`, or undefined when the text is neither. */
export function parseGlobalService(text: string): GlobalServiceRef | undefined {
	const slash = text.indexOf('/');
	if (slash <= 0 || slash !== text.lastIndexOf('/')) return undefined;
	const namespace = text.slice(0, slash);
	const name = text.slice(slash + 1);
	if (!NAME.test(namespace) || namespace.length > 63) return undefined;
	if (name === '*') return {namespace};
	if (!NAME.test(name) || name.length > 63) return undefined;
	return {namespace, name};
}

export function globalServiceProblem(text: string): string | undefined {
	return parseGlobalService(text) ? undefined : `global service "${text}" is not NAMESPACE/NAME or NAMESPACE/* (lowercase DNS labels), e.g. sample/helloworld`;
}

/** The global services of a plan, parsed (invalid entries are left out: validatePlan reports them). */
export function globalServiceRefs(services: readonly string[] | undefined): GlobalServiceRef[] {
	return (services ?? []).map(parseGlobalService).filter((r): r is GlobalServiceRef => r !== undefined);
}

/** True when the ref names `service` in `namespace`. */
export function globalServiceMatches(ref: GlobalServiceRef, namespace: string, service: string): boolean {
	return ref.namespace === namespace && (ref.name === undefined || ref.name === service);
}

// ---------- the Gateway as the API server returns it ----------

export const GATEWAY_KIND = 'Gateway';

interface Condition {
	type: string;
	status: string;
	reason?: string;
	message?: string;
	observedGeneration?: number;
}

function conditions(obj: Obj): Condition[] {
	const list = rec(obj.status).conditions;
	if (!Array.isArray(list)) return [];
	return list.map(rec).map(c => ({
		type: String(c.type ?? ''),
		status: String(c.status ?? ''),
		...(typeof c.reason === 'string' ? {reason: c.reason} : {}),
		...(typeof c.message === 'string' ? {message: c.message} : {}),
		...(typeof c.observedGeneration === 'number' ? {observedGeneration: c.observedGeneration} : {}),
	}));
}

/** The Gateway's conditions as one line each (`Programmed=True (Programmed)`), for status and waits. */
export function gatewayConditionLines(obj: Obj): string[] {
	return conditions(obj).map(c => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`);
}

/** The addresses istiod wrote into the Gateway's status. */
export function gatewayStatusAddresses(obj: Obj): string[] {
	const list = rec(obj.status).addresses;
	return Array.isArray(list)
		? list
				.map(rec)
				.map(a => String(a.value ?? ''))
				.filter(Boolean)
		: [];
}

export type ProgrammedState =
	{state: 'done'; detail: string} | {state: 'waiting'; reason: string; hint?: string} | {state: 'failed'; message: string; hint?: string};

const AMBIENT_HINT = `istiod serves class ${EAST_WEST_GATEWAY_CLASS} only with ${AMBIENT_MULTI_NETWORK_ENV}=true: run 'eastwest check' for the control plane's ambient facts`;

/** Whether istiod has programmed the Gateway (its Deployment and Service exist, condition Programmed), from one read. */
export function gatewayProgrammed(obj: Obj | undefined): ProgrammedState {
	if (!obj) return {state: 'waiting', reason: `Gateway ${ISTIO_NAMESPACE}/${GATEWAY_NAME} does not exist yet`};
	const generation = rec(obj.metadata).generation;
	const current = (c: Condition) => typeof generation !== 'number' || c.observedGeneration === undefined || c.observedGeneration >= generation;
	const all = conditions(obj);
	const accepted = all.find(c => c.type === 'Accepted');
	const programmed = all.find(c => c.type === 'Programmed');
	if (accepted && current(accepted) && accepted.status === 'False') {
		return {
			state: 'failed',
			message: `istiod did not accept the Gateway: ${accepted.reason ?? 'Accepted=False'}${accepted.message ? `: ${accepted.message}` : ''}`,
			hint: AMBIENT_HINT,
		};
	}
	if (programmed && current(programmed) && programmed.status === 'True') {
		const addresses = gatewayStatusAddresses(obj);
		return {state: 'done', detail: `Programmed${addresses.length > 0 ? `, address ${addresses.join(', ')}` : ''}`};
	}
	if (!accepted && !programmed) {
		return {state: 'waiting', reason: `no controller has reported on the Gateway yet (class ${EAST_WEST_GATEWAY_CLASS})`, hint: AMBIENT_HINT};
	}
	const c = programmed && current(programmed) ? programmed : accepted;
	return {
		state: 'waiting',
		reason: `Programmed is ${programmed && current(programmed) ? programmed.status : 'not reported'}${c?.message ? `: ${c.message}` : ''}`,
		...(c?.reason === 'AddressNotAssigned' || /address/i.test(c?.message ?? '') ? {hint: 'its LoadBalancer Service has no external address yet'} : {}),
	};
}

/** What differs between a Gateway found in place and the one the plan applies; empty when it serves the plan as it is. */
export function ambientGatewayMismatch(obj: Obj, desired: Manifest): string[] {
	const reasons: string[] = [];
	const spec = rec(obj.spec);
	const want = rec(desired.spec);
	if (spec.gatewayClassName !== want.gatewayClassName)
		reasons.push(`gatewayClassName is ${String(spec.gatewayClassName ?? 'unset')}, not ${String(want.gatewayClassName)}`);
	const labels = strings(rec(obj.metadata).labels);
	for (const [k, v] of Object.entries(desired.metadata.labels ?? {})) {
		if (labels[k] !== v) reasons.push(`label ${k} is ${labels[k] === undefined ? 'unset' : `"${labels[k]}"`}, not "${v}"`);
	}
	const listeners = Array.isArray(spec.listeners) ? spec.listeners.map(rec) : [];
	const mesh = listeners.find(l => l.name === HBONE_LISTENER.name);
	if (!mesh) reasons.push(`no listener "${HBONE_LISTENER.name}"`);
	else {
		if (mesh.port !== HBONE_LISTENER.port || mesh.protocol !== HBONE_LISTENER.protocol) {
			reasons.push(
				`listener "${HBONE_LISTENER.name}" is ${String(mesh.protocol)} on ${String(mesh.port)}, not ${HBONE_LISTENER.protocol} on ${HBONE_LISTENER.port}`,
			);
		}
		const tls = rec(mesh.tls);
		if (tls.mode !== 'Terminate' || strings(tls.options)[TLS_TERMINATE_MODE_OPTION] !== 'ISTIO_MUTUAL') {
			reasons.push(`listener "${HBONE_LISTENER.name}" does not terminate TLS with ${TLS_TERMINATE_MODE_OPTION}: ISTIO_MUTUAL`);
		}
	}
	return reasons;
}

/** Field managers of an object's own fields (entries for the status subresource are left out: controllers write those). */
export function specManagers(obj: Obj): string[] {
	const list = rec(obj.metadata).managedFields;
	if (!Array.isArray(list)) return [];
	const names = list
		.map(rec)
		.filter(m => m.subresource !== 'status')
		.map(m => String(m.manager ?? ''))
		.filter(Boolean);
	return [...new Set(names)];
}

/**
 * Whether remove may delete the ambient Gateway: only when eastwest's field manager created it and alone
 * holds its fields (istiod's status writes do not count). The Deployment and Service istiod generated from
 * it carry an owner reference to it and go with it.
 */
export function ambientGatewayRemoval(obj: Obj | undefined): {action: 'remove'} | {action: 'gone'} | {action: 'leave'; reason: string} {
	if (!obj) return {action: 'gone'};
	const managers = specManagers(obj);
	const others = managers.filter(m => m !== FIELD_MANAGER);
	const what = `Gateway ${ISTIO_NAMESPACE}/${GATEWAY_NAME}`;
	if (!managers.includes(FIELD_MANAGER))
		return {action: 'leave', reason: `${what} was not created by eastwest (field managers: ${others.join(', ') || 'none recorded'})`};
	if (others.length > 0)
		return {action: 'leave', reason: `${what} is also managed by ${others.join(', ')}: eastwest shares it, so it is not eastwest's to delete`};
	return {action: 'remove'};
}

/**
 * A sidecar east-west gateway (istioctl or Helm, label istio=eastwestgateway) where the ambient Gateway's
 * Deployment and Service would go: istiod would take over objects of the same name. Undefined when none is there
 * or when the objects are the ones istiod generates for the ambient Gateway.
 */
export function sidecarGatewayInTheWay(objects: ReadonlyArray<Obj | undefined>): string | undefined {
	for (const obj of objects) {
		if (!obj) continue;
		const labels = strings(rec(obj.metadata).labels);
		if (labels[MANAGED_GATEWAY_LABEL] !== undefined) continue;
		return `${String(obj.kind ?? 'object')} ${ISTIO_NAMESPACE}/${GATEWAY_NAME} is a sidecar east-west gateway (${labels.istio ? `istio=${labels.istio}` : 'not made by istiod from a Gateway'}): the ambient Gateway of the same name would make istiod take it over`;
	}
	return undefined;
}

/** The label write that makes a Service global (server-side applied by eastwest) or, with `on` false, gives eastwest's label up. */
export function globalLabelManifest(namespace: string, name: string, on: boolean): Manifest {
	return {apiVersion: 'v1', kind: 'Service', metadata: {name, namespace, ...(on ? {labels: {[GLOBAL_SERVICE_LABEL]: 'true'}} : {})}};
}

/** eastwest's field manager holds the Service's istio.io/global label. */
export function globalLabelOwned(obj: Obj): boolean {
	const list = rec(obj.metadata).managedFields;
	if (!Array.isArray(list)) return false;
	return list.map(rec).some(m => m.manager === FIELD_MANAGER && `f:${GLOBAL_SERVICE_LABEL}` in rec(rec(rec(m.fieldsV1)['f:metadata'])['f:labels']));
}

export function isGlobal(obj: Obj): boolean {
	return strings(rec(obj.metadata).labels)[GLOBAL_SERVICE_LABEL] === 'true';
}

// ---------- what an ambient control plane needs ----------

export const ZTUNNEL_DAEMONSET = 'ztunnel';
export const CNI_DAEMONSET = 'istio-cni-node';
export const GATEWAY_CRD = 'gateways.gateway.networking.k8s.io';
/** The annotation the Gateway API CRDs carry their release in. */
export const GATEWAY_API_BUNDLE_VERSION = 'gateway.networking.k8s.io/bundle-version';

/** What of an ambient multi-network control plane one cluster has, as read from it. */
export interface AmbientControlPlaneFacts {
	/** istiod Deployments (app=istiod) as listed. */
	istiods: Obj[];
	/** DaemonSets in the control plane's namespaces, as listed. */
	daemonSets: Obj[];
	/** CRD gateways.gateway.networking.k8s.io, undefined when absent. */
	gatewayCrd?: Obj;
}

/** The Gateway API release of the installed CRDs (their bundle-version annotation), undefined when unknown. */
export function gatewayApiVersionFound(crd: Obj | undefined): string | undefined {
	return crd ? strings(rec(crd.metadata).annotations)[GATEWAY_API_BUNDLE_VERSION] : undefined;
}

function envOf(deployment: Obj): Record<string, string> {
	const containers = list(rec(rec(rec(deployment.spec).template).spec).containers).map(rec);
	const discovery = containers.find(c => c.name === 'discovery') ?? containers[0];
	return Object.fromEntries(
		list(discovery?.env)
			.map(rec)
			.filter(e => typeof e.name === 'string' && typeof e.value === 'string')
			.map(e => [String(e.name), String(e.value)]),
	);
}

/** Each thing an ambient multi-network control plane lacks on this cluster, in words; empty when nothing is missing. */
export function ambientControlPlaneMissing(facts: AmbientControlPlaneFacts): string[] {
	const missing: string[] = [];
	if (!facts.gatewayCrd) missing.push(`the Gateway API CRDs (no CRD ${GATEWAY_CRD}; eastwest does not install them)`);
	if (facts.istiods.length === 0) missing.push('istiod (no Deployment app=istiod)');
	else if (!facts.istiods.some(d => envOf(d)[AMBIENT_MULTI_NETWORK_ENV] === 'true')) {
		const names = facts.istiods.map(d => String(rec(d.metadata).name ?? '')).join(', ');
		missing.push(
			`${AMBIENT_MULTI_NETWORK_ENV}=true on istiod (${names}): it is off by default, and istiod serves no ${EAST_WEST_GATEWAY_CLASS} class without it`,
		);
	}
	const names = new Set(facts.daemonSets.map(d => String(rec(d.metadata).name ?? '')));
	if (!names.has(ZTUNNEL_DAEMONSET)) missing.push(`ztunnel (no DaemonSet ${ZTUNNEL_DAEMONSET})`);
	if (!names.has(CNI_DAEMONSET)) missing.push(`istio-cni (no DaemonSet ${CNI_DAEMONSET})`);
	return missing;
}
