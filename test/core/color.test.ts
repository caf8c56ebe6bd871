import {test} from 'node:test';
import assert from 'node:assert/strict';
import {colorEnabled} from '../../source/core/color.js';
import {globalFlags} from '../../source/commands/args.js';

const cases: Array<[string, Record<string, string>, boolean, boolean]> = [
	['nothing set', {}, false, true],
	['--no-color', {}, true, false],
	['NO_COLOR=1', {NO_COLOR: '1'}, false, false],
	['NO_COLOR empty does not count (no-color.org)', {NO_COLOR: ''}, false, true],
	['FORCE_COLOR=0', {FORCE_COLOR: '0'}, false, false],
	['FORCE_COLOR=false', {FORCE_COLOR: 'false'}, false, false],
	['FORCE_COLOR=1', {FORCE_COLOR: '1'}, false, true],
	['FORCE_COLOR=2', {FORCE_COLOR: '2'}, false, true],
	['FORCE_COLOR=3', {FORCE_COLOR: '3'}, false, true],
	['FORCE_COLOR=true', {FORCE_COLOR: 'true'}, false, true],
	['FORCE_COLOR empty means on, as chalk reads it', {FORCE_COLOR: ''}, false, true],
	['FORCE_COLOR wins over NO_COLOR (as in Node)', {FORCE_COLOR: '1', NO_COLOR: '1'}, false, true],
	['FORCE_COLOR=0 with NO_COLOR empty', {FORCE_COLOR: '0', NO_COLOR: ''}, false, false],
	['--no-color wins over FORCE_COLOR', {FORCE_COLOR: '3'}, true, false],
];

for (const [name, env, flag, want] of cases) {
	test(`colour: ${name} → ${want ? 'on' : 'off'}, and the headless flags read the same`, () => {
		assert.equal(colorEnabled(env, flag), want);
		assert.equal(globalFlags(flag ? {'no-color': true} : {}, env).noColor, !want);
	});
}
