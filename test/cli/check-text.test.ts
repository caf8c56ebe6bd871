/** One renderer for check results: `eastwest check` prints all of them, apply's preflight only what did not pass, in the same words. */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {formatCheckResults, formatPreflight} from '../../source/commands/check-text.js';
import {SKIPPED_UNREACHABLE, summarize, type CheckResult} from '../../source/core/checks/index.js';
import {CHECK_MARK, MARK} from '../../source/core/marks.js';
import {SYMBOL} from '../../source/core/status.js';
import type {MeshPlanInput} from '../../source/core/model.js';

const plan: MeshPlanInput = {
	topology: 'multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'ctx-east', name: 'east', network: 'n1', role: 'primary'},
		{context: 'ctx-west', name: 'west', network: 'n2', role: 'primary'},
	],
};

const results: CheckResult[] = [
	{id: 'reachable', cluster: 'east', claim: 'the API server answers', level: 'fail', status: 'pass'},
	{
		id: 'network-label',
		cluster: 'east',
		claim: 'istio-system is labelled n1',
		level: 'fail',
		status: 'fail',
		reason: 'labelled n9',
		hint: 'pass --force',
		doc: 'https://istio.io/x',
	},
	{id: 'lb', cluster: 'east', claim: 'LoadBalancer Services get an address', level: 'warn', status: 'warn', reason: 'none seen'},
	{id: 'reachable', cluster: 'west', claim: 'the API server answers', level: 'fail', status: 'fail', reason: 'connection refused'},
	{id: 'istiod', cluster: 'west', claim: 'istiod runs', level: 'fail', status: 'skip', reason: SKIPPED_UNREACHABLE},
	{id: 'trust-domain', claim: 'one trust domain', level: 'fail', status: 'skip', reason: 'no istiod read'},
];

test('check prints every claim; a result that does not pass has its reason, hint and doc under it', () => {
	const text = formatCheckResults(plan, results, summarize(results), {west: {errors: ['GET /version: refused']}});
	assert.equal(
		text,
		[
			'east (context ctx-east)',
			'-----------------------',
			'✔ the API server answers',
			'✘ istio-system is labelled n1',
			'    labelled n9',
			'    hint: pass --force',
			'    see: https://istio.io/x',
			'‼ LoadBalancer Services get an address',
			'    none seen',
			'',
			'west (context ctx-west)',
			'-----------------------',
			'✘ the API server answers',
			'    connection refused',
			`– 1 more check skipped: ${SKIPPED_UNREACHABLE}`,
			'    (could not read: GET /version: refused)',
			'',
			'across the mesh',
			'---------------',
			'– one trust domain',
			'    skipped: no istiod read',
			'',
			'✘ checks failed: 1 passed, 1 warning, 2 failed, 2 skipped',
			'',
		].join('\n'),
	);
});

test("apply's preflight shows the same lines for what did not pass, with how the run resolves an overridden failure", () => {
	const summary = summarize(results);
	const overridden = [{result: results[1]!, by: '--force: the run relabels istio-system'}];
	const text = formatPreflight(plan, {results, summary, failed: [results[3]!], overridden, facts: {}}, false);
	const check = formatCheckResults(plan, results, summary);
	// Each claim apply shows is worded as check words it.
	for (const r of results.filter(x => x.status === 'fail' || x.status === 'warn')) {
		const block = (t: string) =>
			t
				.split('\n')
				.slice(t.split('\n').indexOf(`${CHECK_MARK[r.status]} ${r.claim}`))
				.slice(0, 2)
				.join('\n');
		assert.equal(block(text), block(check), r.id);
	}
	assert.doesNotMatch(text, /✔ the API server answers/, 'passing checks are only counted');
	assert.doesNotMatch(text, /one trust domain/, 'skips other than an unreachable cluster are only counted');
	assert.match(text, / {4}see: https:\/\/istio\.io\/x\n {4}overridden: --force: the run relabels istio-system\n/);
	assert.match(text, /\n✘ preflight checks failed: 1 passed, 1 warning, 2 failed, 2 skipped\n\n$/);
	assert.match(formatPreflight(plan, {results, summary, failed: [], overridden, facts: {}}, false), /\n‼ preflight checks passed with overrides: /);
});

test('one table of marks: the checks, the status rows and the run lines use the same glyphs', () => {
	assert.deepEqual(SYMBOL, {ok: MARK.ok, warn: MARK.warn, fail: MARK.fail});
	assert.deepEqual(CHECK_MARK, {pass: MARK.ok, warn: MARK.warn, fail: MARK.fail, skip: MARK.skip});
	assert.deepEqual(Object.values(MARK), ['✔', '‼', '✘', '–']);
});
