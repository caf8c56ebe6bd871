import {test} from 'node:test';
import assert from 'node:assert/strict';
import {validatePlan, dns1123LabelProblem, type Problem} from '../../source/core/validate.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {meshPlan} from '../support/plans.js';

const base = (over: Partial<MeshPlanInput> = {}): MeshPlanInput => ({...meshPlan({context: name => `${name}-ctx`}), ...over});

const paths = (ps: Problem[]) => ps.map(p => p.path);

test('a valid multi-network plan has no problems', () => {
	assert.deepEqual(validatePlan(base()), []);
});

test('a valid primary-remote plan on one network has no problems', () => {
	assert.deepEqual(
		validatePlan(
			base({
				topology: 'primary-remote',
				clusters: [
					{context: 'a', name: 'a', network: 'net1', role: 'primary'},
					{context: 'b', name: 'b', network: 'net1', role: 'remote'},
				],
			}),
		),
		[],
	);
});

test('DNS-1123 label rules apply to names, networks and revision', () => {
	assert.equal(dns1123LabelProblem('ok-name-1', 'x'), undefined);
	assert.match(dns1123LabelProblem('Bad', 'cluster name')!, /not a DNS-1123 label; try "bad"/);
	assert.match(dns1123LabelProblem('-lead', 'network')!, /not a DNS-1123 label/);
	assert.match(dns1123LabelProblem('trail-', 'network')!, /not a DNS-1123 label/);
	assert.match(dns1123LabelProblem('a_b', 'network')!, /not a DNS-1123 label/);
	assert.match(dns1123LabelProblem('a'.repeat(64), 'network')!, /64 characters; the limit is 63/);
	assert.equal(dns1123LabelProblem('a'.repeat(63), 'network'), undefined);
	assert.match(dns1123LabelProblem('', 'network')!, /empty/);
	const problems = validatePlan(base({revision: '1-22_x'}));
	assert.deepEqual(paths(problems), ['revision']);
});

test('every problem is reported at once, with field paths', () => {
	const problems = validatePlan({
		topology: 'multi-network',
		meshId: '',
		revision: 'Canary',
		clusters: [
			{context: 'c1', name: 'Kubernetes', network: 'n1', role: 'primary'},
			{context: 'c1', name: 'UPPER', network: 'n1', role: 'primary'},
		],
	});
	const ps = paths(problems);
	assert.ok(ps.includes('meshId'));
	assert.ok(ps.includes('revision'));
	assert.ok(ps.includes('clusters[0].name'));
	assert.ok(ps.includes('clusters[1].name'));
	assert.ok(ps.includes('clusters[1].context'), 'duplicate context');
	assert.ok(ps.includes('clusters'), 'single network for multi-network');
	assert.ok(problems.find(p => p.path === 'clusters[0].name' && /Istio's default/.test(p.message)));
});

test('cluster name "Kubernetes" is refused in any case', () => {
	const ps = validatePlan(
		base({
			clusters: [
				{context: 'a', name: 'kubernetes', network: 'n1', role: 'primary'},
				{context: 'b', name: 'b', network: 'n2', role: 'primary'},
			],
		}),
	);
	assert.deepEqual(paths(ps), ['clusters[0].name']);
	assert.match(ps[0]!.message, /breaks multicluster/);
});

test('duplicate cluster names are refused and point at the first use', () => {
	const ps = validatePlan(
		base({
			clusters: [
				{context: 'a', name: 'same', network: 'n1', role: 'primary'},
				{context: 'b', name: 'same', network: 'n2', role: 'primary'},
			],
		}),
	);
	assert.deepEqual(paths(ps), ['clusters[1].name']);
	assert.match(ps[0]!.message, /already used by clusters\[0\]/);
});

test('primary-remote topologies need exactly one primary and at least one remote', () => {
	const two = validatePlan(
		base({
			topology: 'primary-remote',
			clusters: [
				{context: 'a', name: 'a', network: 'n', role: 'primary'},
				{context: 'b', name: 'b', network: 'n', role: 'primary'},
			],
		}),
	);
	assert.ok(two.some(p => /exactly one primary; 2 given/.test(p.message)));
	assert.ok(two.some(p => /at least one remote/.test(p.message)));
	const none = validatePlan(
		base({
			topology: 'primary-remote-multi-network',
			clusters: [
				{context: 'a', name: 'a', network: 'n1', role: 'remote'},
				{context: 'b', name: 'b', network: 'n2', role: 'remote'},
			],
		}),
	);
	assert.ok(none.some(p => /exactly one primary; 0 given/.test(p.message)));
});

test('primary-remote keeps all clusters on one network', () => {
	const ps = validatePlan(
		base({
			topology: 'primary-remote',
			clusters: [
				{context: 'a', name: 'a', network: 'n1', role: 'primary'},
				{context: 'b', name: 'b', network: 'n2', role: 'remote'},
			],
		}),
	);
	assert.equal(ps.length, 1);
	assert.match(ps[0]!.message, /one network.*primary-remote-multi-network/);
});

test('primary-remote-multi-network needs each remote off the primary network', () => {
	const ps = validatePlan(
		base({
			topology: 'primary-remote-multi-network',
			clusters: [
				{context: 'a', name: 'a', network: 'n1', role: 'primary'},
				{context: 'b', name: 'b', network: 'n2', role: 'remote'},
				{context: 'c', name: 'c', network: 'n1', role: 'remote'},
			],
		}),
	);
	assert.deepEqual(paths(ps), ['clusters[2].network']);
});

test('multi-network has no remotes', () => {
	const ps = validatePlan(
		base({
			clusters: [
				{context: 'a', name: 'a', network: 'n1', role: 'primary'},
				{context: 'b', name: 'b', network: 'n2', role: 'remote'},
			],
		}),
	);
	assert.deepEqual(paths(ps), ['clusters[1].role']);
});

test('one cluster is not a multicluster mesh; mesh ID must be label-safe', () => {
	const ps = validatePlan(base({meshId: 'mesh one', clusters: [{context: 'a', name: 'a', network: 'n1', role: 'primary'}]}));
	assert.ok(ps.some(p => p.path === 'clusters' && /at least 2 clusters/.test(p.message)));
	assert.ok(ps.some(p => p.path === 'meshId'));
});
