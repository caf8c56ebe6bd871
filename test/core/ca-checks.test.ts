// The checks over a cluster's cacerts certificates: chain to its root, key of its certificate, and expiry
// (a warning within 30 days, a failure once expired), judged from the collector's non-secret facts.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {CHECKS, runChecks, type CheckPhase, type ClusterFacts} from '../../source/core/checks/index.js';
import {allHealthy} from '../support/healthy-facts.js';
import {multiNetwork} from '../support/plans.js';

const CA_CHECKS = ['cacerts-chain', 'cacerts-key', 'cacerts-expiry'];

function judge(change: (f: ClusterFacts) => void, id: string, phase: CheckPhase = 'preflight') {
	const facts = allHealthy(multiNetwork);
	change(facts.west!);
	return runChecks(multiNetwork, facts, phase).find(r => r.id === id && r.cluster === 'west')!;
}

test('the cacerts certificate checks are in the catalogue, in order, and run in both phases', () => {
	assert.deepEqual(
		CHECKS.map(c => c.id).filter(id => CA_CHECKS.includes(id)),
		CA_CHECKS,
	);
	for (const phase of ['preflight', 'post-install'] as const) {
		const results = runChecks(multiNetwork, allHealthy(multiNetwork), phase).filter(r => CA_CHECKS.includes(r.id));
		assert.deepEqual(
			results.map(r => `${r.id}@${r.cluster} ${r.status}`),
			['east', 'west'].flatMap(c => CA_CHECKS.map(id => `${id}@${c} pass`)),
		);
	}
	assert.equal(judge(() => {}, 'cacerts-chain').reason, 'O=Istio, CN=Intermediate CA, L=west → O=Istio, CN=Root CA');
	assert.equal(judge(() => {}, 'cacerts-expiry').reason, 'valid until 2028-01-01');
});

test('an intermediate of another root, or a key of another certificate, fails with a hint that fixes it', () => {
	const chain = judge(f => (f.caBundle!.chainsToRoot = false), 'cacerts-chain');
	assert.equal(chain.status, 'fail');
	assert.equal(chain.reason, 'ca-cert.pem (O=Istio, CN=Intermediate CA, L=west) is not issued by root-cert.pem (O=Istio, CN=Root CA)');
	assert.match(chain.hint!, /--ca DIR --force/);
	const key = judge(f => (f.caBundle!.keyMatches = false), 'cacerts-key');
	assert.equal(key.status, 'fail');
	assert.equal(key.reason, 'ca-key.pem does not belong to ca-cert.pem');
	const unreadable = judge(f => (f.caBundle = {problem: 'ca-cert.pem: certificate 1 does not parse', readAt: '2026-01-01T00:00:00.000Z'}), 'cacerts-chain');
	assert.equal(unreadable.status, 'fail');
	assert.equal(unreadable.reason, 'ca-cert.pem: certificate 1 does not parse');
	assert.equal(judge(f => (f.caBundle = {problem: 'x', readAt: '2026-01-01T00:00:00.000Z'}), 'cacerts-key').status, 'skip');
});

test('expiry: more than 30 days passes, fewer warns with the date, past fails', () => {
	const at = (notAfter: string) => judge(f => (f.caBundle!.intermediateNotAfter = notAfter), 'cacerts-expiry', 'post-install');
	assert.equal(at('2026-01-31T00:00:00.000Z').status, 'pass', '30 days left');
	const soon = at('2026-01-30T12:00:00.000Z');
	assert.equal(soon.status, 'warn');
	assert.equal(soon.reason, 'ca-cert.pem expires on 2026-01-30, in 29 days');
	assert.match(soon.hint!, /issue a new intermediate/);
	assert.equal(at('2026-01-01T12:00:00.000Z').reason, 'ca-cert.pem expires on 2026-01-01, in 0 days');
	const expired = at('2025-12-31T23:59:59.000Z');
	assert.equal(expired.status, 'fail');
	assert.equal(expired.reason, 'ca-cert.pem expired on 2025-12-31: istiod signs nothing new that others accept');
});

test('no cacerts (or not read) skips the certificate checks; a plan with a CA passes plugged-in-ca', () => {
	for (const id of CA_CHECKS) {
		assert.equal(judge(f => (f.cacerts = {present: false, keys: []}), id).reason, 'there is no cacerts');
		assert.equal(judge(f => delete f.cacerts, id).status, 'skip');
		assert.equal(judge(f => delete f.caBundle, id).reason, "cacerts' certificates were not read");
	}
	const facts = allHealthy(multiNetwork);
	facts.west!.cacerts = {present: false, keys: []};
	const without = runChecks(multiNetwork, facts, 'preflight').find(r => r.id === 'plugged-in-ca' && r.cluster === 'west')!;
	assert.equal(without.status, 'warn');
	const withCa = runChecks({...multiNetwork, caDir: '/roots/mesh'}, facts, 'preflight').find(r => r.id === 'plugged-in-ca' && r.cluster === 'west')!;
	assert.equal(withCa.status, 'pass');
	assert.equal(withCa.reason, 'no cacerts yet: the run plugs in an intermediate of the root in /roots/mesh');
});
