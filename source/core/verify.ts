/**
 * `eastwest verify`: does the mesh carry traffic? Pure rules for its three layers (istiod's view of its
 * peers, istiod's endpoints of a test Service from every cluster, requests from each cluster's client),
 * the objects it deploys, the directions a plan expects, the histogram judgement, the troubleshooting
 * ladder that names the first broken link, and the JUnit report. The run itself is engine/verify.ts.
 */
import type {CheckResult} from './checks/index.js';
import {judgeIstiodView, istiodExpectation, istiodViewLine, type IstiodView, type IstiodViewItem} from './istiod-view.js';
import type {Manifest} from './manifests.js';
import {FIELD_MANAGER, TOPOLOGY_INFO, normalRevision, type ClusterSpec, type MeshPlanInput} from './model.js';
import {rec} from './record.js';
import type {PodLike} from './rollout.js';

export const VERIFY_NAMESPACE = 'eastwest-verify';
/** Every object verify creates carries this label (value `true`): what it deletes, and how it recognises its namespace. */
export const VERIFY_LABEL = 'eastwest.io/verify';
/** On the namespace: `running` while a verify uses it, `kept` after a run with --keep. */
export const VERIFY_STATE_ANNOTATION = 'eastwest.io/verify-state';
export const HELLOWORLD = 'helloworld';
export const CLIENT = 'curl';
export const HELLOWORLD_PORT = 5000;
export const DEFAULT_REQUESTS = 20;
export const DEFAULT_VERIFY_TIMEOUT_MS = 180_000;
/** The last line the client's request loop prints: without it the loop did not run (no container, no exec). */
export const DONE_MARKER = 'eastwest-verify-done';
const FAILED_MARKER = 'eastwest-verify-request-failed';

/** The images of Istio's "Verify the installation" docs. */
export const DEFAULT_IMAGES = {
	helloworld: 'docker.io/istio/examples-helloworld-v1:1.0',
	curl: 'docker.io/curlimages/curl:8.16.0',
} as const;

export interface VerifyImages {
	helloworld: string;
	curl: string;
}

/** The images to run: per-image flags win, then --image-registry in place of docker.io, then the docs' images. */
export function verifyImages(options: {registry?: string; helloworld?: string; curl?: string}): VerifyImages {
	const registry = options.registry?.replace(/\/+$/, '');
	const moved = (image: string) => (registry ? `${registry}/${image.replace(/^docker\.io\//, '')}` : image);
	return {
		helloworld: options.helloworld ?? moved(DEFAULT_IMAGES.helloworld),
		curl: options.curl ?? moved(DEFAULT_IMAGES.curl),
	};
}

// ---------- what the plan expects ----------

/** The clusters that run an istiod serving the plan (its primaries). */
export function istiodClusters(plan: Pick<MeshPlanInput, 'clusters'>): ClusterSpec[] {
	return plan.clusters.filter(c => c.role === 'primary');
}

/** The istiod that serves a cluster's workloads: its own on a primary, the (first) primary's on a remote. */
export function servingIstiod(plan: Pick<MeshPlanInput, 'clusters'>, cluster: ClusterSpec): ClusterSpec | undefined {
	return cluster.role === 'primary' ? cluster : istiodClusters(plan)[0];
}

export interface Direction {
	from: string;
	to: string;
}

/** Every direction a request must travel: all pairs when every cluster is a primary; remote ↔ primary otherwise. */
export function expectedDirections(plan: Pick<MeshPlanInput, 'clusters'>): Direction[] {
	const directions: Direction[] = [];
	for (const from of plan.clusters)
		for (const to of plan.clusters) {
			if (from.name === to.name) continue;
			if (from.role === 'remote' && to.role === 'remote') continue;
			directions.push({from: from.name, to: to.name});
		}
	return directions;
}

/** The clusters whose endpoints an istiod should hold: its own and every peer it reads. */
export function expectedShards(plan: Pick<MeshPlanInput, 'topology' | 'clusters'>, istiod: ClusterSpec): string[] {
	return [istiod.name, ...(istiodExpectation(plan, istiod).peers ?? [])];
}

// ---------- the objects verify deploys ----------

export function verifyLabels(): Record<string, string> {
	return {[VERIFY_LABEL]: 'true', 'app.kubernetes.io/managed-by': FIELD_MANAGER};
}

