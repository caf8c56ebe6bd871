import {test} from 'node:test';
import assert from 'node:assert/strict';
import {readWithDeadline, runCheckPhase, type ReadResult} from '../../source/checks/run.js';
import type {ClusterSpec} from '../../source/core/model.js';
import {multiNetwork} from '../support/plans.js';
import {clusterObjects, FakeCluster} from '../support/fake-cluster.js';
import {collectClusterFacts} from '../../source/checks/collect.js';
import type {ClusterClientFactory} from '../../source/core/ports.js';

/** A read that never answers until its signal aborts; records that it was aborted. */
function hangingRead(aborted: string[]) {
	return (cluster: ClusterSpec, signal: AbortSignal) =>
		new Promise<ReadResult>(() => {
			signal.addEventListener('abort', () => aborted.push(cluster.name), {once: true});
		});
}

function factoryFor(objects: Record<string, ReturnType<typeof clusterObjects>>): ClusterClientFactory {
	const fakes = Object.fromEntries(Object.entries(objects).map(([ctx, objs]) => [ctx, new FakeCluster(ctx, objs)]));
	return {
		kubeconfig: {
			files: [],
			warnings: [],
			contexts: Object.keys(objects).map(name => ({name, cluster: name, user: 'u', server: `https://${name}.example.internal:6443`})),
		},
		client: context => fakes[context]!,
	};
}

test('a cluster that never answers gets an unreachable verdict naming the deadline; its reads are aborted', async () => {
	const plan = multiNetwork;
	const aborted: string[] = [];
	const facts = await readWithDeadline(plan.clusters[1]!, hangingRead(aborted), 5);
	assert.equal(facts.reachable, false);
	assert.match(facts.error ?? '', /no answer from the API server of cw within \d[^ ]*s while reading the cluster's facts/);
	assert.deepEqual(aborted, [plan.clusters[1]!.name]);
});

test('one slow cluster does not hold back the other: the fast one is reported first, the slow one by its deadline', async () => {
	const plan = multiNetwork;
	const [east, west] = plan.clusters;
	const factory = factoryFor({[east!.context]: clusterObjects(east!.name, east!.network, true)});
	const done: string[] = [];
	const result = await runCheckPhase({
		plan,
		phase: 'preflight',
		deadlineMs: 200,
		read: (cluster, signal) =>
			cluster.name === east!.name ? collectClusterFacts(factory, {plan, cluster, phase: 'preflight', signal}) : hangingRead([])(cluster, signal),
		onClusterDone: c => done.push(c.name),
	});
	assert.deepEqual(done, [east!.name, west!.name]);
	assert.equal(result.aborted, false);
	assert.equal(result.facts[east!.name]!.reachable, true);
	assert.equal(result.facts[west!.name]!.reachable, false);
	// The unreachable cluster's checks are failed or skipped, never passed; the reachable one's are judged.
	const reach = result.results.find(r => r.cluster === west!.name && r.id === 'cluster-reachable');
	assert.equal(reach?.status, 'fail');
	assert.match(reach?.reason ?? '', /no answer from the API server/);
	assert.ok(result.results.some(r => r.cluster === east!.name && r.status === 'pass'));
});

test('aborting stops a run at once: hanging reads are cancelled and no verdict is given', async () => {
	const plan = multiNetwork;
	const controller = new AbortController();
	const aborted: string[] = [];
	let started = 0;
	const read = (cluster: ClusterSpec, signal: AbortSignal) => {
		const p = hangingRead(aborted)(cluster, signal);
		// Abort once every cluster's read has started.
		if (++started === plan.clusters.length) queueMicrotask(() => controller.abort());
		return p;
	};
	const result = await runCheckPhase({
		plan,
		phase: 'preflight',
		deadlineMs: 3_600_000,
		read,
		signal: controller.signal,
		onClusterDone: () => assert.fail('no cluster is reported after an abort'),
	});
	assert.equal(result.aborted, true);
	assert.deepEqual(result.results, []);
	assert.deepEqual(aborted.sort(), plan.clusters.map(c => c.name).sort());
});

test("phase 'all' judges each check once, clusters in plan order", async () => {
	const plan = multiNetwork;
	const factory = factoryFor(Object.fromEntries(plan.clusters.map(c => [c.context, clusterObjects(c.name, c.network, true)])));
	const result = await runCheckPhase({
		plan,
		phase: 'all',
		deadlineMs: 10_000,
		read: (cluster, signal) => collectClusterFacts(factory, {plan, cluster, phase: 'all', signal}),
	});
	const keys = result.results.map(r => `${r.id}@${r.cluster ?? ''}`);
	assert.equal(new Set(keys).size, keys.length);
	assert.ok(result.results.some(r => r.id === 'cluster-reachable'));
	assert.ok(result.results.some(r => r.id === 'gateway-rolled-out'));
	const order = result.results.map(r => r.cluster).filter((c, i, all) => c && all.indexOf(c) === i);
	assert.deepEqual(
		order,
		plan.clusters.map(c => c.name),
	);
});
