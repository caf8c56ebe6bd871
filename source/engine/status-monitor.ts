/**
 * Keeps a live picture of the east-west gateways on several clusters from list+watch streams
 * (one per resource kind per cluster, no polling) and turns it into health rows (core/status).
 * The wiring comes from the same kind of streams: remote secrets on clusters that read peers (described
 * without credentials by the kube layer), and a remote's istiod Service, EndpointSlice and injector webhook.
 * Credentials are not verified here (that asks each peer's API server as another identity: `eastwest check`).
 * istiod's own view cannot be watched: it is read through a port-forward once at start, then again every interval.
 */
import {GATEWAY_NAME, ISTIO_NAMESPACE} from '../core/model.js';
import type {ClusterClient, KubeErrorInfo, RemoteSecretInfo, TrustRootInfo, WatchHandle, WatchUpdate} from '../core/ports.js';
import type {MeshTrust} from '../core/trust.js';
import {injectorWebhookName, remoteIstiodServiceName, remoteObserved} from '../core/remote.js';
import type {DeploymentLike, PodLike, ServiceLike} from '../core/rollout.js';
import {isIstiodDeployment, istiodFromDeployment, type IstiodDeploymentLike} from '../core/istiod.js';
import {evaluateCluster, meshTrustOf, type ClusterExpectation, type ClusterHealth, type ClusterObservation} from '../core/status.js';
import {ISTIOD_DEBUG_PATHS, ISTIOD_VIEW_TIMEOUT_MS, istiodViewError, istiodViewFrom, type IstiodView} from '../core/istiod-view.js';

/** How often a running monitor reads istiod's view again. */
export const ISTIOD_VIEW_INTERVAL_MS = 10_000;

export interface MonitorOptions {
	/** Between reads of istiod's view (ISTIOD_VIEW_INTERVAL_MS). */
	istiodViewIntervalMs?: number;
	/** Deadline of one read (ISTIOD_VIEW_TIMEOUT_MS). */
	istiodViewTimeoutMs?: number;
}

export interface MonitorTarget {
	context: string;
	expectation: ClusterExpectation;
}

type Feed =
	| 'deployments'
	| 'services'
	| 'pods'
	| 'namespaces'
	| 'gateways'
	| 'virtualservices'
	| 'secrets'
	| 'endpointslices'
	| 'webhooks'
	| 'published-root'
	| 'plugged-root';
// Every cluster: the roots that decide trust (ConfigMap istio-ca-root-cert, Secret cacerts), as identities only.
const FEEDS: Feed[] = ['deployments', 'services', 'pods', 'namespaces', 'gateways', 'virtualservices', 'published-root', 'plugged-root'];
/** A remote reads nobody (no remote secrets) but has its control-plane wiring; every other cluster may read peers. */
const isRemote = (t: MonitorTarget) => t.expectation.role === 'remote';
function feedsOf(t: MonitorTarget): Feed[] {
	return [...FEEDS, ...(isRemote(t) ? (['endpointslices', 'webhooks'] as Feed[]) : (['secrets'] as Feed[]))];
}
// Custom resources whose CRDs may be missing: a 404 means "none", not "unreachable".
const OPTIONAL: ReadonlySet<Feed> = new Set(['gateways', 'virtualservices']);

interface FeedState {
	heard: boolean;
	connected: boolean;
	everConnected: boolean;
	error?: KubeErrorInfo;
	items: unknown[];
}

class ClusterWatch {
	readonly feeds: Map<Feed, FeedState>;
	private handles: WatchHandle[] = [];
	/** Undefined until the first read of istiod's view has answered (or when it is not read at all). */
	private istiodView: IstiodView | undefined;
	private istiodViewHeard = true;
	private istiodViewStop: AbortController | undefined;

	constructor(
		readonly target: MonitorTarget,
		private readonly client: ClusterClient,
		private readonly changed: () => void,
		private readonly options: MonitorOptions = {},
	) {
		this.feeds = new Map(feedsOf(target).map(f => [f, {heard: false, connected: false, everConnected: false, items: []}]));
	}

