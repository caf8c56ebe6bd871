/**
 * ClusterClient on @kubernetes/client-node: one KubeConfig per context, probes, server-side apply, reads and access reviews.
 */
import {isDeepStrictEqual} from 'node:util';
import {
	ApiextensionsV1Api,
	ApisApi,
	AppsV1Api,
	AuthorizationV1Api,
	CoreV1Api,
	KubernetesObjectApi,
	PatchStrategy,
	VersionApi,
	type KubeConfig,
	type KubernetesObject,
	type V1DeleteOptions,
} from '@kubernetes/client-node';
import type {
	AppliedObject,
	ApplyOptions,
	ClusterClient,
	CredentialVerdict,
	DeleteOutcome,
	DeleteTarget,
	IstiodDebugAnswer,
	IstiodDebugRequest,
	PodExecRequest,
	PodExecResult,
	KubeErrorInfo,
	RemoveOptions,
	RemoteSecretInfo,
	KeyWriteOutcome,
	NamespaceKeyWrite,
	TrustRootInfo,
	ProbeResult,
	WatchHandle,
	WatchTarget,
	WatchUpdate,
} from '../core/ports.js';
import type {Manifest} from '../core/manifests.js';
import {FIELD_MANAGER, ISTIO_NAMESPACE} from '../core/model.js';
import type {DeploymentLike, PodLike, ServiceLike} from '../core/rollout.js';
import {KubeError, describeKubeError, toKubeError, type KubeErrorContext} from './errors.js';
import {startWatch} from './watch.js';
import {portForwardDialer, readIstiodDebug, type PodDialer} from './istiod-debug.js';
import {execInPod} from './exec.js';
import {currentSignal} from './signal.js';
import {setMaxListeners} from 'node:events';
import {makeApi} from './api.js';
import type {Sealed} from '../core/sealed.js';
import {MULTICLUSTER_LABEL} from '../core/remote.js';
import {plain} from './plain.js';
import {probeCluster} from './probe.js';
import {PLUGGED_ROOT_NAME, PUBLISHED_ROOT_NAME, pluggedRoot, publishedRoot} from './trust-roots.js';
import {advertisedServer, describeRemoteSecret, secretFromIstioctlOutput, verifyCredentials, type SecretLike} from './remote-secrets.js';

const CONCURRENT_REQUESTS_PER_SIGNAL = 256;

function isNotFound(err: unknown): boolean {
	return (err instanceof KubeError && err.info.httpStatus === 404) || (err as {code?: unknown})?.code === 404;
}

/** Plural resource name with its group, for messages and RBAC hints ("Gateway" → "gateways.networking.istio.io"). */
function resourceWord(kind: string, apiVersion: string): string {
	const plural = guessResource(kind);
	const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
	return group ? `${plural}.${group}` : plural;
}

/** Compare what SSA returned in a dry run with the live object, ignoring what every write touches. */
function comparable(obj: Record<string, unknown>): Record<string, unknown> {
	const copy = plain<Record<string, unknown>>(obj);
	const metadata = (copy.metadata ?? {}) as Record<string, unknown>;
	delete metadata.managedFields;
	delete metadata.resourceVersion;
	delete metadata.generation;
	return copy;
}

export class KubeClusterClient implements ClusterClient {
	readonly context: string;
	private readonly kc: KubeConfig;
	private readonly user: string;
	private readonly core: CoreV1Api;
	private readonly apps: AppsV1Api;
	private readonly version: VersionApi;
	private readonly apiext: ApiextensionsV1Api;
	private readonly apis: ApisApi;
	private readonly authz: AuthorizationV1Api;
	private readonly objects: KubernetesObjectApi;
	private readonly dial: PodDialer;

	/** options.dial replaces the port-forward to a pod (tests point it at a local server). */
	constructor(context: string, kc: KubeConfig, options: {dial?: PodDialer} = {}) {
		this.context = context;
		this.kc = kc;
		this.user = kc.getCurrentUser()?.name ?? 'anonymous';
		this.core = makeApi(kc, CoreV1Api);
		this.apps = makeApi(kc, AppsV1Api);
		this.version = makeApi(kc, VersionApi);
		this.apiext = makeApi(kc, ApiextensionsV1Api);
		this.apis = makeApi(kc, ApisApi);
		this.authz = makeApi(kc, AuthorizationV1Api);
		// Manifests name their namespace; the context's default namespace is not used.
		this.objects = makeApi(kc, KubernetesObjectApi);
		this.dial = options.dial ?? portForwardDialer(kc);
	}

