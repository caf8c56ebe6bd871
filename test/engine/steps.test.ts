// The step walk every run shares (engine/steps.ts), driven by scripted steps: order, the finished rule,
// failures, cancellation, elapsed times from the clock it is handed, and the outcome.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import type {Event} from '../../source/core/events.js';
import {announce, Cancelled, StepFailure, walkOutcome, walkSteps, type StepDone, type WalkStep} from '../../source/engine/steps.js';
import {FakeClock} from '../support/fake-clock.js';

const step = (cluster: string, kind: WalkStep['kind'], dependsOn: string[] = []): WalkStep => ({
	id: `${cluster}/${kind}`,
	kind,
	cluster,
	title: kind,
	dependsOn,
});

/** Two clusters: a's chain label → install → wait; b's label, and b's install also waits for a's install. */
function plan() {
	const a = [step('a', 'label-network'), step('a', 'install-gateway', ['a/label-network']), step('a', 'wait-rollout', ['a/install-gateway'])];
	const b = [step('b', 'label-network'), step('b', 'install-gateway', ['b/label-network', 'a/install-gateway'])];
	return {
		clusters: [
			{cluster: {name: 'a', context: 'ca'}, steps: a},
			{cluster: {name: 'b', context: 'cb'}, steps: b},
		],
		steps: [...a, ...b],
	};
}

async function walk(perform: (s: WalkStep, clock: FakeClock) => Promise<StepDone>, signal?: AbortSignal) {
	const clock = new FakeClock();
	const events: Event[] = [];
	const p = plan();
	const records = await walkSteps(p.steps, {signal, clock, onEvent: e => events.push(e), perform: s => perform(s, clock)});
	const outcome = announce(e => events.push(e), walkOutcome(p, records, signal));
	return {events, outcome, at: (type: Event['type'], id: string) => events.findIndex(e => e.type === type && 'stepId' in e && e.stepId === id)};
}

test('each step starts after the steps it depends on ended, across clusters too; elapsed times come from the clock', async () => {
	const {events, outcome, at} = await walk(async (s, clock) => {
		if (s.kind === 'install-gateway') await clock.advance(1500);
		return {result: s.cluster === 'b' && s.kind === 'label-network' ? 'unchanged' : 'changed', detail: `did ${s.id}`};
	});
	assert.equal(outcome.ok, true);
	assert.ok(at('step-done', 'a/install-gateway') < at('step-start', 'b/install-gateway'));
	assert.ok(at('step-done', 'a/label-network') < at('step-start', 'a/install-gateway'));
	const installA = events.find(e => e.type === 'step-done' && e.stepId === 'a/install-gateway');
	assert.ok(installA?.type === 'step-done' && installA.elapsedMs >= 1500, JSON.stringify(installA));
	assert.deepEqual(
		outcome.clusters.map(c => [c.cluster, c.outcome, c.steps.map(s => s.status)]),
		[
			['a', 'succeeded', ['changed', 'changed', 'changed']],
			['b', 'succeeded', ['unchanged', 'changed']],
		],
	);
	assert.equal(outcome.clusters[0]!.steps[0]!.detail, 'did a/label-network');
	assert.equal(events.at(-1)?.type, 'run-done');
});

test('a failed step fails its cluster with message and hint; what depends on it is not run, saying why; a throwing front-end breaks nothing', async () => {
	const clock = new FakeClock();
	const p = plan();
	let thrown = 0;
	const records = await walkSteps(p.steps, {
		clock,
		onEvent: () => {
			thrown += 1;
			throw new Error('the screen broke');
		},
		perform: async s => {
			if (s.id === 'a/install-gateway') throw new StepFailure('istioctl install failed', 'check RBAC');
			return {result: 'changed'};
		},
	});
	const outcome = walkOutcome(p, records, undefined);
	assert.ok(thrown > 0);
	assert.equal(outcome.ok, false);
	const a = outcome.clusters[0]!;
	assert.equal(a.outcome, 'failed');
	assert.deepEqual(a.steps[1], {id: 'a/install-gateway', kind: 'install-gateway', status: 'failed', error: 'istioctl install failed', hint: 'check RBAC'});
	assert.deepEqual(a.steps[2], {id: 'a/wait-rollout', kind: 'wait-rollout', status: 'not-run', detail: 'a/install-gateway did not succeed'});
	assert.deepEqual(
		outcome.clusters[1]!.steps.map(s => s.status),
		['changed', 'not-run'],
	);
	assert.equal(outcome.clusters[1]!.outcome, 'failed');
});

test('cancelled: the running step is marked cancelled with how to finish, the rest not run, the outcome cancelled', async () => {
	const controller = new AbortController();
	const {events, outcome} = await walk(async s => {
		if (s.id === 'a/install-gateway') {
			controller.abort();
			throw new Cancelled();
		}
		return {result: 'changed'};
	}, controller.signal);
	assert.equal(outcome.ok, false);
	assert.equal(outcome.cancelled, true);
	const failed = events.find(e => e.type === 'step-failed');
	assert.ok(failed?.type === 'step-failed');
	assert.equal(failed.error, 'interrupted');
	assert.equal(failed.hint, 'the run was cancelled; run it again to finish');
	assert.deepEqual(
		outcome.clusters.map(c => c.outcome),
		['cancelled', 'cancelled'],
	);
	const wait = outcome.clusters[0]!.steps[2]!;
	assert.equal(wait.status, 'not-run');
	assert.equal(wait.detail, 'interrupted before it started');
});
