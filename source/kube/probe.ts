/**
 * The probe of one context: is its API server there, may the user in, and what of Istio it already runs
 * (istio-system and its network label, Istio's CRDs, istiod Deployments with their injector values), under one
 * deadline. Failures are reported in the result, never thrown.
 */
import type {ApiextensionsV1Api, ApisApi, AppsV1Api, CoreV1Api, VersionApi} from '@kubernetes/client-node';
import type {KubeErrorInfo, ProbeResult} from '../core/ports.js';
import {ISTIO_NAMESPACE, NETWORK_LABEL} from '../core/model.js';
import {injectorConfigMapName, injectorValues, isIstiodDeployment, istiodFromDeployment, type IstiodDeploymentLike} from '../core/istiod.js';
import {isLoopbackServer} from '../core/address.js';
import {KubeError, type KubeErrorContext} from './errors.js';
import {plain} from './plain.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** Istio CRDs a probe looks for. istioctl install (current releases) does not install the IstioOperator CRD. */
export const ISTIO_CRDS = ['gateways.networking.istio.io', 'virtualservices.networking.istio.io', 'istiooperators.install.istio.io'] as const;

type Ctx = Omit<KubeErrorContext, 'context' | 'user'>;

/** What a probe uses of a cluster client: its API objects and its way of calling them. */
export interface ProbeAccess {
	context: string;
	/** The context's API server URL in the kubeconfig. */
	server: string | undefined;
	/** One API call under the signal; failures become KubeErrors described with ctx. */
	call<T>(signal: AbortSignal | undefined, ctx: Ctx, fn: () => Promise<T>): Promise<T>;
	/** Like call, but 404 → undefined. */
	read<T>(signal: AbortSignal | undefined, ctx: Ctx, fn: () => Promise<T>): Promise<T | undefined>;
	describe(error: unknown, ctx: Ctx): KubeErrorInfo;
	version: VersionApi;
	core: CoreV1Api;
	apps: AppsV1Api;
	apiext: ApiextensionsV1Api;
	apis: ApisApi;
	advertisedApiServer(signal?: AbortSignal): Promise<string | undefined>;
}