	/** Run one API call with the caller's signal; failures become KubeErrors described with ctx. */
	private async call<T>(signal: AbortSignal | undefined, ctx: Omit<KubeErrorContext, 'context' | 'user'>, fn: () => Promise<T>): Promise<T> {
		if (signal?.aborted) throw new KubeError({kind: 'cancelled', message: `request to ${this.context} cancelled`});
		// One signal legitimately governs many concurrent requests (a check reads a dozen objects at once);
		// each request removes its listener when it ends.
		if (signal) setMaxListeners(CONCURRENT_REQUESTS_PER_SIGNAL, signal);
		try {
			return await currentSignal.run(signal, fn);
		} catch (error) {
			throw toKubeError(error, {...ctx, context: this.context, user: this.user});
		}
	}

	/** Like call, but 404 → undefined. */
	private async read<T>(signal: AbortSignal | undefined, ctx: Omit<KubeErrorContext, 'context' | 'user'>, fn: () => Promise<T>): Promise<T | undefined> {
		try {
			return await this.call(signal, ctx, fn);
		} catch (error) {
			if (isNotFound(error)) return undefined;
			throw error;
		}
	}

	private describe(error: unknown, ctx: Omit<KubeErrorContext, 'context' | 'user'> = {}): KubeErrorInfo {
		return describeKubeError(error, {...ctx, context: this.context, user: this.user});
	}

	probe(options: {timeoutMs?: number; signal?: AbortSignal} = {}): Promise<ProbeResult> {
		return probeCluster(
			{
				context: this.context,
				server: this.kc.getCurrentCluster()?.server,
				call: (signal, ctx, fn) => this.call(signal, ctx, fn),
				read: (signal, ctx, fn) => this.read(signal, ctx, fn),
				describe: (error, ctx) => this.describe(error, ctx),
				version: this.version,
				core: this.core,
				apps: this.apps,
				apiext: this.apiext,
				apis: this.apis,
				advertisedApiServer: signal => this.advertisedApiServer(signal),
			},
			options,
		);
	}

	async writeNamespaceKey(write: NamespaceKeyWrite, options: RemoveOptions & {force?: boolean}): Promise<KeyWriteOutcome> {
		const group = write.field === 'label' ? 'labels' : 'annotations';
		const dryRun = options.dryRun ? 'All' : undefined;
		const ctx = {verb: 'patch', resource: 'namespaces', name: ISTIO_NAMESPACE};
		if (write.value !== null) {
			const body: KubernetesObject = {apiVersion: 'v1', kind: 'Namespace', metadata: {name: ISTIO_NAMESPACE, [group]: {[write.name]: write.value}}};
			if (write.field === 'label') {
				// Server-side apply: eastwest owns the label (and creates istio-system when absent).
				await this.call(options.signal, ctx, () => this.objects.patch(body, undefined, dryRun, FIELD_MANAGER, options.force, PatchStrategy.ServerSideApply));
			} else if (write.create) {
				await this.call(options.signal, {...ctx, verb: 'create'}, () =>
					this.core.createNamespace({body, fieldManager: FIELD_MANAGER, ...(dryRun ? {dryRun} : {})}),
				);
			} else {
				// A merge patch (not an apply): eastwest's server-side apply of the network label must not own, and so drop, this annotation.
				await this.call(options.signal, ctx, () => this.objects.patch(body, undefined, dryRun, FIELD_MANAGER, undefined, PatchStrategy.MergePatch));
			}
			return 'written';
		}
		// resourceVersion in a merge patch is a precondition: a namespace changed since the read is not patched.
		const body = {
			apiVersion: 'v1',
			kind: 'Namespace',
			metadata: {name: ISTIO_NAMESPACE, ...(write.resourceVersion ? {resourceVersion: write.resourceVersion} : {}), [group]: {[write.name]: null}},
		};
		try {
			await this.call(options.signal, ctx, () =>
				this.objects.patch(body as unknown as KubernetesObject, undefined, dryRun, FIELD_MANAGER, undefined, PatchStrategy.MergePatch),
			);
			return 'written';
		} catch (error) {
			if (isNotFound(error)) return 'not-found';
			if (error instanceof KubeError && error.info.httpStatus === 409) return 'changed';
			throw error;
		}
	}

