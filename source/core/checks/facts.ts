/** The facts a collector gathers from each cluster, as the checks judge them. Facts left undefined were not collected. */
import type {GatewayDeploymentLike} from '../gateway.js';
import type {PodLike, ServiceLike} from '../rollout.js';
import type {InjectorValues} from '../istiod.js';
import type {CredentialVerdict, IstiodInfo, RemoteSecretInfo} from '../ports.js';
import type {RemoteObserved} from '../remote.js';
import type {IstiodView} from '../istiod-view.js';
import type {RootIdentity} from '../trust.js';
import type {ControlPlaneVersion} from '../version.js';

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

/** One rule of a Role or ClusterRole, as RBAC writes it (empty lists where the rule has none). */
export interface PolicyRuleFact {
	apiGroups: string[];
	resources: string[];
	verbs: string[];
	resourceNames: string[];
}

/** A role bound to the istio-reader service account, the identity of the remote secrets made for this cluster. */
export interface ReaderRoleFact {
	/** The binding: ClusterRoleBinding NAME, or RoleBinding istio-system/NAME. */
	binding: string;
	/** ClusterRole NAME, or Role istio-system/NAME. */
	role: string;
	/** Only istio-system (a RoleBinding's grant) rather than every namespace. */
	namespaced: boolean;
	/** The role's rules; null when the role it names does not exist. */
	rules: PolicyRuleFact[] | null;
}

/** What the istio-reader service account may do here, as the bindings that name it say. */
export interface ReaderRbacFacts {
	/** namespace/name of the service account. */
	serviceAccount: string;
	roles: ReaderRoleFact[];
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
	/** trustDomainAliases from the same mesh config (empty when unset). */
	trustDomainAliases?: string[];
	/** The istiod Deployments' versions, as their image tags (or version labels) say. */
	istiodVersions?: ControlPlaneVersion[];
	/** The roles of the istio-reader service account (post-install, on a cluster another cluster's istiod reads). */
	readerRbac?: ReaderRbacFacts;
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
