/** An in-memory ClusterClient whose watches are driven by the test: set objects, drop and restore the connection. */
import type {ClusterClient, KubeErrorInfo, WatchTarget, WatchUpdate} from '../../source/core/ports.js';

type Listener = {key: string; target: WatchTarget; onUpdate: (u: WatchUpdate<any>) => void};

export class FakeWatchCluster {
	private objects = new Map<string, any[]>();
	private listeners = new Set<Listener>();
	private down: KubeErrorInfo | undefined;
	/** Kinds whose CRD is missing: watches report not-found. */
	readonly missingKinds = new Set<string>();
	watchesStarted = 0;
	watchesStopped = 0;

	constructor(readonly context: string) {}

	set(kind: string, items: any[]): void {
		this.objects.set(kind, items);
		this.notify(kind);
	}

	/** Every open watch loses its connection with this error. */
	drop(error: KubeErrorInfo = {kind: 'unreachable', message: `connect ECONNREFUSED (${this.context})`}): void {
		this.down = error;
		for (const l of this.listeners) l.onUpdate({items: this.match(l), connected: false, error});
	}

	restore(): void {
		this.down = undefined;
		for (const l of this.listeners) this.notify(l.key);
	}

	private match(l: Listener): any[] {
		return (this.objects.get(l.key) ?? []).filter(o => {
			if (l.target.name && o.metadata?.name !== l.target.name) return false;
			if (l.target.labelSelector) {
				const [k, v] = l.target.labelSelector.split('=');
				if (o.metadata?.labels?.[k!] !== v) return false;
			}
			return true;
		});
	}

	private notify(key: string): void {
		for (const l of this.listeners) {
			if (l.key !== key) continue;
			if (this.down) continue;
			if (this.missingKinds.has(key)) l.onUpdate({items: [], connected: false, error: {kind: 'not-found', message: `the server could not find the requested resource (${key})`}});
			else l.onUpdate({items: this.match(l), connected: true});
		}
	}

	private watch(key: string, target: WatchTarget, onUpdate: (u: WatchUpdate<any>) => void) {
		const l: Listener = {key, target, onUpdate};
		this.listeners.add(l);
		this.watchesStarted += 1;
		queueMicrotask(() => {
			if (!this.listeners.has(l)) return;
			if (this.down) onUpdate({items: [], connected: false, error: this.down});
			else this.notify(key);
		});
		return {
			stop: () => {
				if (this.listeners.delete(l)) this.watchesStopped += 1;
			},
		};
	}

	get openWatches(): number {
		return this.listeners.size;
	}

	client(): ClusterClient {
		const unused = (what: string) => () => {
			throw new Error(`${what} is not used by this test`);
		};
		return {
			context: this.context,
			probe: unused('probe'),
			ensureNetworkLabel: unused('ensureNetworkLabel'),
			apply: unused('apply'),
			getDeployment: unused('getDeployment'),
			getService: unused('getService'),
			listPods: unused('listPods'),
			getObject: unused('getObject'),
			listObjects: unused('listObjects'),
			canI: unused('canI'),
			watchDeployments: (t, on) => this.watch('Deployment', t, on),
			watchServices: (t, on) => this.watch('Service', t, on),
			watchPods: (t, on) => this.watch('Pod', t, on),
			watchObjects: (_apiVersion, kind, t, on) => this.watch(kind, t, on),
		};
	}
}

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
export function seedSetUpCluster(fake: FakeWatchCluster, network: string, ip?: string): void {
	const gw = readyGateway(network, ip);
	fake.set('Deployment', [gw.deployment, istiodDeployment()]);
	fake.set('Service', [gw.service]);
	fake.set('Pod', []);
	fake.set('Namespace', [{metadata: {name: 'istio-system', labels: {'topology.istio.io/network': network}}}]);
	fake.set('Gateway', [{metadata: {name: 'cross-network-gateway'}}]);
	fake.set('VirtualService', []);
}
