import {test} from 'node:test';
import assert from 'node:assert/strict';
import {list, rec, strings} from '../../source/core/record.js';

test('rec reads only plain objects; list only arrays; strings keeps the string entries', () => {
	const o = {a: 1};
	assert.equal(rec(o), o);
	for (const v of [null, undefined, [1], 'x', 3]) assert.deepEqual(rec(v), {}, String(v));
	const a = [1, 2];
	assert.equal(list(a), a);
	for (const v of [null, {length: 1}, 'ab']) assert.deepEqual(list(v), [], String(v));
	assert.deepEqual(strings({app: 'istiod', n: 1, nil: null, empty: ''}), {app: 'istiod', empty: ''});
	assert.deepEqual(strings(['x']), {});
});
