/**
 * What each cluster trusts, as the wizard's Trust step shows it: its cacerts root (or none), Istio's
 * self-signed istio-ca-secret, the root in ConfigMap istio-ca-root-cert; and whether they all share one root.
 * Pure: the facts come from the collector (nothing secret is in them).
 */
import type {ClusterFacts} from './checks/index.js';

export interface ClusterTrust {
	cluster: string;
	context: string;
	reachable: boolean;
	/** Why the trust state could not be read (one line). */
	error?: string;
	/** Secret istio-system/cacerts exists. */
	cacerts: boolean;
	/** The cacerts root: subject and SHA-256 fingerprint (AB:CD:…). */
	rootSubject?: string;
	rootFingerprint?: string;
	/** Why cacerts' certificates could not be judged. */
	problem?: string;
	/** istiod signs with its self-signed istio-ca-secret (present). */
	istioCaSecret?: boolean;
	/** sha256 (hex) of the root in ConfigMap istio-ca-root-cert; null when the ConfigMap is absent. */
	caRootCertSha256?: string | null;
}

export function trustOf(cluster: string, facts: ClusterFacts): ClusterTrust {
	const t: ClusterTrust = {cluster, context: facts.context, reachable: facts.reachable, cacerts: facts.cacerts?.present ?? false};
	if (facts.error) t.error = facts.error;
	if (facts.caBundle?.rootSubject) t.rootSubject = facts.caBundle.rootSubject;
	if (facts.caBundle?.rootFingerprint) t.rootFingerprint = facts.caBundle.rootFingerprint;
	if (facts.caBundle?.problem) t.problem = facts.caBundle.problem;
	if (facts.istioCaSecret !== undefined) t.istioCaSecret = facts.istioCaSecret;
	if (facts.caRootCertSha256 !== undefined) t.caRootCertSha256 = facts.caRootCertSha256;
	return t;
}

/** "AB:CD:EF:01…": the first four bytes of a fingerprint, enough to tell roots apart on screen. */
export function shortFingerprint(fingerprint: string): string {
	const parts = fingerprint.includes(':') ? fingerprint.split(':') : (fingerprint.match(/../g) ?? []);
	return `${parts.slice(0, 4).join(':').toUpperCase()}…`;
}

export type TrustVerdict = {shared: true; root: string} | {shared: false; reason: string};

/** Every cluster plugs in the same cacerts root: nothing to do. Otherwise why not, in one line. */
export function trustVerdict(trusts: readonly ClusterTrust[]): TrustVerdict {
	const unread = trusts.filter(t => !t.reachable);
	if (unread.length > 0) return {shared: false, reason: `${unread.map(t => t.cluster).join(', ')} could not be read`};
	const without = trusts.filter(t => !t.cacerts || !t.rootFingerprint);
	if (without.length > 0) return {shared: false, reason: `${without.map(t => t.cluster).join(', ')} ${without.length === 1 ? 'has' : 'have'} no cacerts root`};
	const roots = new Set(trusts.map(t => t.rootFingerprint));
	if (roots.size > 1) return {shared: false, reason: `the clusters hold ${roots.size} different roots`};
	const first = trusts[0];
	if (!first) return {shared: false, reason: 'no clusters'};
	return {shared: true, root: `${first.rootSubject ?? 'root'} (${shortFingerprint(first.rootFingerprint!)})`};
}

// ---------- one root across the mesh: the judgement of `eastwest check` and `eastwest status` ----------

/** A root certificate as eastwest may show it: never the certificate's key, only who it is. */
export interface RootIdentity {
	/** "O=Istio, CN=Root CA"; absent when the PEM could not be parsed. */
	subject?: string;
	/** SHA-256 fingerprint of the certificate (AB:CD:…), or of the PEM text when it could not be parsed. */
	fingerprint: string;
}

/** What decides one cluster's trust: the root istiod publishes and the root it is plugged in with. */
export interface ClusterRoots {
	cluster: string;
	reachable: boolean;
	/** Root in ConfigMap istio-system/istio-ca-root-cert: undefined when not read, null when the ConfigMap is absent. */
	published?: RootIdentity | null;
	/** Root in Secret istio-system/cacerts: undefined when not read, null when there is no cacerts. */
	plugged?: RootIdentity | null;
}

