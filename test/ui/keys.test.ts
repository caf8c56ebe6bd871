import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import type {Key} from 'ink';
import {KEYMAP, SCREEN_COMMANDS, hintLine, matchCommand} from '../../source/ui/keys.js';
import {createTheme} from '../../source/ui/theme.js';
import {colorEnabled as colorWanted} from '../../source/core/color.js';

const none: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
} as Key;

describe('keymap', () => {
	it('one table drives matching and hints', () => {
		assert.equal(matchCommand(SCREEN_COMMANDS.contexts, ' ', none, false), 'toggle');
		assert.equal(matchCommand(SCREEN_COMMANDS.contexts, 'j', none, false), 'down');
		assert.equal(matchCommand(SCREEN_COMMANDS.contexts, '', {...none, escape: true}, false), 'back');
		assert.equal(matchCommand(SCREEN_COMMANDS.contexts, 'q', none, false), 'quit');
		assert.equal(matchCommand(SCREEN_COMMANDS.contexts, 'c', {...none, ctrl: true}, false), 'quit');
		assert.match(
			hintLine(SCREEN_COMMANDS.contexts),
			/space select · p make primary · o override · \/ filter · enter continue · esc back · \? keys · q\/ctrl-c quit/,
		);
	});

	it('a text field keeps printable keys: q, j, space and ? are typed, Ctrl-C still quits', () => {
		for (const ch of ['q', 'j', ' ', '?', 'y', 's']) assert.equal(matchCommand(SCREEN_COMMANDS.ids, ch, none, true), undefined, ch);
		assert.equal(matchCommand(SCREEN_COMMANDS.ids, 'c', {...none, ctrl: true}, true), 'quit');
		assert.equal(matchCommand(SCREEN_COMMANDS.ids, '', {...none, tab: true}, true), 'nextField');
		assert.equal(matchCommand(SCREEN_COMMANDS.ids, '', {...none, tab: true, shift: true}, true), 'prevField');
		const hints = hintLine(SCREEN_COMMANDS.ids, true);
		assert.match(hints, /ctrl-c quit/);
		assert.doesNotMatch(hints, /q\/ctrl-c/);
	});

	it('every screen command has a binding with a hint and a description', () => {
		for (const commands of Object.values(SCREEN_COMMANDS)) {
			for (const c of commands) {
				assert.ok(KEYMAP[c].hint && KEYMAP[c].description, c);
			}
		}
	});
});

describe('theme', () => {
	it('NO_COLOR and --no-color turn every colour off', () => {
		assert.equal(colorWanted({}, false), true);
		assert.equal(colorWanted({NO_COLOR: '1'}, false), false);
		assert.equal(colorWanted({NO_COLOR: ''}, false), true, 'an empty NO_COLOR does not count');
		assert.equal(colorWanted({}, true), false);
		assert.equal(createTheme(false).tone('error'), undefined);
		assert.equal(createTheme(true).tone('error'), 'red');
	});
});
