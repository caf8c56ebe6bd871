/**
 * One in-memory fake of the ClusterClient port: a typed store of objects (by kind, namespace and name)
 * that reads, lists, watches and server-side apply all work on, with one label-selector parser. Tests seed
 * it with plain objects, script how an installed gateway rolls out and gets an address, drop and restore
 * its watches, and deny or forbid reads. Also an Istioctl that "installs" into it, and a factory.
 *
 * Old names kept as aliases (imports from before the merge of the three fakes): FakeWatchCluster and
 * FakeClusterClient are FakeCluster; asClient is the identity.
 */
import {GATEWAY_NAME, ISTIO_NAMESPACE, NETWORK_LABEL} from '../../source/core/model.js';
import {GATEWAY_PORTS, renderExposeIstiod, renderExposeServices, type Manifest} from '../../source/core/manifests.js';
import type {
	AppliedObject,
	ApplyOptions,
	ClusterClient,
	ClusterClientFactory,
	Istioctl,
	IstioctlInstallOptions,
	KubeErrorInfo,
	NetworkLabelOutcome,
	ProbeResult,
	WatchHandle,
	WatchTarget,
	WatchUpdate,
} from '../../source/core/ports.js';
import type {DeploymentLike, PodLike, ServiceLike} from '../../source/core/rollout.js';
import {FIXTURE_ROOT_CERT, fixtureCacertsData} from './ca-fixtures.js';

export type Obj = Record<string, any>;

export class FakeKubeError extends Error {
	constructor(readonly info: KubeErrorInfo) {
		super(info.message);
	}
}

export interface ClusterScript {
	/** How the gateway rolls out after install: ready once the test (or rolloutDelayMs) lets it, stuck on image "auto", or never progressing. */
	rollout?: 'ok' | 'image-pull' | 'stuck';
	/** With rollout 'ok': ready after this many ms (default: on the next turn of the event loop). */
	rolloutDelayMs?: number;
	/** The LB address assigned after lbDelayMs (default: next turn), or none. */
	lb?: {ip: string} | {hostname: string} | 'pending';
	lbDelayMs?: number;
	/** Every call fails as if the API server were unreachable (probe answers reachable: false). */
	unreachable?: boolean;
	/** Server-side apply of these "Kind/name" fails with a conflict owned by this manager. */
	conflicts?: Record<string, string>;
}

export interface FakeClusterOptions {
	script?: ClusterScript;
	/** false: like script.unreachable. */
	reachable?: boolean;
	/** `canI` answers no to these "verb resource" pairs. */
	denied?: string[];
	/** Reads of these "Kind/namespace/name" keys fail as forbidden. */
	forbidden?: string[];
}

/** One label-selector parser: `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated, all must hold. */
export function matchesLabelSelector(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
	if (!selector) return true;
	const l = labels ?? {};
	return selector
		.split(',')
		.map(s => s.trim())
		.filter(Boolean)
		.every(req => {
			const ne = /^([^!=]+)!=(.*)$/.exec(req);
			if (ne) return l[ne[1]!.trim()] !== ne[2]!.trim();
			const eq = /^([^!=]+)==?(.*)$/.exec(req);
			if (eq) return l[eq[1]!.trim()] === eq[2]!.trim();
			if (req.startsWith('!')) return !(req.slice(1) in l);
			return req in l;
		});
}

const DEFAULT_API_VERSION: Record<string, string> = {Deployment: 'apps/v1', Service: 'v1', Pod: 'v1', Namespace: 'v1', ConfigMap: 'v1', Secret: 'v1'};

type Listener = {kind: string; target: WatchTarget; onUpdate: (u: WatchUpdate<any>) => void};