	/** Read istiod's view now and again every interval until stopped; a remote has no istiod to ask. */
	private startIstiodView(): void {
		if (!this.client.readIstiodDebug || this.target.expectation.role === 'remote') return;
		const stop = new AbortController();
		this.istiodViewStop = stop;
		this.istiodViewHeard = false;
		const interval = this.options.istiodViewIntervalMs ?? ISTIOD_VIEW_INTERVAL_MS;
		const revision = this.target.expectation.revision?.trim();
		const readOnce = async () => {
			let view: IstiodView;
			try {
				view = istiodViewFrom(
					await this.client.readIstiodDebug!({
						paths: ISTIOD_DEBUG_PATHS,
						timeoutMs: this.options.istiodViewTimeoutMs ?? ISTIOD_VIEW_TIMEOUT_MS,
						signal: stop.signal,
						...(revision ? {revision} : {}),
					}),
				);
			} catch (error) {
				const info = (error as {info?: KubeErrorInfo}).info;
				view = istiodViewError(info ?? {kind: 'other', message: error instanceof Error ? error.message : String(error)});
			}
			if (stop.signal.aborted) return;
			this.istiodView = view;
			this.istiodViewHeard = true;
			this.changed();
			const timer = setTimeout(() => void readOnce(), interval);
			stop.signal.addEventListener('abort', () => clearTimeout(timer), {once: true});
		};
		void readOnce();
	}

	start(): void {
		const ns = {namespace: ISTIO_NAMESPACE};
		const on = (feed: Feed) => (update: WatchUpdate<unknown>) => {
			const state = this.feeds.get(feed)!;
			state.heard = true;
			if (!update.connected && OPTIONAL.has(feed) && update.error?.kind === 'not-found') {
				// The CRD is not installed: nothing of that kind can exist.
				Object.assign(state, {connected: true, everConnected: true, items: [], error: undefined});
			} else {
				state.connected = update.connected;
				state.everConnected ||= update.connected;
				state.error = update.error;
				if (update.connected || update.items.length > 0) state.items = update.items;
			}
			this.changed();
		};
		const revision = this.target.expectation.revision;
		const remote = isRemote(this.target);
		this.handles = [
			this.client.watchDeployments(ns, on('deployments')),
			// One Services watch: the gateway's, or on a remote every Service in istio-system (the gateway and the istiod stand-in).
			this.client.watchServices(remote ? ns : {...ns, name: GATEWAY_NAME}, on('services')),
			this.client.watchPods({...ns, labelSelector: `app=${GATEWAY_NAME}`}, on('pods')),
			this.client.watchObjects('v1', 'Namespace', {namespace: '', name: ISTIO_NAMESPACE}, on('namespaces')),
			this.client.watchObjects('networking.istio.io/v1', 'Gateway', ns, on('gateways')),
			this.client.watchObjects('networking.istio.io/v1', 'VirtualService', ns, on('virtualservices')),
			this.client.watchPublishedRoot(on('published-root')),
			this.client.watchPluggedRoot(on('plugged-root')),
			...(remote
				? [
						this.client.watchObjects(
							'discovery.k8s.io/v1',
							'EndpointSlice',
							{...ns, labelSelector: `kubernetes.io/service-name=${remoteIstiodServiceName(revision)}`},
							on('endpointslices'),
						),
						this.client.watchObjects(
							'admissionregistration.k8s.io/v1',
							'MutatingWebhookConfiguration',
							{namespace: '', name: injectorWebhookName(revision)},
							on('webhooks'),
						),
					]
				: [this.client.watchRemoteSecrets(on('secrets'))]),
		];
		this.startIstiodView();
	}

	stop(): void {
		for (const h of this.handles) h.stop();
		this.handles = [];
		this.istiodViewStop?.abort();
		this.istiodViewStop = undefined;
	}

	/** Every feed has answered at least once (with data or an error), istiod's view included. */
	get synced(): boolean {
		return [...this.feeds.values()].every(f => f.heard) && this.istiodViewHeard;
	}