export type MeshTrustLevel = 'pass' | 'warn' | 'fail' | 'unknown';

export interface MeshTrust {
	level: MeshTrustLevel;
	/** One line for the status view. */
	line: string;
	/** The facts behind a failure, e.g. "the root certificate differs: east sha256 … vs west sha256 …". */
	detail?: string;
	hint?: string;
	/** The one root every cluster trusts (pass) or is converging to (warn). */
	root?: RootIdentity;
}

export const MESH_TRUST_HINT = 'plug in one root everywhere and restart istiod: eastwest ca create --out DIR, then eastwest apply --ca DIR --restart-istiod';

function andList(names: readonly string[]): string {
	return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function describeIdentity(root: RootIdentity): string {
	return `${root.subject ? `${root.subject}, ` : ''}sha256 ${shortFingerprint(root.fingerprint)}`;
}

/**
 * Do the clusters trust one root? Judged on the roots istiod publishes (ConfigMap istio-ca-root-cert), among
 * the clusters that could be read:
 * - fail: the published roots differ, and it is not a restart in progress;
 * - warn (converging): every cluster plugs in one cacerts root but some cluster does not publish it yet
 *   (istiod has not republished since its restart), or a reachable cluster has no ConfigMap yet;
 * - unknown: fewer than two clusters' roots are known;
 * - pass: every published root is the same certificate.
 */
export function judgeMeshTrust(clusters: readonly ClusterRoots[]): MeshTrust {
	const read = clusters.filter(c => c.reachable);
	const known = read.flatMap(c => (c.published ? [{cluster: c.cluster, root: c.published}] : []));
	const absent = read.filter(c => c.published === null).map(c => c.cluster);
	const plugged = read.map(c => c.plugged);
	const shared = plugged.length > 0 && plugged.every(p => p) && new Set(plugged.map(p => p!.fingerprint)).size === 1 ? plugged[0]! : undefined;
	const groups = new Map<string, string[]>();
	for (const k of known) groups.set(k.root.fingerprint, [...(groups.get(k.root.fingerprint) ?? []), k.cluster]);
	const behind = shared ? known.filter(k => k.root.fingerprint !== shared.fingerprint).map(k => k.cluster) : [];
	if (shared && behind.length > 0) {
		return {
			level: 'warn',
			line: `converging: ${andList(behind)} ${behind.length === 1 ? 'does' : 'do'} not publish the plugged-in root (${describeIdentity(shared)}) yet; istiod republishes it after its restart`,
			detail: `istio-ca-root-cert in ${andList(behind)} is not the plugged-in root yet (istiod has not republished it since its restart)`,
			hint: 'restart istiod where it has not been restarted since cacerts changed (eastwest apply --ca DIR --restart-istiod), then wait',
			root: shared,
		};
	}
	if (groups.size > 1) {
		const short = (v: string) => `sha256 ${shortFingerprint(v)}`;
		return {
			level: 'fail',
			line: `${andList(known.map(k => k.cluster))} have different roots: cross-cluster mTLS fails`,
			detail: `the root certificate differs: ${[...groups].map(([v, names]) => `${names.join(', ')} ${short(v)}`).join(' vs ')}`,
			hint: MESH_TRUST_HINT,
		};
	}
	if (absent.length > 0) {
		const line = `istio-ca-root-cert is not in ${andList(absent)} yet`;
		return {level: 'warn', line, detail: line, hint: 'istiod publishes it once it runs; on a remote, once the primary manages that cluster'};
	}
	const first = known[0];
	if (!first || known.length < 2) {
		const unread = clusters.filter(c => !c.reachable || c.published === undefined).map(c => c.cluster);
		return {
			level: 'unknown',
			line: unread.length > 0 ? `the roots are not known yet: ${andList(unread)} could not be read` : 'fewer than two clusters have istio-ca-root-cert',
		};
	}
	const unread = clusters.filter(c => !c.reachable || c.published === undefined).map(c => c.cluster);
	const who = unread.length > 0 ? 'every cluster read' : 'every cluster';
	const rest = unread.length > 0 ? `; ${andList(unread)} could not be read` : '';
	return {level: 'pass', line: `${who} trusts one root (${describeIdentity(first.root)})${rest}`, root: first.root};
}
