/** The plugged-in CA's certificates, per cluster (cacerts as the collector judged it). */
import type {CaBundleFacts, ClusterFacts} from './facts.js';
import type {Check, ClusterCheck, Verdict} from './types.js';
import {DOCS, REPLACED_BY_CA, ALL, pass, fail, warn, skip} from './helpers.js';

/** An intermediate expiring sooner than this is a warning. */
export const CA_EXPIRY_WARN_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The cacerts certificate facts, or why the checks over them are skipped. */
function caBundleOf(facts: ClusterFacts): CaBundleFacts | {skip: string} {
	if (!facts.cacerts) return {skip: 'secret cacerts was not read'};
	if (!facts.cacerts.present) return {skip: 'there is no cacerts'};
	return facts.caBundle ?? {skip: "cacerts' certificates were not read"};
}

/**
 * A check of cacerts' certificates: failing, in both phases, on every topology, resolved by --ca --force; it judges the
 * bundle the collector read, and is skipped while there is none. The wizard never replaces an existing cacerts (only a
 * run with --force does), so its hint sends the user to the command line.
 */
function caCheck(c: {id: string; claim: string; hint: string; wizardHint: string; judge: (bundle: CaBundleFacts) => Verdict}): ClusterCheck {
	return {
		id: c.id,
		scope: 'cluster',
		level: 'fail',
		phases: ['preflight', 'post-install'],
		topologies: ALL,
		doc: DOCS.pluginCa,
		resolvedBy: REPLACED_BY_CA,
		claim: () => c.claim,
		hint: () => c.hint,
		wizardHint: () => c.wizardHint,
		evaluate: ({facts}) => {
			const b = caBundleOf(facts);
			return 'skip' in b ? skip(b.skip) : c.judge(b);
		},
	};
}

export const CA_CHECKS: readonly Check[] = [
	caCheck({
		id: 'cacerts-chain',
		claim: "cacerts' intermediate (ca-cert.pem) chains to its root-cert.pem",
		hint: 'plug in a bundle issued by the shared root: eastwest apply --ca DIR --force (cert-chain.pem is the intermediate, then the root)',
		wizardHint:
			'plug in a bundle issued by the shared root (cert-chain.pem is the intermediate, then the root); the wizard keeps an existing cacerts, so replace it from the command line: eastwest apply --ca DIR --force',
		judge: b => {
			if (b.problem) return fail(b.problem);
			if (b.chainsToRoot === undefined) return skip('the chain was not judged');
			const names = `${b.intermediateSubject ?? 'ca-cert.pem'} → ${b.rootSubject ?? 'root-cert.pem'}`;
			return b.chainsToRoot ? pass(names) : fail(`ca-cert.pem (${b.intermediateSubject ?? '?'}) is not issued by root-cert.pem (${b.rootSubject ?? '?'})`);
		},
	}),
	caCheck({
		id: 'cacerts-key',
		claim: "cacerts' ca-key.pem is the key of ca-cert.pem",
		hint: 'istiod cannot sign with a key of another certificate: plug in a matching bundle (eastwest apply --ca DIR --force)',
		wizardHint:
			'istiod cannot sign with a key of another certificate: plug in a matching bundle; the wizard keeps an existing cacerts, so replace it from the command line: eastwest apply --ca DIR --force',
		judge: b => {
			if (b.keyMatches === undefined) return skip(b.problem ?? 'the key was not judged');
			return b.keyMatches ? pass() : fail('ca-key.pem does not belong to ca-cert.pem');
		},
	}),
	caCheck({
		id: 'cacerts-expiry',
		claim: `cacerts' intermediate is valid for more than ${CA_EXPIRY_WARN_DAYS} days`,
		hint: 'issue a new intermediate from the same root (eastwest apply --ca DIR --force), then restart istiod; workloads renew their certificates from it',
		wizardHint:
			'issue a new intermediate from the same root, then restart istiod (workloads renew their certificates from it); the wizard keeps an existing cacerts, so replace it from the command line: eastwest apply --ca DIR --force --restart-istiod',
		judge: b => {
			if (!b.intermediateNotAfter) return skip(b.problem ?? 'the intermediate was not read');
			const left = Date.parse(b.intermediateNotAfter) - Date.parse(b.readAt);
			const day = b.intermediateNotAfter.slice(0, 10);
			if (left <= 0) return fail(`ca-cert.pem expired on ${day}: istiod signs nothing new that others accept`);
			const days = Math.floor(left / DAY_MS);
			if (days < CA_EXPIRY_WARN_DAYS) return warn(`ca-cert.pem expires on ${day}, in ${days} day${days === 1 ? '' : 's'}`);
			return pass(`valid until ${day}`);
		},
	}),
];
