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
