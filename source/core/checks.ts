/**
 * The checks catalogue: pure rules over facts a collector gathered from each cluster.
 * Preflight runs before anything changes; post-install verifies what the plan should have produced.
 * Facts left undefined were not collected: their checks are skipped, never passed.
 */
import {CROSS_NETWORK_GATEWAY_NAME, ISTIOD_GATEWAY_NAME, istiodVirtualServiceName} from './manifests.js';
import {GATEWAY_NAME, NETWORK_LABEL, TOPOLOGY_INFO, normalRevision, type ClusterSpec, type MeshPlanInput, type Topology} from './model.js';
import {gatewayReasons, planReasons, type GatewayDeploymentLike, type GatewayReason} from './gateway.js';
import {podProblems, rolloutStatus, serviceAddress, type PodLike, type ServiceLike} from './rollout.js';
import {validatePlan} from './validate.js';
import type {InjectorValues} from './istiod.js';
import type {CredentialVerdict, IstiodInfo, RemoteSecretInfo} from './ports.js';
import {
	CLUSTER_ANNOTATION,
	CONTROL_PLANE_ANNOTATION,
	MULTICLUSTER_LABEL,
	controllingPrimary,
	controlPlaneIncludes,
	injectionPath,
	injectorWebhookName,
	readPeers,
	remoteIstiodServiceName,
	remoteReasons,
	remoteSecretName,
	remoteSecretReasons,
	type RemoteField,
	type RemoteObserved,
} from './remote.js';
import {judgeMeshTrust, type ClusterRoots, type RootIdentity} from './trust.js';
import {istiodExpectation, judgeIstiodView, type IstiodView, type IstiodViewItem} from './istiod-view.js';

// ---------- facts ----------

export interface PermissionFact {
	verb: string;
	group: string;
	resource: string;
	namespace?: string;
	allowed: boolean;
}

export interface NamespaceFacts {
	present: boolean;
	labels: Record<string, string>;
	annotations: Record<string, string>;
}

export interface CacertsFacts {
	present: boolean;
	/** Data keys present (never their values). */
	keys: string[];
	/** sha256 of root-cert.pem, hex, computed by the collector. */
	rootCertSha256?: string;
}

/** What the collector could tell of cacerts' certificates (parsed outside core): nothing secret. */
export interface CaBundleFacts {
	/** Why the bundle could not be judged (a file missing or unreadable), one line. */
	problem?: string;
	rootSubject?: string;
	/** SHA-256 fingerprint of root-cert.pem's certificate (AB:CD:…). */
	rootFingerprint?: string;
	intermediateSubject?: string;
	/** ca-cert.pem notAfter, ISO 8601. */
	intermediateNotAfter?: string;
	/** ca-cert.pem is issued by root-cert.pem (through cert-chain.pem). */
	chainsToRoot?: boolean;
	/** ca-key.pem is the key of ca-cert.pem. */
	keyMatches?: boolean;
	/** When the collector read it, ISO 8601 (core has no clock). */
	readAt: string;
}

export type {GatewayDeploymentLike};

export interface GatewayFacts {
	/** null when absent. */
	deployment: GatewayDeploymentLike | null;
	/** null when absent. */
	service: ServiceLike | null;
	pods: PodLike[];
}

/** Expose resources as read from the cluster; null when absent. */
export interface ExposeFacts {
	istiodGateway: Record<string, unknown> | null;
	istiodVirtualService: Record<string, unknown> | null;
	crossNetworkGateway: Record<string, unknown> | null;
}

/** The remote secret for one peer, as the reading cluster holds it; never its token or CA. */
export interface PeerSecretFact {
	/** Secret istio-system/istio-remote-secret-<peer>, read whatever its labels; null when absent. */
	secret: RemoteSecretInfo | null;
	/** Whether its identity may read what istiod reads on the server it names, asked from this machine. */
	credentials?: CredentialVerdict;
}

export interface RemoteSecretsFacts {
	/** Every Secret in istio-system labelled istio/multiCluster=true. */
	listed: RemoteSecretInfo[];
	/** By peer cluster name, for each peer the plan says this cluster reads. */
	byPeer: Record<string, PeerSecretFact>;
}

export interface ClusterFacts {
	context: string;
	reachable: boolean;
	/** Why not reachable (one line). */
	error?: string;
	/** gitVersion, e.g. v1.35.4. */
	serverVersion?: string;
	permissions?: PermissionFact[];
	/** Namespace istio-system. */
	namespace?: NamespaceFacts;
	/** Deployments labeled app=istiod in istio-system. */
	istiod?: IstiodInfo[];
	/** From ConfigMap istio-sidecar-injector[-<rev>] data.values. */
	injectors?: InjectorValues[];
	cacerts?: CacertsFacts;
	/** The certificates in cacerts, judged by the collector; absent when cacerts was not read or is absent. */
	caBundle?: CaBundleFacts;
	/** Secret istio-system/istio-ca-secret present (Istio's self-signed CA). */
	istioCaSecret?: boolean;
	/** trustDomain from ConfigMap istio-system/istio data.mesh (cluster.local when unset). */
	trustDomain?: string;
	/** Host of the context's API server URL in the kubeconfig. */
	apiServerHost?: string;
	/** The context's API server URL in the kubeconfig. */
	apiServer?: string;
	/** The address the API server advertises to its own pods (Service default/kubernetes), read when the kubeconfig's is loopback. */
	advertisedApiServer?: string;
	/** Remote secrets (post-install, on a cluster whose istiod reads peers). */
	remoteSecrets?: RemoteSecretsFacts;
	/** The remote's wiring as read from its API server (post-install, on a remote). */
	remote?: RemoteObserved;
	/** Heuristic for LoadBalancer support: LoadBalancer Services in the cluster and how many have an ingress address. */
	loadBalancer?: {services: number; withAddress: number};
	gateway?: GatewayFacts;
	expose?: ExposeFacts;
	/** sha256 of ConfigMap istio-system/istio-ca-root-cert data["root-cert.pem"]; null when the ConfigMap is absent. */
	caRootCertSha256?: string | null;
	/** The certificate in that ConfigMap (subject, SHA-256 fingerprint AB:CD:…), comparable with cacerts' root; null when the ConfigMap is absent. */
	caRootCert?: RootIdentity | null;
	/** istiod's own view (/debug/clusterz, /debug/networkz), read through a port-forward; primaries, post-install. */
	istiodView?: IstiodView;
}

// ---------- checks ----------

export type CheckPhase = 'preflight' | 'post-install';
export type CheckLevel = 'fail' | 'warn' | 'info';
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
	id: string;
	/** Cluster name, or undefined for checks across the mesh. */
	cluster?: string;
	context?: string;
	claim: string;
	level: CheckLevel;
	status: CheckStatus;
	/** Why it did not pass (or was skipped). */
	reason?: string;
	/** What to do, when it did not pass. */
	hint?: string;
	/** The Istio doc section behind the check. */
	doc?: string;
}

type Verdict = {status: 'pass'; reason?: string} | {status: 'fail' | 'warn' | 'skip'; reason: string};

interface ClusterInput {
	plan: MeshPlanInput;
	cluster: ClusterSpec;
	facts: ClusterFacts | undefined;
	/** Another cluster's facts, by cluster name (e.g. the primary's gateway address, a peer's API server). */
	factsOf: (name: string) => ClusterFacts | undefined;
}

interface MeshInput {
	plan: MeshPlanInput;
	facts: Array<{cluster: ClusterSpec; facts: ClusterFacts | undefined}>;
}

