import {test} from 'node:test';
import assert from 'node:assert/strict';
import {firstLine, plural, withFinalNewline} from '../../source/core/text.js';

test('firstLine keeps only the first line of an error, a string or any thrown value', () => {
	assert.equal(firstLine(new Error('boom\n    at x.js:1')), 'boom');
	assert.equal(firstLine('one\ntwo'), 'one');
	assert.equal(firstLine({toString: () => 'thing\nmore'}), 'thing');
	assert.equal(firstLine(''), '');
	assert.equal(firstLine('\n   \n  error: boom  \nmore'), 'error: boom', 'blank lines skipped, trimmed');
});

test('withFinalNewline adds one newline only where there is none', () => {
	assert.equal(withFinalNewline('-----END CERTIFICATE-----'), '-----END CERTIFICATE-----\n');
	assert.equal(withFinalNewline('a\n'), 'a\n');
	assert.equal(withFinalNewline(''), '\n');
});

test('plural: a count with its word, an s unless it is one', () => {
	assert.equal(plural(1, 'failed check'), '1 failed check');
	assert.equal(plural(0, 'warning'), '0 warnings');
	assert.equal(plural(3, 'install'), '3 installs');
});
