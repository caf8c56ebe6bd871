import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {buildPlan} from '../../source/core/plan.js';
import {meshPlan} from '../support/plans.js';
import {
	applyRunEvent,
	applyRunEvents,
	clustersInRows,
	failedOutcome,
	initialRunView,
	runExitCode,
	summarizeCluster,
	withOutcome,
} from '../../source/core/run-progress.js';
import type {Event} from '../../source/core/events.js';
import {test} from 'node:test';

const plan = buildPlan(meshPlan({meshId: 'm', clusters: ['a', 'b'], context: name => `c${name}`, network: (_, i) => `n${i + 1}`}));

describe('run progress', () => {
	it('folds events into per-cluster step views', () => {
		let v = initialRunView(plan);
		assert.deepEqual(
			v.clusters.map(c => c.steps.every(s => s.status === 'pending')),
			[true, true],
		);
		v = applyRunEvent(v, {type: 'step-start', stepId: 'a/label-network', cluster: 'a', kind: 'label-network', title: 'Label', at: 0}, 1000);
		assert.equal(v.clusters[0]!.steps[0]!.status, 'running');
		assert.equal(v.clusters[0]!.steps[0]!.startedAt, 1000);
		v = applyRunEvent(v, {type: 'waiting', stepId: 'a/label-network', cluster: 'a', elapsedMs: 500, reason: 'why not yet'}, 1500);
		assert.equal(v.clusters[0]!.steps[0]!.waiting, 'why not yet');
		v = applyRunEvent(v, {type: 'step-done', stepId: 'a/label-network', cluster: 'a', kind: 'label-network', result: 'unchanged', elapsedMs: 700}, 1700);
		assert.equal(v.clusters[0]!.steps[0]!.status, 'unchanged');
		assert.equal(v.clusters[0]!.steps[0]!.waiting, undefined);
		v = applyRunEvent(v, {type: 'step-failed', stepId: 'b/label-network', cluster: 'b', kind: 'label-network', error: 'e', hint: 'h', elapsedMs: 3}, 1800);
		assert.deepEqual([v.clusters[1]!.steps[0]!.status, v.clusters[1]!.steps[0]!.error, v.clusters[1]!.steps[0]!.hint], ['failed', 'e', 'h']);
		v = applyRunEvent(v, {type: 'address', cluster: 'a', address: {kind: 'hostname', value: 'lb.example'}}, 1900);
		assert.equal(v.clusters[0]!.address?.value, 'lb.example');
		assert.equal(v.clusters[1]!.address, undefined);
	});

	it('an outcome sets cluster outcomes and the exit code', () => {
		const failed = failedOutcome(plan, 'engine crashed', false);
		const v = withOutcome(initialRunView(plan), failed);
		assert.deepEqual(
			v.clusters.map(c => c.outcome),
			['failed', 'failed'],
		);
		assert.equal(runExitCode(failed), 1);
		assert.equal(runExitCode(failedOutcome(plan, 'x', true)), 130);
		assert.equal(runExitCode({ok: true, cancelled: false, clusters: []}), 0);
		assert.equal(runExitCode(undefined), 1);
	});
});