interface CheckBase {
	id: string;
	level: CheckLevel;
	phases: CheckPhase[];
	topologies: readonly Topology[];
	doc: string | ((plan: MeshPlanInput) => string);
}

export interface ClusterCheck extends CheckBase {
	scope: 'cluster';
	/** Whether the check concerns this cluster at all (e.g. primaries only). */
	appliesTo?: (cluster: ClusterSpec, plan: MeshPlanInput) => boolean;
	/** Clusters whose facts are missing are skipped unless this is set (reachability itself). */
	needsReachable?: false;
	claim: (input: ClusterInput) => string;
	hint: string | ((input: ClusterInput) => string);
	evaluate: (input: ClusterInput & {facts: ClusterFacts}) => Verdict;
}

export interface MeshCheck extends CheckBase {
	scope: 'mesh';
	claim: (input: MeshInput) => string;
	hint: string | ((input: MeshInput) => string);
	evaluate: (input: MeshInput) => Verdict;
}

export type Check = ClusterCheck | MeshCheck;

// ---------- helpers ----------

const DOCS = {
	beforeYouBegin: 'https://istio.io/latest/docs/setup/install/multicluster/before-you-begin/',
	pluginCa: 'https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/',
	troubleshooting: 'https://istio.io/latest/docs/ops/diagnostic-tools/multicluster/',
	verify: 'https://istio.io/latest/docs/setup/install/multicluster/verify/',
} as const;

const INSTALL_DOC: Record<Topology, string> = {
	'primary-remote': 'https://istio.io/latest/docs/setup/install/multicluster/primary-remote/',
	'multi-network': 'https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/',
	'primary-remote-multi-network': 'https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/',
};
const installDoc = (plan: MeshPlanInput) => INSTALL_DOC[plan.topology];

const ALL: readonly Topology[] = ['primary-remote', 'multi-network', 'primary-remote-multi-network'];
const MULTI_NETWORK: readonly Topology[] = ['multi-network', 'primary-remote-multi-network'];
const PRIMARY_REMOTE: readonly Topology[] = ['primary-remote', 'primary-remote-multi-network'];

export const MIN_KUBERNETES_MINOR = 32;

const pass = (reason?: string): Verdict => (reason ? {status: 'pass', reason} : {status: 'pass'});
const fail = (reason: string): Verdict => ({status: 'fail', reason});
const warn = (reason: string): Verdict => ({status: 'warn', reason});
const skip = (reason: string): Verdict => ({status: 'skip', reason});

const isPrimary = (c: ClusterSpec) => c.role === 'primary';
const isRemote = (c: ClusterSpec) => c.role === 'remote';
/** Clusters that get an east-west gateway: every cluster of a multi-network plan, the primary otherwise. */
export function needsGateway(cluster: ClusterSpec, plan: MeshPlanInput): boolean {
	return TOPOLOGY_INFO[plan.topology].multiNetwork || isPrimary(cluster);
}
const primaryOf = (plan: MeshPlanInput) => plan.clusters.find(isPrimary);
const revisionText = (plan: MeshPlanInput) => (normalRevision(plan.revision) ? `revision ${normalRevision(plan.revision)}` : 'the default revision');
const istiodName = (plan: MeshPlanInput) => (normalRevision(plan.revision) ? `istiod-${normalRevision(plan.revision)}` : 'istiod');

function sameRevision(a: string | undefined, b: string | undefined): boolean {
	return (normalRevision(a) ?? 'default') === (normalRevision(b) ?? 'default');
}

function plannedIstiod(facts: ClusterFacts, plan: MeshPlanInput): IstiodInfo | undefined | 'not-collected' {
	if (!facts.istiod) return 'not-collected';
	return facts.istiod.find(i => sameRevision(i.revision, plan.revision));
}

/** The one gateway judgement (core/gateway.ts) over the collected gateway objects; who installed it is the engine's concern. */
function gatewayOf(facts: ClusterFacts, plan: MeshPlanInput, cluster: ClusterSpec): GatewayReason[] {
	const g = facts.gateway;
	return planReasons(gatewayReasons(g?.deployment ?? undefined, g?.service ?? undefined, {network: cluster.network, ...(plan.revision ? {revision: plan.revision} : {})}));
}

/** Host of an API server URL, or undefined when it is not a URL. */
export function urlHost(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		return new URL(url).hostname;
	} catch {
		return undefined;
	}
}

/** The API server URL a peer's remote secret must carry: the plan's override, else the peer's kubeconfig server. */
function peerServer(peer: ClusterSpec, factsOf: ClusterInput['factsOf']): string | undefined {
	return peer.apiServer ?? factsOf(peer.name)?.apiServer;
}

/**
 * Whether an advertised API server address is worth suggesting over a loopback kubeconfig server: not the
 * same host, and not the one address every machine has (an API server advertises its node address).
 */
