/**
 * Gateway health as pure rules over what the watches hold for one cluster.
 * The status command (text, JSON, live view) renders these rows; it decides nothing itself.
 */
import {CROSS_NETWORK_GATEWAY_NAME, GATEWAY_PORTS, ISTIOD_GATEWAY_NAME, istiodVirtualServiceName} from './manifests.js';
import {NETWORK_VIEW_ENV, REVISION_LABEL, gatewayReasons, planReasons, type GatewayReason} from './gateway.js';
import {NETWORK_LABEL, TOPOLOGY_INFO, normalRevision, type Role, type Topology} from './model.js';
import type {IstiodInfo, KubeErrorInfo, RemoteSecretInfo, TrustRootInfo} from './ports.js';
import {judgeMeshTrust, type MeshTrust, type MeshTrustLevel, type RootIdentity} from './trust.js';
import {remoteReasons, remoteSecretName, remoteSecretReasons, type RemoteObserved} from './remote.js';
import {podProblems, rolloutStatus, serviceAddress, type DeploymentLike, type GatewayAddress, type PodLike, type ServiceLike} from './rollout.js';
import {judgeIstiodView, type IstiodView, type IstiodViewExpectation} from './istiod-view.js';
import {MARK} from './marks.js';

export type Level = 'ok' | 'warn' | 'fail';

export interface StatusRow {
	id:
		| 'deployment'
		| 'pods'
		| 'gateway-spec'
		| 'service'
		| 'address'
		| 'ports'
		| 'network'
		| 'expose-istiod'
		| 'expose-services'
		| 'istiod'
		| 'reads'
		| 'control-plane'
		// istiod's own view: one row per peer cluster, one per network, one when it could not be read.
		| `istiod-sees:${string}`
		| `istiod-gateway:${string}`
		| 'istiod-view';
	/** For `reads`: the peer cluster the row is about (one row per peer). */
	peer?: string;
	label: string;
	level: Level;
	/** Short fact, e.g. "1/1 ready" or "127.0.10.1". */
	text: string;
	/** Why it is not ok, when it is not. */
	reason?: string;
}

/** What the plan (profile) expects of this cluster; every field optional for a bare --context. */
export interface ClusterExpectation {
	name?: string;
	network?: string;
	role?: Role;
	topology?: Topology;
	revision?: string;
	/** The clusters this one's istiod reads (a remote secret each) and the API server each secret must name. */
	peers?: Array<{name: string; server?: string}>;
	/** For a remote: the primary that controls it. */
	primary?: string;
	/** For a remote: the primary's gateway address as its own watches see it (the discovery address). */
	primaryAddress?: GatewayAddress;
	/** What this cluster's istiod should see (core/istiod-view istiodExpectation); unjudged when absent. */
	istiodView?: IstiodViewExpectation;
}

/** The wiring between clusters as status shows it (the same judgements as the checks and the engine). */
export interface ClusterWiring {
	/** Peers this cluster's istiod reads, from the remote secrets seen. Credentials are not asked here: eastwest check does. */
	reads: Array<{peer: string; ok: boolean; secret?: string; server?: string; reason?: string}>;
	/** For a remote: the primary named by the plan, and whether the remote is wired to it. */
	controlledBy?: {primary: string; ok: boolean; address?: string; reasons: string[]};
}

/** A row's identity within its cluster (several `reads` rows, one per peer). */
export function rowKey(r: Pick<StatusRow, 'id' | 'peer'>): string {
	return r.peer ? `${r.id}:${r.peer}` : r.id;
}

