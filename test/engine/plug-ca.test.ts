// The plug-ca step: Secret istio-system/cacerts from the run's root, first in every cluster's chain; a same-root
// cacerts is unchanged, another root refused unless --force; the key never reaches an event or the outcome.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {X509Certificate} from 'node:crypto';
import {createRunPlan} from '../../source/engine/index.js';
import {buildPlan} from '../../source/core/plan.js';
import type {Event} from '../../source/core/events.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {CaSource} from '../../source/core/ports.js';
import {caSource} from '../../source/ca/index.js';
import {loadRoot} from '../../source/ca/issue.js';
import {FakeFactory, FakeIstioctl, istiodDeployment, type Obj} from '../support/fake-cluster.js';
import {FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT, FIXTURE_ROOT_KEY, fixtureCacertsData} from '../support/ca-fixtures.js';
import {multiNetwork, primaryRemote} from '../support/plans.js';

async function fixtureCa(): Promise<CaSource & {issued: string[]; keys: string[]}> {
	const source = caSource(await loadRoot(FIXTURE_ROOT_CERT, FIXTURE_ROOT_KEY, {cert: 'root-cert.pem', key: 'root-key.pem'}), {modulusLength: 2048});
	const issued: string[] = [];
	const keys: string[] = [];
	return {
		...source,
		issued,
		keys,
		issue: async cluster => {
			issued.push(cluster);
			const bundle = await source.issue(cluster);
			keys.push(bundle['ca-key.pem']);
			return bundle;
		},
	};
}

async function run(
	input: MeshPlanInput,
	seed: (f: FakeFactory) => void,
	options: {force?: boolean; dryRun?: boolean; restartIstiod?: boolean; ca?: Awaited<ReturnType<typeof fixtureCa>>} = {},
) {
	const factory = new FakeFactory(
		input.clusters.map(c => c.context),
		'/tmp/kubeconfig',
	);
	const istioctl = new FakeIstioctl(factory);
	seed(factory);
	const ca = options.ca ?? (await fixtureCa());
	const events: Event[] = [];
	const outcome = await createRunPlan({factory, istioctl})(buildPlan({...input, caDir: '/roots/mesh'}), {
		timeoutMs: 2000,
		dryRun: options.dryRun ?? false,
		force: options.force ?? false,
		ca,
		...(options.restartIstiod ? {restartIstiod: true} : {}),
		onEvent: e => events.push(e),
	});
	factory.dispose();
	return {factory, istioctl, events, outcome, ca};
}

const secretOf = (f: FakeFactory, context: string) => f.cluster(context).objectsOf('Secret', {namespace: 'istio-system', name: 'cacerts'})[0];
const decode = (s: Obj | undefined, file: string) => Buffer.from(s?.data?.[file] ?? '', 'base64').toString('utf8');
const step = (
	o: {clusters: Array<{cluster: string; steps: Array<{kind: string; status: string; detail?: string; error?: string; hint?: string}>}>},
	cluster: string,
) => o.clusters.find(c => c.cluster === cluster)!.steps.find(s => s.kind === 'plug-ca')!;

function assertNoKey(events: Event[], outcome: unknown, keys: string[]) {
	const text = JSON.stringify(events) + JSON.stringify(outcome);
	assert.doesNotMatch(text, /PRIVATE KEY|BEGIN CERTIFICATE/);
	for (const key of keys)
		for (const line of key.split('\n').filter(l => l.length > 20 && !l.startsWith('---'))) assert.ok(!text.includes(line), 'no key line in events or outcome');
}

