// The default deadlines have one home (core/timeouts.ts): the commands' --timeout defaults are read from it.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parseApplyArgs} from '../../source/commands/apply.js';
import {parseRemoveArgs} from '../../source/commands/remove.js';
import {DEFAULT_REMOVE_TIMEOUT_MS, DEFAULT_RUN_TIMEOUT_MS} from '../../source/core/timeouts.js';

const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'ce=east:net-east', '--cluster', 'cw=west:net-west'];

test('without --timeout, apply waits DEFAULT_RUN_TIMEOUT_MS and remove DEFAULT_REMOVE_TIMEOUT_MS; --timeout overrides both', () => {
	assert.equal(parseApplyArgs(plan).timeoutMs, DEFAULT_RUN_TIMEOUT_MS);
	assert.equal(parseRemoveArgs(plan).timeoutMs, DEFAULT_REMOVE_TIMEOUT_MS);
	assert.equal(parseApplyArgs([...plan, '--timeout', '7s']).timeoutMs, 7000);
	assert.equal(parseRemoveArgs([...plan, '--timeout', '7s']).timeoutMs, 7000);
	assert.deepEqual([DEFAULT_RUN_TIMEOUT_MS, DEFAULT_REMOVE_TIMEOUT_MS], [5 * 60_000, 2 * 60_000], 'the defaults the help text states (5m, 2m)');
});
