import {test} from 'node:test';
import assert from 'node:assert/strict';
import {controlPlaneVerdict, networkLabelVerdict} from '../../source/core/namespace-key.js';

const LABEL = 'topology.istio.io/network';
const ANNOTATION = 'topology.istio.io/controlPlaneClusters';
const ns = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({metadata: {name: 'istio-system', labels, annotations}});
const opts = {force: false, dryRun: false, context: 'kind-east'};

test('network label: created with istio-system, added, kept when equal; another network refused unless --force', () => {
	assert.deepEqual(networkLabelVerdict(undefined, 'net1', opts), {action: 'write', create: true, detail: `created istio-system with ${LABEL}=net1`});
	assert.deepEqual(networkLabelVerdict(ns(), 'net1', opts), {action: 'write', create: false, detail: `labeled istio-system ${LABEL}=net1`});
	assert.deepEqual(networkLabelVerdict(ns({[LABEL]: ''}), 'net1', {...opts, dryRun: true}), {
		action: 'write',
		create: false,
		detail: `labeled istio-system ${LABEL}=net1 (dry run)`,
	});
	assert.deepEqual(networkLabelVerdict(ns({[LABEL]: 'net1'}), 'net1', opts), {action: 'keep', detail: `istio-system already has ${LABEL}=net1`});
	assert.deepEqual(networkLabelVerdict(ns({[LABEL]: 'net9'}), 'net1', opts), {
		action: 'refuse',
		message: `namespace istio-system on kind-east is labelled ${LABEL}=net9, but the plan says net1`,
		hint: 'check the network of kind-east; re-run with --force to relabel it net1 (workloads on net9 will move networks)',
	});
	assert.deepEqual(networkLabelVerdict(ns({[LABEL]: 'net9'}), 'net1', {...opts, force: true}), {
		action: 'write',
		create: false,
		detail: 'overwrote the network label on istio-system with net1 (--force)',
	});
});

test('controlPlaneClusters: kept while it names the primary (in a list, or *); another primary refused unless --force', () => {
	assert.deepEqual(controlPlaneVerdict(undefined, 'east', opts), {action: 'write', create: true, detail: `created istio-system with ${ANNOTATION}=east`});
	assert.deepEqual(controlPlaneVerdict(ns(), 'east', {...opts, dryRun: true}), {
		action: 'write',
		create: false,
		detail: `annotated istio-system ${ANNOTATION}=east (dry run)`,
	});
	for (const value of ['east', 'west, east', '*']) assert.equal(controlPlaneVerdict(ns({}, {[ANNOTATION]: value}), 'east', opts).action, 'keep', value);
	assert.deepEqual(controlPlaneVerdict(ns({}, {[ANNOTATION]: 'west'}), 'east', opts), {
		action: 'refuse',
		message: `namespace istio-system on kind-east is annotated ${ANNOTATION}=west, which does not name east`,
		hint: 'another primary controls kind-east; re-run with --force to hand it to east',
	});
	assert.deepEqual(controlPlaneVerdict(ns({}, {[ANNOTATION]: 'west'}), 'east', {...opts, force: true}), {
		action: 'write',
		create: false,
		detail: 'replaced the control-plane annotation on istio-system with east (--force)',
	});
});
