/** The engine's mesh wiring: remote secrets between clusters and a remote's control plane, end state, order, idempotence, refusals. */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createRunPlan} from '../../source/engine/index.js';
import {buildPlan} from '../../source/core/plan.js';
import type {Event, RunOutcome} from '../../source/core/events.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {FakeFactory, FakeIstioctl, istiodDeployment} from '../support/fake-cluster.js';
import {meshPlan, multiNetwork, primaryRemote, primaryRemoteMultiNetwork} from '../support/plans.js';

interface RunOpts {
	factory?: FakeFactory;
	dryRun?: boolean;
	force?: boolean;
	signal?: AbortSignal;
	onEvent?: (e: Event) => void;
	setup?: (f: FakeFactory, i: FakeIstioctl) => void;
}

async function run(input: MeshPlanInput, opts: RunOpts = {}) {
	const factory =
		opts.factory ??
		new FakeFactory(
			input.clusters.map(c => c.context),
			'/tmp/kubeconfig',
		);
	const istioctl = new FakeIstioctl(factory);
	opts.setup?.(factory, istioctl);
	const events: Event[] = [];
	const outcome = await createRunPlan({factory, istioctl})(buildPlan(input), {
		timeoutMs: 2000,
		dryRun: opts.dryRun ?? false,
		force: opts.force ?? false,
		...(opts.signal ? {signal: opts.signal} : {}),
		onEvent: e => {
			events.push(e);
			opts.onEvent?.(e);
		},
	});
	factory.dispose();
	return {factory, istioctl, events, outcome};
}

const step = (o: RunOutcome, id: string) => o.clusters.flatMap(c => c.steps).find(s => s.id === id)!;
const allStatuses = (o: RunOutcome) => [...new Set(o.clusters.flatMap(c => c.steps.map(s => s.status)))];

