import {test} from 'node:test';
import assert from 'node:assert/strict';
import {buildPlan, orderSteps, type Step} from '../../source/core/plan.js';
import {multiNetwork} from '../support/plans.js';

const kinds = (steps: Step[], cluster: string) => steps.filter(s => s.cluster === cluster).map(s => s.kind);

test('multi-network: every cluster labels, installs, waits, exposes services, and reads every other cluster', () => {
	const input = multiNetwork;
	const plan = buildPlan(input);
	for (const c of ['east', 'west']) {
		assert.deepEqual(kinds(plan.steps, c), ['label-network', 'install-gateway', 'wait-rollout', 'wait-address', 'expose-services', 'remote-secret']);
	}
	// The gateway chain of one cluster never waits for another cluster.
	for (const s of plan.steps.filter(x => x.kind !== 'remote-secret')) for (const d of s.dependsOn) assert.ok(d.startsWith(`${s.cluster}/`), `${s.id} -> ${d}`);
	const install = plan.steps.find(s => s.id === 'west/install-gateway')!;
	assert.equal(install.context, 'cw');
	assert.equal((install.manifests[0] as any).spec.values.global.network, 'net-west');
	assert.equal(plan.steps.find(s => s.id === 'east/label-network')!.network, 'net-east');
	assert.equal(plan.steps.find(s => s.id === 'east/expose-services')!.manifests[0]!.metadata.name, 'cross-network-gateway');
	// east's istiod reads west: the secret is applied on east (context ce) and made from west's context (cw).
	const secret = plan.steps.find(s => s.id === 'east/remote-secret/west')!;
	assert.equal(secret.context, 'ce');
	assert.equal(secret.peer, 'west');
	assert.equal(secret.peerContext, 'cw');
	assert.match(secret.title, /istio-remote-secret-west/);
	assert.deepEqual(secret.dependsOn.sort(), ['east/label-network', 'west/label-network']);
	assert.deepEqual(secret.manifests, [], 'the secret holds a token: the plan never carries it');
	assert.equal(
		plan.clusters.some(c => c.notes.some(n => /yours to run/.test(n))),
		false,
	);
});

test('multi-network with three clusters: one secret per ordered pair (N×(N-1)), none for a cluster itself', () => {
	const plan = buildPlan({
		topology: 'multi-network',
		meshId: 'm',
		clusters: ['a', 'b', 'c'].map(n => ({context: `ctx-${n}`, name: n, network: `net-${n}`, role: 'primary' as const})),
	});
	const secrets = plan.steps
		.filter(s => s.kind === 'remote-secret')
		.map(s => s.id)
		.sort();
	assert.deepEqual(secrets, ['a/remote-secret/b', 'a/remote-secret/c', 'b/remote-secret/a', 'b/remote-secret/c', 'c/remote-secret/a', 'c/remote-secret/b']);
	assert.equal(new Set(plan.steps.map(s => s.id)).size, plan.steps.length, 'step ids are unique');
});

test('primary-remote: the primary gets a gateway and exposes istiod; the remote is annotated, installed and read by the primary, in that order', () => {
	const plan = buildPlan({
		topology: 'primary-remote',
		meshId: 'mesh1',
		revision: 'canary',
		clusters: [
			{context: 'c1', name: 'one', network: 'net1', role: 'primary'},
			{context: 'c2', name: 'two', network: 'net1', role: 'remote'},
		],
	});
	assert.deepEqual(kinds(plan.steps, 'one'), ['install-gateway', 'wait-rollout', 'wait-address', 'expose-istiod', 'remote-secret']);
	assert.deepEqual(kinds(plan.steps, 'two'), ['annotate-remote', 'install-remote']);
	const expose = plan.steps.find(s => s.id === 'one/expose-istiod')!;
	assert.deepEqual(
		expose.manifests.map(m => m.metadata.name),
		['istiod-gateway', 'istiod-vs-canary'],
	);
	assert.equal((plan.steps.find(s => s.id === 'one/install-gateway')!.manifests[0] as any).spec.revision, 'canary');
	const annotate = plan.steps.find(s => s.id === 'two/annotate-remote')!;
	assert.deepEqual(annotate.dependsOn, []);
	assert.match(annotate.title, /controlPlaneClusters=one/);
	const remote = plan.steps.find(s => s.id === 'two/install-remote')!;
	assert.deepEqual(remote.dependsOn.sort(), ['one/expose-istiod', 'two/annotate-remote']);
	const iop = remote.manifests[0] as any;
	assert.equal(iop.metadata.name, 'eastwest-remote');
	assert.equal(iop.spec.profile, 'remote');
	assert.equal(iop.spec.revision, 'canary');
	assert.equal(iop.spec.values.istiodRemote.injectionPath, '/inject/cluster/two/net/net1');
	assert.equal(iop.spec.values.global.multiCluster.clusterName, 'two');
	const secret = plan.steps.find(s => s.id === 'one/remote-secret/two')!;
	assert.deepEqual(secret.dependsOn, ['two/install-remote']);
	assert.equal(secret.context, 'c1');
	assert.equal(secret.peerContext, 'c2');
	assert.equal(
		plan.steps.some(s => s.id === 'two/remote-secret/one'),
		false,
		'a remote runs no istiod: nothing reads the primary from it',
	);
	const order = plan.steps.map(s => s.id);
	assert.ok(order.indexOf('one/expose-istiod') < order.indexOf('two/install-remote'));
	assert.ok(order.indexOf('two/install-remote') < order.indexOf('one/remote-secret/two'));
	const notes = plan.clusters.find(c => c.cluster.name === 'two')!.notes;
	assert.ok(notes.some(n => /No east-west gateway/.test(n)));
	assert.equal(
		notes.some(n => /yours to run/.test(n)),
		false,
	);
});