/** The injection label the plan's revision asks for. */
export function injectionLabel(revision: string | undefined): Record<string, string> {
	const rev = normalRevision(revision);
	return rev ? {'istio.io/rev': rev} : {'istio-injection': 'enabled'};
}

export function helloworldHost(namespace: string): string {
	return `${HELLOWORLD}.${namespace}.svc.cluster.local`;
}

/** The namespace, labelled for injection and marked as a verify's, with the run that holds it. */
export function verifyNamespace(namespace: string, revision: string | undefined, holder: string): Manifest {
	return {
		apiVersion: 'v1',
		kind: 'Namespace',
		metadata: {name: namespace, labels: {...verifyLabels(), ...injectionLabel(revision)}, annotations: {[VERIFY_STATE_ANNOTATION]: holder}},
	};
}

/** One cluster's workload: the helloworld Service (in every cluster, for DNS), a helloworld answering with the cluster's name, a curl client. */
export function verifyWorkload(namespace: string, cluster: string, images: VerifyImages): Manifest[] {
	const labels = verifyLabels();
	const meta = (name: string, extra: Record<string, string> = {}) => ({name, namespace, labels: {...labels, ...extra}});
	return [
		{
			apiVersion: 'v1',
			kind: 'Service',
			metadata: meta(HELLOWORLD, {app: HELLOWORLD}),
			spec: {selector: {app: HELLOWORLD}, ports: [{name: 'http', port: HELLOWORLD_PORT, targetPort: HELLOWORLD_PORT}]},
		},
		{
			apiVersion: 'v1',
			kind: 'ServiceAccount',
			metadata: meta(CLIENT),
		},
		{
			apiVersion: 'apps/v1',
			kind: 'Deployment',
			metadata: meta(`${HELLOWORLD}-${cluster}`, {app: HELLOWORLD, version: cluster}),
			spec: {
				replicas: 1,
				selector: {matchLabels: {app: HELLOWORLD, version: cluster}},
				template: {
					metadata: {labels: {...labels, app: HELLOWORLD, version: cluster}},
					spec: {
						containers: [
							{
								name: HELLOWORLD,
								image: images.helloworld,
								// The sample answers "Hello version: $SERVICE_VERSION, instance: $HOSTNAME".
								env: [{name: 'SERVICE_VERSION', value: cluster}],
								ports: [{containerPort: HELLOWORLD_PORT}],
								resources: {requests: {cpu: '10m', memory: '32Mi'}},
							},
						],
					},
				},
			},
		},
		{
			apiVersion: 'apps/v1',
			kind: 'Deployment',
			metadata: meta(CLIENT, {app: CLIENT}),
			spec: {
				replicas: 1,
				selector: {matchLabels: {app: CLIENT}},
				template: {
					metadata: {labels: {...labels, app: CLIENT}},
					spec: {
						serviceAccountName: CLIENT,
						terminationGracePeriodSeconds: 0,
						containers: [{name: CLIENT, image: images.curl, command: ['/bin/sleep', 'infinity'], resources: {requests: {cpu: '10m', memory: '16Mi'}}}],
					},
				},
			},
		},
	];
}

/** The shell loop each client runs (one exec): `requests` GETs, one answer or a failure marker per line, then the done marker. */
export function requestCommand(namespace: string, requests: number): string[] {
	const url = `http://${HELLOWORLD}.${namespace}:${HELLOWORLD_PORT}/hello`;
	const loop = `i=0; while [ $i -lt ${requests} ]; do curl -sS -m 5 ${url} || echo ${FAILED_MARKER}; i=$((i+1)); done; echo ${DONE_MARKER}`;
	return ['sh', '-c', loop];
}

// ---------- layer 1: istiod's view ----------

export type Level = 'pass' | 'warn' | 'fail';

export interface VerifyItem {
	/** Stable id for JSON and JUnit: "control-plane/east/sees/west". */
	id: string;
	level: Level;
	/** One line: what holds, or what does not. */
	text: string;
	reason?: string;
	hint?: string;
}

const LEVEL_OF: Record<IstiodViewItem['level'], Level> = {ok: 'pass', warn: 'warn', fail: 'fail'};

