import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {buildPlan} from '../../source/core/plan.js';
import {meshPlan} from '../support/plans.js';
import {applyRunEvent, failedOutcome, initialRunView, runExitCode, withOutcome} from '../../source/core/run-progress.js';

const plan = buildPlan(meshPlan({meshId: 'm', clusters: ['a', 'b'], context: name => `c${name}`, network: (_, i) => `n${i + 1}`}));

describe('run progress', () => {
	it('folds events into per-cluster step views', () => {
		let v = initialRunView(plan);
		assert.deepEqual(v.clusters.map(c => c.steps.every(s => s.status === 'pending')), [true, true]);
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
		assert.deepEqual(v.clusters.map(c => c.outcome), ['failed', 'failed']);
		assert.equal(runExitCode(failed), 1);
		assert.equal(runExitCode(failedOutcome(plan, 'x', true)), 130);
		assert.equal(runExitCode({ok: true, cancelled: false, clusters: []}), 0);
		assert.equal(runExitCode(undefined), 1);
	});
});
