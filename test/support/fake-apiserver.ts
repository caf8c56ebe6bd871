/**
 * A loopback fake Kubernetes API server for integration tests: real REST paths, discovery, JSON bodies,
 * Status errors, resourceVersions, server-side apply with field managers, watch streams, and scripted
 * Deployment and LoadBalancer controllers. Binds to 127.0.0.1 only. pods/portforward (WebSocket,
 * v4.channel.k8s.io) reaches a stand-in for istiod's monitoring port, whose /debug/clusterz and
 * /debug/networkz are derived from the stored remote secrets and gateway Services.
 */
import http from 'node:http';
import net, {type AddressInfo, type Socket} from 'node:net';
import {createHash} from 'node:crypto';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {isDeepStrictEqual} from 'node:util';
import {parse as parseYaml, stringify as stringifyYaml} from 'yaml';
import {matchesLabels} from './label-selector.js';

// ---------- types ----------

export type Obj = Record<string, any>;

interface ResourceDef {
	group: string;
	versions: string[];
	plural: string;
	singular: string;
	kind: string;
	namespaced: boolean;
	verbs: string[];
	/** Served only while this CRD exists. */
	crd?: string;
	/** Create-only review resources (not stored). */
	review?: boolean;
}

const RW = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

const RESOURCES: ResourceDef[] = [
	{group: '', versions: ['v1'], plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, verbs: RW},
	{group: '', versions: ['v1'], plural: 'services', singular: 'service', kind: 'Service', namespaced: true, verbs: RW},
	{group: '', versions: ['v1'], plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, verbs: RW},
	{group: '', versions: ['v1'], plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, verbs: RW},
	{group: '', versions: ['v1'], plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, verbs: RW},
	{group: '', versions: ['v1'], plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, verbs: RW},
	{group: 'discovery.k8s.io', versions: ['v1'], plural: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', namespaced: true, verbs: RW},
	{
		group: 'admissionregistration.k8s.io',
		versions: ['v1'],
		plural: 'mutatingwebhookconfigurations',
		singular: 'mutatingwebhookconfiguration',
		kind: 'MutatingWebhookConfiguration',
		namespaced: false,
		verbs: RW,
	},
	{group: 'apps', versions: ['v1'], plural: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, verbs: RW},
	{group: 'rbac.authorization.k8s.io', versions: ['v1'], plural: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false, verbs: RW},
	{
		group: 'rbac.authorization.k8s.io',
		versions: ['v1'],
		plural: 'clusterrolebindings',
		singular: 'clusterrolebinding',
		kind: 'ClusterRoleBinding',
		namespaced: false,
		verbs: RW,
	},
	{group: 'rbac.authorization.k8s.io', versions: ['v1'], plural: 'roles', singular: 'role', kind: 'Role', namespaced: true, verbs: RW},
	{group: 'rbac.authorization.k8s.io', versions: ['v1'], plural: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true, verbs: RW},
	{group: 'apps', versions: ['v1'], plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, verbs: RW},
	{group: '', versions: ['v1'], plural: 'events', singular: 'event', kind: 'Event', namespaced: true, verbs: RW},
	{
		group: 'apiextensions.k8s.io',
		versions: ['v1'],
		plural: 'customresourcedefinitions',
		singular: 'customresourcedefinition',
		kind: 'CustomResourceDefinition',
		namespaced: false,
		verbs: RW,
	},
	{
		group: 'authorization.k8s.io',
		versions: ['v1'],
		plural: 'selfsubjectaccessreviews',
		singular: 'selfsubjectaccessreview',
		kind: 'SelfSubjectAccessReview',
		namespaced: false,
		verbs: ['create'],
		review: true,
	},
	{
		group: 'networking.istio.io',
		versions: ['v1', 'v1beta1'],
		plural: 'gateways',
		singular: 'gateway',
		kind: 'Gateway',
		namespaced: true,
		verbs: RW,
		crd: 'gateways.networking.istio.io',
	},
	{
		group: 'networking.istio.io',
		versions: ['v1', 'v1beta1'],
		plural: 'virtualservices',
		singular: 'virtualservice',
		kind: 'VirtualService',
		namespaced: true,
		verbs: RW,
		crd: 'virtualservices.networking.istio.io',
	},
	{
		group: 'networking.istio.io',
		versions: ['v1', 'v1beta1'],
		plural: 'destinationrules',
		singular: 'destinationrule',
		kind: 'DestinationRule',
		namespaced: true,
		verbs: RW,
		crd: 'destinationrules.networking.istio.io',
	},
	{
		group: 'install.istio.io',
		versions: ['v1alpha1'],
		plural: 'istiooperators',
		singular: 'istiooperator',
		kind: 'IstioOperator',
		namespaced: true,
		verbs: RW,
		crd: 'istiooperators.install.istio.io',
	},
];

export interface LoggedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	/** A watch request (?watch=1|true). */
	watch: boolean;
}

/** webhook-unreachable: the ReplicaSet cannot create pods (ReplicaFailure, a FailedCreate event), as when the injector is out of reach. */
export type DeploymentScenario = 'ready' | 'never-ready' | 'image-pull-auto' | 'progress-deadline' | 'webhook-unreachable';
export type LoadBalancerScenario = 'ip' | 'hostname' | 'pending';

export interface FakeApiServerOptions {
	/** Require `Authorization: Bearer <token>`; undefined accepts any request. */
	token?: string;
	/** gitVersion served at /version. */
	gitVersion?: string;
	/** User name used in 403 messages and access reviews. */
	user?: string;
}

export interface ForbidRule {
	verb?: string;
	/** Plural resource name, e.g. "namespaces" or "gateways". */
	resource: string;
	namespace?: string;
}

interface Ownership {
	manager: string;
	operation: 'Apply' | 'Update';
	apiVersion: string;
	fields: Set<string>;
}

interface Stored {
	obj: Obj;
	owners: Ownership[];
}

interface WatchEvent {
	rv: number;
	type: 'ADDED' | 'MODIFIED' | 'DELETED';
	obj: Obj;
}

interface OpenWatch {
	def: ResourceDef;
	version: string;
	namespace?: string;
	labelSelector?: string;
	fieldSelector?: string;
	res: http.ServerResponse;
	bookmarks: boolean;
}

class HttpError extends Error {
	readonly status: Obj;
	constructor(
		readonly code: number,
		reason: string,
		message: string,
		details?: Obj,
	) {
		super(message);
		this.status = {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? {details} : {})};
	}
}

// ---------- helpers ----------