/** Layer 1 for one istiod: every peer synced and, multi-network, every network's gateway known. */
export function judgeControlPlane(plan: Pick<MeshPlanInput, 'topology' | 'clusters'>, istiod: ClusterSpec, view: IstiodView): VerifyItem[] {
	return judgeIstiodView(view, istiodExpectation(plan, istiod)).map(item => ({
		id: `control-plane/${istiod.name}/${item.kind}/${item.subject}`,
		// An istiod that cannot be read is a failure here: verify's first layer is exactly that read.
		level: item.kind === 'unread' && !view.read ? 'fail' : LEVEL_OF[item.level],
		text: `${istiod.name}'s istiod ${istiodViewLine(item)}`,
		...(item.reason ? {reason: item.reason} : {}),
		...(item.hint ? {hint: item.hint} : {}),
	}));
}

// ---------- layer 2: istiod's endpoints ----------

/** Endpoints per source cluster, from /debug/endpointShardz, for one Service host and namespace. */
export function parseEndpointShards(body: string, host: string, namespace: string): Record<string, number> | undefined {
	let value: unknown;
	try {
		value = JSON.parse(body);
	} catch {
		return undefined;
	}
	if (value === null) return {};
	if (typeof value !== 'object' || Array.isArray(value)) return undefined;
	const shards = rec(rec(rec(rec(value)[host])[namespace]).Shards);
	const counts: Record<string, number> = {};
	for (const [key, endpoints] of Object.entries(shards)) {
		// Keys are "provider/cluster" (Kubernetes/west).
		const cluster = key.includes('/') ? key.slice(key.indexOf('/') + 1) : key;
		counts[cluster] = (counts[cluster] ?? 0) + (Array.isArray(endpoints) ? endpoints.length : 0);
	}
	return counts;
}

export type ShardRead = {read: true; counts: Record<string, number>} | {read: false; error: string; hint?: string};

/** Layer 2 for one istiod: it holds the test Service's endpoints from every cluster it should see. */
export function judgeDiscovery(plan: Pick<MeshPlanInput, 'topology' | 'clusters'>, istiod: ClusterSpec, shards: ShardRead, namespace: string): VerifyItem[] {
	if (!shards.read) {
		return [
			{
				id: `discovery/${istiod.name}/read`,
				level: 'fail',
				text: `${istiod.name}'s istiod: endpoints not read`,
				reason: shards.error,
				...(shards.hint ? {hint: shards.hint} : {}),
			},
		];
	}
	return expectedShards(plan, istiod).map(source => {
		const count = shards.counts[source] ?? 0;
		const id = `discovery/${istiod.name}/${source}`;
		if (count > 0) return {id, level: 'pass', text: `${istiod.name}'s istiod holds ${count} ${HELLOWORLD} endpoint${count === 1 ? '' : 's'} from ${source}`};
		const local = source === istiod.name;
		return {
			id,
			level: 'fail',
			text: `${istiod.name}'s istiod holds no ${HELLOWORLD} endpoints from ${source}`,
			reason: local
				? `no ready ${HELLOWORLD} pod in ${namespace} on ${source}, or istiod has not seen it yet`
				: `istiod reads no ready ${HELLOWORLD} pod of ${source}: its remote secret for ${source} is missing or its client is not synced`,
			hint: local
				? `kubectl --context ${contextOf(plan, source)} -n ${namespace} get pods,endpointslices`
				: `eastwest check --phase post-install names the broken remote secret; eastwest apply creates it`,
		};
	});
}

function contextOf(plan: Pick<MeshPlanInput, 'clusters'>, name: string): string {
	return plan.clusters.find(c => c.name === name)?.context ?? name;
}

// ---------- layer 3: requests ----------

export interface ClientRun {
	from: string;
	/** The client pod the requests ran in. */
	pod?: string;
	/** Why the requests could not be run or read (exec refused, no pod): the data plane is then not verified. */
	error?: string;
	/** stdout of the request loop. */
	output?: string;
}

export interface Histogram {
	from: string;
	/** Answers per cluster that answered (the helloworld's SERVICE_VERSION). */
	answers: Record<string, number>;
	/** Requests that got no answer. */
	failed: number;
	requests: number;
}

export type ClientVerdict = {ran: true; histogram: Histogram} | {ran: false; from: string; reason: string};

