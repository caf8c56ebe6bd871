import {test} from 'node:test';
import assert from 'node:assert/strict';
import {filterContexts, type FilterResult} from '../../source/ui/screens/ContextsScreen.js';
import type {KubeconfigInfo} from '../../source/core/ports.js';

const kc = (rows: Array<[string, string, string]>): KubeconfigInfo => ({
	files: [],
	contexts: rows.map(([name, cluster, user]) => ({name, cluster, user})),
	warnings: [],
});

test('filterContexts matches name, cluster or user in any case; an extended filter narrows the previous matches to the same rows', () => {
	const config = kc([
		['Prod-EU', 'eks-prod', 'admin'],
		['stage-eu', 'gke_Prod_backup', 'dev'],
		['dev', 'kind-dev', 'PROD-operator'],
		['test', 'kind-test', 'tester'],
	]);
	const names = (r: {rows: Array<{name: string}>}) => r.rows.map(c => c.name);
	assert.deepEqual(names(filterContexts(config, 'prod')), ['Prod-EU', 'stage-eu', 'dev']);
	assert.deepEqual(names(filterContexts(config, '')), ['Prod-EU', 'stage-eu', 'dev', 'test']);
	// Typing one key at a time gives what a fresh scan gives, for every prefix.
	let previous: FilterResult | undefined;
	for (const typed of ['p', 'pr', 'pro', 'prod', 'prod-', 'prod-e', 'prod-eu']) {
		const step = filterContexts(config, typed, previous);
		assert.deepEqual(names(step), names(filterContexts(config, typed)), typed);
		previous = step.result;
	}
	assert.deepEqual(names(filterContexts(config, 'prod-eu')), ['Prod-EU']);
	// A filter that is not an extension (backspace, or a new word) scans everything again.
	assert.deepEqual(names(filterContexts(config, 'kind', previous)), ['dev', 'test']);
	assert.deepEqual(names(filterContexts(config, 'prod-', previous)), ['Prod-EU', 'dev']);
	// A match never runs from one field into the next (name "Prod-EU" then cluster "eks-prod").
	assert.deepEqual(names(filterContexts(config, 'eueks')), []);
});
