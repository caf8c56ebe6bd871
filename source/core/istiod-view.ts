/**
 * istiod's own view of the mesh, from its debug endpoints: which clusters it reads (and whether their
 * API servers answer it) and which east-west gateways it knows per network. Parsing and judgement only;
 * the kube layer fetches the bodies through a port-forward to istiod's monitoring port.
 */
import type {IstiodDebugAnswer, KubeErrorInfo} from './ports.js';
import {TOPOLOGY_INFO, type ClusterSpec, type MeshPlanInput} from './model.js';
import {rec} from './record.js';

/** istiod's monitoring port (the pod's prometheus.io/port annotation says so too). */
export const ISTIOD_MONITORING_PORT = 15014;
export const CLUSTERZ_PATH = '/debug/clusterz';
export const NETWORKZ_PATH = '/debug/networkz';
export const ISTIOD_DEBUG_PATHS = [CLUSTERZ_PATH, NETWORKZ_PATH] as const;
/** How long one reading of istiod's view may take, port-forward included. */
export const ISTIOD_VIEW_TIMEOUT_MS = 8_000;

/** One entry of /debug/clusterz: a cluster istiod reads, and how its informers are doing. */
export interface IstiodClusterEntry {
	id: string;
	/** namespace/name of the remote secret it came from; empty for istiod's own cluster. */
	secretName: string;
	/** synced, syncing, timeout or closed (istiod's words). */
	syncStatus: string;
}

/** One entry of /debug/networkz: a cross-network gateway istiod will send other networks' traffic to. */
export interface IstiodNetworkGateway {
	network: string;
	cluster?: string;
	address: string;
	port: number;
}

export type IstiodView =
	| {read: true; pod: string; clusters: IstiodClusterEntry[]; gateways: IstiodNetworkGateway[]; problems: string[]}
	| {read: false; error: string; hint?: string; kind?: KubeErrorInfo['kind']};

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function parseJsonArray(body: string): unknown[] | undefined {
	let value: unknown;
	try {
		value = JSON.parse(body);
	} catch {
		return undefined;
	}
	// istiod answers `null` while it knows nothing yet.
	if (value === null) return [];
	return Array.isArray(value) ? value : undefined;
}

/** /debug/clusterz as entries; undefined when the body is not istiod's JSON array. */
export function parseClusterz(body: string): IstiodClusterEntry[] | undefined {
	const items = parseJsonArray(body);
	if (!items) return undefined;
	return items
		.map(rec)
		.filter(i => str(i.id) !== '')
		.map(i => ({id: str(i.id), secretName: str(i.secretName), syncStatus: str(i.syncStatus)}));
}

/** /debug/networkz as gateways; undefined when the body is not istiod's JSON array. */
export function parseNetworkz(body: string): IstiodNetworkGateway[] | undefined {
	const items = parseJsonArray(body);
	if (!items) return undefined;
	return items
		.map(rec)
		.filter(i => str(i.Addr) !== '')
		.map(i => {
			const gateway: IstiodNetworkGateway = {network: str(i.Network), address: str(i.Addr), port: typeof i.Port === 'number' ? i.Port : 0};
			if (str(i.Cluster)) gateway.cluster = str(i.Cluster);
			return gateway;
		});
}

/** The view from what the debug endpoints answered; an endpoint that failed is a problem, not an error. */
export function istiodViewFrom(answer: IstiodDebugAnswer): IstiodView {
	const problems: string[] = [];
	const body = (path: string): string | undefined => {
		const response = answer.responses.find(r => r.path === path);
		if (!response) {
			problems.push(`${path} was not read`);
			return undefined;
		}
		if (response.status !== 200) {
			problems.push(`${path} answered HTTP ${response.status}`);
			return undefined;
		}
		return response.body;
	};
	const parsed = <T>(path: string, parse: (body: string) => T[] | undefined): T[] => {
		const text = body(path);
		if (text === undefined) return [];
		const items = parse(text);
		if (!items) problems.push(`${path} is not the JSON list istiod serves`);
		return items ?? [];
	};
	const clusters = parsed(CLUSTERZ_PATH, parseClusterz);
	const gateways = parsed(NETWORKZ_PATH, parseNetworkz);
	return {read: true, pod: answer.pod, clusters, gateways, problems};
}

/** The view when istiod could not be read at all. */
export function istiodViewError(error: KubeErrorInfo): IstiodView {
	return {read: false, error: error.message, kind: error.kind, ...(error.hint ? {hint: error.hint} : {})};
}

// ---------- judgement ----------

/** What a primary's istiod should see; undefined fields are not judged (e.g. status without a plan). */
export interface IstiodViewExpectation {
	/** istiod's own cluster ID: its own entry is not a peer. */
	self?: string;
	/** Cluster IDs it should read through remote secrets. */
	peers?: string[];
	/** Networks whose east-west gateway it should know. */
	gatewayNetworks?: string[];
}