/** Read a client's output: an answer names its cluster ("Hello version: west, instance: …"). */
export function readClientRun(run: ClientRun, requests: number): ClientVerdict {
	if (run.error !== undefined) return {ran: false, from: run.from, reason: run.error};
	const lines = (run.output ?? '').split('\n').map(l => l.trim());
	if (!lines.includes(DONE_MARKER)) {
		return {
			ran: false,
			from: run.from,
			reason: `the request loop in ${run.pod ?? 'the client'} on ${run.from} did not run (its output is ${lines.join('').length === 0 ? 'empty' : 'incomplete'}: no container answered the exec)`,
		};
	}
	const answers: Record<string, number> = {};
	let failed = 0;
	for (const line of lines) {
		const m = /^Hello version: ([^,\s]+),/.exec(line);
		if (m?.[1]) answers[m[1]] = (answers[m[1]] ?? 0) + 1;
		else if (line.includes(FAILED_MARKER)) failed += 1;
	}
	return {ran: true, histogram: {from: run.from, answers, failed, requests}};
}

/** "from east: east 11, west 9 (0 failed)". */
export function histogramLine(h: Histogram): string {
	const parts = Object.entries(h.answers)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([c, n]) => `${c} ${n}`);
	return `from ${h.from}: ${parts.length > 0 ? parts.join(', ') : 'no answers'}${h.failed > 0 ? ` (${h.failed} failed)` : ''}`;
}

/** A target answering fewer than this share of an even split makes the histogram skewed (a warning). */
const SKEW_SHARE = 0.25;

export interface DirectionResult extends Direction {
	level: Level;
	answers: number;
	text: string;
}

/** Per expected direction out of one client: passes when the target answered at least once; skew is a warning. */
export function judgeHistogram(plan: Pick<MeshPlanInput, 'clusters'>, h: Histogram): DirectionResult[] {
	const targets = [
		h.from,
		...expectedDirections(plan)
			.filter(d => d.from === h.from)
			.map(d => d.to),
	];
	const even = h.requests / targets.length;
	return targets
		.filter(t => t !== h.from)
		.map(to => {
			const answers = h.answers[to] ?? 0;
			if (answers === 0) return {from: h.from, to, level: 'fail' as const, answers, text: `${h.from} → ${to}: no answer from ${to} in ${h.requests} requests`};
			const skewed = answers < even * SKEW_SHARE || targets.some(t => (h.answers[t] ?? 0) < even * SKEW_SHARE);
			return {
				from: h.from,
				to,
				level: skewed ? ('warn' as const) : ('pass' as const),
				answers,
				text: `${h.from} → ${to}: ${answers} of ${h.requests} answered by ${to}${skewed ? ' (skewed: cross-network balancing can be sticky)' : ''}`,
			};
		});
}

// ---------- the ladder ----------

export type LadderStepId = 'client-sidecar' | 'remote-secret' | 'shared-root' | 'gateway-address' | 'network-labels' | 'istiod-endpoints';

export interface LadderStep {
	id: LadderStepId;
	title: string;
	level: Level | 'skip';
	reason?: string;
	hint?: string;
}

export const LADDER_TITLES: Record<LadderStepId, string> = {
	'client-sidecar': 'the client has a sidecar (injected, Running, every container ready)',
	'remote-secret': 'the remote secret for the peer exists and its credentials work',
	'shared-root': "both clusters' cacerts chain to one root",
	'gateway-address': 'the gateway Service has an address',
	'network-labels': "network labels agree (namespace, gateway Service, istiod's network)",
	'istiod-endpoints': "istiod holds the peer's endpoints (multi-network: the peer's gateway on 15443)",
};

/** The checks of core/checks behind each ladder step, judged where they apply. */
const LADDER_CHECKS: Partial<Record<LadderStepId, readonly string[]>> = {
	'remote-secret': ['remote-secrets', 'remote-secret-credentials'],
	'shared-root': ['shared-root-ca', 'cacerts-chain', 'root-cert-converged'],
	'gateway-address': ['gateway-address'],
	'network-labels': ['namespace-network', 'gateway-labels', 'gateway-service', 'network-label'],
};

/** Whether a pod carries Istio's proxy (a container, or a native sidecar init container) and is Running with every container ready. */
export function sidecarState(pod: PodLike | undefined): {ok: boolean; reason?: string} {
	if (!pod) return {ok: false, reason: 'no client pod'};
	const spec = rec((pod as Record<string, unknown>).spec);
	const names = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])].map(
		c => rec(c).name,
	);
	const name = pod.metadata?.name ?? 'the client pod';
	if (!names.includes('istio-proxy')) return {ok: false, reason: `${name} has no istio-proxy: it was not injected`};
	if (pod.status?.phase !== 'Running') return {ok: false, reason: `${name} is ${pod.status?.phase ?? 'not running'}`};
	const statuses = pod.status?.containerStatuses ?? [];
	const ready = statuses.filter(s => s.ready).length;
	if (ready < statuses.length) return {ok: false, reason: `${name} is Running ${ready}/${statuses.length}`};
	return {ok: true};
}