export class FakeCluster implements ClusterClient {
	private readonly store = new Map<string, Obj>();
	/** What apply wrote, by "Kind/name" (dry runs leave it alone). */
	readonly applied = new Map<string, Manifest>();
	/** Every call, in order: `probe`, `get <apiVersion> <Kind/ns/name>`, `apply … [dry-run]`, `watch <Kind>`, … */
	readonly calls: string[] = [];
	/** Kinds whose CRD is missing: watches report not-found. */
	readonly missingKinds = new Set<string>();
	watchesStarted = 0;
	watchesStopped = 0;
	readonly timers = new Set<NodeJS.Timeout>();
	script: ClusterScript;
	private readonly listeners = new Set<Listener>();
	private down: KubeErrorInfo | undefined;

	constructor(
		readonly context: string,
		objects: Obj[] = [],
		readonly options: FakeClusterOptions = {},
	) {
		this.script = {...options.script, ...(options.reachable === false ? {unreachable: true} : {})};
		for (const o of objects) this.store.set(this.key(o), this.normalize(o));
	}

	// ---------- the store ----------

	private normalize(o: Obj, kind?: string): Obj {
		const k = kind ?? o.kind;
		return structuredClone({...o, kind: k, apiVersion: o.apiVersion ?? DEFAULT_API_VERSION[k]});
	}

	private key(o: Obj): string {
		return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
	}

	/** Objects of a kind; a query namespace of undefined, or an object without one, matches any. */
	objectsOf(kind: string, options: {apiVersion?: string; namespace?: string; name?: string; labelSelector?: string} = {}): Obj[] {
		return [...this.store.values()]
			.filter(o => o.kind === kind)
			.filter(o => !options.apiVersion || !o.apiVersion || o.apiVersion === options.apiVersion)
			.filter(o => options.namespace === undefined || o.metadata?.namespace === undefined || o.metadata.namespace === options.namespace)
			.filter(o => !options.name || o.metadata?.name === options.name)
			.filter(o => matchesLabelSelector(o.metadata?.labels, options.labelSelector))
			.map(o => structuredClone(o));
	}

	/** Create or replace one object (kind taken from the object unless given); watches of its kind see it. */
	put(o: Obj, kind?: string): void {
		const n = this.normalize(o, kind);
		this.store.set(this.key(n), n);
		this.notify(n.kind);
	}

	/** Replace every object of a kind. */
	set(kind: string, items: Obj[]): void {
		for (const [k, o] of this.store) if (o.kind === kind) this.store.delete(k);
		for (const o of items) {
			const n = this.normalize(o, kind);
			this.store.set(this.key(n), n);
		}
		this.notify(kind);
	}

	setDeployment(d: Obj): void {
		this.put(d, 'Deployment');
	}

	setService(s: Obj): void {
		this.put(s, 'Service');
	}

	setPod(p: Obj): void {
		this.put(p, 'Pod');
	}

	private byName(kind: string): Map<string, Obj> {
		return new Map(this.objectsOf(kind).map(o => [o.metadata.name, o]));
	}

	/** Views of the store, by name. */
	get deployments(): Map<string, Obj> {
		return this.byName('Deployment');
	}

	get services(): Map<string, Obj> {
		return this.byName('Service');
	}

	get pods(): Map<string, Obj> {
		return this.byName('Pod');
	}

	/** Namespace name → its labels. */
	get namespaces(): Map<string, Record<string, string>> {
		return new Map(this.objectsOf('Namespace').map(o => [o.metadata.name, o.metadata.labels ?? {}]));
	}

	// ---------- reachability ----------

	private unreachableError(): KubeErrorInfo {
		return {kind: 'unreachable', message: `cannot reach the API server of ${this.context}`, hint: 'check the network'};
	}

	private check(call: string): void {
		this.calls.push(call);
		if (this.script.unreachable) throw new FakeKubeError(this.unreachableError());
	}

	/** Every open watch loses its connection with this error (and new ones start disconnected) until restore(). */
	drop(error: KubeErrorInfo = {kind: 'unreachable', message: `connect ECONNREFUSED (${this.context})`}): void {
		this.down = error;
		for (const l of this.listeners) l.onUpdate({items: this.objectsOf(l.kind, l.target), connected: false, error});
	}

	restore(): void {
		this.down = undefined;
		for (const kind of new Set([...this.listeners].map(l => l.kind))) this.notify(kind);
	}