export interface ClusterObservation {
	context: string;
	reachable: boolean;
	/** Data is from before a dropped watch and may be out of date. */
	stale: boolean;
	error?: KubeErrorInfo;
	deployment?: DeploymentLike;
	service?: ServiceLike;
	pods: PodLike[];
	namespaceLabels?: Record<string, string>;
	/** Names of the expose resources present in istio-system. */
	gateways: string[];
	virtualServices: string[];
	istiod: IstiodInfo[];
	/** Remote secrets in istio-system, without credentials (undefined when not watched). */
	remoteSecrets?: RemoteSecretInfo[];
	/** A remote's wiring (undefined when not watched). */
	remote?: RemoteObserved;
	/** istiod's own view, when it was read (or tried). */
	istiodView?: IstiodView;
	/** The roots that decide trust (undefined when not watched or not heard yet; null when the object is absent). */
	trustRoots?: {published?: TrustRootInfo | null; plugged?: TrustRootInfo | null};
}

export interface ClusterHealth {
	context: string;
	name?: string;
	network?: string;
	role?: Role;
	reachable: boolean;
	stale: boolean;
	healthy: boolean;
	address?: GatewayAddress;
	rows: StatusRow[];
	wiring?: ClusterWiring;
	error?: string;
	/** istiod's own view as read, for -o json. */
	istiodView?: IstiodView;
}

/** Which peers the cluster reads: the plan's peers judged against the secrets seen, or (no plan) every secret seen. */
function readsOf(obs: ClusterObservation, exp: ClusterExpectation): ClusterWiring['reads'] {
	const secrets = obs.remoteSecrets;
	if (!secrets) return [];
	if (exp.peers) {
		return exp.peers.map(peer => {
			const name = remoteSecretName(peer.name);
			const secret = secrets.find(s => s.name === name);
			if (!secret) {
				const stray = peer.server ? secrets.find(s => s.entries.some(e => e.server === peer.server)) : undefined;
				const key = stray?.entries.find(e => e.server === peer.server)?.cluster;
				return {
					peer: peer.name,
					ok: false,
					reason: stray
						? `no Secret ${name}; ${stray.name} opens ${peer.server} under key ${key}: the key must equal the peer's cluster name (run eastwest apply)`
						: `no remote secret ${name} labelled istio/multiCluster=true: run eastwest apply`,
				};
			}
			const reasons = remoteSecretReasons(secret, {peer: peer.name, ...(peer.server ? {server: peer.server} : {})});
			const server = secret.entries.find(e => e.cluster === peer.name)?.server;
			return {peer: peer.name, ok: reasons.length === 0, secret: name, ...(server ? {server} : {}), ...(reasons.length ? {reason: reasons.join('; ')} : {})};
		});
	}
	return secrets.map(secret => {
		const peer = secret.clusterAnnotation ?? secret.entries[0]?.cluster ?? secret.name;
		const reasons = remoteSecretReasons(secret, {peer});
		const server = secret.entries.find(e => e.cluster === peer)?.server;
		return {peer, ok: reasons.length === 0, secret: secret.name, ...(server ? {server} : {}), ...(reasons.length ? {reason: reasons.join('; ')} : {})};
	});
}

/** A remote's wiring to its primary (the judgement in core/remote.ts; ownership is the engine's, a local istiod has its own row). */
function controlledByOf(obs: ClusterObservation, exp: ClusterExpectation): ClusterWiring['controlledBy'] {
	if (exp.role !== 'remote' || !exp.primary || !obs.remote) return undefined;
	const reasons = remoteReasons(obs.remote, {
		cluster: exp.name ?? obs.context,
		network: exp.network ?? '',
		primary: exp.primary,
		...(exp.revision ? {revision: exp.revision} : {}),
		...(exp.primaryAddress ? {address: exp.primaryAddress} : {}),
	}).filter(r => r.field !== 'owner' && r.field !== 'local-istiod' && (exp.network !== undefined || r.field !== 'webhook-path'));
	return {
		primary: exp.primary,
		ok: reasons.every(r => r.field === 'webhook-ca'),
		...(exp.primaryAddress ? {address: exp.primaryAddress.value} : {}),
		reasons: reasons.map(r => r.text),
	};
}

/**
 * The one gateway judgement (core/gateway.ts) for this view. Without a plan (a bare --context) the
 * gateway is held to the network the cluster declares and to no particular revision; with no network
 * declared either, only the fields that do not depend on one are judged. Ownership is left to the engine.
 */
