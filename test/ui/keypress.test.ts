import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {firstOf, splitKeys, type Keypress} from '../../source/ui/keypress.js';

/** A key in a few characters: text "abc", a named key (return, tab, escape, up…), or ctrl-x. */
function show(k: Keypress): string {
	if (k.text) return `text:${k.input}`;
	const on = Object.entries(k.key)
		.filter(([name, v]) => v === true && name !== 'meta')
		.map(([name]) => name);
	if (k.key.ctrl) return `ctrl-${k.input}`;
	return `${on.join('+')}${k.key.meta && !k.key.escape ? '+meta' : ''}${k.input ? `:${k.input}` : ''}`;
}
const keys = (data: string) => splitKeys(data).map(show);

describe('keypresses from a chunk of input', () => {
	it('control keys within a chunk are keys of their own; a run of printable characters is one text key', () => {
		assert.deepEqual(keys('\u0015/srv/ca\r'), ['ctrl-u', 'text:/srv/ca', 'return']);
		assert.deepEqual(keys('/xyz\u0015we\r'), ['text:/xyz', 'ctrl-u', 'text:we', 'return']);
		assert.deepEqual(keys('\t\t\t'), ['tab', 'tab', 'tab']);
		assert.deepEqual(keys('ab\u007Fc'), ['text:ab', 'delete', 'text:c']);
		assert.deepEqual(keys('\u0003'), ['ctrl-c']);
		assert.deepEqual(keys(' '), ['text: ']);
	});

	it('a paste with a trailing newline is its text, then one Enter (LF or CR LF)', () => {
		assert.deepEqual(keys('mesh-prod\n'), ['text:mesh-prod', 'return']);
		assert.deepEqual(keys('mesh-prod\r\n'), ['text:mesh-prod', 'return']);
		assert.deepEqual(keys('a\n\nb'), ['text:a', 'return', 'return', 'text:b']);
	});

	it('escape sequences, as Ink cuts them out: a lone Escape, arrows, pages, Shift-Tab, modified arrows, Alt', () => {
		assert.deepEqual(keys('\u001B'), ['escape']);
		assert.deepEqual(keys('\u001B[A'), ['upArrow']);
		assert.deepEqual(keys('\u001BOB'), ['downArrow']);
		assert.deepEqual(keys('\u001B[5~'), ['pageUp']);
		assert.deepEqual(keys('\u001B[6~'), ['pageDown']);
		assert.deepEqual(keys('\u001B[3~'), ['delete']);
		assert.deepEqual(keys('\u001B[Z'), ['shift+tab']);
		const ctrlUp = splitKeys('\u001B[1;5A')[0]!.key;
		assert.ok(ctrlUp.upArrow && ctrlUp.ctrl && !ctrlUp.shift, 'ctrl-up');
		assert.deepEqual(keys('\u001Bb'), ['+meta:b']);
		assert.deepEqual(keys('\u001B[99x'), [''], 'an unknown sequence is a key that matches nothing');
	});

	it('a text key gives up its first character and keeps the rest', () => {
		const [first, rest] = firstOf(splitKeys('Jk')[0]!);
		assert.equal(first.input, 'J');
		assert.equal(first.key.shift, true);
		assert.equal(rest?.input, 'k');
		assert.equal(firstOf(rest!)[1], undefined);
	});
});
