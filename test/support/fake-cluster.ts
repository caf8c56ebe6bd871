/**
 * One in-memory fake of the ClusterClient port: a typed store of objects (by kind, namespace and name)
 * that reads, lists, watches and server-side apply all work on, with one label-selector parser. Tests seed
 * it with plain objects, script how an installed gateway rolls out and gets an address, drop and restore
 * its watches, and deny or forbid reads. Also an Istioctl that "installs" into it, and a factory.
 */
import {GATEWAY_NAME, ISTIO_NAMESPACE, NETWORK_LABEL} from '../../source/core/model.js';
import {GATEWAY_PORTS, renderExposeIstiod, renderExposeServices, type Manifest} from '../../source/core/manifests.js';
import {Sealed} from '../../source/core/sealed.js';
import {
	CLUSTER_ANNOTATION,
	MULTICLUSTER_LABEL,
	REMOTE_OPERATOR_NAME,
	injectorWebhookName,
	readPeers,
	remoteIstiodServiceName,
	remoteSecretName,
} from '../../source/core/remote.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {
	AppliedObject,
	ApplyOptions,
	ClusterClient,
	ClusterClientFactory,
	CreateRemoteSecretOptions,
	CredentialVerdict,
	DeleteOutcome,
	DeleteTarget,
	Istioctl,
	IstioctlInstallOptions,
	KubeErrorInfo,
	RemoteSecretInfo,
	NamespaceKeyWrite,
	KeyWriteOutcome,
	TrustRootInfo,
	ProbeResult,
	RemoveOptions,
	WatchHandle,
	WatchTarget,
	WatchUpdate,
} from '../../source/core/ports.js';
import type {DeploymentLike, PodLike, ServiceLike} from '../../source/core/rollout.js';
import {FIXTURE_ROOT_CERT, fixtureCacertsData} from './ca-fixtures.js';
import {matchesLabels} from './label-selector.js';
import {parse as parseYaml} from 'yaml';
import {pluggedRoot, publishedRoot} from '../../source/kube/trust-roots.js';

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
	/** The API server URL of this cluster (what create-remote-secret writes); default https://127.0.0.2:<n>. */
	server?: string;
	/** What the cluster advertises in default/kubernetes endpoints. */
	advertised?: string;
}

const DEFAULT_API_VERSION: Record<string, string> = {Deployment: 'apps/v1', Service: 'v1', Pod: 'v1', Namespace: 'v1', ConfigMap: 'v1', Secret: 'v1'};

type Listener = {kind: string; target: WatchTarget; onUpdate: (u: WatchUpdate<any>) => void};

/** managedFields with one more manager entry (replacing that manager's previous entry of the same operation). */
function withManager(fields: Obj[] | undefined, entry: Obj): Obj[] {
	return [...(fields ?? []).filter(f => !(f.manager === entry.manager && f.operation === entry.operation)), entry];
}