	observe(): ClusterObservation {
		const f = (feed: Feed) => this.feeds.get(feed)!;
		const states = [...this.feeds.values()];
		const reachable = states.some(s => s.connected);
		const everConnected = states.some(s => s.everConnected);
		const stale = everConnected && states.some(s => !s.connected);
		const error = states.find(s => s.error)?.error;
		const deployments = f('deployments').items as IstiodDeploymentLike[];
		const names = (items: unknown[]) => items.map(i => (i as {metadata?: {name?: string}}).metadata?.name ?? '').filter(Boolean);
		const nsObject = f('namespaces').items[0] as Record<string, unknown> | undefined;
		const ns = (nsObject as {metadata?: {labels?: Record<string, string>}} | undefined)?.metadata;
		const services = f('services').items as ServiceLike[];
		const obs: ClusterObservation = {
			context: this.target.context,
			reachable,
			stale,
			deployment: deployments.find(d => d.metadata?.name === GATEWAY_NAME) as DeploymentLike | undefined,
			service: services.find(s => s.metadata?.name === GATEWAY_NAME),
			pods: f('pods').items as PodLike[],
			gateways: names(f('gateways').items),
			virtualServices: names(f('virtualservices').items),
			istiod: deployments.filter(isIstiodDeployment).map(istiodFromDeployment),
		};
		if (ns) obs.namespaceLabels = ns.labels ?? {};
		if (error) obs.error = error;
		const heard = (feed: Feed) => this.feeds.get(feed)?.heard === true;
		if (this.feeds.has('secrets') && heard('secrets')) obs.remoteSecrets = f('secrets').items as RemoteSecretInfo[];
		if (isRemote(this.target) && heard('services') && heard('endpointslices') && heard('webhooks') && heard('namespaces') && heard('deployments')) {
			const svcName = remoteIstiodServiceName(this.target.expectation.revision);
			const service = services.find(s => s.metadata?.name === svcName) as Record<string, unknown> | undefined;
			const webhook = f('webhooks').items[0] as Record<string, unknown> | undefined;
			obs.remote = remoteObserved({
				...(nsObject ? {namespace: nsObject} : {}),
				istiods: deployments.filter(isIstiodDeployment) as unknown as Array<Record<string, unknown>>,
				...(service ? {service} : {}),
				slices: f('endpointslices').items as Array<Record<string, unknown>>,
				...(webhook ? {webhook} : {}),
			});
		}
		if (this.istiodView) obs.istiodView = this.istiodView;
		const root = (feed: Feed) => (heard(feed) && f(feed).everConnected ? ((f(feed).items[0] as TrustRootInfo | undefined) ?? null) : undefined);
		obs.trustRoots = {published: root('published-root'), plugged: root('plugged-root')};
		return obs;
	}
}

export class StatusMonitor {
	private readonly clusters: ClusterWatch[];
	private readonly listeners = new Set<(health: ClusterHealth[]) => void>();

	constructor(clientFor: (context: string) => ClusterClient, targets: MonitorTarget[], options: MonitorOptions = {}) {
		this.clusters = targets.map(t => new ClusterWatch(t, clientFor(t.context), () => this.emit(), options));
	}

	/** Called with a fresh snapshot on every change; returns the unsubscribe function. */
	subscribe(listener: (health: ClusterHealth[]) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private emit(): void {
		if (this.listeners.size === 0) return;
		const health = this.snapshot();
		for (const l of this.listeners) l(health);
	}

	get targets(): MonitorTarget[] {
		return this.clusters.map(c => c.target);
	}

	start(): this {
		for (const c of this.clusters) c.start();
		return this;
	}

	stop(): void {
		for (const c of this.clusters) c.stop();
	}

	get synced(): boolean {
		return this.clusters.every(c => c.synced);
	}

	/** Contexts whose feeds have not all answered yet. */
	get waitingFor(): string[] {
		return this.clusters.filter(c => !c.synced).map(c => c.target.context);
	}

	/**
	 * Whether the clusters trust one root (the same judgement as eastwest check's root-cert-converged);
	 * undefined for a single cluster, which has no peer to trust.
	 */
	trust(): MeshTrust | undefined {
		if (this.clusters.length < 2) return undefined;
		return meshTrustOf(this.clusters.map(c => ({cluster: c.target.expectation.name ?? c.target.context, observation: c.observe()})));
	}

	snapshot(): ClusterHealth[] {
		const observed = this.clusters.map(c => c.observe());
		const health = this.clusters.map((c, i) => evaluateCluster(observed[i]!, c.target.expectation));
		// A remote is judged against its primary's gateway address as the primary's own watches see it.
		return health.map((h, i) => {
			const exp = this.clusters[i]!.target.expectation;
			if (exp.role !== 'remote' || !exp.primary) return h;
			const primary = health.find((p, j) => this.clusters[j]!.target.expectation.name === exp.primary);
			return primary?.address ? evaluateCluster(observed[i]!, {...exp, primaryAddress: primary.address}) : h;
		});
	}
}