test('primary-remote: the remote is annotated, gets the remote profile pointed at the primary gateway, and the primary reads it', async () => {
	const {factory, istioctl, events, outcome} = await run(primaryRemote);
	assert.equal(outcome.ok, true, JSON.stringify(outcome));
	const west = factory.cluster('cw');
	assert.equal(west.objectsOf('Namespace', {name: 'istio-system'})[0]?.metadata.annotations?.['topology.istio.io/controlPlaneClusters'], 'east');
	// The remote install is istioctl's, with the primary's LB address (the fake assigns 127.0.0.10).
	const remoteInstall = istioctl.installs.find(i => i.context === 'cw')!;
	assert.match(remoteInstall.manifestYaml, /profile: remote/);
	assert.match(remoteInstall.manifestYaml, /remotePilotAddress: 127\.0\.0\.10/);
	assert.match(remoteInstall.manifestYaml, /injectionPath: \/inject\/cluster\/west\/net\/net1/);
	assert.match(remoteInstall.manifestYaml, /name: eastwest-remote/);
	assert.equal(west.objectsOf('EndpointSlice', {name: 'istiod'})[0]?.endpoints[0].addresses[0], '127.0.0.10');
	// east's istiod reads west: the secret is made from west's context with west's cluster name.
	assert.deepEqual(
		istioctl.remoteSecrets.map(r => [r.context, r.name]),
		[['cw', 'west']],
	);
	const secret = factory.cluster('ce').objectsOf('Secret', {name: 'istio-remote-secret-west'})[0];
	assert.ok(secret, 'the remote secret is on the primary');
	assert.equal(secret.metadata.labels['istio/multiCluster'], 'true');
	assert.equal(factory.cluster('cw').objectsOf('Secret').length, 0, 'nothing reads the primary from the remote');
	assert.match(step(outcome, 'east/remote-secret/west').detail ?? '', /east's istiod can read west/);
	// Documented order: annotate → expose istiod → remote install → remote secret.
	const at = (id: string, type: Event['type']) => events.findIndex(e => e.type === type && 'stepId' in e && e.stepId === id);
	assert.ok(at('west/annotate-remote', 'step-done') < at('west/install-remote', 'step-start'));
	assert.ok(at('east/expose-istiod', 'step-done') < at('west/install-remote', 'step-start'));
	assert.ok(at('west/install-remote', 'step-done') < at('east/remote-secret/west', 'step-start'));
});

test('a second run is all unchanged: no istioctl install, one create-remote-secret per peer, nothing rewritten', async () => {
	const first = await run(primaryRemote);
	assert.equal(first.outcome.ok, true);
	const again = await run(primaryRemote, {factory: first.factory});
	assert.equal(again.outcome.ok, true);
	assert.deepEqual(allStatuses(again.outcome), ['unchanged']);
	assert.equal(again.istioctl.installs.length, 0);
	assert.match(step(again.outcome, 'west/install-remote').detail ?? '', /already installed by eastwest, pointed at east \(127\.0\.0\.10\)/);
});

test('multi-network with three clusters: N create-remote-secret calls for N×(N-1) secrets, each on the reader', async () => {
	const input = meshPlan({clusters: 3});
	const {factory, istioctl, outcome} = await run(input);
	assert.equal(outcome.ok, true);
	assert.deepEqual(istioctl.remoteSecrets.map(r => r.context).sort(), ['ctx-east', 'ctx-north', 'ctx-west']);
	for (const reader of input.clusters) {
		const names = factory
			.cluster(reader.context)
			.objectsOf('Secret')
			.map(s => s.metadata.name)
			.sort();
		const peers = input.clusters
			.filter(c => c !== reader)
			.map(c => `istio-remote-secret-${c.name}`)
			.sort();
		assert.deepEqual(names, peers, reader.name);
	}
});

test('a revoked reader token is refreshed on the next run (configured, not unchanged)', async () => {
	const first = await run(multiNetwork);
	first.factory.cluster('cw').revokeToken();
	const again = await run(multiNetwork, {factory: first.factory});
	assert.equal(again.outcome.ok, true);
	assert.match(step(again.outcome, 'east/remote-secret/west').detail ?? '', /istio-remote-secret-west configured/);
	assert.equal(step(again.outcome, 'east/remote-secret/west').status, 'changed');
	assert.equal(step(again.outcome, 'west/remote-secret/east').status, 'unchanged');
});

test('--api-server: the override reaches istioctl --server and the secret', async () => {
	const input: MeshPlanInput = {
		...multiNetwork,
		clusters: multiNetwork.clusters.map(c => (c.name === 'west' ? {...c, apiServer: 'https://127.0.20.9:6443'} : c)),
	};
	const {factory, istioctl} = await run(input);
	assert.equal(istioctl.remoteSecrets.find(r => r.context === 'cw')?.server, 'https://127.0.20.9:6443');
	assert.equal(istioctl.remoteSecrets.find(r => r.context === 'ce')?.server, undefined, 'no override: the kubeconfig server');
	const info = await factory.cluster('ce').getRemoteSecret('istio-remote-secret-west');
	assert.equal(info?.entries[0]?.server, 'https://127.0.20.9:6443');
});

const foreignSecret = (peer: string, server: string) => ({
	apiVersion: 'v1',
	kind: 'Secret',
	metadata: {
		name: `istio-remote-secret-${peer}`,
		namespace: 'istio-system',
		labels: {'istio/multiCluster': 'true'},
		annotations: {'networking.istio.io/cluster': peer},
		managedFields: [{manager: 'kubectl-client-side-apply'}],
	},
	data: {[peer]: Buffer.from(JSON.stringify({clusters: [{name: peer, cluster: {server}}], users: [{name: peer, user: {token: 'old'}}]})).toString('base64')},
});

test('a foreign remote secret with the same server is adopted; with another server it is refused (one line) unless --force', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const server = factory.cluster('cw').server;
	// The fake's kubeconfig reports each context's server as the fake's own.
	Object.defineProperty(factory, 'kubeconfig', {
		value: {
			files: [],
			contexts: [...factory.clusters.values()].map(c => ({name: c.context, cluster: c.context, user: c.context, server: c.server})),
			warnings: [],
		},
	});
	factory.cluster('ce').put(foreignSecret('west', server));
	const adopted = await run(multiNetwork, {factory});
	assert.equal(step(adopted.outcome, 'east/remote-secret/west').status, 'changed');
	assert.match(step(adopted.outcome, 'east/remote-secret/west').detail ?? '', /adopted \(it pointed at the same server\)/);

	const other = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	Object.defineProperty(other, 'kubeconfig', {
		value: {
			files: [],
			contexts: [...other.clusters.values()].map(c => ({name: c.context, cluster: c.context, user: c.context, server: c.server})),
			warnings: [],
		},
	});
	other.cluster('ce').put(foreignSecret('west', 'https://127.0.99.1:6443'));
	const refused = await run(multiNetwork, {factory: other});
	const s = step(refused.outcome, 'east/remote-secret/west');
	assert.equal(s.status, 'failed');
	assert.equal(
		s.error,
		`istio-system/istio-remote-secret-west on east was not created by eastwest and points at https://127.0.99.1:6443, not ${other.cluster('cw').server}`,
	);
	assert.match(s.hint ?? '', /--force/);
	assert.equal(
		JSON.parse(Buffer.from(other.cluster('ce').objectsOf('Secret')[0]!.data.west, 'base64').toString()).users[0].user.token,
		'old',
		'the refused secret is untouched',
	);
	const forced = await run(multiNetwork, {factory: other, force: true});
	assert.equal(step(forced.outcome, 'east/remote-secret/west').status, 'changed');
});

test('a "remote" that runs its own istiod is refused before istioctl touches it', async () => {
	const {istioctl, outcome} = await run(primaryRemote, {
		setup: f =>
			f
				.cluster('cw')
				.put({apiVersion: 'apps/v1', kind: 'Deployment', ...istiodDeployment(), metadata: {...istiodDeployment().metadata, namespace: 'istio-system'}}),
	});
	const s = step(outcome, 'west/install-remote');
	assert.equal(s.status, 'failed');
	assert.match(s.error ?? '', /west runs its own istiod \(istiod\): it is a primary, and eastwest never installs a remote profile over a control plane/);
	assert.equal(istioctl.installs.filter(i => i.context === 'cw').length, 0);
	assert.equal(step(outcome, 'east/remote-secret/west').status, 'not-run');
});

