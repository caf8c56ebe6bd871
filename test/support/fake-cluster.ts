/**
 * In-memory fakes of the ports: a ClusterClient whose objects, rollout and LoadBalancer behaviour a test
 * scripts (watches push every change), an Istioctl that "installs" into such a cluster, and a factory.
 */
import {GATEWAY_NAME, ISTIO_NAMESPACE, NETWORK_LABEL} from '../../source/core/model.js';
import {GATEWAY_PORTS, type Manifest} from '../../source/core/manifests.js';
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

export class FakeKubeError extends Error {
	constructor(readonly info: KubeErrorInfo) {
		super(info.message);
	}
}

export interface ClusterScript {
	/** How the gateway rolls out after install: ready after rolloutDelayMs, stuck on image "auto", or never progressing. */
	rollout?: 'ok' | 'image-pull' | 'stuck';
	rolloutDelayMs?: number;
	/** The LB address assigned after lbDelayMs, or none. */
	lb?: {ip: string} | {hostname: string} | 'pending';
	lbDelayMs?: number;
	/** Every call fails as if the API server were unreachable. */
	unreachable?: boolean;
	/** Server-side apply of these "Kind/name" fails with a conflict owned by this manager. */
	conflicts?: Record<string, string>;
}

type Obj = Record<string, any>;

export class FakeCluster implements ClusterClient {
	readonly namespaces = new Map<string, Record<string, string>>();
	readonly deployments = new Map<string, Obj>();
	readonly services = new Map<string, Obj>();
	readonly pods = new Map<string, Obj>();
	readonly applied = new Map<string, Manifest>();
	readonly calls: string[] = [];
	private readonly watchers = new Set<{kind: 'deployments' | 'services' | 'pods'; target: WatchTarget; cb: (u: WatchUpdate<any>) => void}>();
	readonly timers = new Set<NodeJS.Timeout>();

	constructor(
		readonly context: string,
		public script: ClusterScript = {},
	) {}

	private check(call: string): void {
		this.calls.push(call);
		if (this.script.unreachable) {
			throw new FakeKubeError({kind: 'unreachable', message: `context ${this.context}: cannot reach the API server at https://127.0.0.1:1 (connection refused)`, hint: 'check that the cluster is running and the kubeconfig server address is right'});
		}
	}

	async probe(): Promise<ProbeResult> {
		this.check('probe');
		return {context: this.context, reachable: true, auth: 'ok', istioNamespace: this.namespaces.has(ISTIO_NAMESPACE), istioCrds: true, istiod: [], elapsedMs: 1};
	}