	// ---------- ClusterClient ----------

	async probe(): Promise<ProbeResult> {
		this.calls.push('probe');
		if (this.script.unreachable) return {context: this.context, reachable: false, error: this.unreachableError(), istioNamespace: false, istioCrds: false, istiod: [], elapsedMs: 1};
		return {context: this.context, reachable: true, auth: 'ok', serverVersion: 'v1.35.1', istioNamespace: this.namespaces.has(ISTIO_NAMESPACE), istioCrds: true, istiod: [], elapsedMs: 1};
	}

	async ensureNetworkLabel(network: string, options: ApplyOptions): Promise<NetworkLabelOutcome> {
		this.check(`ensureNetworkLabel ${network}`);
		const ns = this.objectsOf('Namespace', {name: ISTIO_NAMESPACE})[0];
		if (!ns) {
			if (!options.dryRun) this.put({apiVersion: 'v1', kind: 'Namespace', metadata: {name: ISTIO_NAMESPACE, labels: {[NETWORK_LABEL]: network}}});
			return 'namespace-created';
		}
		const current = ns.metadata.labels?.[NETWORK_LABEL];
		if (current === network) return 'unchanged';
		if (current && !options.force) {
			throw new FakeKubeError({kind: 'conflict', message: `namespace istio-system is labeled ${NETWORK_LABEL}=${current}, not ${network}`, hint: 'fix the plan, or pass --force to overwrite the label'});
		}
		if (!options.dryRun) this.put({...ns, metadata: {...ns.metadata, labels: {...ns.metadata.labels, [NETWORK_LABEL]: network}}});
		return current ? 'overwritten' : 'added';
	}

	async apply(manifests: Manifest[], options: ApplyOptions): Promise<AppliedObject[]> {
		this.check(`apply ${manifests.map(m => `${m.kind}/${m.metadata.name}`).join(',')}${options.dryRun ? ' dry-run' : ''}`);
		const out: AppliedObject[] = [];
		for (const m of manifests) {
			const key = `${m.kind}/${m.metadata.name}`;
			const owner = this.script.conflicts?.[key];
			if (owner && !options.force) {
				throw new FakeKubeError({kind: 'conflict', manager: owner, message: `${key}: conflict with field manager "${owner}" on .spec`, hint: `another tool (${owner}) owns these fields: resolve it or pass --force to take them over`});
			}
			const before = this.applied.get(key);
			const outcome = !before ? 'created' : JSON.stringify(before) === JSON.stringify(m) ? 'unchanged' : 'configured';
			if (!options.dryRun) {
				this.applied.set(key, structuredClone(m));
				this.put(m as Obj);
			}
			out.push({kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name, outcome});
		}
		return out;
	}