test('credentials the peer refuses fail the secret step with the reason', async () => {
	const {outcome} = await run(multiNetwork, {
		setup: f => {
			f.cluster('ce').verifyRemoteSecret = async () => ({
				kind: 'unauthorized',
				message: 'https://127.0.0.2:1 does not accept the token in istio-system/istio-remote-secret-west on east (revoked or expired?)',
				hint: 'run eastwest apply again to refresh it',
			});
		},
	});
	const s = step(outcome, 'east/remote-secret/west');
	assert.equal(s.status, 'failed');
	assert.match(s.error ?? '', /does not accept the token/);
	assert.equal(step(outcome, 'west/remote-secret/east').status, 'changed');
});

test('primary-remote across networks: the remote gateway is installed only after the primary reads the remote', async () => {
	const {events, outcome} = await run(primaryRemoteMultiNetwork);
	assert.equal(outcome.ok, true, JSON.stringify(outcome));
	const at = (id: string, type: Event['type']) => events.findIndex(e => e.type === type && 'stepId' in e && e.stepId === id);
	assert.ok(at('one/remote-secret/two', 'step-done') < at('two/install-gateway', 'step-start'));
});

test('no token appears in any event or in the outcome', async () => {
	const {factory, events, outcome} = await run(multiNetwork);
	// Meaningful only when the tokens went through the run: both secret steps ran and wrote them.
	assert.equal(outcome.ok, true, JSON.stringify(outcome));
	const secretSteps = events.flatMap(e => (e.type === 'step-done' && e.kind === 'remote-secret' ? [`${e.stepId} ${e.result}`] : []));
	assert.deepEqual(secretSteps.sort(), ['east/remote-secret/west changed', 'west/remote-secret/east changed']);
	for (const [reader, peer, name] of [
		['ce', 'cw', 'west'],
		['cw', 'ce', 'east'],
	] as const) {
		const secret = factory.cluster(reader).objectsOf('Secret', {name: `istio-remote-secret-${name}`})[0];
		const kubeconfig = JSON.parse(Buffer.from(secret?.data?.[name] ?? '', 'base64').toString() || '{}');
		assert.equal(kubeconfig.users?.[0]?.user?.token, factory.cluster(peer).readerToken, `the secret on ${reader} holds ${peer}'s token`);
	}
	const text = JSON.stringify({events, outcome});
	for (const c of factory.clusters.values()) assert.equal(text.includes(c.readerToken), false, `token of ${c.context} leaked`);
});

test('Ctrl-C during the remote install: cancelled, the remote secret not attempted; a re-run converges', async () => {
	const controller = new AbortController();
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	const cut = await run(primaryRemote, {
		factory,
		signal: controller.signal,
		setup: (_f, i) => {
			i.scenario = {cw: 'hang'};
		},
		onEvent: e => {
			if (e.type === 'step-start' && e.stepId === 'west/install-remote') setTimeout(() => controller.abort(), 5);
		},
	});
	assert.equal(cut.outcome.cancelled, true);
	assert.equal(step(cut.outcome, 'west/install-remote').status, 'cancelled');
	assert.equal(step(cut.outcome, 'east/remote-secret/west').status, 'not-run');
	const again = await run(primaryRemote, {factory});
	assert.equal(again.outcome.ok, true);
	assert.equal(step(again.outcome, 'west/install-remote').status, 'changed');
});

test('dry run: remote install through istioctl --dry-run with the live primary address, nothing written', async () => {
	const first = await run(primaryRemote, {dryRun: true});
	assert.equal(first.outcome.ok, true);
	// The primary had no gateway, so there is no address to render the remote install with.
	assert.match(step(first.outcome, 'west/install-remote').detail ?? '', /dry run: east's gateway has no address yet/);
	const real = await run(primaryRemote);
	real.factory.cluster('cw').put({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'istio-system'}});
	const fresh = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	for (const o of real.factory.cluster('ce').objectsOf('Service')) fresh.cluster('ce').put(o);
	for (const o of real.factory.cluster('ce').objectsOf('Deployment')) fresh.cluster('ce').put(o);
	const dry = await run(primaryRemote, {factory: fresh, dryRun: true});
	assert.equal(step(dry.outcome, 'west/install-remote').status, 'skipped');
	assert.match(step(dry.outcome, 'west/install-remote').detail ?? '', /istioctl install --dry-run passed/);
	assert.ok(dry.istioctl.installs.filter(i => i.context === 'cw').every(i => i.dryRun && /remotePilotAddress: 127\.0\.0\.10/.test(i.manifestYaml)));
	assert.equal(fresh.cluster('cw').objectsOf('Service').length, 0);
	assert.equal(fresh.cluster('ce').objectsOf('Secret').length, 0);
});
