/** An in-memory ClusterClient holding plain objects, for the collector and `eastwest check` tests. */
import {renderExposeIstiod, renderExposeServices} from '../../source/core/manifests.js';
import type {ClusterClient, ProbeResult} from '../../source/core/ports.js';

export const ROOT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n';

export type Obj = Record<string, any>;

/** An in-memory ClusterClient: objects by apiVersion/kind/namespace/name; reads of `forbidden` keys throw. */
export class FakeClusterClient implements Partial<ClusterClient> {
	readonly calls: string[] = [];
	constructor(
		readonly context: string,
		readonly objects: Obj[],
		readonly options: {reachable?: boolean; denied?: string[]; forbidden?: string[]} = {},
	) {}
	private key(kind: string, namespace: string | undefined, name: string) {
		return `${kind}/${namespace ?? ''}/${name}`;
	}
	async probe(): Promise<ProbeResult> {
		const reachable = this.options.reachable ?? true;
		return {
			context: this.context,
			reachable,
			...(reachable ? {auth: 'ok' as const, serverVersion: 'v1.35.1'} : {error: {kind: 'unreachable' as const, message: `cannot reach the API server of ${this.context}`, hint: 'check the network'}}),
			istioNamespace: true,
			istioCrds: true,
			istiod: [],
			elapsedMs: 1,
		};
	}
	async getObject(apiVersion: string, kind: string, namespace: string | undefined, name: string) {
		const key = this.key(kind, namespace, name);
		this.calls.push(`get ${apiVersion} ${key}`);
		if (this.options.forbidden?.includes(key)) throw new Error(`${kind.toLowerCase()}s "${name}" is forbidden for user admin`);
		return this.objects.find(o => o.kind === kind && o.apiVersion === apiVersion && o.metadata.name === name && (o.metadata.namespace ?? undefined) === namespace);
	}
	async listObjects(apiVersion: string, kind: string, namespace: string | undefined, labelSelector?: string) {
		const [k, v] = labelSelector?.split('=') ?? [];
		return this.objects.filter(o => o.kind === kind && o.apiVersion === apiVersion && (namespace === undefined || o.metadata.namespace === namespace) && (!k || o.metadata.labels?.[k] === v));
	}
	async getDeployment(namespace: string, name: string) {
		return this.getObject('apps/v1', 'Deployment', namespace, name);
	}
	async getService(namespace: string, name: string) {
		return this.getObject('v1', 'Service', namespace, name);
	}
	async listPods(namespace: string, selector: string) {
		return this.listObjects('v1', 'Pod', namespace, selector);
	}
	async canI(check: {verb: string; resource: string}) {
		return !this.options.denied?.includes(`${check.verb} ${check.resource}`);
	}
}

export const asClient = (f: FakeClusterClient) => f as unknown as ClusterClient;

/** Objects of a healthy cluster after eastwest ran (primary: istiod, injector values and expose resources too). */
export function clusterObjects(name: string, network: string, primary: boolean): Obj[] {
	const objs: Obj[] = [
		{apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'istio-system', labels: {'topology.istio.io/network': network}, annotations: primary ? {} : {'topology.istio.io/controlPlaneClusters': 'east'}}},
		{apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data: Object.fromEntries(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem'].map(k => [k, 'c2VjcmV0']))},
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
	objs[1]!.data['root-cert.pem'] = Buffer.from(ROOT_PEM).toString('base64');
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
