import {afterEach, test} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import {TopologyScreen} from '../../source/ui/screens/TopologyScreen.js';
import {tick, waitForText} from '../support/ink.js';

afterEach(() => cleanup());

// A terminal delivers keys typed ahead (or buffered before raw mode) as one chunk; each key must act
// on the state the previous one left, not on the state the chunk found.
test('keys arriving in one chunk are handled in order, each on fresh state', async () => {
	const chosen: string[] = [];
	const r = render(<TopologyScreen initial="primary-remote" onChoose={t => chosen.push(t)} />);
	await waitForText(r, 'Which multicluster topology?');
	await tick();
	r.stdin.write('\u001B[B\u001B[B\r');
	for (let i = 0; i < 50 && chosen.length === 0; i++) await tick();
	assert.deepEqual(chosen, ['primary-remote-multi-network']);
});
