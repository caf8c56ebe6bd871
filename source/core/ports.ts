/**
 * The seams between layers: what the engine, the commands and the wizard need from the outside world.
 * source/kube/, source/istioctl/ and source/helm/ implement these; tests hand in fakes.
 */
import type {Manifest} from './manifests.js';
import type {Event, RunOutcome} from './events.js';
import type {Plan} from './plan.js';
import type {DeploymentLike, PodLike, ServiceLike} from './rollout.js';
import type {Sealed} from './sealed.js';

// ---------- kubeconfig ----------

export interface ContextInfo {
	name: string;
	cluster: string;
	user: string;
	namespace?: string;
	/** API server URL of the context's cluster. */
	server?: string;
}

export interface KubeconfigInfo {
	/** Files read, in order (kubectl's merge: first current-context and first definition of a name win). */
	files: string[];
	currentContext?: string;
	contexts: ContextInfo[];
	/** Things worth telling the user, e.g. a duplicated context name ignored in a later file. */
	warnings: string[];
}

export interface KubeconfigSource {
	/** --kubeconfig */
	kubeconfig?: string;
	env: NodeJS.ProcessEnv;
}

// ---------- errors ----------

export type KubeErrorKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'timeout' | 'cancelled' | 'other';

/** A cluster error already turned into words a person can act on. */
export interface KubeErrorInfo {
	kind: KubeErrorKind;
	/** One line: what went wrong. */
	message: string;
	/** One line: what to do. */
	hint?: string;
	/** For conflicts: the field manager that owns the conflicting fields. */
	manager?: string;
	httpStatus?: number;
}

// ---------- probes ----------

export interface IstiodInfo {
	/** Deployment name: istiod or istiod-<rev>. */
	name: string;
	/** Revision from the istio.io/rev label; undefined for the default revision. */
	revision?: string;
	/** istiod env CLUSTER_ID. */
	clusterId?: string;
	/** From the injector values (global.meshID) when readable. */
	meshId?: string;
	/** From the injector values (global.network) when readable. */
	network?: string;
	/** istiod env EXTERNAL_ISTIOD=true. */
	externalIstiod?: boolean;
	/** The Helm release that installed it (Helm's release annotations), when Helm did. */
	helmRelease?: {name: string; namespace: string};
	ready: boolean;
}

export interface ProbeResult {
	context: string;
	reachable: boolean;
	/** 'ok', or why requests are refused. Undefined when unreachable. */
	auth?: 'ok' | 'unauthorized' | 'forbidden';
	/** One-line error when not reachable or not authorized. */
	error?: KubeErrorInfo;
	/** gitVersion from /version, e.g. v1.35.4. */
	serverVersion?: string;
	istioNamespace: boolean;
	/** topology.istio.io/network label on istio-system, if any. */
	networkLabel?: string;
	/** The networking.istio.io CRDs eastwest applies (gateways, virtualservices) are present. */
	istioCrds: boolean;
	/**
	 * Which Istio CRDs were found (of gateways.networking.istio.io, virtualservices.networking.istio.io,
	 * istiooperators.install.istio.io); current istioctl releases do not install the IstioOperator CRD.
	 */
	istioCrdNames?: string[];
	istiod: IstiodInfo[];
	/**
	 * When the kubeconfig's server is a loopback address (kind, k3d, minikube): the address the API server
	 * advertises inside its cluster (Service default/kubernetes), a candidate for --api-server.
	 */
	advertisedApiServer?: string;
	/** Time the probe took. */
	elapsedMs: number;
}

// ---------- cluster access ----------

export type ApplyOutcome = 'created' | 'configured' | 'unchanged';

export interface AppliedObject {
	kind: string;
	namespace?: string;
	name: string;
	outcome: ApplyOutcome;
}

export interface ApplyOptions {
	dryRun: boolean;
	/** Take over fields owned by another field manager (server-side apply force). */
	force: boolean;
	signal?: AbortSignal;
}