/** managedFields with one label/annotation key no longer held by anyone (it was removed or taken over). */
function takeKey(fields: Obj[] | undefined, group: string, key: string): Obj[] {
	return (fields ?? []).map(f => {
		const held = f.fieldsV1?.['f:metadata']?.[group];
		if (!held || !(`f:${key}` in held)) return f;
		const rest = {...held};
		delete rest[`f:${key}`];
		return {...f, fieldsV1: {...f.fieldsV1, 'f:metadata': {...f.fieldsV1['f:metadata'], [group]: rest}}};
	});
}

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
	/** The API server URL remote secrets for this cluster point at. */
	server: string;
	/** The token its istio-reader service account has now; `revokeToken()` changes it. */
	readerToken: string;
	/** istiod's debug endpoints: absent unless a test scripts them (the port leaves them optional). */
	readIstiodDebug?: ClusterClient['readIstiodDebug'];
	/** How other clusters are found from a server URL (set by FakeFactory). */
	peerByServer: (server: string) => FakeCluster | undefined = () => undefined;
	private static servers = 0;

	constructor(
		readonly context: string,
		objects: Obj[] = [],
		readonly options: FakeClusterOptions = {},
	) {
		this.script = {...options.script, ...(options.reachable === false ? {unreachable: true} : {})};
		FakeCluster.servers += 1;
		this.server = options.server ?? `https://127.0.0.2:${6000 + FakeCluster.servers}`;
		this.readerToken = `token-${context}-1`;
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
			.filter(o => matchesLabels(o.metadata?.labels, options.labelSelector))
			.map(o => structuredClone(o));
	}

	/** Every object in the store, sorted by kind/namespace/name (for before/after comparisons). */
	snapshot(): Obj[] {
		return [...this.store.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, o]) => structuredClone(o));
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
		if (this.script.unreachable)
			return {context: this.context, reachable: false, error: this.unreachableError(), istioNamespace: false, istioCrds: false, istiod: [], elapsedMs: 1};
		return {
			context: this.context,
			reachable: true,
			auth: 'ok',
			serverVersion: 'v1.35.1',
			istioNamespace: this.namespaces.has(ISTIO_NAMESPACE),
			istioCrds: true,
			istiod: [],
			elapsedMs: 1,
		};
	}

	/** The writes only, as the API server does them; whether to write is the engine's (core's) decision. */
	async writeNamespaceKey(write: NamespaceKeyWrite, options: RemoveOptions & {force?: boolean}): Promise<KeyWriteOutcome> {
		this.check(`writeNamespaceKey ${write.field} ${write.name}${write.value === null ? ' remove' : `=${write.value}`}${options.dryRun ? ' dry-run' : ''}`);
		const ns = this.objectsOf('Namespace', {name: ISTIO_NAMESPACE})[0];
		const group = write.field === 'label' ? 'labels' : 'annotations';
		if (write.value === null) {
			if (!ns) return 'not-found';
			if (write.resourceVersion !== undefined && ns.metadata.resourceVersion !== write.resourceVersion) return 'changed';
			if (!options.dryRun) {
				const rest = {...ns.metadata[group]};
				delete rest[write.name];
				this.put({...ns, metadata: {...ns.metadata, [group]: rest, managedFields: takeKey(ns.metadata.managedFields, `f:${group}`, write.name)}});
			}
			return 'written';
		}
		// A label is server-side applied, an annotation merge-patched: managedFields record Apply and Update.
		const entry = {
			manager: 'eastwest',
			operation: write.field === 'label' ? 'Apply' : 'Update',
			fieldsV1: {'f:metadata': {[`f:${group}`]: {[`f:${write.name}`]: {}}}},
		};
		const base = ns ?? {apiVersion: 'v1', kind: 'Namespace', metadata: {name: ISTIO_NAMESPACE}};
		if (!options.dryRun) {
			this.put({
				...base,
				metadata: {
					...base.metadata,
					[group]: {...base.metadata[group], [write.name]: write.value},
					managedFields: withManager(takeKey(base.metadata.managedFields, `f:${group}`, write.name), entry),
				},
			});
		}
		return 'written';
	}

	async apply(manifests: Manifest[], options: ApplyOptions): Promise<AppliedObject[]> {
		this.check(`apply ${manifests.map(m => `${m.kind}/${m.metadata.name}`).join(',')}${options.dryRun ? ' dry-run' : ''}`);
		const out: AppliedObject[] = [];
		for (const m of manifests) {
			const key = `${m.kind}/${m.metadata.name}`;
			const owner = this.script.conflicts?.[key];
			if (owner && !options.force) {
				throw new FakeKubeError({
					kind: 'conflict',
					manager: owner,
					message: `${key}: conflict with field manager "${owner}" on .spec`,
					hint: `another tool (${owner}) owns these fields: resolve it or pass --force to take them over`,
				});
			}
			const before = this.applied.get(key);
			const outcome = !before ? 'created' : JSON.stringify(before) === JSON.stringify(m) ? 'unchanged' : 'configured';
			if (!options.dryRun) {
				this.applied.set(key, structuredClone(m));
				const existing = this.objectsOf(m.kind, {name: m.metadata.name, ...(m.metadata.namespace ? {namespace: m.metadata.namespace} : {})})[0];
				// As server-side apply: what the manifest names is set, the rest of an existing object stays.
				const meta = m.metadata as Obj;
				const merged: Obj = existing
					? {
							...existing,
							...(m as Obj),
							metadata: {
								...existing.metadata,
								...meta,
								...(existing.metadata?.labels || meta.labels ? {labels: {...existing.metadata?.labels, ...meta.labels}} : {}),
								...(existing.metadata?.annotations || meta.annotations ? {annotations: {...existing.metadata?.annotations, ...meta.annotations}} : {}),
							},
						}
					: (m as Obj);
				const keys = (group: unknown) => Object.fromEntries(Object.keys((group as Obj | undefined) ?? {}).map(k => [`f:${k}`, {}]));
				const fieldsV1 = {
					'f:metadata': {...(meta.labels ? {'f:labels': keys(meta.labels)} : {}), ...(meta.annotations ? {'f:annotations': keys(meta.annotations)} : {})},
				};
				this.put({
					...merged,
					metadata: {...merged.metadata, managedFields: withManager(existing?.metadata?.managedFields, {manager: 'eastwest', operation: 'Apply', fieldsV1})},
				});
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
		this.put({
			...d,
			spec: {
				...d.spec,
				template: {...template, metadata: {...template.metadata, annotations: {...template.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': at}}},
			},
		});
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

	private secretInfo(o: Obj): RemoteSecretInfo {
		const entries = Object.entries<string>(o.data ?? {}).map(([cluster, b64]) => {
			try {
				const kc = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
				const user = kc.users?.[0]?.user ?? {};
				const server = kc.clusters?.[0]?.cluster?.server;
				return {
					cluster,
					...(server ? {server} : {}),
					auth: user.exec ? ('exec' as const) : user.token ? ('token' as const) : ('none' as const),
					inlineCa: Boolean(kc.clusters?.[0]?.cluster?.['certificate-authority-data']),
				};
			} catch {
				return {cluster, auth: 'none' as const, inlineCa: false, problem: `the kubeconfig under key ${cluster} is not valid YAML`};
			}
		});
		const annotation = o.metadata.annotations?.[CLUSTER_ANNOTATION];
		return {
			namespace: ISTIO_NAMESPACE,
			name: o.metadata.name,
			multiClusterLabel: o.metadata.labels?.[MULTICLUSTER_LABEL] === 'true',
			...(annotation ? {clusterAnnotation: annotation} : {}),
			entries,
			managers: (o.metadata.managedFields ?? []).map((m: Obj) => m.manager),
		};
	}

	async listRemoteSecrets(): Promise<RemoteSecretInfo[]> {
		this.check('listRemoteSecrets');
		return this.objectsOf('Secret', {namespace: ISTIO_NAMESPACE, labelSelector: `${MULTICLUSTER_LABEL}=true`}).map(o => this.secretInfo(o));
	}

	watchRemoteSecrets(onUpdate: (u: WatchUpdate<RemoteSecretInfo>) => void): WatchHandle {
		return this.watch('Secret', {namespace: ISTIO_NAMESPACE, labelSelector: `${MULTICLUSTER_LABEL}=true`}, (u: WatchUpdate<Obj>) =>
			onUpdate({...u, items: u.items.map(o => this.secretInfo(o))}),
		);
	}

	watchPublishedRoot(onUpdate: (u: WatchUpdate<TrustRootInfo>) => void): WatchHandle {
		return this.watch('ConfigMap', {namespace: ISTIO_NAMESPACE, name: 'istio-ca-root-cert'}, (u: WatchUpdate<Obj>) =>
			onUpdate({...u, items: u.items.map(publishedRoot)}),
		);
	}

	watchPluggedRoot(onUpdate: (u: WatchUpdate<TrustRootInfo>) => void): WatchHandle {
		return this.watch('Secret', {namespace: ISTIO_NAMESPACE, name: 'cacerts'}, (u: WatchUpdate<Obj>) => onUpdate({...u, items: u.items.map(pluggedRoot)}));
	}

	async getRemoteSecret(name: string): Promise<RemoteSecretInfo | undefined> {
		this.check(`getRemoteSecret ${name}`);
		const o = this.objectsOf('Secret', {namespace: ISTIO_NAMESPACE, name})[0];
		return o && this.secretInfo(o);
	}

	async verifyRemoteSecret(name: string, cluster: string): Promise<CredentialVerdict> {
		this.check(`verifyRemoteSecret ${name} ${cluster}`);
		const o = this.objectsOf('Secret', {namespace: ISTIO_NAMESPACE, name})[0];
		if (!o) return {kind: 'invalid', message: `istio-system/${name} on ${this.context} does not exist`};
		const b64 = o.data?.[cluster];
		if (!b64) return {kind: 'invalid', message: `istio-system/${name} on ${this.context} has no kubeconfig under key ${cluster}`};
		const kc = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
		const server: string = kc.clusters?.[0]?.cluster?.server;
		const token: string | undefined = kc.users?.[0]?.user?.token;
		const peer = this.peerByServer(server);
		if (!peer || peer.script.unreachable) return {kind: 'unreachable', message: `cannot reach ${server} (from istio-system/${name} on ${this.context})`};
		if (token !== peer.readerToken)
			return {
				kind: 'unauthorized',
				message: `${server} does not accept the token in istio-system/${name} on ${this.context} (revoked or expired?)`,
				hint: 'run eastwest apply again to refresh it',
			};
		return {
			kind: 'ok',
			message: `the identity in istio-system/${name} on ${this.context} may list and watch services, endpointslices, pods, nodes, namespaces on ${server}`,
		};
	}

	async applyRemoteSecret(output: Sealed<string>, expect: {name: string}, options: ApplyOptions): Promise<AppliedObject> {
		this.check(`applyRemoteSecret ${expect.name}${options.dryRun ? ' dry-run' : ''}`);
		const doc = JSON.parse(output.reveal());
		if (doc.metadata?.name !== expect.name)
			throw new FakeKubeError({kind: 'invalid', message: `istioctl create-remote-secret made Secret ${doc.metadata?.name}, expected ${expect.name}`});
		const data = Object.fromEntries(Object.entries<string>(doc.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
		const before = this.objectsOf('Secret', {namespace: ISTIO_NAMESPACE, name: expect.name})[0];
		const owners: string[] = (before?.metadata.managedFields ?? []).map((m: Obj) => m.manager);
		const owner = owners.find(m => m !== 'eastwest');
		if (before && owner && !options.force && JSON.stringify(before.data) !== JSON.stringify(data)) {
			throw new FakeKubeError({
				kind: 'conflict',
				manager: owner,
				message: `Secret/${expect.name}: conflict with field manager "${owner}" on .data`,
				hint: 'pass --force',
			});
		}
		const managedFields = [...new Set([...owners, 'eastwest'])].map(manager => ({manager}));
		const next = {apiVersion: 'v1', kind: 'Secret', metadata: {...doc.metadata, namespace: ISTIO_NAMESPACE, managedFields}, data};
		const same =
			before &&
			JSON.stringify(before.data) === JSON.stringify(data) &&
			JSON.stringify(before.metadata.labels) === JSON.stringify(doc.metadata.labels) &&
			owners.includes('eastwest');
		if (!options.dryRun && !same) this.put(next);
		return {kind: 'Secret', namespace: ISTIO_NAMESPACE, name: expect.name, outcome: !before ? 'created' : same ? 'unchanged' : 'configured'};
	}

	async advertisedApiServer(): Promise<string | undefined> {
		this.check('advertisedApiServer');
		return this.options.advertised;
	}

	async deleteObject(ref: DeleteTarget, options: RemoveOptions): Promise<DeleteOutcome> {
		this.check(`delete ${ref.kind}/${ref.namespace ?? ''}/${ref.name}${options.dryRun ? ' dry-run' : ''}`);
		if (options.signal?.aborted) throw new FakeKubeError({kind: 'cancelled', message: `request to ${this.context} cancelled`});
		const o = this.objectsOf(ref.kind, {...(ref.namespace ? {namespace: ref.namespace} : {}), name: ref.name})[0];
		if (!o || (o.apiVersion && o.apiVersion !== ref.apiVersion)) return 'not-found';
		const key = this.key(o);
		if (ref.uid && o.metadata?.uid !== ref.uid) return 'changed';
		if (!options.dryRun) {
			this.store.delete(key);
			this.applied.delete(`${ref.kind}/${ref.name}`);
			this.notify(ref.kind);
		}
		return 'deleted';
	}

	/** The istio-reader token is replaced (as when its token Secret is deleted): old remote secrets stop authenticating. */
	revokeToken(): void {
		const n = Number(/-(\d+)$/.exec(this.readerToken)?.[1] ?? '1') + 1;
		this.readerToken = `token-${this.context}-${n}`;
	}

	/** What istioctl install of the remote profile creates (remotePilotAddress an IP: Service + EndpointSlice; the webhook). */
	installRemote(options: {cluster: string; network: string; address: string; revision?: string}): void {
		const base = {'install.operator.istio.io/owning-resource': REMOTE_OPERATOR_NAME, 'operator.istio.io/component': 'Base'};
		this.put({apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: 'istio-reader-service-account', namespace: ISTIO_NAMESPACE, labels: base}});
		// The reader ClusterRole (its binding is the istiod chart's, seeded with the cluster).
		this.put(readerRbacObjects(base)[0]!);
		this.put({apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: {name: 'virtualservices.networking.istio.io', labels: base}});
		const labels = {
			'install.operator.istio.io/owning-resource': REMOTE_OPERATOR_NAME,
			'operator.istio.io/component': 'Pilot',
			'istio.io/rev': options.revision ?? 'default',
		};
		const name = remoteIstiodServiceName(options.revision);
		const isIp = /^[0-9.]+$|:/.test(options.address);
		const before = this.objectsOf('Service', {namespace: ISTIO_NAMESPACE, name})[0];
		const kept = before
			? {
					...(before.metadata.annotations ? {annotations: before.metadata.annotations} : {}),
					...(before.metadata.managedFields ? {managedFields: before.metadata.managedFields} : {}),
				}
			: {};
		this.put({
			apiVersion: 'v1',
			kind: 'Service',
			metadata: {name, namespace: ISTIO_NAMESPACE, labels, ...kept},
			spec: isIp
				? {
						ports: [
							{name: 'tcp-istiod', port: 15012},
							{name: 'tcp-webhook', port: 443, targetPort: 15017},
						],
					}
				: {type: 'ExternalName', externalName: options.address},
		});
		if (isIp) {
			this.put({
				apiVersion: 'discovery.k8s.io/v1',
				kind: 'EndpointSlice',
				metadata: {name, namespace: ISTIO_NAMESPACE, labels: {...labels, 'kubernetes.io/service-name': name}},
				endpoints: [{addresses: [options.address]}],
				ports: [
					{name: 'tcp-istiod', port: 15012},
					{name: 'tcp-webhook', port: 15017},
				],
			});
		}
		this.put({
			apiVersion: 'admissionregistration.k8s.io/v1',
			kind: 'MutatingWebhookConfiguration',
			metadata: {name: injectorWebhookName(options.revision), labels},
			webhooks: ['rev.namespace', 'rev.object'].map(w => ({
				name: `${w}.sidecar-injector.istio.io`,
				clientConfig: {service: {name, namespace: ISTIO_NAMESPACE, path: `/inject/cluster/${options.cluster}/net/${options.network}`, port: 443}},
			})),
		});
	}

	private deliver(l: Listener, initial: boolean): void {
		const error = this.down ?? (this.script.unreachable ? this.unreachableError() : undefined);
		if (error) {
			if (initial) l.onUpdate({items: [], connected: false, error});
			return;
		}
		if (this.missingKinds.has(l.kind))
			l.onUpdate({items: [], connected: false, error: {kind: 'not-found', message: `the server could not find the requested resource (${l.kind})`}});
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
			apply: this.apply.bind(this),
			getDeployment: this.getDeployment.bind(this),
			getService: this.getService.bind(this),
			listPods: this.listPods.bind(this),
			getObject: this.getObject.bind(this),
			listObjects: this.listObjects.bind(this),
			canI: this.canI.bind(this),
			listRemoteSecrets: this.listRemoteSecrets.bind(this),
			getRemoteSecret: this.getRemoteSecret.bind(this),
			watchRemoteSecrets: this.watchRemoteSecrets.bind(this),
			watchPublishedRoot: this.watchPublishedRoot.bind(this),
			watchPluggedRoot: this.watchPluggedRoot.bind(this),
			verifyRemoteSecret: this.verifyRemoteSecret.bind(this),
			applyRemoteSecret: this.applyRemoteSecret.bind(this),
			advertisedApiServer: this.advertisedApiServer.bind(this),
			deleteObject: this.deleteObject.bind(this),
			writeNamespaceKey: this.writeNamespaceKey.bind(this),
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
	/**
	 * What istioctl install of a primary control plane leaves: istiod[-<rev>] rolled out with CLUSTER_ID (and
	 * EXTERNAL_ISTIOD) in its env, and the injector ConfigMap with the values. Annotations and managedFields stay.
	 */
	installControlPlane(values: {revision?: string; clusterName?: string; meshId?: string; network?: string; externalIstiod?: boolean; owner?: string}): void {
		const name = values.revision ? `istiod-${values.revision}` : 'istiod';
		const before = this.deployments.get(name);
		const generation = (before?.metadata.generation ?? 0) + 1;
		const labels = {
			app: 'istiod',
			'istio.io/rev': values.revision ?? 'default',
			...(values.owner ? {'install.operator.istio.io/owning-resource': values.owner} : {}),
		};
		const env = [{name: 'CLUSTER_ID', value: values.clusterName ?? 'Kubernetes'}, ...(values.externalIstiod ? [{name: 'EXTERNAL_ISTIOD', value: 'true'}] : [])];
		this.setDeployment({
			metadata: {
				name,
				namespace: ISTIO_NAMESPACE,
				labels,
				generation,
				...(before?.metadata.annotations ? {annotations: before.metadata.annotations} : {}),
				...(before?.metadata.managedFields ? {managedFields: before.metadata.managedFields} : {}),
			},
			spec: {replicas: 1, template: {metadata: {labels}, spec: {containers: [{name: 'discovery', env}]}}},
			status: {observedGeneration: generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1},
		});
		const global: Obj = {multiCluster: {clusterName: values.clusterName ?? ''}, meshID: values.meshId ?? '', network: values.network ?? ''};
		this.put({
			apiVersion: 'v1',
			kind: 'ConfigMap',
			metadata: {name: values.revision ? `istio-sidecar-injector-${values.revision}` : 'istio-sidecar-injector', namespace: ISTIO_NAMESPACE},
			data: {values: JSON.stringify({revision: values.revision ?? '', global})},
		});
	}

	installGateway(network: string, revision: string | undefined): void {
		const labels = {
			istio: 'eastwestgateway',
			app: GATEWAY_NAME,
			[NETWORK_LABEL]: network,
			'istio.io/rev': revision ?? 'default',
			'operator.istio.io/component': 'IngressGateways',
			'install.operator.istio.io/owning-resource': 'eastwest',
		};
		const before = this.deployments.get(GATEWAY_NAME);
		const generation = (before?.metadata.generation ?? 0) + 1;
		// istioctl applies server-side: annotations and managedFields of other managers stay.
		const kept = before
			? {
					...(before.metadata.annotations ? {annotations: before.metadata.annotations} : {}),
					...(before.metadata.managedFields ? {managedFields: before.metadata.managedFields} : {}),
				}
			: {};
		this.setDeployment({
			metadata: {name: GATEWAY_NAME, namespace: ISTIO_NAMESPACE, labels, generation, ...kept},
			spec: {
				replicas: 1,
				template: {
					metadata: {labels},
					spec: {containers: [{name: 'istio-proxy', image: 'auto', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network}]}]},
				},
			},
			status: {observedGeneration: generation, replicas: 1, updatedReplicas: 1, availableReplicas: 0, readyReplicas: 0},
		});
		this.put({apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: `${GATEWAY_NAME}-service-account`, namespace: ISTIO_NAMESPACE, labels}});
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
				status: {
					phase: 'Pending',
					containerStatuses: [
						{name: 'istio-proxy', image: 'auto', ready: false, state: {waiting: {reason: 'ImagePullBackOff', message: 'Back-off pulling image "auto"'}}},
					],
				},
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
		for (const c of contexts) this.add(new FakeCluster(c));
	}
	/** Put (or replace) a cluster; remote secrets of every cluster of this factory can find it by its server URL. */
	add(cluster: FakeCluster): FakeCluster {
		this.clusters.set(cluster.context, cluster);
		cluster.peerByServer = server => [...this.clusters.values()].find(c => c.server === server);
		return cluster;
	}
	get kubeconfig() {
		return {
			files: this.kubeconfigPath ? [this.kubeconfigPath] : [],
			contexts: [...this.clusters.keys()].map(name => ({name, cluster: name, user: name})),
			warnings: [],
		};
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
	readonly remoteSecrets: CreateRemoteSecretOptions[] = [];
	/** Per-context scenario: fail = istioctl exits 1; hang = never returns until cancelled. */
	scenario: Record<string, 'ok' | 'fail' | 'hang'> = {};
	/** Per-context scenario for create-remote-secret. */
	secretScenario: Record<string, 'ok' | 'fail' | 'hang'> = {};

	constructor(private readonly factory: FakeFactory) {}

	async clientVersion(): Promise<string> {
		return '1.30.3';
	}

	/** Like istioctl: a Secret (as JSON, which is YAML too) whose kubeconfig carries the peer's current reader token. */
	async createRemoteSecret(options: CreateRemoteSecretOptions): Promise<Sealed<string>> {
		this.remoteSecrets.push(options);
		const scenario = this.secretScenario[options.context] ?? 'ok';
		if (scenario === 'fail')
			throw new FakeIstioctlError({
				message: `istioctl create-remote-secret --context ${options.context} failed (exit 1): forbidden`,
				lastLines: [],
				exitCode: 1,
			});
		if (scenario === 'hang') await hangUntilAborted(options.signal, 'istioctl create-remote-secret was cancelled');
		const cluster = this.factory.cluster(options.context);
		const server = options.server ?? cluster.server;
		if (server.includes('127.0.0.1') || server.includes('localhost'))
			options.onLine?.(`warn: server in Kubeconfig is ${server}. This is likely not reachable from inside the cluster`);
		const kubeconfig = {
			apiVersion: 'v1',
			kind: 'Config',
			clusters: [{name: options.name, cluster: {server, 'certificate-authority-data': 'Q0E='}}],
			users: [{name: options.name, user: {token: cluster.readerToken}}],
			contexts: [{name: options.name, context: {cluster: options.name, user: options.name}}],
			'current-context': options.name,
		};
		return new Sealed(
			JSON.stringify({
				apiVersion: 'v1',
				kind: 'Secret',
				metadata: {
					name: `istio-remote-secret-${options.name}`,
					namespace: ISTIO_NAMESPACE,
					labels: {'istio/multiCluster': 'true'},
					annotations: {'networking.istio.io/cluster': options.name},
				},
				stringData: {[options.name]: JSON.stringify(kubeconfig)},
			}),
		);
	}

	async install(options: IstioctlInstallOptions): Promise<void> {
		this.installs.push(options);
		const line = (text: string) => options.onLine?.(text, parseLine(text));
		const scenario = this.scenario[options.context] ?? 'ok';
		line('- Processing resources for Ingress gateways.');
		if (scenario === 'fail') {
			line('✘ Ingress gateways encountered an error: failed to update resource with server-side apply: forbidden');
			throw new FakeIstioctlError({
				message: 'failed to install manifests: errors occurred during operation',
				hint: "the context's user may not install these resources: check its RBAC",
				lastLines: [],
				exitCode: 1,
			});
		}
		if (scenario === 'hang') await hangUntilAborted(options.signal, 'istioctl install was cancelled');
		if (options.dryRun) {
			line('✔ Installation complete');
			return;
		}
		if (/profile: remote/.test(options.manifestYaml)) {
			const get = (key: string) => new RegExp(`${key}: (\\S+)`).exec(options.manifestYaml)?.[1]?.replace(/["']/g, '');
			const path = get('injectionPath') ?? '';
			const [, cluster = '', network = ''] = /\/inject\/cluster\/([^/]+)\/net\/([^/\s]+)/.exec(path) ?? [];
			const revision = get('revision') || undefined;
			this.factory.cluster(options.context).installRemote({cluster, network, address: get('remotePilotAddress') ?? '', ...(revision ? {revision} : {})});
			line('✔ Istio core installed ⛵️');
			line('✔ Istiod remote installed 🧠');
			line('✔ Installation complete');
			return;
		}
		const iop = parseYaml(options.manifestYaml) as Obj;
		if (iop?.spec?.values?.global?.multiCluster) {
			const global = iop.spec.values.global;
			const revision = iop.spec.revision || undefined;
			this.factory.cluster(options.context).installControlPlane({
				...(revision ? {revision} : {}),
				clusterName: global.multiCluster.clusterName,
				meshId: global.meshID,
				network: global.network,
				externalIstiod: String(iop.spec.values.pilot?.env?.EXTERNAL_ISTIOD) === 'true',
				...(iop.metadata?.name ? {owner: iop.metadata.name} : {}),
			});
			line('✔ Istio core installed ⛵️');
			line('✔ Istiod installed 🧠');
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

function hangUntilAborted(signal: AbortSignal | undefined, message: string): Promise<never> {
	return new Promise<never>((_, reject) => {
		const onAbort = () => reject(new FakeIstioctlError({message, lastLines: [], cancelled: true}));
		if (signal?.aborted) onAbort();
		signal?.addEventListener('abort', onAbort, {once: true});
	});
}

function parseLine(text: string) {
	if (text.startsWith('✔ Installation complete')) return {type: 'complete' as const};
	if (text.startsWith('✔ ')) return {type: 'component-done' as const, component: 'Ingress gateways'};
	if (text.startsWith('- Processing'))
		return {
			type: 'waiting' as const,
			components: ['Ingress gateways'],
			waitingFor: text.includes('Waiting for') ? ['Deployment/istio-system/istio-eastwestgateway'] : [],
		};
	return undefined;
}

/** Former names (the status fakes and the check-facts fakes were separate classes): all one FakeCluster now. */

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
		spec: {
			type: 'LoadBalancer',
			ports: [
				{name: 'status-port', port: 15021},
				{name: 'tls', port: 15443},
				{name: 'tls-istiod', port: 15012},
				{name: 'tls-webhook', port: 15017},
			],
		},
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
		{
			apiVersion: 'v1',
			kind: 'Namespace',
			metadata: {
				name: 'istio-system',
				labels: {'topology.istio.io/network': network},
				annotations: primary ? {} : {'topology.istio.io/controlPlaneClusters': 'east'},
			},
		},
		{apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data: fixtureCacertsData()},
		{
			apiVersion: 'v1',
			kind: 'ConfigMap',
			metadata: {name: 'istio', namespace: 'istio-system'},
			data: {mesh: 'defaultConfig:\n  discoveryAddress: istiod:15012\ntrustDomain: cluster.local\n'},
		},
		{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-ca-root-cert', namespace: 'istio-system'}, data: {'root-cert.pem': ROOT_PEM}},
		{
			apiVersion: 'v1',
			kind: 'Service',
			metadata: {name: 'lb', namespace: 'default'},
			spec: {type: 'LoadBalancer'},
			status: {loadBalancer: {ingress: [{ip: '192.0.2.9'}]}},
		},
		{
			apiVersion: 'apps/v1',
			kind: 'Deployment',
			metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', generation: 1},
			spec: {
				replicas: 1,
				template: {
					metadata: {labels: {istio: 'eastwestgateway', app: 'istio-eastwestgateway', 'topology.istio.io/network': network}},
					spec: {containers: [{name: 'istio-proxy', env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: network}]}]},
				},
			},
			status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1},
		},
		{
			apiVersion: 'v1',
			kind: 'Service',
			metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels: {'topology.istio.io/network': network}},
			spec: {
				type: 'LoadBalancer',
				ports: [
					{name: 'status-port', port: 15021},
					{name: 'tls', port: 15443},
					{name: 'tls-istiod', port: 15012},
					{name: 'tls-webhook', port: 15017},
				],
			},
			status: {loadBalancer: {ingress: [{ip: primary ? '192.0.2.10' : '192.0.2.20'}]}},
		},
		...readerRbacObjects(),
	];
	if (primary) {
		objs.push(
			{
				apiVersion: 'apps/v1',
				kind: 'Deployment',
				metadata: {name: 'istiod', namespace: 'istio-system', labels: {app: 'istiod'}, generation: 1},
				spec: {
					replicas: 1,
					template: {
						spec: {
							containers: [
								{
									name: 'discovery',
									image: 'docker.io/istio/pilot:1.31.0',
									env: [
										{name: 'CLUSTER_ID', value: name},
										{name: 'EXTERNAL_ISTIOD', value: 'true'},
									],
								},
							],
						},
					},
				},
				status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1},
			},
			{
				apiVersion: 'v1',
				kind: 'ConfigMap',
				metadata: {name: 'istio-sidecar-injector', namespace: 'istio-system'},
				data: {values: JSON.stringify({global: {meshID: 'mesh1', network, multiCluster: {clusterName: name}}, revision: ''})},
			},
			...[...renderExposeIstiod(), ...renderExposeServices()].map(m => structuredClone(m) as Obj),
		);
	}
	return objs;
}

/** The istio-reader ClusterRole (configmaps included, as the 1.29+ charts have it) and its binding to the reader service account. */
export function readerRbacObjects(labels: Record<string, string> = {}): Obj[] {
	const name = 'istio-reader-clusterrole-istio-system';
	return [
		{
			apiVersion: 'rbac.authorization.k8s.io/v1',
			kind: 'ClusterRole',
			metadata: {name, labels},
			rules: [
				{apiGroups: [''], resources: ['endpoints', 'pods', 'services', 'nodes', 'namespaces', 'secrets', 'configmaps'], verbs: ['get', 'list', 'watch']},
				{apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch']},
			],
		},
		{
			apiVersion: 'rbac.authorization.k8s.io/v1',
			kind: 'ClusterRoleBinding',
			metadata: {name, labels},
			roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name},
			subjects: [{kind: 'ServiceAccount', name: 'istio-reader-service-account', namespace: 'istio-system'}],
		},
	];
}

/**
 * The wiring `eastwest apply` leaves, seeded: every reader holds a remote secret for each peer it reads
 * (server from `servers`, else the peer's fake server; the peer's current reader token), every remote has
 * the remote profile pointed at the primary's gateway IP with the caBundle patched, and every fake finds
 * the others by server URL (so verifyRemoteSecret answers as the peer would).
 */
export function wireMesh(plan: MeshPlanInput, byName: Record<string, FakeCluster>, servers: Record<string, string> = {}): void {
	for (const c of plan.clusters) if (servers[c.name]) byName[c.name]!.server = servers[c.name]!;
	const all = Object.values(byName);
	for (const fake of all) fake.peerByServer = server => all.find(x => x.server === server);
	const primary = plan.clusters.find(c => c.role === 'primary');
	for (const reader of plan.clusters) {
		for (const peer of readPeers(plan, reader)) byName[reader.name]!.put(remoteSecretObject(peer.name, byName[peer.name]!));
	}
	for (const remote of plan.clusters.filter(c => c.role === 'remote')) {
		const ip = byName[primary!.name]!.services.get(GATEWAY_NAME)?.status?.loadBalancer?.ingress?.[0]?.ip ?? '127.0.0.10';
		const fake = byName[remote.name]!;
		fake.installRemote({cluster: remote.name, network: remote.network, address: ip, ...(plan.revision ? {revision: plan.revision} : {})});
		const hook = fake.objectsOf('MutatingWebhookConfiguration')[0]!;
		fake.put({...hook, webhooks: hook.webhooks.map((w: Obj) => ({...w, clientConfig: {...w.clientConfig, caBundle: 'Q0E='}}))});
	}
}

/** The Secret eastwest applies in a reader for `peerName`, with the peer's current reader token (data base64, as read back). */
export function remoteSecretObject(peerName: string, peer: FakeCluster, options: {key?: string; token?: string; server?: string} = {}): Obj {
	const key = options.key ?? peerName;
	const kubeconfig = {
		apiVersion: 'v1',
		kind: 'Config',
		clusters: [{name: key, cluster: {server: options.server ?? peer.server, 'certificate-authority-data': 'Q0E='}}],
		users: [{name: key, user: {token: options.token ?? peer.readerToken}}],
		contexts: [{name: key, context: {cluster: key, user: key}}],
		'current-context': key,
	};
	return {
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {
			name: remoteSecretName(key),
			namespace: ISTIO_NAMESPACE,
			labels: {[MULTICLUSTER_LABEL]: 'true'},
			annotations: {[CLUSTER_ANNOTATION]: key},
			managedFields: [{manager: 'eastwest'}],
		},
		data: {[key]: Buffer.from(JSON.stringify(kubeconfig)).toString('base64')},
	};
}
