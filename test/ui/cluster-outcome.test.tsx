import {test} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {Text} from 'ink';
import type {ClusterView} from '../../source/core/run-progress.js';
import {ClusterOutcome} from '../../source/ui/components/ClusterOutcome.js';
import {plain, waitForFrame} from '../support/ink.js';
import {renderAt} from '../support/render-at.js';

const cluster = (steps: ClusterView['steps'], outcome?: ClusterView['outcome']): ClusterView => ({
	name: 'east',
	context: 'kind-east',
	notes: [],
	steps,
	...(outcome ? {outcome} : {}),
});

async function lines(element: React.ReactElement): Promise<string[]> {
	const r = renderAt(element, 100, 20);
	try {
		const frame = await waitForFrame(r, f => plain(f).includes('east'));
		return plain(frame)
			.split('\n')
			.map(l => l.trimEnd())
			.filter(l => l !== '');
	} finally {
		r.unmount();
	}
}

test('a cluster with steps: outcome and counts, then what the screen adds, then each failure with its hint', async () => {
	const c = cluster(
		[
			{id: 'a', kind: 'label-network', title: 'Label the network', status: 'changed'},
			{id: 'b', kind: 'install-gateway', title: 'Install the gateway', status: 'failed', error: 'timed out', hint: 'look at the pods'},
		],
		'failed',
	);
	const got = await lines(
		<ClusterOutcome cluster={c} idle="nothing here" counts="1 changed">
			<Text>{'  '}between</Text>
		</ClusterOutcome>,
	);
	assert.equal(got.length, 4, got.join('\n'));
	assert.match(got[0]!, /^. east \(kind-east\) failed: 1 changed$/);
	assert.equal(got[1], '  between');
	assert.equal(got[2], '  Install the gateway: timed out');
	assert.equal(got[3], '  hint: look at the pods');
});

test('a cluster with no steps says the idle text; an outcome not known yet reads unknown', async () => {
	assert.match(
		(await lines(<ClusterOutcome cluster={cluster([])} idle="nothing eastwest set up here" counts="0 removed" />))[0]!,
		/^. east \(kind-east\) nothing eastwest set up here$/,
	);
	const pending = cluster([{id: 'a', kind: 'label-network', title: 'Label the network', status: 'not-run'}]);
	assert.deepEqual(
		(await lines(<ClusterOutcome cluster={pending} idle="idle" counts="1 not run" />)).map(l => l.slice(2)),
		['east (kind-east) unknown: 1 not run'],
	);
});
