// The collector judges a cluster's cacerts with ca/inspect.ts and keeps only non-secret facts.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {X509Certificate} from 'node:crypto';
import {collectFacts} from '../../source/checks/collect.js';
import {runChecks} from '../../source/core/checks/index.js';
import {FakeCluster, clusterObjects, type Obj} from '../support/fake-cluster.js';
import {
	FIXTURE_CA_CERT,
	FIXTURE_CA_KEY,
	FIXTURE_OTHER_ROOT_CERT,
	FIXTURE_OTHER_ROOT_KEY,
	FIXTURE_ROOT_CERT,
	fixtureCacertsData,
} from '../support/ca-fixtures.js';
import {meshPlan, numberedNetworks} from '../support/plans.js';

const plan = meshPlan({topology: 'multi-network', network: numberedNetworks});

function withCacerts(data: Record<string, string>): Obj[] {
	return clusterObjects('east', 'network1', true).map(o => (o.kind === 'Secret' && o.metadata.name === 'cacerts' ? {...o, data} : o));
}

async function facts(data: Record<string, string>, now = new Date('2030-01-01T00:00:00Z'), phase: 'preflight' | 'post-install' = 'preflight') {
	const client = new FakeCluster('ctx-east', withCacerts(data));
	return collectFacts(client, {plan, cluster: plan.clusters[0]!, phase, now: () => now});
}

test('a healthy cacerts: subjects, the root fingerprint, expiry, chain and key, in both phases; no key bytes', async () => {
	for (const phase of ['preflight', 'post-install'] as const) {
		const f = await facts(fixtureCacertsData(), undefined, phase);
		assert.deepEqual(f.caBundle, {
			rootSubject: 'O=Istio, CN=Root CA',
			rootFingerprint: new X509Certificate(FIXTURE_ROOT_CERT).fingerprint256,
			intermediateSubject: 'O=Istio, CN=Intermediate CA, L=fixture',
			intermediateNotAfter: new Date(new X509Certificate(FIXTURE_CA_CERT).validTo).toISOString(),
			chainsToRoot: true,
			keyMatches: true,
			readAt: '2030-01-01T00:00:00.000Z',
		});
		const text = JSON.stringify(f);
		for (const line of FIXTURE_CA_KEY.split('\n').filter(l => l.length > 20 && !l.startsWith('---'))) assert.ok(!text.includes(line));
	}
});

test('a foreign root, a wrong key and an expired intermediate become failing checks', async () => {
	const b64 = (s: string) => Buffer.from(s).toString('base64');
	const f = await facts({...fixtureCacertsData(FIXTURE_OTHER_ROOT_CERT), 'ca-key.pem': b64(FIXTURE_OTHER_ROOT_KEY)}, new Date('2200-01-01T00:00:00Z'));
	assert.equal(f.caBundle?.chainsToRoot, false);
	assert.equal(f.caBundle?.keyMatches, false);
	const results = runChecks(plan, {east: f}, 'preflight').filter(r => r.id.startsWith('cacerts-') && r.cluster === 'east');
	assert.deepEqual(
		results.map(r => `${r.id} ${r.status}`),
		['cacerts-chain fail', 'cacerts-key fail', 'cacerts-expiry fail'],
	);
	assert.match(results[0]!.reason!, /is not issued by root-cert\.pem \(O=Other, CN=Other Root CA\)/);
});

test('a cacerts that is not PEM is a failure naming the file, not a crash', async () => {
	const f = await facts({...fixtureCacertsData(), 'ca-cert.pem': Buffer.from('junk').toString('base64')});
	assert.equal(f.caBundle?.problem, 'ca-cert.pem holds no PEM certificate');
	const chain = runChecks(plan, {east: f}, 'preflight').find(r => r.id === 'cacerts-chain')!;
	assert.equal(chain.status, 'fail');
	assert.equal(chain.reason, 'ca-cert.pem holds no PEM certificate');
	assert.deepEqual(f.errors, []);
});