test('primary-remote across networks: label → annotate → remote install → the primary reads it → only then the remote gateway', () => {
	const plan = buildPlan({
		topology: 'primary-remote-multi-network',
		meshId: 'mesh1',
		clusters: [
			{context: 'c1', name: 'one', network: 'net1', role: 'primary'},
			{context: 'c2', name: 'two', network: 'net2', role: 'remote'},
		],
	});
	assert.deepEqual(kinds(plan.steps, 'one'), [
		'label-network',
		'install-gateway',
		'wait-rollout',
		'wait-address',
		'expose-istiod',
		'expose-services',
		'remote-secret',
	]);
	assert.deepEqual(kinds(plan.steps, 'two'), ['label-network', 'annotate-remote', 'install-remote', 'install-gateway', 'wait-rollout', 'wait-address']);
	assert.deepEqual(plan.steps.find(s => s.id === 'two/annotate-remote')!.dependsOn, ['two/label-network']);
	const remoteInstall = plan.steps.find(s => s.id === 'two/install-gateway')!;
	assert.deepEqual(remoteInstall.dependsOn.sort(), ['one/remote-secret/two', 'two/install-remote']);
	assert.equal(
		(plan.steps.find(s => s.id === 'two/install-remote')!.manifests[0] as any).spec.values.istiodRemote.injectionPath,
		'/inject/cluster/two/net/net2',
	);
	assert.equal((plan.steps.find(s => s.id === 'two/install-remote')!.manifests[0] as any).spec.revision, '');
	const order = plan.steps.map(s => s.id);
	for (const [before, after] of [
		['one/expose-istiod', 'two/install-remote'],
		['two/install-remote', 'one/remote-secret/two'],
		['one/remote-secret/two', 'two/install-gateway'],
	])
		assert.ok(order.indexOf(before!) < order.indexOf(after!), `${before} before ${after}`);
	assert.equal(plan.steps.find(s => s.id === 'one/expose-services')!.dependsOn[0], 'one/expose-istiod');
	assert.equal(
		plan.steps.some(s => s.id === 'two/expose-services'),
		false,
	);
});

test('orderSteps refuses cycles and unknown dependencies', () => {
	const s = (id: string, dependsOn: string[]): Step => ({id, kind: 'wait-rollout', cluster: 'c', context: 'c', dependsOn, title: id, manifests: []});
	assert.throws(() => orderSteps([s('a', ['b']), s('b', ['a'])]), /cycle/);
	assert.throws(() => orderSteps([s('a', ['zzz'])]), /unknown step zzz/);
	assert.deepEqual(
		orderSteps([s('b', ['a']), s('a', [])]).map(x => x.id),
		['a', 'b'],
	);
});

