/** Checks across the mesh: what the clusters must agree on. */
import {validatePlan} from '../validate.js';
import type {ClusterFacts} from './facts.js';
import {judgeMeshTrust, type ClusterRoots, type RootIdentity} from '../trust.js';
import type {Check, MeshInput, Verdict} from './types.js';
import {DOCS, REPLACED_BY_CA, installDoc, ALL, MULTI_NETWORK, pass, fail, warn, skip, isRemote, primaryOf} from './helpers.js';

export const MESH_CHECKS: readonly Check[] = [
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
				if (same.length > 0)
					return fail(`${same.map(c => c.name).join(', ')} share${same.length === 1 ? 's' : ''} network ${primary?.network} with the primary`);
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
		resolvedBy: REPLACED_BY_CA,
		hint: () =>
			"generate every cluster's cacerts from one root CA, then restart istiod; clusters with different roots reject each other's mTLS (CERTIFICATE_VERIFY_FAILED)",
		// By certificate fingerprint where the collector could parse it (the same root however its PEM is wrapped).
		evaluate: ({facts}) =>
			mustBeEqual(facts, f => f.caBundle?.rootFingerprint ?? f.cacerts?.rootCertSha256, 'root certificate', 'have cacerts with a root certificate'),
	},
	{
		id: 'trust-domain',
		scope: 'mesh',
		level: 'warn',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		doc: DOCS.troubleshooting,
		claim: () => 'every cluster uses the same trust domain, or lists the others in meshConfig.trustDomainAliases',
		hint: () =>
			"set meshConfig.trustDomain the same everywhere, or list the others in every cluster's meshConfig.trustDomainAliases; otherwise a client expects its own trust domain in the peer's certificate and cross-cluster calls fail (https://github.com/istio/istio/issues/39204)",
		evaluate: ({facts}) => {
			const verdict = mustBeEqual(facts, f => f.trustDomain, 'trust domain', 'report a trust domain');
			if (verdict.status !== 'fail') return verdict;
			// Different trust domains work when each cluster aliases the others' (istiod then expects any of them).
			const known = facts.flatMap(f => (f.facts?.reachable && f.facts.trustDomain !== undefined ? [{name: f.cluster.name, facts: f.facts}] : []));
			const domains = [...new Set(known.map(k => k.facts.trustDomain!))];
			const unaliased = known.flatMap(k => {
				const missing = domains.filter(d => d !== k.facts.trustDomain && !(k.facts.trustDomainAliases ?? []).includes(d));
				return missing.length > 0 ? [`${k.name} does not alias ${missing.join(', ')}`] : [];
			});
			if (unaliased.length === 0) return pass(`${verdict.reason.replace(/^the trust domain differs: /, 'trust domains ')}, each aliased by the others`);
			if (known.every(k => (k.facts.trustDomainAliases ?? []).length === 0)) return verdict;
			return fail(`${verdict.reason}; ${unaliased.join('; ')}`);
		},
	},
	{
		id: 'root-cert-converged',
		scope: 'mesh',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		doc: DOCS.verify,
		claim: () => 'ConfigMap istio-ca-root-cert holds the same root certificate in every cluster',
		hint: () =>
			'plug in one root everywhere and restart istiod (eastwest ca create --out DIR, then eastwest apply --ca DIR --restart-istiod); on a remote the ConfigMap appears once the primary manages that cluster',
		wizardHint: () =>
			'plug in one root everywhere and restart istiod: run the wizard again, generate a root or use yours on the Trust screen, and let the run restart istiod; on a remote the ConfigMap appears once the primary manages that cluster',
		// The judgement `eastwest status` shows as its trust line (core/trust.ts), so the two never disagree.
		evaluate: ({facts}) => {
			const trust = judgeMeshTrust(facts.map(f => rootsOf(f.cluster.name, f.facts)));
			if (trust.level === 'unknown') return skip(trust.line);
			if (trust.level === 'pass') return pass();
			return trust.level === 'fail' ? fail(trust.detail ?? trust.line) : warn(trust.detail ?? trust.line);
		},
	},
];

function mustBeEqual(facts: MeshInput['facts'], value: (f: ClusterFacts) => string | undefined, what: string, needs: string): Verdict {
	const known = facts.flatMap(f => (f.facts?.reachable && value(f.facts) !== undefined ? [{name: f.cluster.name, value: value(f.facts)!}] : []));
	if (known.length < 2) return skip(`fewer than two clusters ${needs}`);
	const groups = new Map<string, string[]>();
	for (const k of known) groups.set(k.value, [...(groups.get(k.value) ?? []), k.name]);
	if (groups.size === 1) return pass();
	const short = (v: string) =>
		/^[0-9a-f]{64}$/.test(v) ? `sha256 ${v.slice(0, 12)}…` : /^[0-9A-F]{2}(?::[0-9A-F]{2}){31}$/.test(v) ? `sha256 ${v.slice(0, 23)}…` : v;
	return fail(`the ${what} differs: ${[...groups].map(([v, names]) => `${names.join(', ')} ${short(v)}`).join(' vs ')}`);
}

/**
 * A cluster's roots as core/trust.ts judges them. The published root is the ConfigMap's certificate, or the
 * sha256 of its text when it was not parsed; the plugged-in root is compared only with a parsed certificate.
 */
function rootsOf(cluster: string, facts: ClusterFacts | undefined): ClusterRoots {
	const reachable = facts?.reachable === true;
	if (!facts) return {cluster, reachable};
	const published: RootIdentity | null | undefined =
		facts.caRootCert !== undefined
			? facts.caRootCert
			: facts.caRootCertSha256 === undefined
				? undefined
				: facts.caRootCertSha256 === null
					? null
					: {fingerprint: facts.caRootCertSha256};
	const comparable = facts.caRootCert !== undefined;
	const root = facts.caBundle?.rootFingerprint;
	const plugged: RootIdentity | null | undefined = !comparable
		? undefined
		: root
			? {fingerprint: root, ...(facts.caBundle?.rootSubject ? {subject: facts.caBundle.rootSubject} : {})}
			: facts.cacerts?.present === false
				? null
				: undefined;
	return {cluster, reachable, published, plugged};
}