function gatewayJudgement(obs: ClusterObservation, exp: ClusterExpectation, nsNet: string | undefined, svcNet: string | undefined): GatewayReason[] {
	const network = exp.network ?? nsNet ?? svcNet;
	const reasons = gatewayReasons(obs.deployment, obs.service, {network: network ?? '', ...(exp.revision ? {revision: exp.revision} : {})});
	const planned = exp.network !== undefined;
	return planReasons(reasons).filter(r => {
		// The deployment and service rows say when an object is missing.
		if (r.field === 'deployment' || r.field === 'service') return false;
		if (!planned && r.field === `pod-label:${REVISION_LABEL}`) return false;
		if (network === undefined && (r.field.endsWith(NETWORK_LABEL) || r.field === `env:${NETWORK_VIEW_ENV}`)) return false;
		return true;
	});
}

function expects(exp: ClusterExpectation) {
	const info = exp.topology ? TOPOLOGY_INFO[exp.topology] : undefined;
	const primary = exp.role !== 'remote';
	return {
		gateway: info ? info.multiNetwork || primary : true,
		exposeIstiod: info ? info.primaryRemote && primary : undefined,
		exposeServices: info ? info.multiNetwork && primary : undefined,
		istiod: info ? primary : undefined,
	};
}

export function evaluateCluster(obs: ClusterObservation, exp: ClusterExpectation = {}): ClusterHealth {
	const base = {context: obs.context, name: exp.name, network: exp.network, role: exp.role, reachable: obs.reachable, stale: obs.stale};
	if (!obs.reachable && !obs.deployment && !obs.service) {
		return {...base, healthy: false, rows: [], error: obs.error?.message ?? 'cluster unreachable'};
	}
	const want = expects(exp);
	const rows: StatusRow[] = [];
	const revision = normalRevision(exp.revision);
	const nsNet = obs.namespaceLabels?.[NETWORK_LABEL];
	const svcNet = obs.service?.metadata?.labels?.[NETWORK_LABEL];
	const differences = gatewayJudgement(obs, exp, nsNet, svcNet);
	const on = (object: GatewayReason['object'], prefix: string) => differences.filter(r => r.object === object && r.field.startsWith(prefix));

	// Gateway Deployment and its pods.
	if (!obs.deployment) {
		rows.push({
			id: 'deployment',
			label: 'gateway',
			level: want.gateway ? 'fail' : 'ok',
			text: 'not installed',
			reason: want.gateway ? 'Deployment istio-system/istio-eastwestgateway does not exist: run eastwest apply' : undefined,
		});
	} else {
		const r = rolloutStatus(obs.deployment);
		const ready = obs.deployment.status?.readyReplicas ?? 0;
		const desired = obs.deployment.spec?.replicas ?? 1;
		rows.push({
			id: 'deployment',
			label: 'gateway',
			level: r.state === 'done' ? 'ok' : r.state === 'failed' ? 'fail' : 'warn',
			text: `${ready}/${desired} ready`,
			reason: r.state === 'done' ? undefined : r.message,
		});
		const problems = podProblems(obs.pods, revision);
		if (problems.length > 0) {
			const first = problems[0]!;
			rows.push({
				id: 'pods',
				label: 'pods',
				level: 'fail',
				text: `${first.reason} (${problems.length})`,
				reason: `${first.pod}: ${first.message}${first.hint ? `; ${first.hint}` : ''}`,
			});
		}
		const spec = [...on('Deployment', 'pod-label:'), ...on('Deployment', 'env:')];
		if (spec.length > 0) {
			rows.push({
				id: 'gateway-spec',
				label: 'gateway spec',
				level: 'fail',
				text: `${spec.length} field${spec.length > 1 ? 's' : ''} not as ${exp.network !== undefined ? 'planned' : 'eastwest installs'}`,
				reason: `${spec.map(r => r.text).join('; ')}: reinstall the gateway with eastwest apply`,
			});
		}
	}

	// Service: type, address, ports.
	let address: GatewayAddress | undefined;
	if (!obs.service) {
		if (want.gateway)
			rows.push({id: 'service', label: 'service', level: 'fail', text: 'missing', reason: 'Service istio-system/istio-eastwestgateway does not exist'});
	} else {
		const type = obs.service.spec?.type ?? 'ClusterIP';
		const a = serviceAddress(obs.service);
		const typeWrong = on('Service', 'service-type')[0];
		if (typeWrong) {
			rows.push({id: 'address', label: 'address', level: 'fail', text: `${type} <none>`, reason: typeWrong.text});
		} else if (a.state === 'ready') {
			address = a.address;
			rows.push({
				id: 'address',
				label: 'address',
				level: a.address.kind === 'hostname' ? 'warn' : 'ok',
				text: `${type} ${a.address.value}`,
				reason:
					a.address.kind === 'hostname'
						? 'hostname address: istiod must resolve it (RESOLVE_HOSTNAME_GATEWAYS), and remotes need an IP for primary-remote'
						: undefined,
			});
		} else {
			rows.push({id: 'address', label: 'address', level: 'warn', text: `${type} <pending>`, reason: `${a.reason}; ${a.hint}`});
		}
		const missing = on('Service', 'port:');
		const bad = new Set(missing.map(r => r.field));
		rows.push({
			id: 'ports',
			label: 'ports',
			level: missing.length === 0 ? 'ok' : 'fail',
			text: GATEWAY_PORTS.map(p => `${bad.has(`port:${p.name}`) ? '!' : ''}${p.port}`).join(' '),
			reason: missing.length ? `missing ${missing.map(r => `${r.want}${r.have ? ` (have ${r.have})` : ''}`).join(', ')}` : undefined,
		});
	}

	// Network label on the namespace and the Service.
	if (obs.namespaceLabels || obs.service) {
		const wanted = exp.network;
		const problems: string[] = [];
		if (wanted !== undefined && nsNet !== wanted) problems.push(`istio-system has ${nsNet ? `network ${nsNet}` : 'no network label'}, plan says ${wanted}`);
		if (wanted !== undefined && on('Service', 'service-label:').length > 0)
			problems.push(`gateway Service has ${svcNet ? `network ${svcNet}` : 'no network label'}, plan says ${wanted}`);
		if (wanted === undefined && obs.service && nsNet !== undefined && svcNet !== nsNet)
			problems.push(`istio-system says ${nsNet}, gateway Service says ${svcNet ?? 'nothing'}`);
		if (wanted === undefined && obs.service && svcNet === undefined)
			problems.push('gateway Service has no topology.istio.io/network label: istiod will not use it as a network gateway');
		rows.push({
			id: 'network',
			label: 'network',
			level: problems.length ? 'fail' : 'ok',
			text: `ns ${nsNet ?? '-'} · svc ${obs.service ? (svcNet ?? '-') : 'n/a'}`,
			reason: problems.length ? problems.join('; ') : undefined,
		});
	}

	// Expose resources.
	const hasGw = (n: string) => obs.gateways.includes(n);
	const vsName = istiodVirtualServiceName(revision);
	const istiodExposed = hasGw(ISTIOD_GATEWAY_NAME) && obs.virtualServices.includes(vsName);
	if (want.exposeIstiod !== false) {
		const present = [hasGw(ISTIOD_GATEWAY_NAME) ? ISTIOD_GATEWAY_NAME : undefined, obs.virtualServices.includes(vsName) ? vsName : undefined].filter(Boolean);
		if (want.exposeIstiod || present.length > 0) {
			rows.push({
				id: 'expose-istiod',
				label: 'istiod exposed',
				level: istiodExposed ? 'ok' : want.exposeIstiod ? 'fail' : 'warn',
				text: istiodExposed ? `${ISTIOD_GATEWAY_NAME}, ${vsName}` : present.length ? `only ${present.join(', ')}` : 'no',
				reason: istiodExposed ? undefined : `needs Gateway ${ISTIOD_GATEWAY_NAME} and VirtualService ${vsName}`,
			});
		}
	}
	if (want.exposeServices !== false) {
		const present = hasGw(CROSS_NETWORK_GATEWAY_NAME);
		if (want.exposeServices || present) {
			rows.push({
				id: 'expose-services',
				label: 'services exposed',
				level: present ? 'ok' : 'fail',
				text: present ? CROSS_NETWORK_GATEWAY_NAME : 'no',
				reason: present ? undefined : `needs Gateway ${CROSS_NETWORK_GATEWAY_NAME}`,
			});
		}
	}

	// istiod.
	const matching = obs.istiod.filter(i => normalRevision(i.revision) === revision);
	if (want.istiod !== false) {
		if (matching.length > 0) {
			const i = matching[0]!;
			rows.push({
				id: 'istiod',
				label: 'istiod',
				level: i.ready ? 'ok' : 'warn',
				text: `${i.name}${i.revision ? ` (rev ${i.revision})` : ''}`,
				reason: i.ready ? undefined : `${i.name} is not ready`,
			});
		} else if (want.istiod) {
			const others = obs.istiod.map(i => i.revision ?? 'default');
			rows.push({
				id: 'istiod',
				label: 'istiod',
				level: 'fail',
				text: 'absent',
				reason: others.length ? `no istiod for revision ${revision ?? 'default'}; found ${others.join(', ')}` : 'no istiod Deployment in istio-system',
			});
		}
	} else if (obs.istiod.length > 0) {
		rows.push({
			id: 'istiod',
			label: 'istiod',
			level: 'warn',
			text: obs.istiod.map(i => i.name).join(', '),
			reason: 'a remote runs its own istiod: proxies may take config from it instead of the primary',
		});
	}

	// The wiring: which peers this cluster reads, and for a remote, which primary controls it.
	const reads = readsOf(obs, exp);
	for (const r of reads) {
		rows.push({
			id: 'reads',
			peer: r.peer,
			label: 'reads',
			level: r.ok ? 'ok' : 'fail',
			text: `${r.peer}${r.server ? ` at ${r.server}` : ''}`,
			...(r.reason ? {reason: r.reason} : {}),
		});
	}
	const controlledBy = controlledByOf(obs, exp);
	if (controlledBy) {
		const onlyCa = !controlledBy.ok ? false : controlledBy.reasons.length > 0;
		rows.push({
			id: 'control-plane',
			label: 'controlled by',
			level: !controlledBy.ok ? 'fail' : onlyCa ? 'warn' : 'ok',
			text: `${controlledBy.primary}${controlledBy.address ? ` via ${controlledBy.address}` : ''}`,
			...(controlledBy.reasons.length ? {reason: controlledBy.reasons.join('; ')} : {}),
		});
	}
	const wiring: ClusterWiring | undefined = obs.remoteSecrets || controlledBy ? {reads, ...(controlledBy ? {controlledBy} : {})} : undefined;
	// istiod's own view: its verdict on the peers and gateways. No running istiod says nothing here (the
	// istiod row says whether one is expected).
	const view = obs.istiodView;
	if (view && !(!view.read && view.kind === 'not-found')) {
		for (const item of judgeIstiodView(view, exp.istiodView ?? {...(exp.name ? {self: exp.name} : {})})) {
			const reason = [item.reason, item.hint].filter(Boolean).join('; ') || undefined;
			if (item.kind === 'peer') rows.push({id: `istiod-sees:${item.subject}`, label: `sees ${item.subject}`, level: item.level, text: item.text, reason});
			else if (item.kind === 'network')
				rows.push({id: `istiod-gateway:${item.subject}`, label: `gateway ${item.subject}`, level: item.level, text: item.text, reason});
			else if (!rows.some(r => r.id === 'istiod-view')) rows.push({id: 'istiod-view', label: "istiod's view", level: item.level, text: item.text, reason});
		}
	}

	// A gateway without an external address cannot carry cross-cluster traffic yet: not healthy, though
	// only a warning while it may still be coming.
	const addressPending = obs.service !== undefined && address === undefined;
	const healthy = obs.reachable && !obs.stale && rows.every(r => r.level !== 'fail') && !addressPending;
	return {
		...base,
		network: exp.network ?? nsNet ?? svcNet,
		healthy,
		address,
		rows,
		...(wiring ? {wiring} : {}),
		error: obs.reachable ? undefined : obs.error?.message,
		...(view ? {istiodView: view} : {}),
	};
}