export async function probeCluster(api: ProbeAccess, options: {timeoutMs?: number; signal?: AbortSignal} = {}): Promise<ProbeResult> {
	const started = Date.now();
	const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
	const deadline = new AbortController();
	const timer = setTimeout(() => deadline.abort(), timeoutMs);
	const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
	const result: ProbeResult = {context: api.context, reachable: false, istioNamespace: false, istioCrds: false, istiod: [], elapsedMs: 0};
	const fail = (error: unknown, ctx: Omit<KubeErrorContext, 'context' | 'user'>) => {
		let info = api.describe(error, ctx);
		if (info.kind === 'cancelled' && deadline.signal.aborted && !options.signal?.aborted && info.message.startsWith('credential plugin ')) {
			info = {...info, kind: 'timeout', message: info.message.replace(/ did not finish before .*$/, ` did not finish within ${Math.round(timeoutMs / 1000)}s`)};
		} else if (info.kind === 'cancelled' && deadline.signal.aborted && !options.signal?.aborted) {
			info = {
				kind: 'timeout',
				message: `the API server of ${api.context} did not answer within ${Math.round(timeoutMs / 1000)}s`,
				hint: `is it up and reachable from here? check kubectl --context ${api.context} get --raw /version`,
			};
		}
		if (info.kind === 'unauthorized') result.auth = 'unauthorized';
		if (info.kind === 'forbidden') result.auth = 'forbidden';
		result.error ??= info;
		return info;
	};
	try {
		try {
			const version = await api.call(signal, {verb: 'get', resource: '/version'}, () => api.version.getCode());
			result.reachable = true;
			result.serverVersion = version.gitVersion;
		} catch (error) {
			const info = fail(error, {verb: 'get', resource: '/version'});
			// A 401/403 answer proves the server is there (a credential plugin that failed asked nothing of it).
			result.reachable = info.httpStatus === 401 || info.httpStatus === 403;
			if (!result.reachable || info.kind === 'unauthorized') return result;
		}

		const namespace = api.read(signal, {verb: 'get', resource: 'namespaces', name: ISTIO_NAMESPACE}, () => api.core.readNamespace({name: ISTIO_NAMESPACE}));
		const crds = Promise.all(
			ISTIO_CRDS.map(name =>
				api.read(signal, {verb: 'get', resource: 'customresourcedefinitions.apiextensions.k8s.io', name}, () =>
					api.apiext.readCustomResourceDefinition({name}),
				),
			),
		);
		const deployments = api.call(signal, {verb: 'list', resource: 'deployments', namespace: ISTIO_NAMESPACE}, () =>
			api.apps.listNamespacedDeployment({namespace: ISTIO_NAMESPACE, labelSelector: 'app=istiod'}),
		);
		const [ns, crdList, deploymentList] = await Promise.allSettled([namespace, crds, deployments]);

		if (ns.status === 'fulfilled') {
			result.istioNamespace = ns.value !== undefined;
			const label = ns.value?.metadata?.labels?.[NETWORK_LABEL];
			if (label) result.networkLabel = label;
		} else {
			fail(ns.reason, {verb: 'get', resource: 'namespaces', name: ISTIO_NAMESPACE});
		}

		if (crdList.status === 'fulfilled') {
			const present = ISTIO_CRDS.filter((_, i) => crdList.value[i] !== undefined);
			result.istioCrdNames = present;
			result.istioCrds = present.includes('gateways.networking.istio.io') && present.includes('virtualservices.networking.istio.io');
		} else if (crdList.reason instanceof KubeError && crdList.reason.info.kind === 'forbidden') {
			// Reading CRDs needs cluster-scope RBAC; API discovery does not.
			try {
				const groups = await api.call(signal, {verb: 'get', resource: '/apis'}, () => api.apis.getAPIVersions());
				const names = new Set(groups.groups.map(g => g.name));
				result.istioCrds = names.has('networking.istio.io');
				result.istioCrdNames = [
					...(names.has('networking.istio.io') ? ['gateways.networking.istio.io', 'virtualservices.networking.istio.io'] : []),
					...(names.has('install.istio.io') ? ['istiooperators.install.istio.io'] : []),
				];
			} catch (error) {
				fail(error, {verb: 'get', resource: '/apis'});
			}
		} else {
			fail(crdList.reason, {verb: 'get', resource: 'customresourcedefinitions.apiextensions.k8s.io'});
		}

		if (deploymentList.status === 'fulfilled') {
			const items = plain<IstiodDeploymentLike[]>(deploymentList.value.items);
			const istiods = items.filter(isIstiodDeployment);
			result.istiod = await Promise.all(
				istiods.map(async d => {
					const info = istiodFromDeployment(d);
					const configMap = injectorConfigMapName(info.revision);
					try {
						const cm = await api.read(signal, {verb: 'get', resource: 'configmaps', namespace: ISTIO_NAMESPACE, name: configMap}, () =>
							api.core.readNamespacedConfigMap({namespace: ISTIO_NAMESPACE, name: configMap}),
						);
						const values = injectorValues(cm?.data);
						if (values.meshId !== undefined) info.meshId = values.meshId;
						if (values.network !== undefined) info.network = values.network;
					} catch {
						// The injector values are a nicety: without them meshId/network stay unknown.
					}
					return info;
				}),
			);
		} else {
			fail(deploymentList.reason, {verb: 'list', resource: 'deployments', namespace: ISTIO_NAMESPACE});
		}
		if (result.reachable && !result.auth) result.auth = 'ok';
		if (result.auth === 'ok' && isLoopbackServer(api.server)) {
			try {
				const advertised = await api.advertisedApiServer(signal);
				if (advertised && !isLoopbackServer(advertised)) result.advertisedApiServer = advertised;
			} catch {
				// A suggestion only: without it the IDs screen shows no proposal.
			}
		}
		return result;
	} finally {
		clearTimeout(timer);
		result.elapsedMs = Date.now() - started;
	}
}