function suggestion(advertised: string | undefined, kubeconfigHost: string | undefined): string | undefined {
	const host = urlHost(advertised)?.replace(/^\[|\]$/g, '');
	if (!advertised || !host || host === kubeconfigHost?.replace(/^\[|\]$/g, '')) return undefined;
	return ['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(host) ? undefined : advertised;
}

const CREDENTIAL_FAILS: ReadonlySet<CredentialVerdict['kind']> = new Set(['unauthorized', 'forbidden', 'invalid']);

/** The primary's gateway address as its facts show it, for a remote's istiod endpoints. */
function primaryAddress(input: ClusterInput) {
	const primary = controllingPrimary(input.plan, input.cluster);
	const svc = primary ? input.factsOf(primary.name)?.gateway?.service : undefined;
	const state = svc ? serviceAddress(svc) : undefined;
	return state?.state === 'ready' ? state.address : undefined;
}

/** The one remote judgement (core/remote.ts) over a remote's facts, limited to some fields. */
function remoteWiring(input: ClusterInput & {facts: ClusterFacts}, fields: readonly RemoteField[]) {
	const primary = controllingPrimary(input.plan, input.cluster)?.name ?? '';
	const address = primaryAddress(input);
	const reasons = remoteReasons(input.facts.remote!, {
		cluster: input.cluster.name,
		network: input.cluster.network,
		primary,
		...(input.plan.revision ? {revision: input.plan.revision} : {}),
		...(address ? {address} : {}),
	});
	return {reasons: reasons.filter(r => fields.includes(r.field)), address};
}

/** Kubernetes version from a gitVersion like v1.35.4-eks-abc; undefined when unreadable. */
export function kubernetesMinor(gitVersion: string | undefined): {major: number; minor: number} | undefined {
	const m = /^v?(\d+)\.(\d+)/.exec(gitVersion ?? '');
	return m ? {major: Number(m[1]), minor: Number(m[2])} : undefined;
}

/** True for 127.0.0.0/8, ::1, localhost and 0.0.0.0: addresses only the local machine can use. */
export function isLoopbackHost(host: string): boolean {
	const h = host.replace(/^\[|\]$/g, '').toLowerCase();
	return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0.0.0.0' || h === '::' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Permissions the plan needs on a cluster (SelfSubjectAccessReview). The collector asks for exactly these. */
export function requiredPermissions(cluster: ClusterSpec, plan: MeshPlanInput): Array<Omit<PermissionFact, 'allowed'>> {
	const ns = 'istio-system';
	const list: Array<Omit<PermissionFact, 'allowed'>> = [{verb: 'get', group: '', resource: 'secrets', namespace: ns}];
	const info = TOPOLOGY_INFO[plan.topology];
	if (info.multiNetwork) {
		list.push({verb: 'create', group: '', resource: 'namespaces'}, {verb: 'patch', group: '', resource: 'namespaces'});
	}
	if (needsGateway(cluster, plan)) {
		list.push(
			{verb: 'create', group: 'apps', resource: 'deployments', namespace: ns},
			{verb: 'create', group: '', resource: 'services', namespace: ns},
			{verb: 'create', group: '', resource: 'serviceaccounts', namespace: ns},
			{verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: ns},
			{verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: ns},
			{verb: 'create', group: 'policy', resource: 'poddisruptionbudgets', namespace: ns},
			{verb: 'create', group: 'autoscaling', resource: 'horizontalpodautoscalers', namespace: ns},
		);
	}
	const exposes = isPrimary(cluster) && (info.primaryRemote || info.multiNetwork);
	if (exposes) list.push({verb: 'create', group: 'networking.istio.io', resource: 'gateways', namespace: ns});
	if (isPrimary(cluster) && info.primaryRemote) list.push({verb: 'create', group: 'networking.istio.io', resource: 'virtualservices', namespace: ns});
	return list;
}

export function formatPermission(p: Omit<PermissionFact, 'allowed'>): string {
	const resource = p.group ? `${p.resource}.${p.group}` : p.resource;
	return `${p.verb} ${resource}${p.namespace ? ` in ${p.namespace}` : ''}`;
}

function asRecord(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
function asArray(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

/** Servers of an Istio Gateway as {port number, tls mode, hosts}. */
function gatewayServers(gw: Record<string, unknown>): Array<{port?: number; mode?: string; hosts: string[]}> {
	return asArray(asRecord(gw.spec).servers).map(s => {
		const server = asRecord(s);
		return {
			port: asRecord(server.port).number as number | undefined,
			mode: asRecord(server.tls).mode as string | undefined,
			hosts: asArray(server.hosts).filter((h): h is string => typeof h === 'string'),
		};
	});
}

function selectsEastWest(gw: Record<string, unknown>): boolean {
	return asRecord(asRecord(gw.spec).selector).istio === 'eastwestgateway';
}

// ---------- the catalogue ----------

export const CHECKS: readonly Check[] = [
	// ----- preflight, per cluster -----
	{
		id: 'cluster-reachable',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		needsReachable: false,
		doc: DOCS.beforeYouBegin,
		claim: ({cluster}) => `context ${cluster.context} is reachable and runs Kubernetes ≥ 1.${MIN_KUBERNETES_MINOR}`,
		hint: ({cluster}) => `check the context with 'kubectl --context ${cluster.context} version'; fix credentials or network access to the API server`,
		evaluate: ({facts}) => {
			if (!facts.reachable) return fail(facts.error ?? 'the API server did not answer');
			const v = kubernetesMinor(facts.serverVersion);
			if (!v) return warn(`server version "${facts.serverVersion ?? ''}" is unreadable`);
			if (v.major === 1 && v.minor < MIN_KUBERNETES_MINOR) return warn(`Kubernetes ${facts.serverVersion} is older than 1.${MIN_KUBERNETES_MINOR}, the oldest current Istio supports`);
			return pass(`Kubernetes ${facts.serverVersion}`);
		},
	},
	{
		id: 'permissions',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		doc: DOCS.beforeYouBegin,
		claim: ({cluster}) => `the user of context ${cluster.context} may do what the plan needs here`,
		hint: ({cluster}) => `ask for these permissions or use a context with cluster-admin; 'kubectl --context ${cluster.context} auth can-i --list -n istio-system' shows what you have`,
		evaluate: ({facts, cluster, plan}) => {
			if (!facts.permissions) return skip('permissions were not checked');
			const missing = requiredPermissions(cluster, plan).filter(req => {
				const got = facts.permissions!.find(p => p.verb === req.verb && p.group === req.group && p.resource === req.resource && p.namespace === req.namespace);
				return !got?.allowed;
			});
			return missing.length === 0 ? pass() : fail(`not allowed to ${missing.map(formatPermission).join(', ')}`);
		},
	},
	{
		id: 'network-label',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		doc: installDoc,
		claim: ({cluster}) => `istio-system carries no ${NETWORK_LABEL} label, or ${cluster.network}`,
		hint: ({cluster, plan}) =>
			TOPOLOGY_INFO[plan.topology].multiNetwork
				? `the network label decides which gateway reaches this cluster; if ${cluster.network} is right, rerun with --force to relabel, otherwise use the existing network in the plan`
				: `eastwest does not relabel in ${plan.topology}; put the existing network in the plan, or relabel with 'kubectl --context ${cluster.context} label namespace istio-system ${NETWORK_LABEL}=${cluster.network} --overwrite'`,
		evaluate: ({facts, cluster}) => {
			if (!facts.namespace) return skip('namespace istio-system was not read');
			if (!facts.namespace.present) return pass('istio-system does not exist yet');
			const label = facts.namespace.labels[NETWORK_LABEL];
			if (label === undefined) return pass('no network label yet');
			return label === cluster.network ? pass() : fail(`istio-system is labeled ${NETWORK_LABEL}=${label}, the plan says ${cluster.network}`);
		},
	},
	{
		id: 'remote-control-plane-annotation',
		scope: 'cluster',
		level: 'warn',
		phases: ['preflight'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: installDoc,
		claim: ({plan}) => `istio-system names ${primaryOf(plan)?.name ?? '<primary>'} in topology.istio.io/controlPlaneClusters, or eastwest may set it`,
		hint: ({plan}) => `another primary controls this cluster: apply refuses to change the annotation unless --force hands it to ${primaryOf(plan)?.name ?? '<primary>'}`,
		evaluate: ({facts, plan}) => {
			if (!facts.namespace) return skip('namespace istio-system was not read');
			const primary = primaryOf(plan)?.name ?? '';
			const value = facts.namespace.annotations['topology.istio.io/controlPlaneClusters'];
			if (value === undefined) return pass('not set yet: apply sets it (annotate-remote)');
			return controlPlaneIncludes(value, primary) ? pass() : warn(`it names ${value}, not ${primary}`);
		},
	},
	{
		id: 'remote-no-local-istiod',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: DOCS.troubleshooting,
		claim: () => 'no istiod of its own runs on this remote',
		hint: ({plan, cluster}) =>
			`a cluster with its own istiod is a primary, and eastwest never installs the remote profile over a control plane: make ${cluster.name} a primary in the plan, or uninstall its istiod so ${primaryOf(plan)?.name ?? 'the primary'} serves it`,
		evaluate: ({facts}) => {
			if (!facts.istiod) return skip('istiod Deployments were not listed');
			return facts.istiod.length === 0 ? pass() : fail(`it runs its own control plane (Deployment ${facts.istiod.map(i => i.name).join(', ')})`);
		},
	},
	{
		id: 'istiod-present',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: ({plan}) => `istiod for ${revisionText(plan)} is installed and ready`,
		hint: ({plan}) => `install the control plane first (istioctl install with meshID, clusterName and network as planned${normalRevision(plan.revision) ? `, --revision ${normalRevision(plan.revision)}` : ''})`,
		evaluate: ({facts, plan}) => {
			const istiod = plannedIstiod(facts, plan);
			if (istiod === 'not-collected') return skip('istiod Deployments were not listed');
			if (!istiod) {
				const others = facts.istiod!.map(i => `${i.name} (${i.revision ?? 'default'})`);
				return fail(`no ${istiodName(plan)} Deployment in istio-system${others.length ? `; found ${others.join(', ')}` : ''}`);
			}
			return istiod.ready ? pass(istiod.name) : warn(`${istiod.name} is not ready`);
		},
	},
	{
		id: 'istiod-cluster-id',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		appliesTo: isPrimary,
		doc: DOCS.troubleshooting,
		claim: ({cluster}) => `istiod runs with CLUSTER_ID=${cluster.name}`,
		hint: ({cluster}) => `reinstall the control plane with values.global.multiCluster.clusterName=${cluster.name}, or use its cluster name in the plan`,
		evaluate: ({facts, plan, cluster}) => {
			const istiod = plannedIstiod(facts, plan);
			if (istiod === 'not-collected' || !istiod) return skip(`no ${istiodName(plan)} to read`);
			if (istiod.clusterId === undefined || istiod.clusterId === 'Kubernetes') {
				return fail(`CLUSTER_ID is ${istiod.clusterId ?? 'unset'} (Istio's single-cluster default), which breaks multicluster`);
			}
			return istiod.clusterId === cluster.name ? pass() : fail(`CLUSTER_ID is ${istiod.clusterId}, the plan says ${cluster.name}`);
		},
	},
	{
		id: 'istiod-external',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: () => 'istiod runs with EXTERNAL_ISTIOD=true (it serves remote clusters)',
		hint: () => 'reinstall the primary with values.pilot.env.EXTERNAL_ISTIOD=true (the primary-remote install page shows it)',
		evaluate: ({facts, plan}) => {
			const istiod = plannedIstiod(facts, plan);
			if (istiod === 'not-collected' || !istiod) return skip(`no ${istiodName(plan)} to read`);
			return istiod.externalIstiod ? pass() : fail('EXTERNAL_ISTIOD is not true');
		},
	},
	{
		id: 'injector-values',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: ({plan, cluster}) => `the control plane was installed with meshID ${plan.meshId}, network ${cluster.network} and clusterName ${cluster.name}`,
		hint: () => 'install values and plan must agree: reinstall the control plane with the planned values, or change the plan to match the cluster',
		evaluate: ({facts, plan, cluster}) => {
			if (!facts.injectors) return skip('the sidecar injector values were not read');
			const values = facts.injectors.find(i => sameRevision(i.revision, plan.revision));
			if (!values) return skip(`no istio-sidecar-injector ConfigMap for ${revisionText(plan)}`);
			const wrong: string[] = [];
			if (values.meshId !== plan.meshId) wrong.push(`meshID is ${values.meshId ?? 'unset'}`);
			if (values.network !== cluster.network) wrong.push(`network is ${values.network || 'unset'}`);
			if (values.clusterName !== cluster.name) wrong.push(`clusterName is ${values.clusterName ?? 'unset'}`);
			return wrong.length === 0 ? pass() : fail(wrong.join(', '));
		},
	},
	{
		id: 'plugged-in-ca',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		doc: DOCS.pluginCa,
		claim: () => 'secret istio-system/cacerts holds ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem',
		hint: () => 'plug in intermediates of one shared root: eastwest ca create --out DIR once, then eastwest apply --ca DIR --restart-istiod',
		evaluate: ({facts, plan}) => {
			if (!facts.cacerts) return skip('secret cacerts was not read');
			if (!facts.cacerts.present && plan.caDir !== undefined) return pass(`no cacerts yet: the run plugs in an intermediate of the root in ${plan.caDir}`);
			if (!facts.cacerts.present) {
				if (facts.istioCaSecret) return warn("no cacerts: istiod runs Istio's self-signed CA (istio-ca-secret), which other clusters will not trust");
				return warn('no cacerts: istiod will create its own self-signed root, which other clusters will not trust');
			}
			const missing = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'].filter(k => !facts.cacerts!.keys.includes(k));
			return missing.length === 0 ? pass() : fail(`cacerts lacks ${missing.join(', ')}`);
		},
	},
	{
		id: 'api-server-address',
		scope: 'cluster',
		level: 'warn',
		phases: ['preflight'],
		topologies: ALL,
		// Primaries read the API servers of remotes (primary-remote) or of each other (multi-primary).
		appliesTo: (cluster, plan) => TOPOLOGY_INFO[plan.topology].primaryRemote ? isRemote(cluster) : true,
		doc: DOCS.troubleshooting,
		claim: () => 'the API server address written into remote secrets is one other clusters can use',
		hint: ({cluster, facts}) => {
			const advertised = suggestion(facts?.advertisedApiServer, facts?.apiServerHost);
			if (advertised) {
				return `this cluster advertises ${advertised} to its own pods (kind, k3d and minikube clusters on one container network reach each other there): pass --api-server ${cluster.context}=${advertised}`;
			}
			return `istiod in another cluster must reach this API server: pass --api-server ${cluster.context}=https://HOST:PORT with an address it can reach (eastwest hands it to istioctl create-remote-secret --server)`;
		},
		evaluate: ({facts, cluster}) => {
			if (cluster.apiServer !== undefined) {
				const host = urlHost(cluster.apiServer);
				if (host === undefined) return warn(`--api-server ${cluster.apiServer} is not a URL`);
				return isLoopbackHost(host) ? warn(`--api-server ${cluster.apiServer} is a loopback address`) : pass(`${cluster.apiServer} (--api-server)`);
			}
			if (facts.apiServerHost === undefined) return skip('the kubeconfig has no server for this context');
			if (!isLoopbackHost(facts.apiServerHost)) return pass(facts.apiServerHost);
			const advertised = suggestion(facts.advertisedApiServer, facts.apiServerHost);
			return warn(`the kubeconfig's server is ${facts.apiServerHost}, a loopback address no other cluster can use${advertised ? `; the cluster advertises ${advertised}` : ''}`);
		},
	},
	{
		id: 'load-balancer-support',
		scope: 'cluster',
		level: 'info',
		phases: ['preflight'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: DOCS.beforeYouBegin,
		claim: () => 'LoadBalancer Services get an external address here',
		hint: () => 'without a LoadBalancer controller the gateway stays <pending>: install one (MetalLB on kind or bare metal) or plan to set spec.externalIPs',
		evaluate: ({facts}) => {
			if (!facts.loadBalancer) return skip('Services were not listed');
			const {services, withAddress} = facts.loadBalancer;
			if (withAddress > 0) return pass(`${withAddress} of ${services} LoadBalancer Services have an address`);
			if (services > 0) return warn(`${services} LoadBalancer Service${services > 1 ? 's have' : ' has'} no address yet`);
			return warn('no LoadBalancer Service exists yet, so support is unknown');
		},
	},

	// ----- post-install, per cluster -----
	{
		id: 'gateway-rolled-out',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: DOCS.troubleshooting,
		claim: () => `Deployment istio-system/${GATEWAY_NAME} is rolled out`,
		hint: ({cluster}) => `kubectl --context ${cluster.context} -n istio-system describe pods -l app=${GATEWAY_NAME}`,
		evaluate: ({facts, plan}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			if (!facts.gateway.deployment) return fail('the Deployment does not exist');
			const state = rolloutStatus({...facts.gateway.deployment, metadata: {...facts.gateway.deployment.metadata, name: GATEWAY_NAME}});
			if (state.state === 'done') return pass(state.message);
			const problem = podProblems(facts.gateway.pods, normalRevision(plan.revision))[0];
			return fail(problem ? `${state.message}; ${problem.pod}: ${problem.reason}: ${problem.message}` : state.message);
		},
	},
	{
		id: 'gateway-labels',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: installDoc,
		claim: ({cluster}) => `gateway pods are labeled for network ${cluster.network} and ask for its network view`,
		hint: () => 'reinstall the gateway with eastwest (the rendered IstioOperator sets these labels and env)',
		evaluate: ({facts, plan, cluster}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			const d = facts.gateway.deployment;
			if (!d) return skip('the Deployment does not exist');
			const wrong = gatewayOf(facts, plan, cluster)
				.filter(r => r.object === 'Deployment')
				.map(r => `${r.field.startsWith('pod-label:') ? 'label ' : ''}${r.field.slice(r.field.indexOf(':') + 1)} is ${r.have ?? 'missing'} (want ${r.want})`);
			return wrong.length === 0 ? pass() : fail(wrong.join('; '));
		},
	},
	{
		id: 'gateway-service',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: DOCS.troubleshooting,
		claim: ({cluster}) => `Service istio-system/${GATEWAY_NAME} is a LoadBalancer with ports 15021, 15443, 15012, 15017 and label ${NETWORK_LABEL}=${cluster.network}`,
		hint: () => 'without the network label istiod does not treat the Service as a network gateway; reinstall the gateway with eastwest',
		evaluate: ({facts, plan, cluster}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			const svc = facts.gateway.service;
			if (!svc) return fail('the Service does not exist');
			const reasons = gatewayOf(facts, plan, cluster).filter(r => r.object === 'Service');
			const wrong: string[] = [];
			const ports = reasons.filter(r => r.field.startsWith('port:')).map(r => `${r.want}${r.have ? ` (have ${r.have})` : ''}`);
			if (ports.length > 0) wrong.push(`ports missing: ${ports.join(', ')}`);
			const label = reasons.find(r => r.field.startsWith('service-label:'));
			if (label) wrong.push(`label ${NETWORK_LABEL} is ${label.have ?? 'missing'}`);
			const type = svc.spec?.type ?? 'ClusterIP';
			if (reasons.some(r => r.field === 'service-type')) wrong.push(`type is ${type}, which gets no external address`);
			if (wrong.length > 0) return fail(wrong.join('; '));
			// externalIPs serve the plan too; the check only cautions that they bypass the LoadBalancer.
			return type === 'LoadBalancer' ? pass() : warn(`type ${type} with externalIPs`);
		},
	},
	{
		id: 'gateway-address',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: DOCS.troubleshooting,
		claim: () => 'the gateway has an external IP address',
		hint: ({facts}) => {
			const svc = facts?.gateway?.service;
			const state = svc ? serviceAddress(svc) : undefined;
			return state?.state === 'pending'
				? state.hint
				: 'a hostname works only where istiod resolves gateway hostnames (RESOLVE_HOSTNAME_GATEWAYS); a primary-remote primary needs an IP for remotePilotAddress';
		},
		evaluate: ({facts}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			if (!facts.gateway.service) return skip('the Service does not exist');
			const state = serviceAddress(facts.gateway.service);
			if (state.state === 'pending') return fail(state.reason);
			if (state.address.kind === 'hostname') return warn(`the address is a hostname, ${state.address.value}`);
			return pass(state.address.value);
		},
	},
	{
		id: 'istiod-exposed',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: ({plan}) => `Gateway ${ISTIOD_GATEWAY_NAME} passes 15012 and 15017 through and VirtualService ${istiodVirtualServiceName(plan.revision)} routes them to ${istiodName(plan)}`,
		hint: () => 'rerun eastwest apply to expose istiod; remotes cannot reach the control plane without it',
		evaluate: ({facts, plan}) => {
			if (!facts.expose) return skip('expose resources were not read');
			const {istiodGateway, istiodVirtualService} = facts.expose;
			const wrong: string[] = [];
			if (!istiodGateway) wrong.push(`Gateway ${ISTIOD_GATEWAY_NAME} is missing`);
			else {
				const servers = gatewayServers(istiodGateway);
				for (const port of [15012, 15017]) {
					if (!servers.some(s => s.port === port && s.mode === 'PASSTHROUGH')) wrong.push(`no PASSTHROUGH server on ${port}`);
				}
				if (!selectsEastWest(istiodGateway)) wrong.push('it does not select istio=eastwestgateway');
			}
			if (!istiodVirtualService) wrong.push(`VirtualService ${istiodVirtualServiceName(plan.revision)} is missing`);
			return wrong.length === 0 ? pass() : fail(wrong.join('; '));
		},
	},
	{
		id: 'services-exposed',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: MULTI_NETWORK,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: () => `Gateway ${CROSS_NETWORK_GATEWAY_NAME} passes *.local on 15443 with AUTO_PASSTHROUGH`,
		hint: () => 'rerun eastwest apply to expose services; other networks reach this cluster only through it',
		evaluate: ({facts}) => {
			if (!facts.expose) return skip('expose resources were not read');
			const gw = facts.expose.crossNetworkGateway;
			if (!gw) return fail(`Gateway ${CROSS_NETWORK_GATEWAY_NAME} is missing`);
			const ok = gatewayServers(gw).some(s => s.port === 15443 && s.mode === 'AUTO_PASSTHROUGH' && s.hosts.includes('*.local'));
			if (!ok) return fail('it has no server for *.local on 15443 with AUTO_PASSTHROUGH');
			return selectsEastWest(gw) ? pass() : fail('it does not select istio=eastwestgateway');
		},
	},
	{
		id: 'remote-secrets',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: (cluster, plan) => readPeers(plan, cluster).length > 0,
		doc: installDoc,
		claim: ({plan, cluster}) =>
			`istio-system holds a remote secret for ${readPeers(plan, cluster).map(p => p.name).join(', ')}, labelled ${MULTICLUSTER_LABEL}=true, annotated ${CLUSTER_ANNOTATION} and keyed by the cluster name`,
		hint: ({plan, cluster}) => {
			const peer = readPeers(plan, cluster)[0];
			return `eastwest apply creates them; by hand: istioctl create-remote-secret --context ${peer?.context ?? 'PEER'} --name ${peer?.name ?? 'PEER_NAME'} | kubectl --context ${cluster.context} apply -f - (--name must be the peer's cluster name, or istiod cannot authenticate to it)`;
		},
		evaluate: ({facts, plan, cluster, factsOf}) => {
			const secrets = facts.remoteSecrets;
			if (!secrets) return skip('remote secrets were not read');
			const problems: string[] = [];
			for (const peer of readPeers(plan, cluster)) {
				const name = remoteSecretName(peer.name);
				const server = peerServer(peer, factsOf);
				const found = secrets.byPeer[peer.name]?.secret;
				if (!found) {
					// The #1 mistake: the secret exists under another --name.
					const stray = server ? secrets.listed.find(s => s.entries.some(e => e.server === server)) : undefined;
					const key = stray?.entries.find(e => e.server === server)?.cluster;
					problems.push(
						stray
							? `no Secret ${name}; ${stray.name} opens ${server} under key ${key}, but istiod knows that cluster as ${peer.name}: the key must equal the peer's cluster name`
							: `no Secret ${name} for ${peer.name}`,
					);
					continue;
				}
				const reasons = remoteSecretReasons(found, {peer: peer.name, ...(server ? {server} : {})});
				if (reasons.length > 0) problems.push(`${name}: ${reasons.join('; ')}`);
			}
			return problems.length === 0 ? pass() : fail(problems.join('; '));
		},
	},
	{
		id: 'remote-secret-credentials',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: (cluster, plan) => readPeers(plan, cluster).length > 0,
		doc: DOCS.troubleshooting,
		claim: ({plan, cluster}) => `each remote secret's identity may list and watch services, endpointslices, pods, nodes and namespaces on ${readPeers(plan, cluster).map(p => p.name).join(', ')}`,
		hint: ({facts, plan, cluster}) => {
			const verdicts = readPeers(plan, cluster).flatMap(p => {
				const v = facts?.remoteSecrets?.byPeer[p.name]?.credentials;
				return v ? [v] : [];
			});
			const failed = verdicts.find(v => CREDENTIAL_FAILS.has(v.kind));
			if (failed) return failed.hint ?? 'run eastwest apply again: it recreates the secret with a token of the istio-reader service account';
			return (
				verdicts.find(v => v.kind !== 'ok')?.hint ??
				`check that the secret's server answers from inside ${cluster.name}'s network (istiod dials it from there); pass --api-server CONTEXT=URL to write another address`
			);
		},
		evaluate: ({facts, plan, cluster}) => {
			const secrets = facts.remoteSecrets;
			if (!secrets) return skip('remote secrets were not read');
			const failed: string[] = [];
			const unknown: string[] = [];
			let verified = 0;
			for (const peer of readPeers(plan, cluster)) {
				const v = secrets.byPeer[peer.name]?.credentials;
				if (!v) continue;
				verified += 1;
				if (CREDENTIAL_FAILS.has(v.kind)) failed.push(v.message);
				else if (v.kind !== 'ok') unknown.push(v.message);
			}
			if (verified === 0) return skip('no remote secret to verify');
			if (failed.length > 0) return fail([...failed, ...unknown].join('; '));
			if (unknown.length > 0) return warn(`${unknown.join('; ')}: this machine cannot tell, istiod inside the cluster may still reach it`);
			return pass();
		},
	},
	{
		id: 'remote-controlled-by-primary',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: installDoc,
		claim: ({plan}) => `istio-system names ${primaryOf(plan)?.name ?? 'the primary'} in ${CONTROL_PLANE_ANNOTATION}`,
		hint: ({plan, cluster}) => `run eastwest apply, or kubectl --context ${cluster.context} annotate namespace istio-system ${CONTROL_PLANE_ANNOTATION}=${primaryOf(plan)?.name ?? '<primary>'}`,
		evaluate: input => {
			if (!input.facts.remote) return skip("the remote's wiring was not read");
			const {reasons} = remoteWiring(input, ['annotation']);
			return reasons.length === 0 ? pass(input.facts.remote.controlPlaneClusters) : fail(reasons.map(r => r.text).join('; '));
		},
	},
	{
		id: 'remote-istiod-endpoints',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: installDoc,
		claim: ({plan}) => `Service and EndpointSlice istio-system/${remoteIstiodServiceName(plan.revision)} point at ${primaryOf(plan)?.name ?? 'the primary'}'s gateway address on 15012 and 15017`,
		hint: ({plan}) => `run eastwest apply: it installs the remote profile with remotePilotAddress set to ${primaryOf(plan)?.name ?? 'the primary'}'s east-west gateway address`,
		evaluate: input => {
			if (!input.facts.remote) return skip("the remote's wiring was not read");
			const {reasons, address} = remoteWiring(input, ['service', 'endpoints']);
			if (reasons.length > 0) return fail(reasons.map(r => r.text).join('; '));
			if (!address) return skip(`${primaryOf(input.plan)?.name ?? 'the primary'}'s gateway address is unknown, so the endpoints were not compared`);
			return pass(address.value);
		},
	},
	{
		id: 'remote-injector-webhook',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: PRIMARY_REMOTE,
		appliesTo: isRemote,
		doc: installDoc,
		claim: ({plan, cluster}) => `MutatingWebhookConfiguration ${injectorWebhookName(plan.revision)} calls ${injectionPath(cluster.name, cluster.network)} and has a caBundle`,
		hint: ({plan}) =>
			`run eastwest apply to install the remote profile with this injection path; the caBundle is patched by ${primaryOf(plan)?.name ?? 'the primary'}'s istiod once it reads this cluster (its remote secret) — without it pod creation fails with x509: certificate signed by unknown authority`,
		evaluate: input => {
			if (!input.facts.remote) return skip("the remote's wiring was not read");
			const {reasons} = remoteWiring(input, ['webhook-path', 'webhook-ca']);
			const path = reasons.filter(r => r.field === 'webhook-path');
			if (path.length > 0) return fail(path.map(r => r.text).join('; '));
			// Patched asynchronously by the primary: a warning while it may still be coming.
			return reasons.length > 0 ? warn(reasons.map(r => r.text).join('; ')) : pass();
		},
	},
	{
		id: 'namespace-network',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: MULTI_NETWORK,
		doc: installDoc,
		claim: ({cluster}) => `istio-system carries network label ${cluster.network}`,
		hint: ({cluster}) => `kubectl --context ${cluster.context} label namespace istio-system ${NETWORK_LABEL}=${cluster.network} --overwrite`,
		evaluate: ({facts, cluster}) => {
			if (!facts.namespace) return skip('namespace istio-system was not read');
			if (!facts.namespace.present) return fail('istio-system does not exist');
			const label = facts.namespace.labels[NETWORK_LABEL];
			return label === cluster.network ? pass() : fail(`the label is ${label ?? 'missing'}`);
		},
	},

	// ----- across the mesh -----
	{
		id: 'plan-valid',
		scope: 'mesh',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		doc: DOCS.beforeYouBegin,
		claim: () => 'cluster names, networks and revision are valid DNS-1123 labels and the plan fits its topology',
		hint: () => 'fix the plan: names and networks use lowercase letters, digits and -, at most 63 characters',
		evaluate: ({plan}) => {
			const problems = validatePlan(plan);
			return problems.length === 0 ? pass() : fail(problems.map(p => `${p.path}: ${p.message}`).join('; '));
		},
	},
	{
		id: 'distinct-networks',
		scope: 'mesh',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: MULTI_NETWORK,
		doc: installDoc,
		claim: ({plan}) =>
			plan.topology === 'primary-remote-multi-network' ? "every remote is on a network other than the primary's" : 'the clusters span at least two networks',
		hint: () => 'give clusters that cannot route pod to pod different network IDs; an existing label already in use elsewhere misroutes traffic',
		evaluate: ({plan}) => {
			const networks = plan.clusters.map(c => c.network);
			if (plan.topology === 'primary-remote-multi-network') {
				const primary = primaryOf(plan);
				const same = plan.clusters.filter(c => isRemote(c) && c.network === primary?.network);
				if (same.length > 0) return fail(`${same.map(c => c.name).join(', ')} share${same.length === 1 ? 's' : ''} network ${primary?.network} with the primary`);
			}
			if (new Set(networks).size < 2) return fail(`all clusters are on ${networks[0] ?? '?'}`);
			return pass(`networks ${[...new Set(networks)].join(', ')}`);
		},
	},
	{
		id: 'shared-root-ca',
		scope: 'mesh',
		level: 'fail',
		phases: ['preflight'],
		topologies: ALL,
		doc: DOCS.pluginCa,
		claim: () => 'every cluster plugs in the same root certificate (cacerts root-cert.pem)',
		hint: () => 'generate every cluster\'s cacerts from one root CA, then restart istiod; clusters with different roots reject each other\'s mTLS (CERTIFICATE_VERIFY_FAILED)',
		// By certificate fingerprint where the collector could parse it (the same root however its PEM is wrapped).
		evaluate: ({facts}) => mustBeEqual(facts, f => f.caBundle?.rootFingerprint ?? f.cacerts?.rootCertSha256, 'root certificate', 'have cacerts with a root certificate'),
	},
	{
		id: 'trust-domain',
		scope: 'mesh',
		level: 'warn',
		phases: ['preflight'],
		topologies: ALL,
		doc: DOCS.troubleshooting,
		claim: () => 'every cluster uses the same trust domain',
		hint: () => 'set meshConfig.trustDomain the same everywhere, or list the others in meshConfig.trustDomainAliases',
		evaluate: ({facts}) => mustBeEqual(facts, f => f.trustDomain, 'trust domain', 'report a trust domain'),
	},
	{
		id: 'root-cert-converged',
		scope: 'mesh',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		doc: DOCS.verify,
		claim: () => 'ConfigMap istio-ca-root-cert holds the same root certificate in every cluster',
		hint: () => 'plug in one root everywhere and restart istiod (eastwest ca create --out DIR, then eastwest apply --ca DIR --restart-istiod); on a remote the ConfigMap appears once the primary manages that cluster',
		// The judgement `eastwest status` shows as its trust line (core/trust.ts), so the two never disagree.
		evaluate: ({facts}) => {
			const trust = judgeMeshTrust(facts.map(f => rootsOf(f.cluster.name, f.facts)));
			if (trust.level === 'unknown') return skip(trust.line);
			if (trust.level === 'pass') return pass();
			return trust.level === 'fail' ? fail(trust.detail ?? trust.line) : warn(trust.detail ?? trust.line);
		},
	},
	// ----- the plugged-in CA's certificates, per cluster -----
	{
		id: 'cacerts-chain',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		doc: DOCS.pluginCa,
		claim: () => "cacerts' intermediate (ca-cert.pem) chains to its root-cert.pem",
		hint: () => 'plug in a bundle issued by the shared root: eastwest apply --ca DIR --force (cert-chain.pem is the intermediate, then the root)',
		evaluate: ({facts}) => {
			const b = caBundleOf(facts);
			if ('skip' in b) return skip(b.skip);
			if (b.problem) return fail(b.problem);
			if (b.chainsToRoot === undefined) return skip('the chain was not judged');
			const names = `${b.intermediateSubject ?? 'ca-cert.pem'} → ${b.rootSubject ?? 'root-cert.pem'}`;
			return b.chainsToRoot ? pass(names) : fail(`ca-cert.pem (${b.intermediateSubject ?? '?'}) is not issued by root-cert.pem (${b.rootSubject ?? '?'})`);
		},
	},
	{
		id: 'cacerts-key',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		doc: DOCS.pluginCa,
		claim: () => "cacerts' ca-key.pem is the key of ca-cert.pem",
		hint: () => 'istiod cannot sign with a key of another certificate: plug in a matching bundle (eastwest apply --ca DIR --force)',
		evaluate: ({facts}) => {
			const b = caBundleOf(facts);
			if ('skip' in b) return skip(b.skip);
			if (b.keyMatches === undefined) return skip(b.problem ?? 'the key was not judged');
			return b.keyMatches ? pass() : fail('ca-key.pem does not belong to ca-cert.pem');
		},
	},
	{
		id: 'cacerts-expiry',
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		doc: DOCS.pluginCa,
		claim: () => `cacerts' intermediate is valid for more than ${CA_EXPIRY_WARN_DAYS} days`,
		hint: () => 'issue a new intermediate from the same root (eastwest apply --ca DIR --force), then restart istiod; workloads renew their certificates from it',
		evaluate: ({facts}) => {
			const b = caBundleOf(facts);
			if ('skip' in b) return skip(b.skip);
			if (!b.intermediateNotAfter) return skip(b.problem ?? 'the intermediate was not read');
			const left = Date.parse(b.intermediateNotAfter) - Date.parse(b.readAt);
			const day = b.intermediateNotAfter.slice(0, 10);
			if (left <= 0) return fail(`ca-cert.pem expired on ${day}: istiod signs nothing new that others accept`);
			const days = Math.floor(left / DAY_MS);
			if (days < CA_EXPIRY_WARN_DAYS) return warn(`ca-cert.pem expires on ${day}, in ${days} day${days === 1 ? '' : 's'}`);
			return pass(`valid until ${day}`);
		},
	},
	// ----- istiod's own view (post-install, per primary) -----
	{
		id: 'istiod-sees-clusters',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: isPrimary,
		doc: DOCS.troubleshooting,
		claim: ({plan, cluster}) => `istiod in ${cluster.name} sees ${peerNames(plan, cluster)}: synced`,
		hint: input => istiodViewHint(input, 'peer'),
		evaluate: ({facts, plan, cluster}) => istiodViewVerdict(facts, plan, cluster, 'peer'),
	},
	{
		id: 'istiod-knows-gateways',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: MULTI_NETWORK,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: ({plan, cluster}) => `istiod in ${cluster.name} knows the gateway of ${[...new Set(plan.clusters.map(c => c.network))].join(', ')}`,
		hint: input => istiodViewHint(input, 'network'),
		evaluate: ({facts, plan, cluster}) => istiodViewVerdict(facts, plan, cluster, 'network'),
	},
];

/** An intermediate expiring sooner than this is a warning. */
export const CA_EXPIRY_WARN_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The cacerts certificate facts, or why the checks over them are skipped. */
function caBundleOf(facts: ClusterFacts): CaBundleFacts | {skip: string} {
	if (!facts.cacerts) return {skip: 'secret cacerts was not read'};
	if (!facts.cacerts.present) return {skip: 'there is no cacerts'};
	return facts.caBundle ?? {skip: "cacerts' certificates were not read"};
}

function peerNames(plan: MeshPlanInput, cluster: ClusterSpec): string {
	const names = plan.clusters.filter(c => c.name !== cluster.name).map(c => c.name);
	return names.length ? names.join(', ') : 'no other cluster';
}

/** istiod's view judged for one kind of item; an istiod that could not be read is a warning, never a failure. */
function istiodViewVerdict(facts: ClusterFacts, plan: MeshPlanInput, cluster: ClusterSpec, kind: 'peer' | 'network'): Verdict {
	if (!facts.istiodView) return skip("istiod's view was not read");
	const items = judgeIstiodView(facts.istiodView, istiodExpectation(plan, cluster));
	const unread = items.find(i => i.kind === 'unread' && i.text === 'not read');
	if (unread) return warn(`could not read istiod's view: ${unread.reason ?? 'no answer'}`);
	const mine = items.filter(i => i.kind === kind);
	if (mine.length === 0) return pass(kind === 'peer' ? 'no other cluster in the plan' : 'no gateway expected');
	const describe = (i: IstiodViewItem) => `${i.subject} ${i.text}${i.reason && i.level !== 'ok' ? ` (${i.reason})` : ''}`;
	const failed = mine.filter(i => i.level === 'fail');
	if (failed.length > 0) return fail(failed.map(describe).join('; '));
	const warned = mine.filter(i => i.level === 'warn');
	if (warned.length > 0) return warn(warned.map(describe).join('; '));
	return pass(mine.map(i => `${i.subject} ${i.text}`).join(', '));
}

function istiodViewHint({facts, plan, cluster}: ClusterInput, kind: 'peer' | 'network'): string {
	const view = facts?.istiodView;
	if (view && !view.read) {
		return view.hint ?? 'eastwest reads istiod\'s view through a port-forward to its monitoring port (15014): check that istiod runs and that you may create pods/portforward in istio-system';
	}
	const items = view ? judgeIstiodView(view, istiodExpectation(plan, cluster)) : [];
	const hints = [...new Set(items.filter(i => i.kind === kind && i.level === 'fail' && i.hint).map(i => i.hint!))];
	if (hints.length > 0) return hints.join('; ');
	return kind === 'peer'
		? 'each other cluster needs a remote secret in this one, with a server address istiod can reach: eastwest apply creates them'
		: "each network's east-west gateway Service needs the label topology.istio.io/network, port 15443 and an external address";
}

/**
 * A cluster's roots as core/trust.ts judges them. The published root is the ConfigMap's certificate, or the
 * sha256 of its text when it was not parsed; the plugged-in root is compared only with a parsed certificate.
 */
function rootsOf(cluster: string, facts: ClusterFacts | undefined): ClusterRoots {
	const reachable = facts?.reachable === true;
	if (!facts) return {cluster, reachable};
	const published: RootIdentity | null | undefined =
		facts.caRootCert !== undefined ? facts.caRootCert : facts.caRootCertSha256 === undefined ? undefined : facts.caRootCertSha256 === null ? null : {fingerprint: facts.caRootCertSha256};
	const comparable = facts.caRootCert !== undefined;
	const root = facts.caBundle?.rootFingerprint;
	const plugged: RootIdentity | null | undefined = !comparable ? undefined : root ? {fingerprint: root, ...(facts.caBundle?.rootSubject ? {subject: facts.caBundle.rootSubject} : {})} : facts.cacerts?.present === false ? null : undefined;
	return {cluster, reachable, published, plugged};
}

function mustBeEqual(
	facts: MeshInput['facts'],
	value: (f: ClusterFacts) => string | undefined,
	what: string,
	needs: string,
): Verdict {
	const known = facts.flatMap(f => (f.facts?.reachable && value(f.facts) !== undefined ? [{name: f.cluster.name, value: value(f.facts)!}] : []));
	if (known.length < 2) return skip(`fewer than two clusters ${needs}`);
	const groups = new Map<string, string[]>();
	for (const k of known) groups.set(k.value, [...(groups.get(k.value) ?? []), k.name]);
	if (groups.size === 1) return pass();
	const short = (v: string) => (/^[0-9a-f]{64}$/.test(v) ? `sha256 ${v.slice(0, 12)}…` : /^[0-9A-F]{2}(?::[0-9A-F]{2}){31}$/.test(v) ? `sha256 ${v.slice(0, 23)}…` : v);
	return fail(`the ${what} differs: ${[...groups].map(([v, names]) => `${names.join(', ')} ${short(v)}`).join(' vs ')}`);
}

// ---------- running ----------

/** The checks of a phase that concern a topology. */
export function checksFor(topology: Topology, phase: CheckPhase): Check[] {
	return CHECKS.filter(c => c.phases.includes(phase) && c.topologies.includes(topology));
}

/** The skip reason of every check an unreachable cluster blocks. */
export const SKIPPED_UNREACHABLE = 'the cluster is unreachable';

const STATUS_OF: Record<CheckLevel, 'fail' | 'warn'> = {fail: 'fail', warn: 'warn', info: 'warn'};

/**
 * Run a phase's checks: per cluster in plan order, then the checks across the mesh.
 * `factsByCluster` is keyed by cluster name (ClusterSpec.name); a missing entry skips that cluster's checks.
 */
export function runChecks(plan: MeshPlanInput, factsByCluster: Readonly<Record<string, ClusterFacts>>, phase: CheckPhase): CheckResult[] {
	const checks = TOPOLOGY_INFO[plan.topology] ? checksFor(plan.topology, phase) : [];
	const results: CheckResult[] = [];
	const doc = (c: Check) => (typeof c.doc === 'function' ? c.doc(plan) : c.doc);
	const finish = (c: Check, base: Pick<CheckResult, 'cluster' | 'context' | 'claim'>, verdict: Verdict, hint: string): CheckResult => {
		// A rule may report a warning below its level, never a failure above it.
		const status: CheckStatus = verdict.status === 'fail' ? STATUS_OF[c.level] : verdict.status;
		const result: CheckResult = {id: c.id, ...base, level: c.level, status};
		if (verdict.reason) result.reason = verdict.reason;
		if (status === 'fail' || status === 'warn') {
			result.hint = hint;
			result.doc = doc(c);
		}
		return result;
	};

	const factsOf = (name: string) => (Object.hasOwn(factsByCluster, name) ? factsByCluster[name] : undefined);
	for (const cluster of plan.clusters) {
		const facts = factsOf(cluster.name);
		for (const c of checks) {
			if (c.scope !== 'cluster') continue;
			if (c.appliesTo && !c.appliesTo(cluster, plan)) continue;
			const input: ClusterInput = {plan, cluster, facts, factsOf};
			const base = {cluster: cluster.name, context: cluster.context, claim: c.claim(input)};
			let verdict: Verdict;
			if (!facts) verdict = skip('no facts were collected for this cluster');
			else if (!facts.reachable && c.needsReachable !== false) verdict = skip(SKIPPED_UNREACHABLE);
			else verdict = c.evaluate({...input, facts});
			results.push(finish(c, base, verdict, typeof c.hint === 'function' ? c.hint(input) : c.hint));
		}
	}
	const meshInput: MeshInput = {plan, facts: plan.clusters.map(cluster => ({cluster, facts: Object.hasOwn(factsByCluster, cluster.name) ? factsByCluster[cluster.name] : undefined}))};
	for (const c of checks) {
		if (c.scope !== 'mesh') continue;
		results.push(finish(c, {claim: c.claim(meshInput)}, c.evaluate(meshInput), typeof c.hint === 'function' ? c.hint(meshInput) : c.hint));
	}
	return results;
}

/** The post-install checks that prove the wiring between clusters (remote secrets, the remotes' control plane). */
export const WIRING_CHECK_IDS: readonly string[] = ['remote-secrets', 'remote-secret-credentials', 'remote-no-local-istiod', 'remote-controlled-by-primary', 'remote-istiod-endpoints', 'remote-injector-webhook'];

/** How the wiring checks among some results went: passed, and how many ran (skips left out). */
export function wiringSummary(results: readonly CheckResult[]): {passed: number; total: number} {
	const wiring = results.filter(r => WIRING_CHECK_IDS.includes(r.id) && r.status !== 'skip');
	return {passed: wiring.filter(r => r.status === 'pass').length, total: wiring.length};
}

export interface CheckSummary {
	pass: number;
	fail: number;
	warn: number;
	skip: number;
}

export function summarize(results: readonly CheckResult[]): CheckSummary {
	const summary: CheckSummary = {pass: 0, fail: 0, warn: 0, skip: 0};
	for (const r of results) summary[r.status] += 1;
	return summary;
}

export interface ResultGroup {
	/** Cluster name, or undefined for the checks across the mesh. */
	cluster?: string;
	title: string;
	/** Results to show one by one, in catalogue order. */
	results: CheckResult[];
	/** Checks skipped because the cluster is unreachable: its reachability failure says it all, so they fold into one count. */
	blocked: number;
}

/** Results grouped as they are shown: each cluster in plan order ("NAME (context CTX)"), then "across the mesh"; empty groups left out. */
export function groupResults(plan: MeshPlanInput, results: readonly CheckResult[]): ResultGroup[] {
	const groups: ResultGroup[] = [];
	const heads = [...plan.clusters.map(c => ({cluster: c.name as string | undefined, title: `${c.name} (context ${c.context})`})), {cluster: undefined, title: 'across the mesh'}];
	for (const head of heads) {
		const mine = results.filter(r => r.cluster === head.cluster);
		if (mine.length === 0) continue;
		const shown = mine.filter(r => !(r.status === 'skip' && r.reason === SKIPPED_UNREACHABLE));
		groups.push({...(head.cluster === undefined ? {} : {cluster: head.cluster}), title: head.title, results: shown, blocked: mine.length - shown.length});
	}
	return groups;
}

/** "2 failed, 1 warning, 14 passed, 0 skipped" */
export function summaryText(s: CheckSummary): string {
	return `${s.fail} failed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.pass} passed, ${s.skip} skipped`;
}