/** A compact picture: clusters grouped by network, each gateway with its address and what it exposes. */
export function topologyPicture(clusters: readonly ClusterHealth[]): string[] {
	const byNetwork = new Map<string, ClusterHealth[]>();
	for (const c of clusters) {
		const key = c.network ?? '(network unknown)';
		byNetwork.set(key, [...(byNetwork.get(key) ?? []), c]);
	}
	const lines: string[] = [];
	for (const [network, members] of byNetwork) {
		lines.push(`network ${network}`);
		for (const c of members) {
			const exposed = c.rows
				.filter(r => (r.id === 'expose-istiod' || r.id === 'expose-services') && r.level === 'ok')
				.map(r => (r.id === 'expose-istiod' ? 'istiod' : 'services'));
			const gw = c.rows.some(r => r.id === 'deployment' && r.text !== 'not installed')
				? `gateway ${c.address?.value ?? '<pending>'}${exposed.length ? ` exposes ${exposed.join(' + ')}` : ''}`
				: 'no gateway';
			lines.push(`  ${c.name ?? c.context}${c.role ? ` (${c.role})` : ''} ── ${c.reachable ? gw : 'unreachable'}`);
		}
	}
	if (byNetwork.size > 1) lines.push(`${byNetwork.size} networks: cross-network traffic goes through the gateways on 15443`);
	return lines;
}