/** A live view of a set of objects kept current by list+watch (re-list and re-watch when a watch ends). */
export interface WatchHandle {
	stop(): void;
}

export interface WatchUpdate<T> {
	/** Current objects matching the selector. */
	items: T[];
	/** False while the watch is re-connecting after a drop or error. */
	connected: boolean;
	/** Why the watch is not connected, when it is not. */
	error?: KubeErrorInfo;
}

export interface WatchTarget {
	namespace: string;
	/** metadata.name=… */
	name?: string;
	labelSelector?: string;
	/** Further field selector terms (e.g. type=Warning), joined with metadata.name's. */
	fieldSelector?: string;
}

// ---------- remote secrets ----------

/** How a kubeconfig inside a remote secret authenticates. istiod can use an inline token (or client certificate) only. */
export type RemoteAuth = 'token' | 'client-certificate' | 'exec' | 'auth-provider' | 'file' | 'none';

export interface RemoteSecretEntry {
	/** The data key: the cluster name the reading istiod knows the peer by. */
	cluster: string;
	/** The kubeconfig's server URL. */
	server?: string;
	auth: RemoteAuth;
	/** certificate-authority-data is inline (istiod cannot read a file path on this machine). */
	inlineCa: boolean;
	/** Why the kubeconfig could not be read, when it could not. */
	problem?: string;
}

/** A remote secret as eastwest may show it: names, server and how it authenticates, never the token or the CA. */
export interface RemoteSecretInfo {
	namespace: string;
	name: string;
	/** Labelled istio/multiCluster=true (istiod watches only those). */
	multiClusterLabel: boolean;
	/** networking.istio.io/cluster annotation. */
	clusterAnnotation?: string;
	entries: RemoteSecretEntry[];
	/** Field managers that hold fields of the Secret (eastwest's is `eastwest`). */
	managers: string[];
}

/**
 * One root certificate as the kube layer hands it out: the ConfigMap istio-ca-root-cert's or the Secret cacerts'
 * root-cert.pem, parsed there, named by subject and SHA-256 fingerprint. Never a key nor any other data.
 */
export interface TrustRootInfo {
	/** The object's name (istio-ca-root-cert or cacerts). */
	name: string;
	/** "O=Istio, CN=Root CA". */
	subject?: string;
	/** SHA-256 fingerprint of the certificate, AB:CD:… */
	fingerprint?: string;
	/** Why root-cert.pem could not be read, when it could not (no certificate text in it). */
	problem?: string;
}

export type CredentialKind = 'ok' | 'unauthorized' | 'forbidden' | 'unreachable' | 'timeout' | 'invalid';

/** Whether the identity in a remote secret may read, on the server the secret names, what istiod reads. */
export interface CredentialVerdict {
	kind: CredentialKind;
	/** One line. */
	message: string;
	hint?: string;
	/** "list services", … that the server refused, when forbidden. */
	denied?: string[];
}

/** What istiod lists and watches on a peer's API server (a remote secret must allow all of it). */
export const ISTIOD_PEER_READS: ReadonlyArray<{group: string; resource: string}> = [
	{group: '', resource: 'services'},
	{group: 'discovery.k8s.io', resource: 'endpointslices'},
	{group: '', resource: 'pods'},
	{group: '', resource: 'nodes'},
	{group: '', resource: 'namespaces'},
];

export type DeleteOutcome = 'deleted' | 'not-found' | 'changed';

export type KeyWriteOutcome = 'written' | 'not-found' | 'changed';

/** One write of a label or annotation on istio-system; what to write is decided in core/namespace-key.ts. */
export interface NamespaceKeyWrite {
	field: 'label' | 'annotation';
	name: string;
	/** The value to set; null removes the key. */
	value: string | null;
	/** istio-system is absent: create it carrying the key. */
	create?: boolean;
	/** The namespace's resourceVersion as read: a namespace changed since is not written ('changed'). */
	resourceVersion?: string;
}

export interface DeleteTarget {
	apiVersion: string;
	kind: string;
	namespace?: string;
	name: string;
	/** metadata.uid as read: a precondition of the delete. */
	uid?: string;
}

