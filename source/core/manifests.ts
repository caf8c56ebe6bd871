import {GATEWAY_NAME, GATEWAY_OPERATOR_NAME, ISTIO_NAMESPACE, NETWORK_LABEL, normalRevision} from './model.js';

/** A Kubernetes object as plain data. */
export interface Manifest {
	apiVersion: string;
	kind: string;
	metadata: {name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>};
	spec?: unknown;
	[key: string]: unknown;
}

/** `v1` from Istio 1.22 on; `v1beta1` for older control planes. */
export type NetworkingApiVersion = 'v1' | 'v1beta1';
export const NETWORKING_API_VERSIONS: readonly NetworkingApiVersion[] = ['v1', 'v1beta1'];

export const EXPOSE_CHOICES = ['istiod', 'services', 'all', 'none'] as const;
export type ExposeChoice = (typeof EXPOSE_CHOICES)[number];

export interface GatewayOptions {
	network: string;
	revision?: string;
}

export const GATEWAY_PORTS = [
	{name: 'status-port', port: 15021, targetPort: 15021},
	{name: 'tls', port: 15443, targetPort: 15443},
	{name: 'tls-istiod', port: 15012, targetPort: 15012},
	{name: 'tls-webhook', port: 15017, targetPort: 15017},
] as const;

/** The east-west gateway IstioOperator, as samples/multicluster/gen-eastwest-gateway.sh --network N [--revision R] renders it. */
export function renderEastWestGateway(options: GatewayOptions): Manifest {
	const revision = normalRevision(options.revision) ?? '';
	return {
		apiVersion: 'install.istio.io/v1alpha1',
		kind: 'IstioOperator',
		metadata: {name: GATEWAY_OPERATOR_NAME},
		spec: {
			revision,
			profile: 'empty',
			components: {
				ingressGateways: [
					{
						name: GATEWAY_NAME,
						label: {
							istio: 'eastwestgateway',
							app: GATEWAY_NAME,
							[NETWORK_LABEL]: options.network,
						},
						enabled: true,
						k8s: {
							env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: options.network}],
							service: {ports: GATEWAY_PORTS.map(p => ({name: p.name, port: p.port, targetPort: p.targetPort}))},
						},
					},
				],
			},
			values: {
				gateways: {'istio-ingressgateway': {injectionTemplate: 'gateway'}},
				global: {network: options.network},
			},
		},
	};
}

export interface ExposeOptions {
	revision?: string;
	apiVersion?: NetworkingApiVersion;
}

const GATEWAY_SELECTOR = {istio: 'eastwestgateway'};
export const ISTIOD_GATEWAY_NAME = 'istiod-gateway';
export const CROSS_NETWORK_GATEWAY_NAME = 'cross-network-gateway';

export function istiodVirtualServiceName(revision?: string): string {
	const r = normalRevision(revision);
	return r ? `istiod-vs-${r}` : 'istiod-vs';
}

export function istiodServiceHost(revision?: string): string {
	const r = normalRevision(revision);
	return `${r ? `istiod-${r}` : 'istiod'}.${ISTIO_NAMESPACE}.svc.cluster.local`;
}

/** Gateway + VirtualService that expose istiod (xDS/CA on 15012, the injection webhook on 15017) through the east-west gateway. */
export function renderExposeIstiod(options: ExposeOptions = {}): Manifest[] {
	const apiVersion = `networking.istio.io/${options.apiVersion ?? 'v1'}`;
	const revision = normalRevision(options.revision);
	const sniHosts = revision ? [`istiod-${revision}.${ISTIO_NAMESPACE}.svc`, `istiod-${revision}.${ISTIO_NAMESPACE}.svc.cluster.local`] : ['*'];
	const host = istiodServiceHost(revision);
	return [
		{
			apiVersion,
			kind: 'Gateway',
			metadata: {name: ISTIOD_GATEWAY_NAME, namespace: ISTIO_NAMESPACE},
			spec: {
				selector: GATEWAY_SELECTOR,
				servers: [
					{port: {name: 'tls-istiod', number: 15012, protocol: 'tls'}, tls: {mode: 'PASSTHROUGH'}, hosts: ['*']},
					{port: {name: 'tls-istiodwebhook', number: 15017, protocol: 'tls'}, tls: {mode: 'PASSTHROUGH'}, hosts: ['*']},
				],
			},
		},
		{
			apiVersion,
			kind: 'VirtualService',
			metadata: {name: istiodVirtualServiceName(revision), namespace: ISTIO_NAMESPACE},
			spec: {
				hosts: ['*'],
				gateways: [ISTIOD_GATEWAY_NAME],
				tls: [
					{match: [{port: 15012, sniHosts}], route: [{destination: {host, port: {number: 15012}}}]},
					{match: [{port: 15017, sniHosts}], route: [{destination: {host, port: {number: 443}}}]},
				],
			},
		},
	];
}

/** The Gateway that lets other networks reach this cluster's services through the east-west gateway (mTLS on 15443). */
export function renderExposeServices(options: ExposeOptions = {}): Manifest[] {
	return [
		{
			apiVersion: `networking.istio.io/${options.apiVersion ?? 'v1'}`,
			kind: 'Gateway',
			metadata: {name: CROSS_NETWORK_GATEWAY_NAME, namespace: ISTIO_NAMESPACE},
			spec: {
				selector: GATEWAY_SELECTOR,
				servers: [{port: {number: 15443, name: 'tls', protocol: 'TLS'}, tls: {mode: 'AUTO_PASSTHROUGH'}, hosts: ['*.local']}],
			},
		},
	];
}

export interface ManifestSet {
	gateway: Manifest;
	expose: Manifest[];
}

export function renderManifestSet(options: GatewayOptions & ExposeOptions & {expose: ExposeChoice}): ManifestSet {
	const expose: Manifest[] = [];
	if (options.expose === 'istiod' || options.expose === 'all') expose.push(...renderExposeIstiod(options));
	if (options.expose === 'services' || options.expose === 'all') expose.push(...renderExposeServices(options));
	return {gateway: renderEastWestGateway(options), expose};
}