	async ensureNetworkLabel(network: string, options: ApplyOptions): Promise<NetworkLabelOutcome> {
		this.check(`ensureNetworkLabel ${network}`);
		const labels = this.namespaces.get(ISTIO_NAMESPACE);
		if (!labels) {
			if (!options.dryRun) this.namespaces.set(ISTIO_NAMESPACE, {[NETWORK_LABEL]: network});
			return 'namespace-created';
		}
		const current = labels[NETWORK_LABEL];
		if (current === network) return 'unchanged';
		if (current && !options.force) {
			throw new FakeKubeError({kind: 'conflict', message: `namespace istio-system is labeled ${NETWORK_LABEL}=${current}, not ${network}`, hint: 'fix the plan, or pass --force to overwrite the label'});
		}
		if (!options.dryRun) labels[NETWORK_LABEL] = network;
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
			if (!options.dryRun) this.applied.set(key, structuredClone(m));
			out.push({kind: m.kind, namespace: m.metadata.namespace, name: m.metadata.name, outcome});
		}
		return out;
	}

	async getDeployment(_ns: string, name: string): Promise<DeploymentLike | undefined> {
		this.check(`getDeployment ${name}`);
		return structuredClone(this.deployments.get(name));
	}

	async getService(_ns: string, name: string): Promise<ServiceLike | undefined> {
		this.check(`getService ${name}`);
		return structuredClone(this.services.get(name));
	}

	async listPods(): Promise<PodLike[]> {
		this.check('listPods');
		return [...this.pods.values()].map(p => structuredClone(p));
	}

	private items(kind: 'deployments' | 'services' | 'pods', target: WatchTarget): Obj[] {
		const store = kind === 'deployments' ? this.deployments : kind === 'services' ? this.services : this.pods;
		return [...store.values()]
			.filter(o => (target.name ? o.metadata.name === target.name : true))
			.filter(o => {
				if (!target.labelSelector) return true;
				return target.labelSelector.split(',').every(kv => {
					const [k, v] = kv.split('=');
					return o.metadata.labels?.[k!] === v;
				});
			})
			.map(o => structuredClone(o));
	}

	private watch(kind: 'deployments' | 'services' | 'pods', target: WatchTarget, cb: (u: WatchUpdate<any>) => void): WatchHandle {
		this.calls.push(`watch ${kind}`);
		const w = {kind, target, cb};
		this.watchers.add(w);
		// First list arrives asynchronously, like a real list+watch.
		const t = setTimeout(() => {
			this.timers.delete(t);
			if (!this.watchers.has(w)) return;
			if (this.script.unreachable) cb({items: [], connected: false, error: {kind: 'unreachable', message: 'connection refused'}});
			else cb({items: this.items(kind, target), connected: true});
		}, 0);
		this.timers.add(t);
		return {stop: () => this.watchers.delete(w)};
	}

	watchDeployments(target: WatchTarget, onUpdate: (u: WatchUpdate<DeploymentLike>) => void): WatchHandle {
		return this.watch('deployments', target, onUpdate);
	}

	watchServices(target: WatchTarget, onUpdate: (u: WatchUpdate<ServiceLike>) => void): WatchHandle {
		return this.watch('services', target, onUpdate);
	}

	watchPods(target: WatchTarget, onUpdate: (u: WatchUpdate<PodLike>) => void): WatchHandle {
		return this.watch('pods', target, onUpdate);
	}

	watchObjects(_apiVersion: string, kind: string, target: WatchTarget, onUpdate: (u: WatchUpdate<Record<string, unknown>>) => void): WatchHandle {
		this.calls.push(`watch ${kind}`);
		const t = setTimeout(() => {
			this.timers.delete(t);
			const items = [...this.applied.values()].filter(m => m.kind === kind && (!target.name || m.metadata.name === target.name));
			onUpdate({items: items.map(m => structuredClone(m) as Record<string, unknown>), connected: true});
		}, 0);
		this.timers.add(t);
		return {stop: () => clearTimeout(t)};
	}

	get activeWatches(): number {
		return this.watchers.size;
	}

	private notify(kind: 'deployments' | 'services' | 'pods'): void {
		for (const w of [...this.watchers]) if (w.kind === kind) w.cb({items: this.items(kind, w.target), connected: true});
	}

	async getObject(_a: string, kind: string, _ns: string | undefined, name: string): Promise<Record<string, unknown> | undefined> {
		this.check(`getObject ${kind}/${name}`);
		return this.applied.get(`${kind}/${name}`) as Record<string, unknown> | undefined;
	}

	async listObjects(): Promise<Array<Record<string, unknown>>> {
		this.check('listObjects');
		return [];
	}

	async canI(): Promise<boolean> {
		this.check('canI');
		return true;
	}

	setDeployment(d: Obj): void {
		this.deployments.set(d.metadata.name, structuredClone(d));
		this.notify('deployments');
	}

	setService(s: Obj): void {
		this.services.set(s.metadata.name, structuredClone(s));
		this.notify('services');
	}

	setPod(p: Obj): void {
		this.pods.set(p.metadata.name, structuredClone(p));
		this.notify('pods');
	}

	private later(ms: number, fn: () => void): void {
		const t = setTimeout(() => {
			this.timers.delete(t);
			fn();
		}, ms);
		this.timers.add(t);
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
				metadata: {name: `${GATEWAY_NAME}-7d9f-abcde`, labels},
				spec: {containers: [{name: 'istio-proxy', image: 'auto'}]},
				status: {phase: 'Pending', containerStatuses: [{name: 'istio-proxy', image: 'auto', ready: false, state: {waiting: {reason: 'ImagePullBackOff', message: 'Back-off pulling image "auto"'}}}]},
			});
		} else if (rollout === 'ok') {
			this.later(this.script.rolloutDelayMs ?? 5, () => {
				const d = this.deployments.get(GATEWAY_NAME)!;
				this.setDeployment({...d, status: {...d.status, availableReplicas: 1, readyReplicas: 1}});
			});
		}
		const lb = this.script.lb ?? {ip: '127.0.0.10'};
		if (lb !== 'pending' && !this.services.get(GATEWAY_NAME)?.status?.loadBalancer?.ingress) {
			this.later(this.script.lbDelayMs ?? 10, () => {
				const s = this.services.get(GATEWAY_NAME)!;
				this.setService({...s, status: {loadBalancer: {ingress: [lb]}}});
			});
		}
	}

	/** The deployment's rollout completes now (for `stuck` scripts the test drives it). */
	dispose(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.watchers.clear();
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