export interface LadderInput {
	plan: Pick<MeshPlanInput, 'topology' | 'clusters' | 'revision'>;
	direction: Direction;
	/** The client pod in the direction's source cluster. */
	clientPod: PodLike | undefined;
	/** Post-install check results of the plan (check's catalogue). */
	checks: readonly CheckResult[];
	/** Layer 1 and 2 items already judged. */
	items: readonly VerifyItem[];
}

/** The troubleshooting page's ladder for one failed direction, in order; the first failing step is the broken link. */
export function walkLadder(input: LadderInput): LadderStep[] {
	const {plan, direction, checks, items} = input;
	const from = plan.clusters.find(c => c.name === direction.from);
	const to = plan.clusters.find(c => c.name === direction.to);
	const istiod = from ? servingIstiod(plan, from) : undefined;
	const multiNetwork = TOPOLOGY_INFO[plan.topology].multiNetwork;
	const involved = new Set([direction.from, direction.to, istiod?.name].filter((n): n is string => n !== undefined));
	const steps: LadderStep[] = [];

	const sidecar = sidecarState(input.clientPod);
	steps.push({
		id: 'client-sidecar',
		title: LADDER_TITLES['client-sidecar'],
		level: sidecar.ok ? 'pass' : 'fail',
		...(sidecar.reason ? {reason: sidecar.reason} : {}),
		...(sidecar.ok
			? {}
			: {
					hint: `label the namespace ${injectionHint(plan.revision)} and check that istiod's injector answers, then restart the client (verify labels its namespace so)`,
				}),
	});

	const fromChecks = (id: LadderStepId, where: (r: CheckResult) => boolean): LadderStep => {
		const ids = LADDER_CHECKS[id] ?? [];
		const relevant = checks.filter(r => ids.includes(r.id) && where(r));
		const failed = relevant.find(r => r.status === 'fail');
		const warned = relevant.find(r => r.status === 'warn');
		const bad = failed ?? warned;
		if (relevant.length === 0) return {id, title: LADDER_TITLES[id], level: 'skip', reason: 'not judged for this plan'};
		return {
			id,
			title: LADDER_TITLES[id],
			level: failed ? 'fail' : warned ? 'warn' : 'pass',
			...(bad ? {reason: `${bad.cluster ? `${bad.cluster}: ` : ''}${bad.reason ?? bad.claim}`} : {}),
			...(bad?.hint ? {hint: bad.hint} : {}),
		};
	};

	// The istiod serving the client must read the target's cluster.
	steps.push(fromChecks('remote-secret', r => r.cluster === istiod?.name));
	steps.push(fromChecks('shared-root', r => r.cluster === undefined || involved.has(r.cluster)));
	if (multiNetwork) steps.push(fromChecks('gateway-address', r => r.cluster === direction.to));
	steps.push(fromChecks('network-labels', r => r.cluster !== undefined && involved.has(r.cluster)));

	const endpointItem = items.find(i => i.id === `discovery/${istiod?.name}/${direction.to}`);
	const gatewayItem =
		to && multiNetwork && to.network !== from?.network ? items.find(i => i.id === `control-plane/${istiod?.name}/network/${to.network}`) : undefined;
	const bad = [endpointItem, gatewayItem].find(i => i && i.level === 'fail');
	steps.push({
		id: 'istiod-endpoints',
		title: LADDER_TITLES['istiod-endpoints'],
		level: endpointItem || gatewayItem ? (bad ? 'fail' : 'pass') : 'skip',
		...(bad ? {reason: bad.text + (bad.reason ? `: ${bad.reason}` : '')} : {}),
		...(bad?.hint ? {hint: bad.hint} : {}),
	});
	return steps;
}

function injectionHint(revision: string | undefined): string {
	const [key, value] = Object.entries(injectionLabel(revision))[0] ?? ['istio-injection', 'enabled'];
	return `${key}=${value}`;
}

/** The first failing step of a ladder, else its first warning. */
export function brokenLink(steps: readonly LadderStep[]): LadderStep | undefined {
	return steps.find(s => s.level === 'fail') ?? steps.find(s => s.level === 'warn');
}

