/** Bench 6's fixture stays what its figure claims: 20 saved profiles and 20 contexts, as eastwest reads them. */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {COUNT, completionFixture} from '../../bench/completion.js';
import {contextNames, profileNames} from '../../source/commands/complete.js';
import {ProfileStore} from '../../source/store/profiles.js';

test('the completion bench fixture holds 20 profiles the store accepts and 20 contexts', async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eastwest-bench-fixture-'));
	const env = completionFixture(dir);
	const where = {env, home: dir, platform: 'linux' as const};
	assert.equal(profileNames(where).length, COUNT);
	assert.equal(new ProfileStore({cwd: path.join(env.XDG_CONFIG_HOME!, 'eastwest-nodejs')}).list().length, COUNT);
	assert.equal((await contextNames(where)).length, COUNT);
});