function clone<T>(value: T): T {
	return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function isPlainObject(value: unknown): value is Obj {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergePatch(target: unknown, patch: unknown): unknown {
	if (!isPlainObject(patch)) return clone(patch);
	const result: Obj = isPlainObject(target) ? clone(target) : {};
	for (const [k, v] of Object.entries(patch)) {
		if (v === null) delete result[k];
		else result[k] = mergePatch(result[k], v);
	}
	return result;
}

/** Field paths at the granularity the fake tracks: labels/annotations per key, other top-level maps per key. */
/** Field paths (`.spec.x`, `.metadata.labels.k`) as a real API server lists them in managedFields: nested FieldsV1. */
function nestedFields(paths: string[]): Obj {
	const root: Obj = {};
	for (const path of paths) {
		const meta = /^\.metadata\.(labels|annotations)\.(.+)$/.exec(path);
		const parts = meta
			? ['metadata', meta[1]!, meta[2]!]
			: path
					.slice(1)
					.split(/\.(.*)/s)
					.filter(Boolean);
		let node = root;
		for (const part of parts) node = (node[`f:${part}`] ??= {}) as Obj;
	}
	return root;
}

function fieldPaths(obj: Obj): Map<string, unknown> {
	const paths = new Map<string, unknown>();
	for (const [top, value] of Object.entries(obj)) {
		if (top === 'apiVersion' || top === 'kind' || top === 'status') continue;
		if (top === 'metadata') {
			for (const sub of ['labels', 'annotations'] as const) {
				for (const [k, v] of Object.entries((value as Obj)?.[sub] ?? {})) paths.set(`.metadata.${sub}.${k}`, v);
			}
			continue;
		}
		if (isPlainObject(value) && Object.keys(value).length > 0) {
			for (const [k, v] of Object.entries(value)) paths.set(`.${top}.${k}`, v);
		} else {
			paths.set(`.${top}`, value);
		}
	}
	return paths;
}

function getPath(obj: Obj, field: string): unknown {
	const [, top, ...rest] = field.split('.');
	if (top === 'metadata') {
		const [sub, ...key] = rest;
		return obj.metadata?.[sub!]?.[key.join('.')];
	}
	if (rest.length === 0) return obj[top!];
	return obj[top!]?.[rest.join('.')];
}

function setPath(obj: Obj, field: string, value: unknown): void {
	const [, top, ...rest] = field.split('.');
	if (top === 'metadata') {
		const [sub, ...key] = rest;
		obj.metadata ??= {};
		obj.metadata[sub!] ??= {};
		obj.metadata[sub!][key.join('.')] = clone(value);
		return;
	}
	if (rest.length === 0) {
		obj[top!] = clone(value);
		return;
	}
	if (!isPlainObject(obj[top!])) obj[top!] = {};
	obj[top!][rest.join('.')] = clone(value);
}

function deletePath(obj: Obj, field: string): void {
	const [, top, ...rest] = field.split('.');
	if (top === 'metadata') {
		const [sub, ...key] = rest;
		if (obj.metadata?.[sub!]) {
			delete obj.metadata[sub!][key.join('.')];
			if (Object.keys(obj.metadata[sub!]).length === 0) delete obj.metadata[sub!];
		}
		return;
	}
	if (rest.length === 0) {
		delete obj[top!];
		return;
	}
	if (isPlainObject(obj[top!])) {
		delete obj[top!][rest.join('.')];
		if (Object.keys(obj[top!]).length === 0) delete obj[top!];
	}
}

function matchesFields(obj: Obj, selector: string | undefined): boolean {
	if (!selector) return true;
	return selector.split(',').every(term => {
		const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term.trim());
		if (!m) return true;
		const value = m[1]!.split('.').reduce<any>((v, k) => v?.[k], obj);
		return m[2] === '!=' ? value !== m[3] : value === m[3];
	});
}

function groupVersion(def: ResourceDef, version: string): string {
	return def.group ? `${def.group}/${version}` : version;
}

// ---------- the server ----------

export class FakeApiServer {
	/** http://127.0.0.1:PORT */
	url = '';
	token: string | undefined;
	gitVersion: string;
	user: string;
	/** Every request, in order. */
	readonly requests: LoggedRequest[] = [];
	/** Scripted Deployment controller: what happens to a Deployment after it is created or changed. */
	deployment: {scenario: DeploymentScenario; delayMs: number} = {scenario: 'ready', delayMs: 20};
	/** Scripted LoadBalancer controller. */
	loadBalancer: {scenario: LoadBalancerScenario; delayMs: number} = {scenario: 'ip', delayMs: 20};
	/** While set, every request is answered with this HTTP status (e.g. 503), as an overloaded or broken server. */
	failAll: number | undefined;
	/** istiod's debug endpoints: a fixed answer per path instead of the derived one, or no answer at all. */
	istiodDebug: {hang?: boolean; status?: number; bodies?: Record<string, unknown>} = {};
	/** Live fakes by URL: a remote secret whose server is one of them is "synced", any other "timeout". */
	private static readonly live = new Map<string, FakeApiServer>();
	private debugServer: http.Server | undefined;

	private readonly server: http.Server;
	private readonly store = new Map<string, Map<string, Stored>>();
	private readonly history = new Map<string, WatchEvent[]>();
	private readonly watches = new Set<OpenWatch>();
	private readonly sockets = new Set<Socket>();
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly forbidden: ForbidRule[] = [];
	private rv = 1000;
	/** Watches from a resourceVersion before this get 410 Gone. */
	private oldestRv = 0;
	private nextIp = 10;
	private nextNodePort = 30000;
	private closed = false;

	private constructor(options: FakeApiServerOptions) {
		this.token = options.token;
		this.gitVersion = options.gitVersion ?? 'v1.35.4';
		this.user = options.user ?? 'fake-user';
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch(error => {
				if (!res.headersSent) this.sendError(res, new HttpError(500, 'InternalError', String(error)));
			});
		});
		this.server.on('connection', socket => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
			this.upgrade(req, socket, head).catch(() => socket.destroy());
		});
	}

	static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
		const fake = new FakeApiServer(options);
		await new Promise<void>((resolve, reject) => {
			fake.server.once('error', reject);
			fake.server.listen(0, '127.0.0.1', () => resolve());
		});
		const {port} = fake.server.address() as AddressInfo;
		fake.url = `http://127.0.0.1:${port}`;
		FakeApiServer.live.set(fake.url, fake);
		return fake;
	}

	// ---------- test controls ----------

	/** Requests for this verb/resource (and namespace) answer 403. */
	forbid(rule: ForbidRule): void {
		this.forbidden.push(rule);
	}

	/** Abruptly cut every open watch connection (as a network drop). */
	dropWatches(): void {
		for (const watch of this.watches) watch.res.socket?.destroy();
		this.watches.clear();
	}

	/** End every open watch cleanly (as the API server's watch timeout does). */
	endWatches(): void {
		for (const watch of this.watches) watch.res.end();
		this.watches.clear();
	}

	/** Forget the event history: a watch resuming from any earlier resourceVersion gets 410 Gone. */
	compact(): void {
		this.oldestRv = this.rv + 1;
		this.history.clear();
	}

	/** Send a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks. */
	bookmark(): void {
		for (const watch of this.watches) {
			if (!watch.bookmarks) continue;
			this.writeEvent(watch, 'BOOKMARK', {
				apiVersion: groupVersion(watch.def, watch.version),
				kind: watch.def.kind,
				metadata: {resourceVersion: String(this.rv)},
			});
		}
	}

	/** Requests matching a predicate (e.g. lists of deployments). */
	/** The server's last resourceVersion: unchanged exactly when nothing was written (created, changed or deleted). */
	get resourceVersion(): number {
		return this.rv;
	}

	count(predicate: (r: LoggedRequest) => boolean): number {
		return this.requests.filter(predicate).length;
	}

	/** Number of watch connections currently open. */
	get openWatches(): number {
		return this.watches.size;
	}

	async close(): Promise<void> {
		this.closed = true;
		FakeApiServer.live.delete(this.url);
		if (this.debugServer) {
			this.debugServer.closeAllConnections();
			this.debugServer.close();
		}
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const watch of this.watches) watch.res.end();
		this.watches.clear();
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>(resolve => this.server.close(() => resolve()));
	}

	// ---------- seed helpers ----------

	/** Store an object as if `manager` had written it with an Update (kubectl-style). */
	put(obj: Obj, options: {manager?: string; operation?: 'Apply' | 'Update'} = {}): Obj {
		const {def, version} = this.defFor(obj.apiVersion, obj.kind);
		const namespace = def.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
		const key = this.key(namespace, obj.metadata.name);
		const existing = this.bucket(def).get(key);
		const next = clone(obj);
		next.metadata.namespace = namespace;
		if (!namespace) delete next.metadata.namespace;
		const owners = existing ? existing.owners : [];
		if (options.manager) {
			owners.push({
				manager: options.manager,
				operation: options.operation ?? 'Update',
				apiVersion: groupVersion(def, version),
				fields: new Set(fieldPaths(next).keys()),
			});
		}
		return this.write(def, key, next, owners, existing);
	}

	/** The stored object (plain data), as served at the resource's first version. */
	get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Obj | undefined {
		const {def, version} = this.defFor(apiVersion, kind);
		const stored = this.bucket(def).get(this.key(def.namespaced ? namespace : undefined, name));
		return stored ? this.present(def, version, stored) : undefined;
	}

	/** Stored objects of a kind, optionally in one namespace. */
	list(apiVersion: string, kind: string, namespace?: string): Obj[] {
		const {def, version} = this.defFor(apiVersion, kind);
		return [...this.bucket(def).values()].filter(s => !namespace || s.obj.metadata.namespace === namespace).map(s => this.present(def, version, s));
	}

	/** Delete an object (emits DELETED). */
	remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
		const {def} = this.defFor(apiVersion, kind);
		const key = this.key(def.namespaced ? namespace : undefined, name);
		const stored = this.bucket(def).get(key);
		if (!stored) return;
		this.bucket(def).delete(key);
		this.rv++;
		stored.obj.metadata.resourceVersion = String(this.rv);
		this.record(def, 'DELETED', stored);
	}

	addNamespace(name: string, labels?: Record<string, string>): Obj {
		return this.put({apiVersion: 'v1', kind: 'Namespace', metadata: {name, ...(labels ? {labels} : {})}}, {manager: 'kubectl-create'});
	}

	/** The networking.istio.io CRDs (gateways, virtualservices, destinationrules), and IstioOperator when asked. */
	addIstioCrds(options: {istioOperator?: boolean} = {}): void {
		const crds = RESOURCES.filter(r => r.crd && (r.group === 'networking.istio.io' || (options.istioOperator && r.group === 'install.istio.io')));
		for (const def of crds) {
			this.put(
				{
					apiVersion: 'apiextensions.k8s.io/v1',
					kind: 'CustomResourceDefinition',
					metadata: {name: def.crd, labels: {'app.kubernetes.io/part-of': 'istio'}},
					spec: {
						group: def.group,
						names: {kind: def.kind, plural: def.plural, singular: def.singular, listKind: `${def.kind}List`},
						scope: def.namespaced ? 'Namespaced' : 'Cluster',
						versions: def.versions.map((name, i) => ({name, served: true, storage: i === 0})),
					},
				},
				{manager: 'istio-operator'},
			);
		}
	}

	/** An istiod Deployment (rolled out) with env, plus its injector ConfigMap carrying global.meshID/network. */
	addIstiod(
		options: {
			revision?: string;
			clusterId?: string;
			meshId?: string;
			network?: string;
			externalIstiod?: boolean;
			ready?: boolean;
			env?: Record<string, string>;
		} = {},
	): void {
		if (!this.bucket(this.defFor('v1', 'Namespace').def).has(this.key(undefined, 'istio-system'))) this.addNamespace('istio-system');
		const name = options.revision ? `istiod-${options.revision}` : 'istiod';
		const env: Record<string, string> = {...options.env};
		if (options.clusterId) env.CLUSTER_ID = options.clusterId;
		if (options.externalIstiod !== undefined) env.EXTERNAL_ISTIOD = String(options.externalIstiod);
		const labels = {app: 'istiod', istio: 'pilot', 'istio.io/rev': options.revision ?? 'default'};
		const ready = options.ready ?? true;
		this.put(
			{
				apiVersion: 'apps/v1',
				kind: 'Deployment',
				metadata: {name, namespace: 'istio-system', labels, generation: 1},
				spec: {
					replicas: 1,
					selector: {matchLabels: {app: 'istiod', 'istio.io/rev': options.revision ?? 'default'}},
					template: {
						metadata: {labels},
						spec: {containers: [{name: 'discovery', image: 'docker.io/istio/pilot:1.30.0', env: Object.entries(env).map(([n, value]) => ({name: n, value}))}]},
					},
				},
				status: ready
					? {
							observedGeneration: 1,
							replicas: 1,
							updatedReplicas: 1,
							readyReplicas: 1,
							availableReplicas: 1,
							conditions: [
								{type: 'Available', status: 'True'},
								{type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable'},
							],
						}
					: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 0, availableReplicas: 0},
			},
			{manager: 'istio-operator'},
		);
		// The istio-reader role the istiod chart binds to istio-reader-service-account (1.29+: configmaps included).
		const reader = 'istio-reader-clusterrole-istio-system';
		this.put(
			{
				apiVersion: 'rbac.authorization.k8s.io/v1',
				kind: 'ClusterRole',
				metadata: {name: reader, labels: {app: 'istio-reader'}},
				rules: [
					{apiGroups: [''], resources: ['endpoints', 'pods', 'services', 'nodes', 'namespaces', 'secrets', 'configmaps'], verbs: ['get', 'list', 'watch']},
					{apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch']},
				],
			},
			{manager: 'istio-operator'},
		);
		this.put(
			{
				apiVersion: 'rbac.authorization.k8s.io/v1',
				kind: 'ClusterRoleBinding',
				metadata: {name: reader, labels: {app: 'istio-reader'}},
				roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: reader},
				subjects: [{kind: 'ServiceAccount', name: 'istio-reader-service-account', namespace: 'istio-system'}],
			},
			{manager: 'istio-operator'},
		);
		// Its pod, Running and Ready, as the ReplicaSet would make it (istioctl and eastwest port-forward to it).
		this.put(
			{
				apiVersion: 'v1',
				kind: 'Pod',
				metadata: {
					name: `${name}-5d8f7c9b4-fk7x2`,
					namespace: 'istio-system',
					labels,
					annotations: {'prometheus.io/port': '15014', 'prometheus.io/scrape': 'true'},
				},
				spec: {containers: [{name: 'discovery', image: 'docker.io/istio/pilot:1.30.0', ports: [{containerPort: 15014, name: 'http-monitoring'}]}]},
				status: {phase: ready ? 'Running' : 'Pending', conditions: [{type: 'Ready', status: ready ? 'True' : 'False'}]},
			},
			{manager: 'kube-controller-manager'},
		);
		const global: Obj = {};
		if (options.meshId) global.meshID = options.meshId;
		if (options.network !== undefined) global.network = options.network;
		// As istioctl renders it: the cluster name istiod runs with (Istio's default is "Kubernetes").
		global.multiCluster = {clusterName: options.clusterId ?? 'Kubernetes'};
		this.put(
			{
				apiVersion: 'v1',
				kind: 'ConfigMap',
				metadata: {
					name: options.revision ? `istio-sidecar-injector-${options.revision}` : 'istio-sidecar-injector',
					namespace: 'istio-system',
					labels: {'istio.io/rev': options.revision ?? 'default'},
				},
				data: {values: JSON.stringify({global, revision: options.revision ?? ''}), config: 'policy: enabled\n'},
			},
			{manager: 'istio-operator'},
		);
	}

	// ---------- istiod's debug endpoints, through pods/portforward ----------

	/** The cluster ID istiod runs with (CLUSTER_ID of its Deployment; Istio's default is Kubernetes). */
	private istiodClusterId(): string {
		const istiod = this.list('apps/v1', 'Deployment', 'istio-system').find(d => d.metadata?.labels?.app === 'istiod');
		const env: Array<{name?: string; value?: string}> = istiod?.spec?.template?.spec?.containers?.[0]?.env ?? [];
		return env.find(e => e.name === 'CLUSTER_ID')?.value ?? 'Kubernetes';
	}

	/** Gateways as istiod lists them: Services labelled with a network, exposing 15443, with an external address. */
	private networkGateways(cluster: string): Obj[] {
		return this.list('v1', 'Service').flatMap(svc => {
			const network = svc.metadata?.labels?.['topology.istio.io/network'];
			const has15443 = (svc.spec?.ports ?? []).some((p: Obj) => p.port === 15443);
			const addresses: string[] = [...(svc.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip).filter(Boolean), ...(svc.spec?.externalIPs ?? [])];
			if (!network || !has15443 || addresses.length === 0) return [];
			return addresses.map(addr => ({
				Network: network,
				Cluster: cluster,
				Addr: addr,
				Port: 15443,
				HBONEPort: 0,
				ServiceAccount: {Namespace: svc.metadata.namespace, Name: `${svc.metadata.name}-service-account`},
			}));
		});
	}

	/** /debug/clusterz and /debug/networkz as istiod derives them from remote secrets and gateway Services. */
	istiodDebugView(): {clusterz: Obj[]; networkz: Obj[]} {
		const self = this.istiodClusterId();
		const clusterz: Obj[] = [{id: self, secretName: '', syncStatus: 'synced'}];
		const networkz = this.networkGateways(self);
		const secrets = this.list('v1', 'Secret', 'istio-system').filter(s => s.metadata?.labels?.['istio/multiCluster'] === 'true');
		for (const secret of secrets) {
			const entries: Record<string, string> = {
				...Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')])),
				...(secret.stringData ?? {}),
			};
			for (const [id, kubeconfig] of Object.entries(entries)) {
				// istiod ignores a secret keyed by its own cluster ID.
				if (id === self) continue;
				let server: string | undefined;
				try {
					server = parseYaml(kubeconfig)?.clusters?.[0]?.cluster?.server;
				} catch {
					server = undefined;
				}
				const peer = server ? FakeApiServer.live.get(server.replace(/\/+$/, '')) : undefined;
				const synced = peer !== undefined && !peer.closed && peer.failAll === undefined;
				clusterz.push({id, secretName: `istio-system/${secret.metadata.name}`, syncStatus: synced ? 'synced' : 'timeout'});
				if (synced) networkz.push(...peer.networkGateways(id));
			}
		}
		return {clusterz, networkz};
	}

	/** A local HTTP server playing istiod's monitoring port. */
	private async istiodDebugPort(): Promise<number> {
		if (!this.debugServer) {
			this.debugServer = http.createServer((req, res) => {
				if (this.istiodDebug.hang) return;
				const path = (req.url ?? '/').split('?')[0]!;
				const derived = this.istiodDebugView();
				const fixed = this.istiodDebug.bodies?.[path];
				const body = fixed !== undefined ? fixed : path === '/debug/clusterz' ? derived.clusterz : path === '/debug/networkz' ? derived.networkz : undefined;
				res.writeHead(body === undefined ? 404 : (this.istiodDebug.status ?? 200), {'Content-Type': 'application/json'});
				res.end(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body));
			});
			await new Promise<void>(resolve => this.debugServer!.listen(0, '127.0.0.1', resolve));
		}
		return (this.debugServer.address() as AddressInfo).port;
	}

	/** pods/portforward over WebSocket (v4.channel.k8s.io): istiod pods' port 15014 reaches istiodDebugPort. */
	private async upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
		// A client that goes away mid-forward resets the socket: that ends the forward, it is not a test failure.
		socket.on('error', () => socket.destroy());
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		this.requests.push({method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), watch: false});
		const refuse = (status: number, reason: string) => socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
		if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) return void refuse(401, 'Unauthorized');
		const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
		if (!match) return void refuse(404, 'Not Found');
		const [, namespace, name] = match as unknown as [string, string, string];
		if (this.isForbidden('create', 'pods/portforward', namespace)) return void refuse(403, 'Forbidden');
		const pod = this.get('v1', 'Pod', namespace, name);
		if (!pod) return void refuse(404, 'Not Found');
		const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
			.split(',')
			.map(p => p.trim());
		if (!protocols.includes('v4.channel.k8s.io')) return void refuse(400, 'Bad Request');
		const port = Number(url.searchParams.get('ports'));
		const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
		socket.write(
			`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`,
		);
		const send = (opcode: number, payload: Buffer) => {
			if (socket.destroyed || socket.writableEnded) return;
			const n = payload.length;
			const header = n < 126 ? Buffer.from([0x80 | opcode, n]) : Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]);
			if (n >= 65536) throw new Error('fake API server: port-forward frames stay under 64 KiB');
			socket.write(Buffer.concat([header, payload]));
		};
		const portBytes = Buffer.from([port & 0xff, (port >> 8) & 0xff]);
		send(2, Buffer.concat([Buffer.from([0]), portBytes]));
		send(2, Buffer.concat([Buffer.from([1]), portBytes]));
		const close = () => {
			send(8, Buffer.alloc(0));
			socket.end();
		};
		const isIstiod = pod.metadata?.labels?.app === 'istiod' && pod.status?.phase === 'Running';
		if (!isIstiod || port !== 15014) {
			send(2, Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port} to pod ${name}: nothing listens there`)]));
			return void close();
		}
		const upstream = net.connect(await this.istiodDebugPort(), '127.0.0.1');
		this.sockets.add(upstream);
		upstream.on('close', () => this.sockets.delete(upstream));
		upstream.on('data', (chunk: Buffer) => {
			for (let i = 0; i < chunk.length; i += 32_000) send(2, Buffer.concat([Buffer.from([0]), chunk.subarray(i, i + 32_000)]));
		});
		upstream.on('end', close);
		upstream.on('error', close);
		socket.on('close', () => upstream.destroy());
		// Client frames are masked; this reads unfragmented ones, which is what client-node sends.
		let buffer = Buffer.from(head);
		const onData = (chunk: Buffer) => {
			buffer = Buffer.concat([buffer, chunk]);
			for (;;) {
				if (buffer.length < 2) return;
				const opcode = buffer[0]! & 0x0f;
				let length = buffer[1]! & 0x7f;
				let offset = 2;
				if (length === 126) {
					if (buffer.length < 4) return;
					length = buffer.readUInt16BE(2);
					offset = 4;
				} else if (length === 127) {
					if (buffer.length < 10) return;
					length = Number(buffer.readBigUInt64BE(2));
					offset = 10;
				}
				const masked = (buffer[1]! & 0x80) !== 0;
				const mask = masked ? buffer.subarray(offset, offset + 4) : undefined;
				if (masked) offset += 4;
				if (buffer.length < offset + length) return;
				const payload = Buffer.from(buffer.subarray(offset, offset + length));
				if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
				buffer = buffer.subarray(offset + length);
				if (opcode === 8) {
					upstream.end();
					return void close();
				}
				if (opcode === 9) send(10, payload);
				else if (opcode === 2 && payload[0] === 0) upstream.write(payload.subarray(1));
			}
		};
		socket.on('data', onData);
		if (buffer.length > 0) onData(Buffer.alloc(0));
	}

	// ---------- internals ----------

	private key(namespace: string | undefined, name: string): string {
		return `${namespace ?? ''}/${name}`;
	}

	private bucket(def: ResourceDef): Map<string, Stored> {
		const id = `${def.group}/${def.plural}`;
		let bucket = this.store.get(id);
		if (!bucket) {
			bucket = new Map();
			this.store.set(id, bucket);
		}
		return bucket;
	}

	private served(def: ResourceDef): boolean {
		if (!def.crd) return true;
		return this.bucket(RESOURCES.find(r => r.plural === 'customresourcedefinitions')!).has(this.key(undefined, def.crd));
	}

	private defFor(apiVersion: string, kind: string): {def: ResourceDef; version: string} {
		const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
		const def = RESOURCES.find(r => r.group === group && r.kind === kind && r.versions.includes(version));
		if (!def) throw new Error(`fake API server: unknown kind ${apiVersion} ${kind}`);
		return {def, version};
	}

	/** The object as served: apiVersion of the requested version, managedFields from ownership. */
	private present(def: ResourceDef, version: string, stored: Stored): Obj {
		const obj = clone(stored.obj);
		obj.apiVersion = groupVersion(def, version);
		obj.kind = def.kind;
		if (stored.owners.length > 0) {
			obj.metadata.managedFields = stored.owners.map(o => ({
				manager: o.manager,
				operation: o.operation,
				apiVersion: o.apiVersion,
				time: '2026-01-01T00:00:00Z',
				fieldsType: 'FieldsV1',
				fieldsV1: nestedFields([...o.fields].sort()),
			}));
		}
		return obj;
	}

	/** Store an object: new resourceVersion, generation on spec changes, events, controllers. */
	private write(
		def: ResourceDef,
		key: string,
		next: Obj,
		owners: Ownership[],
		existing: Stored | undefined,
		options: {dryRun?: boolean; statusOnly?: boolean} = {},
	): Obj {
		const version = def.versions[0]!;
		next.metadata ??= {};
		delete next.metadata.managedFields;
		if (existing) {
			next.metadata.uid = existing.obj.metadata.uid;
			next.metadata.creationTimestamp = existing.obj.metadata.creationTimestamp;
			const specChanged = !isDeepStrictEqual(existing.obj.spec, next.spec);
			next.metadata.generation = (existing.obj.metadata.generation ?? 1) + (specChanged && !options.statusOnly ? 1 : 0);
			if (!options.statusOnly && next.status === undefined && existing.obj.status !== undefined) next.status = clone(existing.obj.status);
			next.metadata.resourceVersion = existing.obj.metadata.resourceVersion;
			const same =
				isDeepStrictEqual(existing.obj, next) &&
				existing.owners.length === owners.length &&
				existing.owners.every((o, i) => o.manager === owners[i]!.manager && isDeepStrictEqual(o.fields, owners[i]!.fields));
			if (same) return this.present(def, version, existing);
		} else {
			next.metadata.uid = `00000000-0000-4000-8000-${String(this.rv + 1).padStart(12, '0')}`;
			next.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
			next.metadata.generation ??= 1;
			if (def.kind === 'Service') this.defaultService(next);
		}
		if (options.dryRun) {
			return this.present(def, version, {obj: next, owners});
		}
		this.rv++;
		next.metadata.resourceVersion = String(this.rv);
		const stored: Stored = {obj: next, owners};
		this.bucket(def).set(key, stored);
		this.record(def, existing ? 'MODIFIED' : 'ADDED', stored);
		if (!options.statusOnly) this.react(def, stored, existing);
		return this.present(def, version, stored);
	}

	private defaultService(svc: Obj): void {
		svc.spec ??= {};
		svc.spec.type ??= 'ClusterIP';
		svc.spec.clusterIP ??= `10.96.0.${(this.nextIp++ % 250) + 1}`;
		if (svc.spec.type === 'LoadBalancer' || svc.spec.type === 'NodePort') {
			for (const port of svc.spec.ports ?? []) port.nodePort ??= this.nextNodePort++;
		}
	}

	private record(def: ResourceDef, type: WatchEvent['type'], stored: Stored): void {
		const id = `${def.group}/${def.plural}`;
		const events = this.history.get(id) ?? [];
		const event: WatchEvent = {rv: this.rv, type, obj: clone(stored.obj)};
		events.push(event);
		this.history.set(id, events);
		for (const watch of this.watches) {
			if (watch.def !== def) continue;
			this.sendMatching(watch, event, stored.owners);
		}
	}

	private sendMatching(watch: OpenWatch, event: WatchEvent, owners: Ownership[]): void {
		const obj = event.obj;
		if (watch.namespace && obj.metadata.namespace !== watch.namespace) return;
		if (!matchesLabels(obj.metadata.labels, watch.labelSelector) || !matchesFields(obj, watch.fieldSelector)) return;
		this.writeEvent(watch, event.type, this.present(watch.def, watch.version, {obj, owners}));
	}

	private writeEvent(watch: OpenWatch, type: string, object: Obj): void {
		if (watch.res.writableEnded || watch.res.destroyed) return;
		watch.res.write(`${JSON.stringify({type, object})}\n`);
	}

	private later(ms: number, fn: () => void): void {
		if (this.closed) return;
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			if (!this.closed) fn();
		}, ms);
		this.timers.add(timer);
	}

	/** The scripted controllers. */
	private react(def: ResourceDef, stored: Stored, existing: Stored | undefined): void {
		if (def.kind === 'Deployment') {
			const generation = stored.obj.metadata.generation;
			if (existing && existing.obj.metadata.generation === generation) return;
			// Seeded already rolled out: nothing for the controller to do.
			if ((stored.obj.status?.observedGeneration ?? 0) >= generation) return;
			const {namespace, name} = stored.obj.metadata;
			const scenario = this.deployment.scenario;
			this.later(this.deployment.delayMs, () => this.rollout(namespace, name, generation, scenario));
		}
		if (def.kind === 'Service' && stored.obj.spec?.type === 'LoadBalancer' && !stored.obj.status?.loadBalancer?.ingress?.length) {
			const {namespace, name} = stored.obj.metadata;
			const scenario = this.loadBalancer.scenario;
			if (scenario === 'pending') return;
			this.later(this.loadBalancer.delayMs, () => {
				const current = this.bucket(def).get(this.key(namespace, name));
				if (!current || current.obj.spec?.type !== 'LoadBalancer') return;
				const next = clone(current.obj);
				const ingress =
					scenario === 'ip' ? {ip: `127.0.10.${(this.nextIp++ % 250) + 1}`, ipMode: 'VIP'} : {hostname: `${name}-${namespace}.elb.example.invalid`};
				next.status = {loadBalancer: {ingress: [ingress]}};
				this.write(def, this.key(namespace, name), next, current.owners, current, {statusOnly: true});
			});
		}
	}

	/** What the webhook-unreachable scenario's pods fail with (the ReplicaSet controller's words). */
	createFailureMessage =
		'Internal error occurred: failed calling webhook "object.sidecar-injector.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/inject/cluster/west/net/net-west?timeout=10s": dial tcp 10.96.0.10:443: connect: network is unreachable';

	/** As the ReplicaSet controller when pod creation is refused: no pods, a ReplicaFailure condition, a FailedCreate event. */
	private createFailure(namespace: string, name: string, generation: number, rsName: string, hash: string, replicas: number, template: Obj): void {
		const rsDef = this.defFor('apps/v1', 'ReplicaSet').def;
		const eventDef = this.defFor('v1', 'Event').def;
		const depDef = this.defFor('apps/v1', 'Deployment').def;
		const rs: Obj = {
			apiVersion: 'apps/v1',
			kind: 'ReplicaSet',
			metadata: {
				name: rsName,
				namespace,
				labels: {...template.metadata?.labels, 'pod-template-hash': hash},
				annotations: {'deployment.kubernetes.io/revision': String(generation)},
				ownerReferences: [{apiVersion: 'apps/v1', kind: 'Deployment', name, controller: true}],
			},
			spec: {replicas},
			status: {
				replicas: 0,
				observedGeneration: 1,
				conditions: [{type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: this.createFailureMessage}],
			},
		};
		const rsKey = this.key(namespace, rsName);
		this.write(rsDef, rsKey, rs, [], this.bucket(rsDef).get(rsKey));
		const event: Obj = {
			apiVersion: 'v1',
			kind: 'Event',
			metadata: {name: `${rsName}.failed`, namespace},
			type: 'Warning',
			reason: 'FailedCreate',
			message: `Error creating: ${this.createFailureMessage}`,
			involvedObject: {kind: 'ReplicaSet', name: rsName, namespace},
			lastTimestamp: '2026-01-01T00:00:00Z',
		};
		const eventKey = this.key(namespace, event.metadata.name);
		this.write(eventDef, eventKey, event, [], this.bucket(eventDef).get(eventKey));
		const current = this.bucket(depDef).get(this.key(namespace, name));
		if (!current) return;
		const next = clone(current.obj);
		next.status = {
			observedGeneration: generation,
			replicas: 0,
			updatedReplicas: 0,
			availableReplicas: 0,
			unavailableReplicas: replicas,
			conditions: [
				{type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable'},
				{type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.`},
				{type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: this.createFailureMessage},
			],
		};
		this.write(depDef, this.key(namespace, name), next, current.owners, current, {statusOnly: true});
	}

	private rollout(namespace: string, name: string, generation: number, scenario: DeploymentScenario): void {
		const depDef = this.defFor('apps/v1', 'Deployment').def;
		const podDef = this.defFor('v1', 'Pod').def;
		const current = this.bucket(depDef).get(this.key(namespace, name));
		if (!current || current.obj.metadata.generation !== generation) return;
		const dep = current.obj;
		const replicas: number = dep.spec?.replicas ?? 1;
		const hash = `${generation.toString(16).padStart(4, '0')}f${name.length}`;
		const rsName = `${name}-${hash}`;
		// Replace the pods of older generations.
		for (const [key, pod] of [...this.bucket(podDef)]) {
			const owner = pod.obj.metadata.ownerReferences?.[0]?.name as string | undefined;
			if (pod.obj.metadata.namespace === namespace && owner?.startsWith(`${name}-`) && owner !== rsName) {
				this.bucket(podDef).delete(key);
				this.rv++;
				pod.obj.metadata.resourceVersion = String(this.rv);
				this.record(podDef, 'DELETED', pod);
			}
		}
		const template = dep.spec?.template ?? {};
		if (scenario === 'webhook-unreachable') return this.createFailure(namespace, name, generation, rsName, hash, replicas, template);
		const ready = scenario === 'ready';
		for (let i = 0; i < replicas; i++) {
			const containers = clone(template.spec?.containers ?? [{name: 'main', image: 'auto'}]) as Obj[];
			if (scenario === 'image-pull-auto') for (const c of containers) c.image = 'auto';
			const containerStatuses = containers.map(c => ({
				name: c.name,
				image: c.image,
				ready,
				restartCount: 0,
				state:
					scenario === 'image-pull-auto'
						? {waiting: {reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"`}}
						: {running: {startedAt: '2026-01-01T00:00:00Z'}},
			}));
			const pod: Obj = {
				apiVersion: 'v1',
				kind: 'Pod',
				metadata: {
					name: `${rsName}-${String.fromCharCode(97 + (i % 26))}${i}x`,
					namespace,
					labels: {...template.metadata?.labels, 'pod-template-hash': hash},
					ownerReferences: [{apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, controller: true}],
				},
				spec: {...template.spec, containers},
				status: {
					phase: scenario === 'image-pull-auto' ? 'Pending' : 'Running',
					conditions: [
						{type: 'PodScheduled', status: 'True'},
						{type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : {reason: 'ContainersNotReady'})},
					],
					containerStatuses,
				},
			};
			const key = this.key(namespace, pod.metadata.name);
			this.write(
				podDef,
				key,
				pod,
				[{manager: 'kubelet', operation: 'Update', apiVersion: 'v1', fields: new Set(['.spec.containers'])}],
				this.bucket(podDef).get(key),
			);
		}
		const next = clone(dep);
		next.status = ready
			? {
					observedGeneration: generation,
					replicas,
					updatedReplicas: replicas,
					readyReplicas: replicas,
					availableReplicas: replicas,
					conditions: [
						{type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable'},
						{type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.`},
					],
				}
			: {
					observedGeneration: generation,
					replicas,
					updatedReplicas: replicas,
					readyReplicas: 0,
					availableReplicas: 0,
					unavailableReplicas: replicas,
					conditions: [
						{type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable'},
						{type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.`},
					],
				};
		this.write(depDef, this.key(namespace, name), next, current.owners, current, {statusOnly: true});
		if (scenario === 'progress-deadline') {
			this.later(this.deployment.delayMs, () => {
				const now = this.bucket(depDef).get(this.key(namespace, name));
				if (!now || now.obj.metadata.generation !== generation) return;
				const failed = clone(now.obj);
				failed.status.conditions = [
					{type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable'},
					{type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.`},
				];
				this.write(depDef, this.key(namespace, name), failed, now.owners, now, {statusOnly: true});
			});
		}
	}

	private sendJson(res: http.ServerResponse, code: number, body: unknown): void {
		const text = JSON.stringify(body);
		res.writeHead(code, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)});
		res.end(text);
	}

	private sendError(res: http.ServerResponse, error: HttpError): void {
		this.sendJson(res, error.code, error.status);
	}

	/** Every DELETE with the options the server decoded from it (body first, as kube-apiserver does). */
	readonly deletes: Array<{path: string; options: ReturnType<typeof deleteOptions>}> = [];

	private isForbidden(verb: string, resource: string, namespace: string | undefined): boolean {
		return this.forbidden.some(rule => rule.resource === resource && (!rule.verb || rule.verb === verb) && (!rule.namespace || rule.namespace === namespace));
	}

	private async readBody(req: http.IncomingMessage): Promise<string> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks).toString('utf8');
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const query = Object.fromEntries(url.searchParams);
		const method = req.method ?? 'GET';
		const watch = method === 'GET' && (query.watch === '1' || query.watch === 'true');
		this.requests.push({method, path: url.pathname, query, watch});
		try {
			if (this.failAll) throw new HttpError(this.failAll, 'ServiceUnavailable', 'the server is currently unable to handle the request');
			if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
				throw new HttpError(401, 'Unauthorized', 'Unauthorized');
			}
			await this.route(req, res, method, url.pathname, query, watch);
		} catch (error) {
			if (error instanceof HttpError) this.sendError(res, error);
			else this.sendError(res, new HttpError(500, 'InternalError', (error as Error).message));
		}
	}

	private discovery(pathname: string): unknown {
		if (pathname === '/version') {
			const [major, minor] = this.gitVersion.replace(/^v/, '').split('.');
			return {major, minor, gitVersion: this.gitVersion, platform: 'linux/amd64', goVersion: 'go1.26.0', compiler: 'gc'};
		}
		if (pathname === '/api') return {kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: []};
		if (pathname === '/apis') {
			const groups = new Map<string, string[]>();
			for (const def of RESOURCES) {
				if (!def.group || !this.served(def)) continue;
				const versions = groups.get(def.group) ?? [];
				for (const v of def.versions) if (!versions.includes(v)) versions.push(v);
				groups.set(def.group, versions);
			}
			return {
				kind: 'APIGroupList',
				apiVersion: 'v1',
				groups: [...groups].map(([name, versions]) => ({
					name,
					versions: versions.map(v => ({groupVersion: `${name}/${v}`, version: v})),
					preferredVersion: {groupVersion: `${name}/${versions[0]}`, version: versions[0]},
				})),
			};
		}
		const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(pathname);
		if (m) {
			const group = m[1] ? '' : m[2]!;
			const version = m[1] ?? m[3]!;
			const defs = RESOURCES.filter(r => r.group === group && r.versions.includes(version) && this.served(r));
			if (defs.length === 0) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
			return {
				kind: 'APIResourceList',
				apiVersion: 'v1',
				groupVersion: group ? `${group}/${version}` : version,
				resources: defs.map(d => ({name: d.plural, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs})),
			};
		}
		return undefined;
	}

	private async route(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		method: string,
		pathname: string,
		query: Record<string, string>,
		watch: boolean,
	): Promise<void> {
		if (method === 'GET') {
			const doc = this.discovery(pathname);
			if (doc !== undefined) {
				this.sendJson(res, 200, doc);
				return;
			}
		}
		const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(pathname);
		if (!m) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
		const group = m[1] ? '' : m[2]!;
		const version = m[1] ?? m[3]!;
		const segs = m[4]!.split('/').map(decodeURIComponent);
		let namespace: string | undefined;
		let plural: string;
		let name: string | undefined;
		let sub: string | undefined;
		if (segs[0] === 'namespaces' && segs.length >= 3) {
			namespace = segs[1];
			plural = segs[2]!;
			name = segs[3];
			sub = segs[4];
		} else {
			plural = segs[0]!;
			name = segs[1];
			sub = segs[2];
		}
		const def = RESOURCES.find(r => r.group === group && r.plural === plural && r.versions.includes(version) && this.served(r));
		if (!def) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
		if (!def.namespaced && namespace) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
		const verb =
			method === 'GET'
				? name
					? 'get'
					: watch
						? 'watch'
						: 'list'
				: method === 'POST'
					? 'create'
					: method === 'PUT'
						? 'update'
						: method === 'PATCH'
							? 'patch'
							: method === 'DELETE'
								? 'delete'
								: method.toLowerCase();
		const resourceLabel = def.group ? `${def.plural}.${def.group}` : def.plural;
		if (this.isForbidden(verb, def.plural, namespace)) {
			const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
			throw new HttpError(
				403,
				'Forbidden',
				`${resourceLabel}${name ? ` "${name}"` : ''} is forbidden: User "${this.user}" cannot ${verb} resource "${def.plural}" in API group "${def.group}" ${scope}`,
				{name, group: def.group, kind: def.plural},
			);
		}
		if (def.review) {
			if (method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
			const body = JSON.parse(await this.readBody(req)) as Obj;
			const attrs = body.spec?.resourceAttributes ?? {};
			const allowed = !this.isForbidden(attrs.verb, attrs.resource, attrs.namespace || undefined);
			this.sendJson(res, 201, {
				...body,
				apiVersion: 'authorization.k8s.io/v1',
				kind: 'SelfSubjectAccessReview',
				status: {allowed, ...(allowed ? {} : {reason: 'no RBAC policy matched'})},
			});
			return;
		}
		if (sub && sub !== 'status') throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
		const notFound = (n: string) => new HttpError(404, 'NotFound', `${resourceLabel} "${n}" not found`, {name: n, group: def.group, kind: def.plural});
		const bucket = this.bucket(def);
		const key = this.key(def.namespaced ? namespace : undefined, name ?? '');

		if (method === 'GET' && !name) {
			if (watch) {
				this.startWatch(res, def, version, namespace, query);
				return;
			}
			const items = [...bucket.values()]
				.filter(s => !namespace || s.obj.metadata.namespace === namespace)
				.filter(s => matchesLabels(s.obj.metadata.labels, query.labelSelector) && matchesFields(s.obj, query.fieldSelector))
				.map(s => this.present(def, version, s));
			this.sendJson(res, 200, {apiVersion: groupVersion(def, version), kind: `${def.kind}List`, metadata: {resourceVersion: String(this.rv)}, items});
			return;
		}
		if (method === 'GET') {
			const stored = bucket.get(key);
			if (!stored) throw notFound(name!);
			this.sendJson(res, 200, this.present(def, version, stored));
			return;
		}
		const dryRun = query.dryRun === 'All';
		if (query.dryRun !== undefined && !dryRun) throw new HttpError(400, 'BadRequest', `invalid dry run value "${query.dryRun}": only "All" is supported`);
		const manager = query.fieldManager ?? (req.headers['user-agent']?.split('/')[0] || 'unknown');
		const requireNamespace = () => {
			if (def.namespaced && namespace && !this.bucket(this.defFor('v1', 'Namespace').def).has(this.key(undefined, namespace))) {
				throw new HttpError(404, 'NotFound', `namespaces "${namespace}" not found`, {name: namespace, kind: 'namespaces'});
			}
		};
		if (method === 'DELETE') {
			const options = deleteOptions(await this.readBody(req), query);
			this.deletes.push({path: pathname, options});
			const stored = bucket.get(key);
			if (!stored) throw notFound(name!);
			const uid = options.preconditions?.uid;
			if (uid !== undefined && uid !== stored.obj.metadata.uid) {
				throw new HttpError(
					409,
					'Conflict',
					`Operation cannot be fulfilled on ${resourceLabel} "${name}": Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(stored.obj.metadata.uid)}`,
					{name, group: def.group, kind: def.plural},
				);
			}
			if (!options.dryRun) this.remove(groupVersion(def, version), def.kind, namespace, name!);
			this.sendJson(res, 200, {kind: 'Status', apiVersion: 'v1', status: 'Success', details: {name, kind: def.plural}});
			return;
		}
		const text = await this.readBody(req);
		let body: Obj;
		try {
			body = (req.headers['content-type'] ?? '').includes('yaml') ? parseYaml(text) : JSON.parse(text);
		} catch (error) {
			throw new HttpError(400, 'BadRequest', `the body of the request was in an unknown format: ${(error as Error).message}`);
		}
		if (!isPlainObject(body)) throw new HttpError(400, 'BadRequest', 'the body of the request must be an object');
		if (method === 'POST') {
			const objName = body.metadata?.name;
			if (!objName) throw new HttpError(422, 'Invalid', `${def.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
			requireNamespace();
			const createKey = this.key(def.namespaced ? namespace : undefined, objName);
			if (bucket.has(createKey))
				throw new HttpError(409, 'AlreadyExists', `${resourceLabel} "${objName}" already exists`, {name: objName, group: def.group, kind: def.plural});
			const obj = clone(body);
			if (def.namespaced) obj.metadata.namespace = namespace;
			const owners = [{manager, operation: 'Update' as const, apiVersion: groupVersion(def, version), fields: new Set(fieldPaths(obj).keys())}];
			this.sendJson(res, 201, this.write(def, createKey, obj, owners, undefined, {dryRun}));
			return;
		}
		const existing = bucket.get(key);
		const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
		if (method === 'PATCH' && contentType === 'application/apply-patch+yaml') {
			requireNamespace();
			this.sendJson(res, existing ? 200 : 201, this.apply(def, version, key, namespace, name!, body, manager, query.force === 'true', dryRun, existing));
			return;
		}
		if (!existing) throw notFound(name!);
		let next: Obj;
		if (method === 'PUT') {
			if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== existing.obj.metadata.resourceVersion) {
				throw new HttpError(
					409,
					'Conflict',
					`Operation cannot be fulfilled on ${resourceLabel} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
				);
			}
			next = clone(body);
		} else if (method === 'PATCH' && (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json')) {
			// As the API server: a resourceVersion in a patch is a precondition.
			if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== existing.obj.metadata.resourceVersion) {
				throw new HttpError(
					409,
					'Conflict',
					`Operation cannot be fulfilled on ${resourceLabel} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
				);
			}
			next = mergePatch(existing.obj, body) as Obj;
		} else {
			throw new HttpError(
				415,
				'UnsupportedMediaType',
				`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
			);
		}
		next.metadata ??= {};
		next.metadata.name = name;
		if (def.namespaced) next.metadata.namespace = namespace;
		const statusOnly = sub === 'status';
		if (statusOnly) {
			const keepStatus = next.status;
			next = clone(existing.obj);
			next.status = keepStatus;
		} else {
			next.status = existing.obj.status;
		}
		const owners = this.updateOwners(existing, next, manager, groupVersion(def, version));
		this.sendJson(res, 200, this.write(def, key, next, owners, existing, {dryRun, statusOnly}));
	}

	/** An Update takes every field it changed or set from other managers. */
	private updateOwners(existing: Stored, next: Obj, manager: string, apiVersion: string): Ownership[] {
		const before = fieldPaths(existing.obj);
		const after = fieldPaths(next);
		const changed = new Set([...after].filter(([p, v]) => !before.has(p) || !isDeepStrictEqual(before.get(p), v)).map(([p]) => p));
		const owners = existing.owners.map(o => ({...o, fields: new Set([...o.fields].filter(f => !changed.has(f) && after.has(f)))}));
		if (changed.size > 0) {
			const mine = owners.find(o => o.manager === manager && o.operation === 'Update');
			if (mine) for (const f of changed) mine.fields.add(f);
			else owners.push({manager, operation: 'Update', apiVersion, fields: changed});
		}
		return owners.filter(o => o.fields.size > 0);
	}

	/** Server-side apply at the fake's field granularity. */
	private apply(
		def: ResourceDef,
		version: string,
		key: string,
		namespace: string | undefined,
		name: string,
		body: Obj,
		manager: string,
		force: boolean,
		dryRun: boolean,
		existing: Stored | undefined,
	): Obj {
		const gv = groupVersion(def, version);
		if (body.apiVersion !== gv || body.kind !== def.kind) {
			throw new HttpError(400, 'BadRequest', `the API version in the data (${body.apiVersion}) does not match the expected API version (${gv})`);
		}
		if (body.metadata?.name !== name)
			throw new HttpError(400, 'BadRequest', `the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`);
		if (def.namespaced && body.metadata?.namespace && body.metadata.namespace !== namespace) {
			throw new HttpError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
		}
		const applied = fieldPaths(body);
		const live = existing ? clone(existing.obj) : {apiVersion: gv, kind: def.kind, metadata: {name, ...(namespace ? {namespace} : {})}};
		const owners = (existing?.owners ?? []).map(o => ({...o, fields: new Set(o.fields)}));
		const conflicts: Array<{manager: string; apiVersion: string; field: string}> = [];
		for (const [field, value] of applied) {
			const current = getPath(live, field);
			if (isDeepStrictEqual(current, value)) continue;
			for (const owner of owners) {
				if (owner.manager === manager && owner.operation === 'Apply') continue;
				if (owner.fields.has(field)) conflicts.push({manager: owner.manager, apiVersion: owner.apiVersion, field});
			}
		}
		if (conflicts.length > 0 && !force) {
			const lines = conflicts.map(c => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
			const message =
				conflicts.length === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
			throw new HttpError(409, 'Conflict', message, {
				name,
				group: def.group,
				kind: def.plural,
				causes: conflicts.map(c => ({type: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field})),
			});
		}
		if (force) {
			for (const c of conflicts) owners.find(o => o.manager === c.manager)!.fields.delete(c.field);
		}
		let mine = owners.find(o => o.manager === manager && o.operation === 'Apply');
		const previously = mine ? new Set(mine.fields) : new Set<string>();
		for (const [field, value] of applied) setPath(live, field, value);
		for (const field of previously) {
			if (applied.has(field)) continue;
			if (!owners.some(o => o !== mine && o.fields.has(field))) deletePath(live, field);
		}
		if (!mine) {
			mine = {manager, operation: 'Apply', apiVersion: gv, fields: new Set()};
			owners.push(mine);
		}
		mine.fields = new Set(applied.keys());
		mine.apiVersion = gv;
		return this.write(
			def,
			key,
			live,
			owners.filter(o => o.fields.size > 0),
			existing,
			{dryRun},
		);
	}

	private startWatch(res: http.ServerResponse, def: ResourceDef, version: string, namespace: string | undefined, query: Record<string, string>): void {
		res.writeHead(200, {'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked'});
		res.flushHeaders();
		const watch: OpenWatch = {
			def,
			version,
			namespace,
			labelSelector: query.labelSelector,
			fieldSelector: query.fieldSelector,
			res,
			bookmarks: query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1',
		};
		const from = query.resourceVersion;
		if (from && from !== '0' && Number(from) < this.oldestRv) {
			res.end(
				`${JSON.stringify({type: 'ERROR', object: {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.oldestRv})`, reason: 'Expired', code: 410}})}\n`,
			);
			return;
		}
		this.watches.add(watch);
		res.on('close', () => this.watches.delete(watch));
		if (!from || from === '0') {
			for (const stored of this.bucket(def).values()) {
				this.sendMatching(watch, {rv: Number(stored.obj.metadata.resourceVersion), type: 'ADDED', obj: stored.obj}, stored.owners);
			}
		} else {
			for (const event of this.history.get(`${def.group}/${def.plural}`) ?? []) {
				if (event.rv > Number(from)) this.sendMatching(watch, event, []);
			}
		}
		if (watch.bookmarks)
			this.writeEvent(watch, 'BOOKMARK', {apiVersion: groupVersion(def, version), kind: def.kind, metadata: {resourceVersion: String(this.rv)}});
	}
}

// ---------- kubeconfig for tests ----------

export interface TestContext {
	name: string;
	/** The fake server (or any URL) the context points at. */
	server: FakeApiServer | string;
	/** Bearer token; defaults to the server's token. */
	token?: string;
	/** Cluster/user names; default to the context name. */
	cluster?: string;
	user?: string;
	namespace?: string;
}

/** The kubeconfig YAML for contexts pointing at fake servers (plain HTTP, so insecure-skip-tls-verify). */
/**
 * A fake cluster as a multi-network primary of mesh1 has it before eastwest runs: Istio's CRDs and a ready istiod
 * with the cluster's name and network net-<name>, so the preflight passes. Close it when done.
 */
export async function startPrimary(name: string, options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
	const s = await FakeApiServer.start(options);
	s.addIstioCrds();
	s.addIstiod({clusterId: name, meshId: 'mesh1', network: `net-${name}`});
	return s;
}

/**
 * A multi-network primary of mesh1 for the CLI's integration tests: Istio's CRDs, a ready istiod with the cluster's
 * name and the given network, a bearer token, and a Deployment rollout and LoadBalancer address that each come 20 ms
 * after the change. Added to `servers`, which the test closes.
 */
export async function startReadyPrimary(name: string, network: string, servers: FakeApiServer[]): Promise<FakeApiServer> {
	const s = await FakeApiServer.start({token: 'secret-token'});
	servers.push(s);
	s.addIstioCrds();
	s.addIstiod({clusterId: name, meshId: 'mesh1', network});
	s.deployment = {scenario: 'ready', delayMs: 20};
	s.loadBalancer = {scenario: 'ip', delayMs: 20};
	return s;
}

export function kubeconfigYaml(contexts: TestContext[], currentContext?: string): string {
	const clusters = new Map<string, Obj>();
	const users = new Map<string, Obj>();
	for (const ctx of contexts) {
		const url = typeof ctx.server === 'string' ? ctx.server : ctx.server.url;
		clusters.set(ctx.cluster ?? ctx.name, {name: ctx.cluster ?? ctx.name, cluster: {server: url, 'insecure-skip-tls-verify': true}});
		const token = ctx.token ?? (typeof ctx.server === 'string' ? undefined : ctx.server.token);
		users.set(ctx.user ?? ctx.name, {name: ctx.user ?? ctx.name, user: token ? {token} : {}});
	}
	return stringifyYaml({
		apiVersion: 'v1',
		kind: 'Config',
		'current-context': currentContext ?? contexts[0]?.name ?? '',
		clusters: [...clusters.values()],
		users: [...users.values()],
		contexts: contexts.map(c => ({
			name: c.name,
			context: {cluster: c.cluster ?? c.name, user: c.user ?? c.name, ...(c.namespace ? {namespace: c.namespace} : {})},
		})),
		preferences: {},
	});
}

/** Write a kubeconfig for the contexts into a new temp dir (or `dir`); returns its path. */
export function writeKubeconfig(contexts: TestContext[], options: {currentContext?: string; dir?: string; file?: string} = {}): string {
	const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'eastwest-kubeconfig-'));
	const file = path.join(dir, options.file ?? 'config');
	writeFileSync(file, kubeconfigYaml(contexts, options.currentContext), {mode: 0o600});
	return file;
}

/**
 * A delete's options as kube-apiserver decodes them: from the body when the request has one (a
 * DeleteOptions object; the query string is then ignored), else from the query string.
 */
export function deleteOptions(text: string, query: Record<string, string | undefined>): {dryRun: boolean; preconditions?: {uid?: string}} {
	if (text.trim() === '') {
		if (query.dryRun !== undefined && query.dryRun !== 'All')
			throw new HttpError(400, 'BadRequest', `invalid dry run value "${query.dryRun}": only "All" is supported`);
		return {dryRun: query.dryRun === 'All'};
	}
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch (error) {
		throw new HttpError(400, 'BadRequest', `the body of the request was in an unknown format: ${(error as Error).message}`);
	}
	if (!isPlainObject(body)) throw new HttpError(400, 'BadRequest', 'the body of a delete must be a DeleteOptions object');
	const options = body as {dryRun?: unknown; preconditions?: {uid?: string}};
	const dryRun = Array.isArray(options.dryRun) ? options.dryRun : [];
	for (const value of dryRun) if (value !== 'All') throw new HttpError(400, 'BadRequest', `invalid dry run value "${String(value)}": only "All" is supported`);
	return {dryRun: dryRun.length > 0, ...(options.preconditions ? {preconditions: options.preconditions} : {})};
}