/** The mark for a row's level, shared by the status command's text and the live view. */
export const SYMBOL: Record<Level, string> = {ok: MARK.ok, warn: MARK.warn, fail: MARK.fail};

/** One line naming a cluster, its role and network, and its overall state. */
export function clusterHeading(c: ClusterHealth): string {
	const name = c.name && c.name !== c.context ? `${c.name} (context ${c.context})` : c.context;
	const state = !c.reachable ? 'unreachable' : c.stale ? 'stale: watch reconnecting' : c.healthy ? 'healthy' : 'not healthy';
	return `${name}${c.role ? ` · ${c.role}` : ''}${c.network ? ` · network ${c.network}` : ''} · ${state}`;
}

// ---------- trust across the mesh ----------

/** The mark of the mesh-level trust line (✔ one root, ‼ converging, ✘ different roots, – not known). */
export const TRUST_SYMBOL: Record<MeshTrustLevel, string> = {pass: MARK.ok, warn: MARK.warn, fail: MARK.fail, unknown: MARK.skip};

function identity(info: TrustRootInfo | null | undefined): RootIdentity | null | undefined {
	if (info === null || info === undefined) return info;
	// A root-cert.pem that could not be parsed says nothing about whom the cluster trusts.
	return info.fingerprint ? {fingerprint: info.fingerprint, ...(info.subject ? {subject: info.subject} : {})} : undefined;
}

/** Whether the watched clusters trust one root: the same judgement as eastwest check's (core/trust.ts judgeMeshTrust). */
export function meshTrustOf(clusters: ReadonlyArray<{cluster: string; observation: ClusterObservation}>): MeshTrust {
	return judgeMeshTrust(
		clusters.map(({cluster, observation}) => ({
			cluster,
			reachable: observation.reachable,
			published: identity(observation.trustRoots?.published),
			plugged: identity(observation.trustRoots?.plugged),
		})),
	);
}

/** The trust line as text: "✘ trust  east and west have different roots: …". */
export function trustLine(trust: MeshTrust): string {
	return `${TRUST_SYMBOL[trust.level]} ${'trust'.padEnd(16)} ${trust.line}`;
}