test('orderSteps keeps input order where free and places a held step right after its last dependency', () => {
	const s = (id: string, dependsOn: string[] = []): Step => ({id, kind: 'wait-rollout', cluster: 'c', context: 'c', dependsOn, title: id, manifests: []});
	// Already in dependency order: unchanged.
	const sorted = [s('a'), s('b', ['a']), s('c'), s('d', ['b', 'c'])];
	assert.deepEqual(
		orderSteps(sorted).map(x => x.id),
		['a', 'b', 'c', 'd'],
	);
	// x and its follower y wait for z; free steps before z keep their order, x and y come right after z.
	assert.deepEqual(
		orderSteps([s('a'), s('x', ['z']), s('y', ['x']), s('b'), s('z'), s('c')]).map(x => x.id),
		['a', 'b', 'z', 'x', 'y', 'c'],
	);
	// A step needing two later steps waits for the last of them.
	assert.deepEqual(
		orderSteps([s('x', ['p', 'q']), s('q'), s('m'), s('p')]).map(x => x.id),
		['q', 'm', 'p', 'x'],
	);
	// Repeated dependency entries count once each way.
	assert.deepEqual(
		orderSteps([s('x', ['a', 'a']), s('a')]).map(x => x.id),
		['a', 'x'],
	);
	assert.throws(() => orderSteps([s('a', ['a'])]), /cycle/);
	assert.throws(() => orderSteps([s('free'), s('a', ['b']), s('b', ['c']), s('c', ['a'])]), /plan has a dependency cycle/);
});

test('orderSteps on random dependency graphs: a permutation with every dependency first', () => {
	let seed = 17;
	const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	for (let round = 0; round < 200; round++) {
		const n = 1 + Math.floor(rand() * 30);
		const ids = Array.from({length: n}, (_, i) => `s${i}`);
		// Edges only from lower to higher index in a hidden order keep it acyclic; the input is shuffled.
		const steps: Step[] = ids.map((id, i) => ({
			id,
			kind: 'wait-rollout',
			cluster: 'c',
			context: 'c',
			title: id,
			manifests: [],
			dependsOn: ids.slice(0, i).filter(() => rand() < 0.15),
		}));
		const input = [...steps].sort(() => rand() - 0.5);
		const out = orderSteps(input);
		assert.deepEqual([...out].map(x => x.id).sort(), [...ids].sort());
		const at = new Map(out.map((x, i) => [x.id, i]));
		for (const x of out) for (const d of x.dependsOn) assert.ok(at.get(d)! < at.get(x.id)!, `${d} before ${x.id}`);
		// The hidden order itself is kept as it is.
		assert.deepEqual(
			orderSteps(steps).map(x => x.id),
			ids,
		);
	}
});

test("buildPlan on 100 clusters keeps each cluster's steps together, in cluster order", () => {
	const clusters = Array.from({length: 100}, (_, i) => ({context: `c${i}`, name: `k${i}`, network: `n${i}`, role: 'primary' as const}));
	const plan = buildPlan({topology: 'multi-network', meshId: 'm', clusters});
	// 5 steps per cluster, and a remote secret per ordered pair (N×(N-1)) whose dependencies are two namespaces.
	assert.equal(plan.steps.length, 100 * 5 + 100 * 99);
	const own = plan.steps.filter(s => s.kind !== 'remote-secret');
	assert.deepEqual(
		own.map(s => s.cluster),
		clusters.flatMap(c => Array.from({length: 5}, () => c.name)),
	);
	const at = new Map(plan.steps.map((s, i) => [s.id, i]));
	for (const s of plan.steps) for (const d of s.dependsOn) assert.ok(at.get(d)! < at.get(s.id)!, `${d} before ${s.id}`);
	// A remote listed before its primary waits for the primary's istiod without reordering anything else.
	const pr = buildPlan({
		topology: 'primary-remote-multi-network',
		meshId: 'm',
		clusters: [
			{context: 'c2', name: 'two', network: 'net2', role: 'remote'},
			{context: 'c1', name: 'one', network: 'net1', role: 'primary'},
		],
	});
	assert.deepEqual(
		pr.steps.map(s => s.id),
		[
			'two/label-network',
			'two/annotate-remote',
			'one/label-network',
			'one/install-gateway',
			'one/wait-rollout',
			'one/wait-address',
			'one/expose-istiod',
			'two/install-remote',
			'one/expose-services',
			'one/remote-secret/two',
			'two/install-gateway',
			'two/wait-rollout',
			'two/wait-address',
		],
	);
});

test('plan option v1beta1 reaches the expose manifests', () => {
	const plan = buildPlan(
		{
			topology: 'multi-network',
			meshId: 'm',
			clusters: [
				{context: 'a', name: 'a', network: 'n1', role: 'primary'},
				{context: 'b', name: 'b', network: 'n2', role: 'primary'},
			],
		},
		{apiVersion: 'v1beta1'},
	);
	assert.equal(plan.steps.find(s => s.kind === 'expose-services')!.manifests[0]!.apiVersion, 'networking.istio.io/v1beta1');
});
