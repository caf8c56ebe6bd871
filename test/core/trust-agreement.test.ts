/**
 * eastwest check's root-cert-converged and eastwest status's trust line judge the same facts the same way:
 * both go through core/trust.ts judgeMeshTrust.
 */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {runChecks, type ClusterFacts} from '../../source/core/checks/index.js';
import {meshTrustOf, type ClusterObservation} from '../../source/core/status.js';
import type {RootIdentity} from '../../source/core/trust.js';
import {allHealthy} from '../support/healthy-facts.js';
import {meshPlan, numberedNetworks} from '../support/plans.js';

const plan = meshPlan({network: numberedNetworks});
const A: RootIdentity = {subject: 'O=Istio, CN=Root CA', fingerprint: Array.from({length: 32}, () => 'C1').join(':')};
const B: RootIdentity = {subject: 'O=Other, CN=Other Root CA', fingerprint: Array.from({length: 32}, () => '0B').join(':')};
const CHECK_OF = {pass: 'pass', warn: 'warn', fail: 'fail', unknown: 'skip'} as const;

/** Per cluster: the published root (ConfigMap) and the plugged-in root (cacerts; null for none). */
type Scenario = Record<string, {published: RootIdentity | null; plugged: RootIdentity | null}>;

function checkVerdict(scenario: Scenario): string {
	const facts: Record<string, ClusterFacts> = allHealthy(plan);
	for (const [name, s] of Object.entries(scenario)) {
		const f = facts[name]!;
		f.caRootCert = s.published;
		f.caRootCertSha256 = s.published ? s.published.fingerprint : null;
		if (s.plugged) f.caBundle = {...f.caBundle, rootFingerprint: s.plugged.fingerprint, rootSubject: s.plugged.subject!} as ClusterFacts['caBundle'];
		else {
			f.cacerts = {present: false, keys: []};
			delete f.caBundle;
		}
	}
	return runChecks(plan, facts, 'post-install').find(r => r.id === 'root-cert-converged')!.status;
}

function statusVerdict(scenario: Scenario): string {
	const info = (r: RootIdentity | null) => r && {name: 'root', ...r};
	const clusters = Object.entries(scenario).map(([cluster, s]) => ({
		cluster,
		observation: {
			context: cluster,
			reachable: true,
			stale: false,
			pods: [],
			gateways: [],
			virtualServices: [],
			istiod: [],
			trustRoots: {published: info(s.published), plugged: info(s.plugged)},
		} as ClusterObservation,
	}));
	return CHECK_OF[meshTrustOf(clusters).level];
}

const names = plan.clusters.map(c => c.name);
const each = (f: (name: string, i: number) => {published: RootIdentity | null; plugged: RootIdentity | null}): Scenario =>
	Object.fromEntries(names.map((n, i) => [n, f(n, i)]));

const scenarios: Array<[string, Scenario, string]> = [
	['one root everywhere', each(() => ({published: A, plugged: A})), 'pass'],
	["Istio's self-signed roots, the same", each(() => ({published: A, plugged: null})), 'pass'],
	['different self-signed roots', each((_, i) => ({published: i === 0 ? A : B, plugged: null})), 'fail'],
	['different plugged-in roots', each((_, i) => ({published: i === 0 ? A : B, plugged: i === 0 ? A : B})), 'fail'],
	['one plugged-in root, not yet republished on one cluster', each((_, i) => ({published: i === 0 ? B : A, plugged: A})), 'warn'],
	['no istio-ca-root-cert on one cluster', each((_, i) => ({published: i === 0 ? null : A, plugged: null})), 'warn'],
];

for (const [what, scenario, expected] of scenarios) {
	test(`check and status agree: ${what} → ${expected}`, () => {
		assert.equal(checkVerdict(scenario), expected);
		assert.equal(statusVerdict(scenario), expected);
	});
}
