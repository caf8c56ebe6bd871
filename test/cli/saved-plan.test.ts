import {test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The profile store lives under the user's config directory: this file's own, in a temporary directory.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-saved-plan-'));
process.env.XDG_CONFIG_HOME = dir;
test.after(() => fs.rmSync(dir, {recursive: true, force: true}));

const {recordProfileRemove, recordProfileRun} = await import('../../source/commands/saved-plan.js');
const {ProfileStore} = await import('../../source/store/profiles.js');

test('a run and a remove are recorded on the profile alike, each under its own field', async () => {
	const store = new ProfileStore();
	assert.ok(store.path.startsWith(dir), store.path);
	await store.save('p', {
		topology: 'multi-network',
		meshId: 'mesh1',
		clusters: [
			{context: 'ce', name: 'east', network: 'n1', role: 'primary'},
			{context: 'cw', name: 'west', network: 'n2', role: 'primary'},
		],
	});
	assert.equal(await recordProfileRun('p', 'succeeded', true), undefined);
	assert.equal(await recordProfileRemove('p', 'cancelled', false), undefined);
	const saved = new ProfileStore().get('p');
	assert.deepEqual([saved.lastApplied?.result, saved.lastApplied?.dryRun], ['succeeded', true]);
	assert.deepEqual([saved.lastRemoved?.result, saved.lastRemoved?.dryRun], ['cancelled', undefined]);
});

test('a record that fails is a warning naming what was recorded, never a throw', async () => {
	assert.match((await recordProfileRun('nope', 'failed', false)) ?? '', /^could not record the run on profile "nope": \S/);
	assert.match((await recordProfileRemove('nope', 'failed', false)) ?? '', /^could not record the remove on profile "nope": \S/);
});