	async restartDeployment(namespace: string, name: string, at: string, options: ApplyOptions): Promise<void> {
		const body: KubernetesObject = {apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name, namespace}};
		(body as {spec?: unknown}).spec = {template: {metadata: {annotations: {'kubectl.kubernetes.io/restartedAt': at}}}};
		await this.call(options.signal, {verb: 'patch', resource: 'deployments', namespace, name}, () =>
			this.objects.patch(body, undefined, options.dryRun ? 'All' : undefined, FIELD_MANAGER, undefined, PatchStrategy.StrategicMergePatch),
		);
	}

	async apply(manifests: Manifest[], options: ApplyOptions): Promise<AppliedObject[]> {
		const results: AppliedObject[] = [];
		for (const manifest of manifests) {
			const ctx = {
				verb: 'patch',
				resource: resourceWord(manifest.kind, manifest.apiVersion),
				name: manifest.metadata.name,
				...(manifest.metadata.namespace ? {namespace: manifest.metadata.namespace} : {}),
			};
			const spec = manifest as unknown as KubernetesObject;
			try {
				const before = await this.read(options.signal, {...ctx, verb: 'get'}, () =>
					this.objects.read(spec as {apiVersion: string; kind: string; metadata: {name: string; namespace?: string}}),
				);
				const after = await this.call(options.signal, ctx, () =>
					this.objects.patch(spec, undefined, options.dryRun ? 'All' : undefined, FIELD_MANAGER, options.force, PatchStrategy.ServerSideApply),
				);
				let outcome: AppliedObject['outcome'];
				if (!before) outcome = 'created';
				else if (options.dryRun)
					outcome = isDeepStrictEqual(comparable(before as Record<string, unknown>), comparable(after as Record<string, unknown>)) ? 'unchanged' : 'configured';
				else outcome = before.metadata?.resourceVersion === after.metadata?.resourceVersion ? 'unchanged' : 'configured';
				results.push({
					kind: manifest.kind,
					name: manifest.metadata.name,
					outcome,
					...(manifest.metadata.namespace ? {namespace: manifest.metadata.namespace} : {}),
				});
			} catch (error) {
				throw this.applyError(error, manifest, ctx);
			}
		}
		return results;
	}

	/** Missing kinds (no CRD, or a version the server does not serve) get a hint about Istio. */
	private applyError(error: unknown, manifest: Manifest, ctx: Omit<KubeErrorContext, 'context' | 'user'>): KubeError {
		const cause = error instanceof KubeError ? error.cause : undefined;
		const text = [error, cause].map(e => (e instanceof Error ? e.message : String(e ?? ''))).join(' ');
		if (/Unrecognized API version and kind/.test(text) || (isNotFound(error) && /resource metadata/.test(text))) {
			return new KubeError({
				kind: 'not-found',
				httpStatus: 404,
				message: `${this.context} does not serve ${manifest.apiVersion} ${manifest.kind}`,
				hint: manifest.apiVersion.startsWith('networking.istio.io/')
					? 'install Istio first (its CRDs are missing), or for Istio < 1.22 use --api-version v1beta1'
					: `check kubectl --context ${this.context} api-resources`,
			});
		}
		return toKubeError(error, {...ctx, context: this.context, user: this.user});
	}

	async getDeployment(namespace: string, name: string, signal?: AbortSignal): Promise<DeploymentLike | undefined> {
		const d = await this.read(signal, {verb: 'get', resource: 'deployments', namespace, name}, () => this.apps.readNamespacedDeployment({namespace, name}));
		return d && plain<DeploymentLike>(d);
	}

	async getService(namespace: string, name: string, signal?: AbortSignal): Promise<ServiceLike | undefined> {
		const s = await this.read(signal, {verb: 'get', resource: 'services', namespace, name}, () => this.core.readNamespacedService({namespace, name}));
		return s && plain<ServiceLike>(s);
	}

	async listPods(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<PodLike[]> {
		const list = await this.call(signal, {verb: 'list', resource: 'pods', namespace}, () => this.core.listNamespacedPod({namespace, labelSelector}));
		return plain<PodLike[]>(list.items);
	}

	watchDeployments(target: WatchTarget, onUpdate: (update: WatchUpdate<DeploymentLike>) => void): WatchHandle {
		return this.watch(
			target,
			'deployments',
			`/apis/apps/v1/namespaces/${encodeURIComponent(target.namespace)}/deployments`,
			(query, signal) =>
				this.call(signal, {verb: 'list', resource: 'deployments', namespace: target.namespace}, () =>
					this.apps.listNamespacedDeployment({namespace: target.namespace, ...query}),
				),
			onUpdate,
		);
	}

	watchServices(target: WatchTarget, onUpdate: (update: WatchUpdate<ServiceLike>) => void): WatchHandle {
		return this.watch(
			target,
			'services',
			`/api/v1/namespaces/${encodeURIComponent(target.namespace)}/services`,
			(query, signal) =>
				this.call(signal, {verb: 'list', resource: 'services', namespace: target.namespace}, () =>
					this.core.listNamespacedService({namespace: target.namespace, ...query}),
				),
			onUpdate,
		);
	}

	watchPods(target: WatchTarget, onUpdate: (update: WatchUpdate<PodLike>) => void): WatchHandle {
		return this.watch(
			target,
			'pods',
			`/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods`,
			(query, signal) =>
				this.call(signal, {verb: 'list', resource: 'pods', namespace: target.namespace}, () =>
					this.core.listNamespacedPod({namespace: target.namespace, ...query}),
				),
			onUpdate,
		);
	}

	watchObjects(apiVersion: string, kind: string, target: WatchTarget, onUpdate: (update: WatchUpdate<Record<string, unknown>>) => void): WatchHandle {
		const resource = guessResource(kind);
		const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
		const path = target.namespace ? `${prefix}/namespaces/${encodeURIComponent(target.namespace)}/${resource}` : `${prefix}/${resource}`;
		const namespace = target.namespace || undefined;
		return this.watch(
			target,
			resourceWord(kind, apiVersion),
			path,
			(query, signal) =>
				this.call(signal, {verb: 'list', resource: resourceWord(kind, apiVersion), ...(namespace ? {namespace} : {})}, () =>
					this.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, query.fieldSelector, query.labelSelector),
				),
			onUpdate,
		);
	}

	private watch<T>(
		target: WatchTarget,
		resource: string,
		path: string,
		list: (query: {labelSelector?: string; fieldSelector?: string}, signal: AbortSignal) => Promise<{items: unknown[]; metadata?: {resourceVersion?: string}}>,
		onUpdate: (update: WatchUpdate<T>) => void,
	): WatchHandle {
		const query: {labelSelector?: string; fieldSelector?: string} = {};
		if (target.labelSelector) query.labelSelector = target.labelSelector;
		const fields = [...(target.name ? [`metadata.name=${target.name}`] : []), ...(target.fieldSelector ? [target.fieldSelector] : [])];
		if (fields.length > 0) query.fieldSelector = fields.join(',');
		return startWatch<T>({
			kc: this.kc,
			context: this.context,
			path,
			query,
			async list(signal) {
				const result = await list(query, signal);
				return {items: plain<T[]>(result.items), resourceVersion: result.metadata?.resourceVersion};
			},
			describe: error => this.describe(error, {verb: 'watch', resource, namespace: target.namespace}),
			onUpdate,
		});
	}

	async getObject(
		apiVersion: string,
		kind: string,
		namespace: string | undefined,
		name: string,
		signal?: AbortSignal,
	): Promise<Record<string, unknown> | undefined> {
		const header = {apiVersion, kind, metadata: {name, ...(namespace ? {namespace} : {})}};
		try {
			const obj = await this.read(signal, {verb: 'get', resource: resourceWord(kind, apiVersion), name, ...(namespace ? {namespace} : {})}, () =>
				this.objects.read(header),
			);
			return obj && plain<Record<string, unknown>>(obj);
		} catch (error) {
			throw this.applyError(error, {apiVersion, kind, metadata: {name}} as Manifest, {verb: 'get', resource: resourceWord(kind, apiVersion), name});
		}
	}

	async listObjects(
		apiVersion: string,
		kind: string,
		namespace: string | undefined,
		labelSelector?: string,
		signal?: AbortSignal,
	): Promise<Array<Record<string, unknown>>> {
		const ctx = {verb: 'list', resource: resourceWord(kind, apiVersion), ...(namespace ? {namespace} : {})};
		try {
			const list = await this.call(signal, ctx, () =>
				this.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector),
			);
			return plain<Array<Record<string, unknown>>>(list.items);
		} catch (error) {
			throw this.applyError(error, {apiVersion, kind, metadata: {name: ''}} as Manifest, ctx);
		}
	}

	readIstiodDebug(request: IstiodDebugRequest): Promise<IstiodDebugAnswer> {
		return readIstiodDebug(
			{context: this.context, dial: this.dial, listPods: (namespace, labelSelector, signal) => this.listPods(namespace, labelSelector, signal)},
			request,
		);
	}

	execInPod(request: PodExecRequest): Promise<PodExecResult> {
		return execInPod(this.kc, this.context, request);
	}

	async canI(check: {verb: string; group: string; resource: string; namespace?: string}, signal?: AbortSignal): Promise<boolean> {
		const review = await this.call(signal, {verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io'}, () =>
			this.authz.createSelfSubjectAccessReview({
				body: {
					apiVersion: 'authorization.k8s.io/v1',
					kind: 'SelfSubjectAccessReview',
					spec: {
						resourceAttributes: {verb: check.verb, group: check.group, resource: check.resource, ...(check.namespace ? {namespace: check.namespace} : {})},
					},
				},
			}),
		);
		return review.status?.allowed === true;
	}

	private async readSecret(name: string, signal?: AbortSignal): Promise<SecretLike | undefined> {
		const s = await this.read(signal, {verb: 'get', resource: 'secrets', namespace: ISTIO_NAMESPACE, name}, () =>
			this.core.readNamespacedSecret({namespace: ISTIO_NAMESPACE, name}),
		);
		return s && plain<SecretLike>(s);
	}

	async listRemoteSecrets(signal?: AbortSignal): Promise<RemoteSecretInfo[]> {
		const list = await this.call(signal, {verb: 'list', resource: 'secrets', namespace: ISTIO_NAMESPACE}, () =>
			this.core.listNamespacedSecret({namespace: ISTIO_NAMESPACE, labelSelector: `${MULTICLUSTER_LABEL}=true`}),
		);
		return plain<SecretLike[]>(list.items).map(describeRemoteSecret);
	}

	watchRemoteSecrets(onUpdate: (update: WatchUpdate<RemoteSecretInfo>) => void): WatchHandle {
		// The watch holds the Secrets in memory; only their descriptions (no token, no CA) leave this layer.
		return this.watchIstioSystem('secrets', {labelSelector: `${MULTICLUSTER_LABEL}=true`}, describeRemoteSecret, onUpdate);
	}

	watchPublishedRoot(onUpdate: (update: WatchUpdate<TrustRootInfo>) => void): WatchHandle {
		return this.watchIstioSystem('configmaps', {name: PUBLISHED_ROOT_NAME}, publishedRoot, onUpdate);
	}

	watchPluggedRoot(onUpdate: (update: WatchUpdate<TrustRootInfo>) => void): WatchHandle {
		// The watch holds cacerts (its key included) in memory; only the root's subject and fingerprint leave this layer.
		return this.watchIstioSystem('secrets', {name: PLUGGED_ROOT_NAME}, pluggedRoot, onUpdate);
	}

	/** A list+watch of Secrets or ConfigMaps in istio-system whose objects stay here: only `describe`'s view of each is handed out. */
	private watchIstioSystem<T>(
		resource: 'secrets' | 'configmaps',
		select: {name?: string; labelSelector?: string},
		describe: (obj: Record<string, unknown>) => T,
		onUpdate: (update: WatchUpdate<T>) => void,
	): WatchHandle {
		const namespace = ISTIO_NAMESPACE;
		const list = resource === 'secrets' ? this.core.listNamespacedSecret.bind(this.core) : this.core.listNamespacedConfigMap.bind(this.core);
		return this.watch<Record<string, unknown>>(
			{namespace, ...select},
			resource,
			`/api/v1/namespaces/${namespace}/${resource}`,
			(query, signal) => this.call(signal, {verb: 'list', resource, namespace}, () => list({namespace, ...query})),
			update => onUpdate({...update, items: update.items.map(describe)}),
		);
	}

	async getRemoteSecret(name: string, signal?: AbortSignal): Promise<RemoteSecretInfo | undefined> {
		const s = await this.readSecret(name, signal);
		return s && describeRemoteSecret(s);
	}

	async verifyRemoteSecret(name: string, cluster: string, options: {timeoutMs: number; signal?: AbortSignal}): Promise<CredentialVerdict> {
		const where = `${ISTIO_NAMESPACE}/${name} on ${this.context}`;
		const s = await this.readSecret(name, options.signal);
		if (!s) return {kind: 'invalid', message: `${where} does not exist`};
		return verifyCredentials(s, cluster, where, options);
	}

	async applyRemoteSecret(output: Sealed<string>, expect: {name: string}, options: ApplyOptions): Promise<AppliedObject> {
		const manifest = secretFromIstioctlOutput(output.reveal(), expect.name);
		const ctx = {verb: 'patch', resource: 'secrets', namespace: ISTIO_NAMESPACE, name: expect.name};
		const before = await this.readSecret(expect.name, options.signal);
		const after = await this.call(options.signal, ctx, () =>
			this.objects.patch(
				manifest as unknown as KubernetesObject,
				undefined,
				options.dryRun ? 'All' : undefined,
				FIELD_MANAGER,
				options.force,
				PatchStrategy.ServerSideApply,
			),
		);
		let outcome: AppliedObject['outcome'];
		if (!before) outcome = 'created';
		else if (options.dryRun)
			outcome =
				isDeepStrictEqual(before.data ?? {}, (after as SecretLike).data ?? {}) && isDeepStrictEqual(before.metadata?.labels ?? {}, after.metadata?.labels ?? {})
					? 'unchanged'
					: 'configured';
		else outcome = before.metadata?.resourceVersion === after.metadata?.resourceVersion ? 'unchanged' : 'configured';
		return {kind: 'Secret', namespace: ISTIO_NAMESPACE, name: expect.name, outcome};
	}

	async deleteObject(ref: DeleteTarget, options: RemoveOptions): Promise<DeleteOutcome> {
		const resource = resourceWord(ref.kind, ref.apiVersion);
		const ctx = {verb: 'delete', resource, name: ref.name, ...(ref.namespace ? {namespace: ref.namespace} : {})};
		const spec = {apiVersion: ref.apiVersion, kind: ref.kind, metadata: {name: ref.name, ...(ref.namespace ? {namespace: ref.namespace} : {})}};
		const body = deleteOptions(ref, options);
		try {
			await this.call(options.signal, ctx, () =>
				this.objects.delete(spec, undefined, options.dryRun ? 'All' : undefined, undefined, undefined, 'Background', body),
			);
			return 'deleted';
		} catch (error) {
			if (isNotFound(error)) return 'not-found';
			// A failed uid precondition is a 409: the object was replaced since it was read.
			if (ref.uid && error instanceof KubeError && error.info.httpStatus === 409) return 'changed';
			throw error;
		}
	}

	async advertisedApiServer(signal?: AbortSignal): Promise<string | undefined> {
		const slices = await this.listObjects('discovery.k8s.io/v1', 'EndpointSlice', 'default', 'kubernetes.io/service-name=kubernetes', signal);
		return advertisedServer(slices);
	}
}

/** The REST resource of a kind, by Kubernetes' own guessing rule (Gateway → gateways, Policy → policies). */
export function guessResource(kind: string): string {
	const lower = kind.toLowerCase();
	if (lower.endsWith('s') || lower.endsWith('x') || lower.endsWith('ch') || lower.endsWith('sh')) return `${lower}es`;
	if (lower.endsWith('y') && !/[aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
	return `${lower}s`;
}

/**
 * The DeleteOptions body of a delete. kube-apiserver reads a delete's options from its body when it has
 * one and then ignores the query string, so the dry run has to be in the body too, beside the
 * propagation policy and the uid precondition (a `?dryRun=All` alone would be dropped and the object
 * deleted for real).
 */
export function deleteOptions(ref: Pick<DeleteTarget, 'uid'>, options: Pick<RemoveOptions, 'dryRun'>): V1DeleteOptions {
	return {
		propagationPolicy: 'Background',
		...(options.dryRun ? {dryRun: ['All']} : {}),
		...(ref.uid ? {preconditions: {uid: ref.uid}} : {}),
	};
}