test('applyRunEvents folds a batch as the events one by one would, copying only the clusters it touches', () => {
	const plan = buildPlan(meshPlan({clusters: 6}));
	const v0 = initialRunView(plan);
	const id = (i: number, kind: string) => `${plan.clusters[i]!.cluster.name}/${kind}`;
	const name = (i: number) => plan.clusters[i]!.cluster.name;
	const batch: Array<{event: Event; now: number}> = [
		{event: {type: 'step-start', stepId: id(1, 'label-network'), cluster: name(1), kind: 'label-network', title: 'Label', at: 0}, now: 10},
		{event: {type: 'step-done', stepId: id(1, 'label-network'), cluster: name(1), kind: 'label-network', result: 'changed', elapsedMs: 5}, now: 15},
		{event: {type: 'step-start', stepId: id(1, 'install-gateway'), cluster: name(1), kind: 'install-gateway', title: 'Install', at: 15}, now: 15},
		{
			event: {type: 'waiting', stepId: id(1, 'install-gateway'), cluster: name(1), elapsedMs: 0, reason: 'queued: 4 istioctl installs ahead (--parallel 4)'},
			now: 16,
		},
		{event: {type: 'address', cluster: name(3), address: {kind: 'ip', value: '127.0.0.10'}}, now: 20},
		{event: {type: 'step-failed', stepId: id(4, 'label-network'), cluster: name(4), kind: 'label-network', error: 'e', elapsedMs: 1}, now: 21},
		{event: {type: 'waiting', stepId: 'nowhere/x', cluster: 'nowhere', elapsedMs: 0, reason: 'ignored'}, now: 22},
	];
	const oneByOne = batch.reduce((v, b) => applyRunEvent(v, b.event, b.now), v0);
	const batched = applyRunEvents(v0, batch);
	assert.deepEqual(batched, oneByOne);
	// Untouched clusters are the same objects; the first view is not changed.
	for (const i of [0, 2, 5]) assert.equal(batched.clusters[i], v0.clusters[i]);
	assert.notEqual(batched.clusters[1], v0.clusters[1]);
	assert.equal(v0.clusters[1]!.steps[0]!.status, 'pending');
	assert.equal(batched.clusters[1]!.steps[1]!.waiting, 'queued: 4 istioctl installs ahead (--parallel 4)');
	assert.equal(applyRunEvents(v0, []), v0);
});

test('summarizeCluster and clustersInRows: all clusters when they fit, else those needing attention first, in plan order', () => {
	const plan = buildPlan(meshPlan({clusters: 10}));
	let v = initialRunView(plan);
	const c = (i: number) => plan.clusters[i]!.cluster.name;
	const ev = (e: Event) => (v = applyRunEvent(v, e, 0));
	// 2 fails, 5 and 7 run, 8 finished every step, the rest wait to start.
	ev({type: 'step-failed', stepId: `${c(2)}/label-network`, cluster: c(2), kind: 'label-network', error: 'no', elapsedMs: 1});
	for (const i of [5, 7]) ev({type: 'step-start', stepId: `${c(i)}/label-network`, cluster: c(i), kind: 'label-network', title: 'L', at: 0});
	for (const s of plan.clusters[8]!.steps) ev({type: 'step-done', stepId: s.id, cluster: c(8), kind: s.kind, result: 'changed', elapsedMs: 1});
	assert.deepEqual(
		v.clusters.map(x => summarizeCluster(x).state),
		['pending', 'pending', 'failed', 'pending', 'pending', 'running', 'pending', 'running', 'done', 'pending'],
	);
	assert.equal(summarizeCluster(v.clusters[2]!).current?.error, 'no');
	// 5 steps of its own and a remote secret for each of the 9 other clusters.
	assert.deepEqual(summarizeCluster(v.clusters[8]!), {state: 'done', done: 14, total: 14});
	assert.deepEqual(
		clustersInRows(v.clusters, 10).shown.map(x => x.name),
		plan.clusters.map(x => x.cluster.name),
	);
	const five = clustersInRows(v.clusters, 5);
	// Four rows of clusters and one for the rest: the failed one, both running, then the first waiting one.
	assert.deepEqual(
		five.shown.map(x => x.name),
		[c(0), c(2), c(5), c(7)],
	);
	assert.deepEqual(five.hidden, {pending: 5, done: 1});
	// The outcome decides once the run is over.
	v = withOutcome(v, {
		ok: false,
		cancelled: true,
		clusters: v.clusters.map(x => ({cluster: x.name, context: x.context, outcome: x.name === c(8) ? 'succeeded' : 'cancelled', steps: []})),
	});
	assert.equal(summarizeCluster(v.clusters[5]!).state, 'cancelled');
	assert.equal(summarizeCluster(v.clusters[8]!).state, 'done');
});