test('plug-ca runs first on every cluster and writes a verified cacerts, creating istio-system; istiod is told to restart', async () => {
	const {factory, events, outcome, ca} = await run(multiNetwork, f => {
		f.cluster('ce').set('Deployment', [istiodDeployment()]);
	});
	assert.equal(outcome.ok, true, JSON.stringify(outcome));
	assert.deepEqual(ca.issued.sort(), ['east', 'west']);
	for (const [context, name] of [
		['ce', 'east'],
		['cw', 'west'],
	] as const) {
		const secret = secretOf(factory, context);
		assert.equal(secret?.type, 'Opaque');
		assert.deepEqual(Object.keys(secret!.data).sort(), ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
		const cert = new X509Certificate(decode(secret, 'ca-cert.pem'));
		assert.equal(cert.subject, `O=Istio\nCN=Intermediate CA\nL=${name}`);
		assert.ok(cert.verify(new X509Certificate(FIXTURE_ROOT_CERT).publicKey));
		assert.equal(decode(secret, 'root-cert.pem'), new X509Certificate(FIXTURE_ROOT_CERT).toString());
	}
	// First in the chain: label-network waits for it.
	const east = events.filter(e => e.type === 'step-start' && e.cluster === 'east').map(e => (e as {kind: string}).kind);
	assert.deepEqual(east.slice(0, 2), ['plug-ca', 'label-network']);
	assert.match(
		step(outcome, 'east').detail!,
		/^created cacerts with an intermediate for east from O=Istio, CN=Root CA \(sha256 [0-9A-F:]+…\); created istio-system; istiod keeps the old CA until restarted \(--restart-istiod, or kubectl rollout restart deployment -n istio-system istiod\); workloads keep their certificates until they restart$/,
	);
	assert.match(step(outcome, 'west').detail!, /; istiod reads it when it starts$/, 'west runs no istiod yet');
	assertNoKey(events, outcome, ca.keys);
});

test('a second run finds its own root in place: unchanged, no intermediate issued', async () => {
	const data = fixtureCacertsData();
	const {outcome, ca, factory} = await run(primaryRemote, f => {
		for (const c of ['ce', 'cw'])
			f.cluster(c).set('Secret', [{apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data}]);
	});
	assert.deepEqual(ca.issued, []);
	assert.equal(step(outcome, 'east').status, 'unchanged');
	assert.match(step(outcome, 'east').detail!, /^cacerts already holds an intermediate of O=Istio, CN=Root CA/);
	assert.deepEqual(secretOf(factory, 'ce')?.data, data, 'left as it was');
});

test('a cacerts of another root is refused in one line naming both roots, and left untouched; --force replaces it', async () => {
	const foreign = fixtureCacertsData(FIXTURE_OTHER_ROOT_CERT);
	const seed = (f: FakeFactory) =>
		f.cluster('cw').set('Secret', [{apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data: foreign}]);
	const refused = await run(multiNetwork, seed);
	assert.equal(refused.outcome.ok, false);
	const west = step(refused.outcome, 'west');
	assert.equal(west.status, 'failed');
	assert.match(
		west.error!,
		/^Secret istio-system\/cacerts on west holds root O=Other, CN=Other Root CA \(sha256 [0-9A-F:]+…\), but the plan plugs in root O=Istio, CN=Root CA \(sha256 [0-9A-F:]+…\)$/,
	);
	assert.match(west.hint!, /--force/);
	assert.deepEqual(secretOf(refused.factory, 'cw')?.data, foreign, 'untouched');
	assert.ok(!refused.ca.issued.includes('west'));
	const notRun = refused.outcome.clusters
		.find(c => c.cluster === 'west')!
		.steps.filter(s => s.status === 'not-run')
		.map(s => s.kind);
	assert.deepEqual(
		notRun,
		['label-network', 'install-gateway', 'wait-rollout', 'wait-address', 'expose-services', 'remote-secret'],
		'nothing else ran on west',
	);
	assert.equal(step(refused.outcome, 'east').status, 'changed', 'east is independent');

	const forced = await run(multiNetwork, seed, {force: true});
	assert.equal(step(forced.outcome, 'west').status, 'changed');
	assert.match(
		step(forced.outcome, 'west').detail!,
		/^replaced cacerts \(it held O=Other, CN=Other Root CA \(sha256 [0-9A-F:]+…\); --force\) with an intermediate for west/,
	);
	assert.ok(new X509Certificate(decode(secretOf(forced.factory, 'cw'), 'ca-cert.pem')).verify(new X509Certificate(FIXTURE_ROOT_CERT).publicKey));
	assertNoKey(forced.events, forced.outcome, forced.ca.keys);
});

test('dry run: cacerts is applied as a dry run, and a missing istio-system is only reported', async () => {
	const {factory, outcome} = await run(multiNetwork, f => f.cluster('ce').set('Namespace', [{metadata: {name: 'istio-system'}}]), {dryRun: true});
	assert.equal(secretOf(factory, 'ce'), undefined, 'nothing written');
	assert.ok(factory.cluster('ce').calls.some(c => c === 'apply Secret/cacerts dry-run'));
	assert.match(step(outcome, 'east').detail!, /\(dry run\)/);
	assert.equal(step(outcome, 'west').status, 'skipped');
	assert.equal(step(outcome, 'west').detail, 'dry run: istio-system does not exist yet; the run creates it and cacerts');
	assert.equal(factory.cluster('cw').objectsOf('Namespace').length, 0);
});

test('a plan with a CA but a run without one fails the step with what to pass', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const outcome = await createRunPlan({factory, istioctl: new FakeIstioctl(factory)})(buildPlan({...multiNetwork, caDir: '/roots/mesh'}), {
		timeoutMs: 1000,
		dryRun: false,
		force: false,
		onEvent: () => {},
	});
	factory.dispose();
	assert.equal(step(outcome, 'east').status, 'failed');
	assert.match(step(outcome, 'east').hint!, /--ca DIR/);
});

test('--restart-istiod restarts every istiod revision after a new cacerts (never after an unchanged one), then waits for each rollout', async () => {
	const {factory, outcome, events} = await run(
		multiNetwork,
		f => {
			f.cluster('ce').set('Deployment', [istiodDeployment(), istiodDeployment('canary')]);
			f.cluster('cw').set('Deployment', [istiodDeployment()]);
			f.cluster('cw').set('Secret', [{apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, data: fixtureCacertsData()}]);
		},
		{restartIstiod: true},
	);
	assert.deepEqual(
		factory.cluster('ce').calls.filter(c => c.startsWith('restart')),
		['restart Deployment/istiod', 'restart Deployment/istiod-canary'],
	);
	assert.deepEqual(
		factory.cluster('cw').calls.filter(c => c.startsWith('restart')),
		[],
		'west already held the root',
	);
	const annotations = factory.cluster('ce').objectsOf('Deployment', {name: 'istiod'})[0]?.spec.template.metadata.annotations;
	assert.match(annotations['kubectl.kubernetes.io/restartedAt'], /^\d{4}-\d\d-\d\dT/);
	assert.match(step(outcome, 'east').detail!, /; restarted istiod, istiod-canary; workloads keep their certificates until they restart$/);
	assert.ok(events.some(e => e.type === 'waiting' && e.cluster === 'east' && /istiod to restart with the new CA/.test(e.reason)));
});