/** "west → east failed: <reason> (<hint>)", or that no step of the ladder explains it. */
export function verdictLine(direction: Direction, steps: readonly LadderStep[]): string {
	const link = brokenLink(steps);
	const head = `${direction.from} → ${direction.to} failed`;
	if (!link) return `${head}: every step of the ladder holds; look at the client's and the gateways' proxies (istioctl proxy-config endpoints)`;
	return `${head}: ${link.title.replace(/ \(.*\)$/, '')} does not hold — ${link.reason ?? 'see the ladder'}${link.hint ? ` (${link.hint})` : ''}`;
}

// ---------- the whole report ----------

export const LAYERS = ['control-plane', 'discovery', 'data-plane'] as const;
export type LayerId = (typeof LAYERS)[number];

export const LAYER_TITLES: Record<LayerId, string> = {
	'control-plane': "control plane: each istiod sees its peers synced and knows every network's gateway",
	discovery: "service discovery: each istiod holds the test Service's endpoints from every cluster",
	'data-plane': 'data plane: requests from each cluster reach every cluster',
};

export interface DirectionReport extends DirectionResult {
	ladder?: LadderStep[];
	verdict?: string;
}

export interface LayerReport {
	id: LayerId;
	/** pass, warn, fail; 'unverified' for a data plane whose requests could not run; 'not-run' after an earlier failure or cancel. */
	status: Level | 'unverified' | 'not-run';
	items: VerifyItem[];
	/** Data plane only. */
	histograms?: Histogram[];
	directions?: DirectionReport[];
	/** Why the layer is unverified or not run. */
	reason?: string;
}

export type VerifyStatus = 'pass' | 'fail' | 'unverified' | 'cancelled';

export interface VerifyReport {
	namespace: string;
	layers: LayerReport[];
	status: VerifyStatus;
	/** What was left on the clusters (with --keep, or what could not be deleted). */
	left: string[];
}

/** A layer's status from its items: any failure fails it, else any warning warns. */
export function layerStatus(items: readonly {level: Level}[]): Level {
	if (items.some(i => i.level === 'fail')) return 'fail';
	if (items.some(i => i.level === 'warn')) return 'warn';
	return 'pass';
}

/** The run's status: cancelled, failed when any layer failed, unverified when the data plane could not run, else pass. */
export function reportStatus(layers: readonly LayerReport[], cancelled: boolean): VerifyStatus {
	if (cancelled) return 'cancelled';
	if (layers.some(l => l.status === 'fail')) return 'fail';
	if (layers.some(l => l.status === 'unverified' || l.status === 'not-run')) return 'unverified';
	return 'pass';
}

/** "data plane not verified: <why>". */
export function unverifiedLine(reason: string): string {
	return `data plane not verified: ${reason}`;
}

// ---------- JUnit ----------

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One testsuite per layer, one testcase per check (item, direction); warnings pass with their text in system-out. */
export function renderJunit(report: VerifyReport): string {
	const suites = report.layers.map(layer => {
		const cases: string[] = [];
		const add = (name: string, level: Level | 'skip', text: string, detail?: string) => {
			const body =
				level === 'fail'
					? `<failure message="${xml(text)}">${xml(detail ?? text)}</failure>`
					: level === 'skip'
						? `<skipped message="${xml(text)}"/>`
						: level === 'warn'
							? `<system-out>${xml(`warning: ${detail ?? text}`)}</system-out>`
							: '';
			cases.push(`    <testcase classname="eastwest.verify.${layer.id}" name="${xml(name)}">${body}</testcase>`);
		};
		for (const item of layer.items) add(item.id, item.level, item.text, [item.reason, item.hint].filter(Boolean).join(' — ') || undefined);
		for (const d of layer.directions ?? []) add(`${d.from} → ${d.to}`, d.level, d.text, d.verdict);
		if (layer.status === 'unverified' || layer.status === 'not-run') add(layer.id, 'skip', layer.reason ?? layer.status);
		const failures = cases.filter(c => c.includes('<failure')).length;
		const skipped = cases.filter(c => c.includes('<skipped')).length;
		return `  <testsuite name="${xml(LAYER_TITLES[layer.id])}" tests="${cases.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
	});
	const all = suites.join('\n');
	const tests = (all.match(/<testcase /g) ?? []).length;
	const failures = (all.match(/<failure /g) ?? []).length;
	return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="eastwest verify" tests="${tests}" failures="${failures}">\n${all}\n</testsuites>\n`;
}