	async restartDeployment(namespace: string, name: string, at: string, options: ApplyOptions): Promise<void> {
		this.check(`restart Deployment/${name}${options.dryRun ? ' dry-run' : ''}`);
		const d = this.objectsOf('Deployment', {namespace, name})[0];
		if (!d) throw new FakeKubeError({kind: 'not-found', message: `deployments.apps "${name}" not found`});
		if (options.dryRun) return;
		const template = d.spec?.template ?? {};
		this.put({...d, spec: {...d.spec, template: {...template, metadata: {...template.metadata, annotations: {...template.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': at}}}}});
	}

	async getObject(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<Record<string, unknown> | undefined> {
		const key = `${kind}/${namespace ?? ''}/${name}`;
		this.check(`get ${apiVersion} ${key}`);
		if (this.options.forbidden?.includes(key)) throw new Error(`${kind.toLowerCase()}s "${name}" is forbidden for user admin`);
		return this.objectsOf(kind, {apiVersion, namespace, name})[0];
	}

	async listObjects(apiVersion: string, kind: string, namespace: string | undefined, labelSelector?: string): Promise<Array<Record<string, unknown>>> {
		this.check(`list ${apiVersion} ${kind}/${namespace ?? ''}${labelSelector ? ` ${labelSelector}` : ''}`);
		return this.objectsOf(kind, {apiVersion, namespace, labelSelector});
	}

	async getDeployment(namespace: string, name: string): Promise<DeploymentLike | undefined> {
		return (await this.getObject('apps/v1', 'Deployment', namespace, name)) as DeploymentLike | undefined;
	}

	async getService(namespace: string, name: string): Promise<ServiceLike | undefined> {
		return (await this.getObject('v1', 'Service', namespace, name)) as ServiceLike | undefined;
	}

	async listPods(namespace: string, labelSelector: string): Promise<PodLike[]> {
		return (await this.listObjects('v1', 'Pod', namespace, labelSelector)) as PodLike[];
	}

	async canI(check: {verb: string; resource: string}): Promise<boolean> {
		this.check(`canI ${check.verb} ${check.resource}`);
		return !this.options.denied?.includes(`${check.verb} ${check.resource}`);
	}

	private deliver(l: Listener, initial: boolean): void {
		const error = this.down ?? (this.script.unreachable ? this.unreachableError() : undefined);
		if (error) {
			if (initial) l.onUpdate({items: [], connected: false, error});
			return;
		}
		if (this.missingKinds.has(l.kind)) l.onUpdate({items: [], connected: false, error: {kind: 'not-found', message: `the server could not find the requested resource (${l.kind})`}});
		else l.onUpdate({items: this.objectsOf(l.kind, l.target), connected: true});
	}

	private notify(kind: string): void {
		for (const l of [...this.listeners]) if (l.kind === kind) this.deliver(l, false);
	}

	/** A list+watch: the first list arrives asynchronously, then every change of that kind. */
	private watch(kind: string, target: WatchTarget, onUpdate: (u: WatchUpdate<any>) => void): WatchHandle {
		this.calls.push(`watch ${kind}`);
		const l: Listener = {kind, target, onUpdate};
		this.listeners.add(l);
		this.watchesStarted += 1;
		queueMicrotask(() => {
			if (this.listeners.has(l)) this.deliver(l, true);
		});
		return {
			stop: () => {
				if (this.listeners.delete(l)) this.watchesStopped += 1;
			},
		};
	}

	watchDeployments(target: WatchTarget, onUpdate: (u: WatchUpdate<DeploymentLike>) => void): WatchHandle {
		return this.watch('Deployment', target, onUpdate);
	}

	watchServices(target: WatchTarget, onUpdate: (u: WatchUpdate<ServiceLike>) => void): WatchHandle {
		return this.watch('Service', target, onUpdate);
	}

	watchPods(target: WatchTarget, onUpdate: (u: WatchUpdate<PodLike>) => void): WatchHandle {
		return this.watch('Pod', target, onUpdate);
	}

	watchObjects(_apiVersion: string, kind: string, target: WatchTarget, onUpdate: (u: WatchUpdate<Record<string, unknown>>) => void): WatchHandle {
		return this.watch(kind, target, onUpdate);
	}

	/** Open watches. */
	get openWatches(): number {
		return this.listeners.size;
	}

	get activeWatches(): number {
		return this.listeners.size;
	}

	/** This cluster as a plain ClusterClient object (methods bound), e.g. to override one method with a spread. */
	client(): ClusterClient {
		return {
			context: this.context,
			probe: this.probe.bind(this),
			ensureNetworkLabel: this.ensureNetworkLabel.bind(this),
			apply: this.apply.bind(this),
			getDeployment: this.getDeployment.bind(this),
			getService: this.getService.bind(this),
			listPods: this.listPods.bind(this),
			getObject: this.getObject.bind(this),
			listObjects: this.listObjects.bind(this),
			canI: this.canI.bind(this),
			watchDeployments: this.watchDeployments.bind(this),
			watchServices: this.watchServices.bind(this),
			watchPods: this.watchPods.bind(this),
			watchObjects: this.watchObjects.bind(this),
			restartDeployment: this.restartDeployment.bind(this),
		};
	}

	// ---------- what istioctl install does ----------

	private later(ms: number | undefined, fn: () => void): void {
		const t = setTimeout(() => {
			this.timers.delete(t);
			fn();
		}, ms ?? 0);
		this.timers.add(t);
	}

	/** The gateway Deployment becomes available now (what a scripted 'ok' rollout does by itself). */
	completeRollout(): void {
		const d = this.deployments.get(GATEWAY_NAME);
		if (d) this.setDeployment({...d, status: {...d.status, availableReplicas: 1, readyReplicas: 1}});
	}

	/** The gateway Service gets this LoadBalancer address now. */
	assignAddress(lb: {ip: string} | {hostname: string}): void {
		const s = this.services.get(GATEWAY_NAME);
		if (s) this.setService({...s, status: {loadBalancer: {ingress: [lb]}}});
	}

	/** What `istioctl install` of the east-west IstioOperator creates, then the scripted rollout and LB. */
	installGateway(network: string, revision: string | undefined): void {
		const labels = {
			istio: 'eastwestgateway',
			app: GATEWAY_NAME,
			[NETWORK_LABEL]: network,
			'istio.io/rev': revision ?? 'default',
			'operator.istio.io/component': 'IngressGateways',
			'install.operator.istio.io/owning-resource': 'eastwest',
		};
		const generation = (this.deployments.get(GATEWAY_NAME)?.metadata.generation ?? 0) + 1;
		this.setDeployment({
			metadata: {name: GATEWAY_NAME, namespace: ISTIO_NAMESPACE, labels, generation},
			spec: {replicas: 1, template: {metadata: {labels}, spec: {containers: [{name: 'istio-proxy', image: 'auto', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network}]}]}}},
			status: {observedGeneration: generation, replicas: 1, updatedReplicas: 1, availableReplicas: 0, readyReplicas: 0},
		});
		const existing = this.services.get(GATEWAY_NAME);
		this.setService({
			metadata: {name: GATEWAY_NAME, namespace: ISTIO_NAMESPACE, labels},
			spec: {type: 'LoadBalancer', ports: GATEWAY_PORTS.map(p => ({...p}))},
			status: existing?.status ?? {loadBalancer: {}},
		});
		const rollout = this.script.rollout ?? 'ok';
		if (rollout === 'image-pull') {
			this.setPod({
				metadata: {name: `${GATEWAY_NAME}-7d9f-abcde`, namespace: ISTIO_NAMESPACE, labels},
				spec: {containers: [{name: 'istio-proxy', image: 'auto'}]},
				status: {phase: 'Pending', containerStatuses: [{name: 'istio-proxy', image: 'auto', ready: false, state: {waiting: {reason: 'ImagePullBackOff', message: 'Back-off pulling image "auto"'}}}]},
			});
		} else if (rollout === 'ok') {
			this.later(this.script.rolloutDelayMs, () => this.completeRollout());
		}
		const lb = this.script.lb ?? {ip: '127.0.0.10'};
		if (lb !== 'pending' && !this.services.get(GATEWAY_NAME)?.status?.loadBalancer?.ingress) {
			this.later(this.script.lbDelayMs, () => this.assignAddress(lb));
		}
	}

	dispose(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.listeners.clear();
	}
}

export class FakeFactory implements ClusterClientFactory {
	readonly clusters = new Map<string, FakeCluster>();
	constructor(
		contexts: string[],
		readonly kubeconfigPath?: string,
	) {
		for (const c of contexts) this.clusters.set(c, new FakeCluster(c));
	}
	get kubeconfig() {
		return {files: this.kubeconfigPath ? [this.kubeconfigPath] : [], contexts: [...this.clusters.keys()].map(name => ({name, cluster: name, user: name})), warnings: []};
	}
	client(context: string): ClusterClient {
		const c = this.clusters.get(context);
		if (!c) throw new Error(`no fake cluster for context ${context}`);
		return c;
	}
	cluster(context: string): FakeCluster {
		return this.clusters.get(context)!;
	}
	dispose(): void {
		for (const c of this.clusters.values()) c.dispose();
	}
}

export class FakeIstioctlError extends Error {
	constructor(readonly info: {message: string; hint?: string; lastLines: string[]; exitCode?: number; cancelled?: boolean}) {
		super(info.message);
	}
}

/** An Istioctl that installs into FakeClusters and prints istioctl-like lines. */
export class FakeIstioctl implements Istioctl {
	readonly path = '/fake/istioctl';
	readonly installs: IstioctlInstallOptions[] = [];
	/** Per-context scenario: fail = istioctl exits 1; hang = never returns until cancelled. */
	scenario: Record<string, 'ok' | 'fail' | 'hang'> = {};

	constructor(private readonly factory: FakeFactory) {}

	async clientVersion(): Promise<string> {
		return '1.30.3';
	}

	async install(options: IstioctlInstallOptions): Promise<void> {
		this.installs.push(options);
		const line = (text: string) => options.onLine?.(text, parseLine(text));
		const scenario = this.scenario[options.context] ?? 'ok';
		line('- Processing resources for Ingress gateways.');
		if (scenario === 'fail') {
			line('✘ Ingress gateways encountered an error: failed to update resource with server-side apply: forbidden');
			throw new FakeIstioctlError({message: 'failed to install manifests: errors occurred during operation', hint: "the context's user may not install these resources: check its RBAC", lastLines: [], exitCode: 1});
		}
		if (scenario === 'hang') {
			await new Promise<void>((_, reject) => {
				const onAbort = () => reject(new FakeIstioctlError({message: 'istioctl install was cancelled', lastLines: [], cancelled: true}));
				if (options.signal?.aborted) onAbort();
				options.signal?.addEventListener('abort', onAbort, {once: true});
			});
		}
		if (options.dryRun) {
			line('✔ Installation complete');
			return;
		}
		const network = /network: (\S+)/.exec(options.manifestYaml)?.[1] ?? 'unknown';
		const revision = /revision: (\S+)/.exec(options.manifestYaml)?.[1]?.replace(/"/g, '') || undefined;
		this.factory.cluster(options.context).installGateway(network, revision === "''" ? undefined : revision);
		line('- Processing resources for Ingress gateways. Waiting for Deployment/istio-system/istio-eastwestgateway');
		line('✔ Ingress gateways installed 🛬');
		line('✔ Installation complete');
	}
}

function parseLine(text: string) {
	if (text.startsWith('✔ Installation complete')) return {type: 'complete' as const};
	if (text.startsWith('✔ ')) return {type: 'component-done' as const, component: 'Ingress gateways'};
	if (text.startsWith('- Processing')) return {type: 'waiting' as const, components: ['Ingress gateways'], waitingFor: text.includes('Waiting for') ? ['Deployment/istio-system/istio-eastwestgateway'] : []};
	return undefined;
}

/** Former names (the status fakes and the check-facts fakes were separate classes): all one FakeCluster now. */
export const FakeWatchCluster = FakeCluster;
export type FakeWatchCluster = FakeCluster;
export const FakeClusterClient = FakeCluster;
export type FakeClusterClient = FakeCluster;
export const asClient = (f: FakeCluster): ClusterClient => f;

/** The root certificate the healthy clusters share (a real one: the checks parse it). */
export const ROOT_PEM = FIXTURE_ROOT_CERT;

export const readyGateway = (network: string, ip?: string) => ({
	deployment: {
		metadata: {name: 'istio-eastwestgateway', generation: 1, labels: {app: 'istio-eastwestgateway'}},
		spec: {
			replicas: 1,
			template: {
				metadata: {labels: {istio: 'eastwestgateway', app: 'istio-eastwestgateway', 'topology.istio.io/network': network}},
				spec: {containers: [{name: 'istio-proxy', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network}]}]},
			},
		},
		status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1},
	},
	service: {
		metadata: {name: 'istio-eastwestgateway', labels: {'topology.istio.io/network': network}},
		spec: {type: 'LoadBalancer', ports: [{name: 'status-port', port: 15021}, {name: 'tls', port: 15443}, {name: 'tls-istiod', port: 15012}, {name: 'tls-webhook', port: 15017}]},
		status: ip ? {loadBalancer: {ingress: [{ip}]}} : {loadBalancer: {}},
	},
});

export const istiodDeployment = (revision?: string) => ({
	metadata: {name: revision ? `istiod-${revision}` : 'istiod', generation: 1, labels: {app: 'istiod', 'istio.io/rev': revision ?? 'default'}},
	spec: {replicas: 1, template: {spec: {containers: [{name: 'discovery', env: [{name: 'CLUSTER_ID', value: 'east'}]}]}}},
	status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1},
});

/** A multi-network primary as eastwest leaves it: gateway rolled out (with an address when ip is given), services exposed, istiod. */
export function seedSetUpCluster(fake: FakeCluster, network: string, ip?: string): void {
	const gw = readyGateway(network, ip);
	fake.set('Deployment', [gw.deployment, istiodDeployment()]);
	fake.set('Service', [gw.service]);
	fake.set('Pod', []);
	fake.set('Namespace', [{metadata: {name: 'istio-system', labels: {'topology.istio.io/network': network}}}]);
	fake.set('Gateway', [{metadata: {name: 'cross-network-gateway'}}]);
	fake.set('VirtualService', []);
}

/** Objects of a healthy cluster after eastwest ran (primary: istiod, injector values and expose resources too). */
export function clusterObjects(name: string, network: string, primary: boolean): Obj[] {
	const objs: Obj[] = [
		{apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'istio-system', labels: {'topology.istio.io/network': network}, annotations: primary ? {} : {'topology.istio.io/controlPlaneClusters': 'east'}}},
		{apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data: fixtureCacertsData()},
		{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio', namespace: 'istio-system'}, data: {mesh: 'defaultConfig:\n  discoveryAddress: istiod:15012\ntrustDomain: cluster.local\n'}},
		{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-ca-root-cert', namespace: 'istio-system'}, data: {'root-cert.pem': ROOT_PEM}},
		{apiVersion: 'v1', kind: 'Service', metadata: {name: 'lb', namespace: 'default'}, spec: {type: 'LoadBalancer'}, status: {loadBalancer: {ingress: [{ip: '192.0.2.9'}]}}},
		{
			apiVersion: 'apps/v1',
			kind: 'Deployment',
			metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', generation: 1},
			spec: {replicas: 1, template: {metadata: {labels: {istio: 'eastwestgateway', app: 'istio-eastwestgateway', 'topology.istio.io/network': network}}, spec: {containers: [{name: 'istio-proxy', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network}]}]}}},
			status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1},
		},
		{
			apiVersion: 'v1',
			kind: 'Service',
			metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels: {'topology.istio.io/network': network}},
			spec: {type: 'LoadBalancer', ports: [{name: 'status-port', port: 15021}, {name: 'tls', port: 15443}, {name: 'tls-istiod', port: 15012}, {name: 'tls-webhook', port: 15017}]},
			status: {loadBalancer: {ingress: [{ip: primary ? '192.0.2.10' : '192.0.2.20'}]}},
		},
	];
	if (primary) {
		objs.push(
			{
				apiVersion: 'apps/v1',
				kind: 'Deployment',
				metadata: {name: 'istiod', namespace: 'istio-system', labels: {app: 'istiod'}, generation: 1},
				spec: {replicas: 1, template: {spec: {containers: [{name: 'discovery', env: [{name: 'CLUSTER_ID', value: name}, {name: 'EXTERNAL_ISTIOD', value: 'true'}]}]}}},
				status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1},
			},
			{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-sidecar-injector', namespace: 'istio-system'}, data: {values: JSON.stringify({global: {meshID: 'mesh1', network, multiCluster: {clusterName: name}}, revision: ''})}},
			...[...renderExposeIstiod(), ...renderExposeServices()].map(m => structuredClone(m) as Obj),
		);
	}
	return objs;
}