export interface RemoveOptions {
	/** Server-side dry run: nothing changes. */
	dryRun: boolean;
	signal?: AbortSignal;
}

/** A read of istiod's debug endpoints (GET, through a port-forward to its monitoring port). */
export interface IstiodDebugRequest {
	/** Which istiod: the revision's pods (istio.io/rev); undefined for the default revision. */
	revision?: string;
	/** Paths to GET, e.g. /debug/clusterz. */
	paths: readonly string[];
	/** Deadline for the whole read, port-forward included. */
	timeoutMs: number;
	signal?: AbortSignal;
}

export interface IstiodDebugAnswer {
	/** The istiod pod that answered. */
	pod: string;
	/** Its port that was forwarded (prometheus.io/port, else 15014). */
	port: number;
	responses: Array<{path: string; status: number; body: string}>;
}

/** A command run in a pod's container (as `kubectl exec`), with one deadline. */
export interface PodExecRequest {
	namespace: string;
	pod: string;
	container: string;
	command: readonly string[];
	timeoutMs: number;
	signal?: AbortSignal;
}

export interface PodExecResult {
	stdout: string;
	stderr: string;
	/** The command's exit code when the API server reported one. */
	exitCode?: number;
}

/** Everything the engine and the front-ends do on one cluster, bound to one kube context. */
export interface ClusterClient {
	readonly context: string;
	probe(options?: {timeoutMs?: number; signal?: AbortSignal}): Promise<ProbeResult>;
	/** Server-side apply with field manager eastwest. Conflicts are errors naming the other manager unless force is set. */
	apply(manifests: Manifest[], options: ApplyOptions): Promise<AppliedObject[]>;
	getDeployment(namespace: string, name: string, signal?: AbortSignal): Promise<DeploymentLike | undefined>;
	getService(namespace: string, name: string, signal?: AbortSignal): Promise<ServiceLike | undefined>;
	listPods(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<PodLike[]>;
	watchDeployments(target: WatchTarget, onUpdate: (update: WatchUpdate<DeploymentLike>) => void): WatchHandle;
	watchServices(target: WatchTarget, onUpdate: (update: WatchUpdate<ServiceLike>) => void): WatchHandle;
	watchPods(target: WatchTarget, onUpdate: (update: WatchUpdate<PodLike>) => void): WatchHandle;
	/** Generic list+watch of any kind (namespaces, Istio custom resources, …). */
	watchObjects(apiVersion: string, kind: string, target: WatchTarget, onUpdate: (update: WatchUpdate<Record<string, unknown>>) => void): WatchHandle;
	/** Generic read of any object (custom resources included), undefined when absent. */
	getObject(apiVersion: string, kind: string, namespace: string | undefined, name: string, signal?: AbortSignal): Promise<Record<string, unknown> | undefined>;
	/** Generic list (custom resources included). */
	listObjects(
		apiVersion: string,
		kind: string,
		namespace: string | undefined,
		labelSelector?: string,
		signal?: AbortSignal,
	): Promise<Array<Record<string, unknown>>>;
	/** SelfSubjectAccessReview: may the context's user do this? */
	canI(check: {verb: string; group: string; resource: string; namespace?: string}, signal?: AbortSignal): Promise<boolean>;
	/** Remote secrets in istio-system (label istio/multiCluster=true), without their credentials. */
	listRemoteSecrets(signal?: AbortSignal): Promise<RemoteSecretInfo[]>;
	/** List+watch of the remote secrets in istio-system (label istio/multiCluster=true), each described without its credentials. */
	watchRemoteSecrets(onUpdate: (update: WatchUpdate<RemoteSecretInfo>) => void): WatchHandle;
	/** List+watch of ConfigMap istio-system/istio-ca-root-cert: the root istiod publishes, as a TrustRootInfo. */
	watchPublishedRoot(onUpdate: (update: WatchUpdate<TrustRootInfo>) => void): WatchHandle;
	/** List+watch of Secret istio-system/cacerts: the plugged-in root, as a TrustRootInfo (never a key). */
	watchPluggedRoot(onUpdate: (update: WatchUpdate<TrustRootInfo>) => void): WatchHandle;
	/** One Secret in istio-system read as a remote secret (whatever its labels), undefined when absent. */
	getRemoteSecret(name: string, signal?: AbortSignal): Promise<RemoteSecretInfo | undefined>;
	/**
	 * Load the kubeconfig under `cluster` in remote secret `name` (in memory only), and ask the server it names,
	 * as that identity, whether istiod's reads (ISTIOD_PEER_READS, list and watch) are allowed.
	 * Never runs a credential plugin from a secret.
	 */
	verifyRemoteSecret(name: string, cluster: string, options: {timeoutMs: number; signal?: AbortSignal}): Promise<CredentialVerdict>;
	/**
	 * Server-side apply the one Secret in `istioctl create-remote-secret` output (field manager eastwest).
	 * The output must hold exactly one Secret named `expect.name` in istio-system; it is never logged.
	 */
	applyRemoteSecret(output: Sealed<string>, expect: {name: string}, options: ApplyOptions): Promise<AppliedObject>;
	/** The API server address the cluster advertises to its own pods (the endpoints of Service default/kubernetes), as https://HOST:PORT. */
	advertisedApiServer(signal?: AbortSignal): Promise<string | undefined>;
	/**
	 * Delete one object of any kind (background propagation). With `uid`, only that very object: one
	 * recreated since it was read is not deleted ('changed'). 'not-found' when it is already gone.
	 */
	deleteObject(ref: DeleteTarget, options: RemoveOptions): Promise<DeleteOutcome>;
	/**
	 * Set or remove one label or annotation on istio-system as field manager eastwest: a label by server-side
	 * apply (force as given), an annotation and every removal by merge patch, so that neither write owns, and so
	 * drops, the other key. 'written' once set or removed; 'not-found' when the namespace is gone;
	 * 'changed' when `resourceVersion` no longer matches. Whether to write, and what, is core's decision.
	 */
	writeNamespaceKey(write: NamespaceKeyWrite, options: RemoveOptions & {force?: boolean}): Promise<KeyWriteOutcome>;
	/**
	 * As `kubectl rollout restart`: a strategic-merge patch of the pod template's kubectl.kubernetes.io/restartedAt
	 * annotation to `at` (no field ownership taken). The caller waits for the rollout.
	 */
	restartDeployment(namespace: string, name: string, at: string, options: ApplyOptions): Promise<void>;
	/**
	 * GET istiod's debug endpoints through a port-forward to a Running istiod pod. Rejects with a
	 * KubeError (not-found when no istiod pod runs, timeout at the deadline). Optional: clients that
	 * cannot port-forward leave it out, and istiod's view is then not shown.
	 */
	readIstiodDebug?(request: IstiodDebugRequest): Promise<IstiodDebugAnswer>;
	/**
	 * Run a command in a container (pods/exec) and collect its output. Rejects with a KubeError (forbidden,
	 * timeout at the deadline, unreachable). Optional: without it, verify's data plane is not verified.
	 */
	execInPod?(request: PodExecRequest): Promise<PodExecResult>;
}

/** Creates one ClusterClient per context (one KubeConfig each; a shared one is never switched). */
export interface ClusterClientFactory {
	kubeconfig: KubeconfigInfo;
	/** Path to pass to istioctl --kubeconfig, when one was given or found. */
	kubeconfigPath?: string;
	client(context: string): ClusterClient;
}

// ---------- istioctl ----------

export interface IstioctlInstallOptions {
	context: string;
	kubeconfig?: string;
	/** The rendered IstioOperator as YAML, fed on stdin (-f -). */
	manifestYaml: string;
	readinessTimeoutMs: number;
	dryRun: boolean;
	signal?: AbortSignal;
	/** Each output line, ANSI stripped, as it arrives. */
	onLine?: (line: string, progress: IstioctlProgress | undefined) => void;
}

/** What one istioctl install output line means. */
export type IstioctlProgress =
	| {type: 'component-done'; component: string}
	| {type: 'component-error'; component: string; error: string}
	| {type: 'waiting'; components: string[]; waitingFor: string[]}
	| {type: 'complete'}
	| {type: 'pruning'};

export interface CreateRemoteSecretOptions {
	/** The cluster the secret gives access to. */
	context: string;
	kubeconfig?: string;
	/** --name: the cluster's name in the mesh (values.global.multiCluster.clusterName). */
	name: string;
	/** --server: the API server URL other clusters' istiod reach this one at. */
	server?: string;
	/** --create-service-account (default true); false reads the existing reader token and changes nothing (dry runs). */
	createServiceAccount?: boolean;
	/** Deadline for the whole command (it waits for the service-account token). */
	timeoutMs: number;
	signal?: AbortSignal;
	/** stderr lines (warnings), ANSI stripped. stdout (the secret) is never passed on. */
	onLine?: (line: string) => void;
}

export interface Istioctl {
	/** Path of the binary in use. */
	readonly path: string;
	/** Client version, e.g. 1.30.3. */
	clientVersion(signal?: AbortSignal): Promise<string>;
	/** istioctl install -y -f - --context C [--kubeconfig K] --readiness-timeout D [--dry-run]. Rejects with an IstioctlError. */
	install(options: IstioctlInstallOptions): Promise<void>;
	/** istioctl create-remote-secret --context C --name N [--server S]: the Secret manifest, sealed (it holds a token). */
	createRemoteSecret(options: CreateRemoteSecretOptions): Promise<Sealed<string>>;
}

export interface IstioctlErrorInfo {
	message: string;
	hint?: string;
	/** Last stderr/stdout lines, for the error report. */
	lastLines: string[];
	exitCode?: number;
	cancelled?: boolean;
	timedOut?: boolean;
}

// ---------- running a plan ----------

/**
 * Time as a run reads it: its deadlines, the elapsed times it reports, the repeats of a wait's reason.
 * The engine is handed one (the machine's by default; tests hand in one they move forward themselves).
 */
export interface Clock {
	/** Milliseconds since the epoch. */
	now(): number;
	/** Call `callback` once, `ms` from now; returns what cancels it. */
	after(ms: number, callback: () => void): () => void;
	/** Call `callback` every `ms` until cancelled; returns what cancels it. */
	every(ms: number, callback: () => void): () => void;
}

export interface RunOptions {
	/** Deadline for every wait (rollout, address) and istioctl's --readiness-timeout. */
	timeoutMs: number;
	/** Server-side dry run for applies, istioctl --dry-run for installs: nothing changes. */
	dryRun: boolean;
	/** Overwrite a different network label / take over conflicting fields. */
	force: boolean;
	/** Run istioctl install even when the gateway already matches the plan. */
	reinstall?: boolean;
	/** At most this many istioctl processes at once across the run (default DEFAULT_PARALLEL, core/slots.ts). */
	parallel?: number;
	/** The root whose intermediates plug-ca steps write (a plan with caDir needs it). Holds key material: never logged. */
	ca?: CaSource;
	/** After plug-ca changed cacerts, restart istiod and wait for its rollout (istiod reads cacerts only at start). */
	restartIstiod?: boolean;
	signal?: AbortSignal;
	onEvent: (event: Event) => void;
}

/** The engine's entry point, as the front-ends see it. */
export type RunPlan = (plan: Plan, options: RunOptions) => Promise<RunOutcome>;

// ---------- plugging in a CA ----------

/** The four files of Secret istio-system/cacerts (PEM text). ca-key.pem is secret: never printed, logged or stored. */
export interface CaBundle {
	'ca-cert.pem': string;
	'ca-key.pem': string;
	'root-cert.pem': string;
	'cert-chain.pem': string;
}

/** A root CA ready to issue cluster intermediates, as the engine is handed it (source/ca/ makes one). */
export interface CaSource {
	/** `O=Istio, CN=Root CA (sha256 AB:CD:…)`: how messages name this root. */
	readonly root: string;
	/** The root certificate (PEM): public. */
	readonly rootCertPem: string;
	/** Issue and verify a new intermediate for a cluster (by cluster name); only called when cacerts is written. */
	issue(cluster: string): Promise<CaBundle>;
	/** True when the PEM text holds this root certificate. */
	isRoot(pem: string): boolean;
	/** A root certificate found on a cluster, named as `root` is. */
	describe(pem: string): string;
}

// ---------- installers ----------

/** The tools eastwest can install Istio components with. */
export const INSTALLER_KINDS = ['istioctl', 'helm'] as const;
export type InstallerKind = (typeof INSTALLER_KINDS)[number];

/** What an installer installs, upgrades and uninstalls. */
export type ComponentKind = 'eastwest-gateway' | 'remote-control-plane' | 'primary-control-plane';

/** What a component is made of, whichever installer renders it. */
export interface ComponentParams {
	/** The cluster's name in the mesh (global.multiCluster.clusterName). */
	cluster: string;
	network: string;
	meshId: string;
	/** The plan's revision; undefined for the default revision. */
	revision?: string;
	/** remote-control-plane: the primary's gateway address (global.remotePilotAddress). */
	discoveryAddress?: string;
}

/** One component on one cluster. */
export interface ComponentTarget {
	component: ComponentKind;
	context: string;
	kubeconfig?: string;
	params: ComponentParams;
	signal?: AbortSignal;
}

export interface ComponentInstallOptions extends ComponentTarget {
	/** The component as an IstioOperator (what istioctl installs; other installers render their own from `params`). */
	manifest: Manifest;
	readinessTimeoutMs: number;
	dryRun: boolean;
	/** Each output line, ANSI stripped, as it arrives, with what it means when the installer knows. */
	onLine?: (line: string, progress: IstioctlProgress | undefined) => void;
}

/** A release an installer keeps for a component (Helm's), as eastwest judges it against the plan. */
export interface ReleaseState {
	installer: InstallerKind;
	/** The release's name and namespace. */
	name: string;
	namespace: string;
	/** Chart name and version, when the installer says. */
	chart?: string;
	chartVersion?: string;
	/** The release's status, e.g. deployed, failed, pending-install, pending-upgrade. */
	status: string;
	/** Made by eastwest (the release carries eastwest's release label). */
	ours: boolean;
	/** Values (or the chart version) that differ from the plan, one phrase each; empty when it matches. */
	differences: string[];
}

export type UninstallOutcome = 'uninstalled' | 'not-found';

/**
 * Installs, upgrades and uninstalls a component on a cluster: the seam between the engine and the tool
 * (istioctl, helm). The engine, remove, status and check speak to it, never to a tool by name.
 */
export interface ComponentInstaller {
	readonly kind: InstallerKind;
	/** Path of the tool's binary. */
	readonly path: string;
	/** How its install is named in messages: "istioctl install", "helm upgrade --install". */
	readonly verb: string;
	/**
	 * The installer keeps a release per component that records who made it (Helm, with eastwest's release
	 * label); otherwise eastwest records its install on the install's anchor (core/teardown.ts).
	 */
	readonly keepsReleases: boolean;
	/**
	 * The release the installer keeps for the component, judged against `params`; undefined when there is
	 * none, or when the installer keeps no release (istioctl: the cluster's objects are all there is).
	 */
	inspect(target: ComponentTarget): Promise<ReleaseState | undefined>;
	/** Install or upgrade the component as `params` say. Rejects with an error whose `info` is an IstioctlErrorInfo-like report. */
	install(options: ComponentInstallOptions): Promise<void>;
	/**
	 * Uninstall the release eastwest made for the component (never one without eastwest's release label:
	 * the caller inspects first). Undefined for installers that keep no release.
	 */
	uninstall?(target: ComponentTarget, options: {dryRun: boolean; timeoutMs: number}): Promise<UninstallOutcome>;
}