export type IstiodViewLevel = 'ok' | 'warn' | 'fail';

export interface IstiodViewItem {
	kind: 'peer' | 'network' | 'unread';
	/** The peer's cluster ID, the network, or "istiod". */
	subject: string;
	level: IstiodViewLevel;
	/** Short fact: "synced", "127.0.20.1:15443", "no gateway". */
	text: string;
	reason?: string;
	hint?: string;
}

export const PEER_UNREACHABLE_HINT = "istiod cannot reach that API server: check the remote secret's server address";

/** What the plan expects of one primary's istiod: every other cluster as a peer; in a multi-network mesh, every network's gateway. */
export function istiodExpectation(plan: Pick<MeshPlanInput, 'topology' | 'clusters'>, cluster: Pick<ClusterSpec, 'name'>): IstiodViewExpectation {
	const peers = plan.clusters.filter(c => c.name !== cluster.name).map(c => c.name);
	const gatewayNetworks = TOPOLOGY_INFO[plan.topology]?.multiNetwork ? [...new Set(plan.clusters.map(c => c.network))] : [];
	return {self: cluster.name, peers, gatewayNetworks};
}

function peerItem(id: string, entry: IstiodClusterEntry | undefined, self: string | undefined): IstiodViewItem {
	if (!entry) {
		return {
			kind: 'peer',
			subject: id,
			level: 'fail',
			text: 'not read',
			reason: `istiod has no remote secret for ${id}`,
			hint: `create the remote secret of ${id}${self ? ` in ${self}` : ''}: eastwest apply does it (or istioctl create-remote-secret --name ${id} piped to kubectl apply)`,
		};
	}
	const from = entry.secretName ? ` (secret ${entry.secretName})` : '';
	switch (entry.syncStatus) {
		case 'synced':
			return {kind: 'peer', subject: id, level: 'ok', text: 'synced'};
		case 'syncing':
			return {kind: 'peer', subject: id, level: 'warn', text: 'syncing', reason: `istiod is still reading ${id}'s API server${from}`};
		case 'timeout':
		case 'closed':
			return {
				kind: 'peer',
				subject: id,
				level: 'fail',
				text: entry.syncStatus,
				reason: `istiod's client for ${id}${from} is ${entry.syncStatus}`,
				hint: PEER_UNREACHABLE_HINT,
			};
		default:
			return {kind: 'peer', subject: id, level: 'warn', text: entry.syncStatus || 'unknown', reason: `istiod reports ${id} as "${entry.syncStatus}"${from}`};
	}
}

/** Per peer and per network, what istiod's view says; one warning item when istiod could not be read. */
export function judgeIstiodView(view: IstiodView, exp: IstiodViewExpectation = {}): IstiodViewItem[] {
	if (!view.read) {
		return [{kind: 'unread', subject: 'istiod', level: 'warn', text: 'not read', reason: view.error, ...(view.hint ? {hint: view.hint} : {})}];
	}
	const items: IstiodViewItem[] = [];
	const listedPeers = view.clusters.filter(c => c.secretName !== '' || (exp.self !== undefined && c.id !== exp.self));
	const peerIds = exp.peers ?? [...new Set(listedPeers.map(c => c.id))];
	for (const id of peerIds)
		items.push(
			peerItem(
				id,
				listedPeers.find(c => c.id === id),
				exp.self,
			),
		);

	const networks = exp.gatewayNetworks ?? [...new Set(view.gateways.map(g => g.network))];
	for (const network of networks) {
		const known = view.gateways.filter(g => g.network === network);
		if (known.length > 0) {
			items.push({kind: 'network', subject: network, level: 'ok', text: known.map(g => `${g.address}:${g.port}`).join(', ')});
		} else {
			items.push({
				kind: 'network',
				subject: network,
				level: 'fail',
				text: 'no gateway',
				reason: `istiod lists no gateway for network ${network}`,
				hint: `the east-west gateway Service of ${network} needs the label topology.istio.io/network=${network}, port 15443 and an external address (LoadBalancer ingress or externalIPs); a remote cluster's gateway is seen only through its remote secret`,
			});
		}
	}
	for (const problem of view.problems) items.push({kind: 'unread', subject: 'istiod', level: 'warn', text: 'partly read', reason: problem});
	return items;
}

/** One line for an item: "sees west: synced", "gateway of net-west: 127.0.20.1:15443", "istiod's view: not read". */
export function istiodViewLine(item: IstiodViewItem): string {
	if (item.kind === 'peer') return `sees ${item.subject}: ${item.text}`;
	if (item.kind === 'network') return `gateway of ${item.subject}: ${item.text}`;
	return `istiod's view: ${item.text}`;
}
