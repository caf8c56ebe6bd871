// A plan with a root CA: plug-ca is the first step of every cluster, and carries no manifest (no key in the plan).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {buildPlan, clusterManifests} from '../../source/core/plan.js';
import {redactText, REDACTED} from '../../source/core/log.js';
import {multiNetwork, primaryRemote} from '../support/plans.js';
import {FIXTURE_CA_KEY, FIXTURE_ROOT_KEY} from '../support/ca-fixtures.js';

test('plug-ca comes first on every cluster, everything else waits for it, and it carries no manifest', () => {
	for (const input of [multiNetwork, primaryRemote]) {
		const plan = buildPlan({...input, caDir: '/roots/mesh'});
		for (const cp of plan.clusters) {
			const [first, ...rest] = cp.steps;
			assert.equal(first?.kind, 'plug-ca');
			assert.equal(first?.id, `${cp.cluster.name}/plug-ca`);
			assert.deepEqual(first?.dependsOn, []);
			assert.deepEqual(first?.manifests, []);
			assert.match(first!.title, new RegExp(`^Plug in an intermediate CA for ${cp.cluster.name} \\(Secret istio-system/cacerts\\)`));
			for (const s of rest) assert.ok(s.dependsOn.length > 0, `${s.id} waits for something`);
			if (rest[0]) assert.ok(rest[0].dependsOn.includes(first!.id), `${rest[0].id} waits for plug-ca`);
		}
		const without = buildPlan(input);
		assert.ok(!without.steps.some(s => s.kind === 'plug-ca'));
		assert.deepEqual(
			plan.steps.filter(s => s.kind !== 'plug-ca').map(s => s.kind),
			without.steps.map(s => s.kind),
		);
		assert.doesNotMatch(JSON.stringify(plan.clusters.flatMap(c => clusterManifests(plan, c.cluster.name))), /cacerts|Secret/);
	}
});

test('-v redaction: PEM private keys, plain or base64 as in a Secret, never reach a log line', () => {
	for (const key of [
		FIXTURE_CA_KEY,
		FIXTURE_ROOT_KEY,
		FIXTURE_CA_KEY.replace(/PRIVATE KEY/g, 'EC PRIVATE KEY'),
		FIXTURE_CA_KEY.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY'),
	]) {
		const out = redactText(`body {"ca-key.pem": "${key.trimEnd()}"}`);
		assert.equal(out, `body {"ca-key.pem": "${REDACTED}"}`);
		const b64 = Buffer.from(key).toString('base64');
		assert.equal(redactText(`data: ${b64} end`), `data: ${REDACTED} end`);
	}
	const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
	assert.equal(redactText(`root ${cert}`), `root ${cert}`, 'certificates are public');
});

test("the wizard keeps a profile's root CA directory: opened at Review, its plan still plugs in the CA", async () => {
	const {stateFromPlan, toPlanInput, planKey} = await import('../../source/core/wizard.js');
	const input = {...multiNetwork, caDir: '/roots/mesh'};
	const state = stateFromPlan(input, 'trust');
	assert.equal(toPlanInput(state).caDir, '/roots/mesh');
	assert.equal(state.profile?.key, planKey(toPlanInput(state)), 'still exactly the saved profile');
	assert.equal(toPlanInput(stateFromPlan(multiNetwork)).caDir, undefined);
});
