import {test} from 'node:test';
import assert from 'node:assert/strict';
import {acceptedOptions, GLOBAL_OPTIONS, normalizeShortValues, parseFlags} from '../../source/commands/args.js';
import {UsageError} from '../../source/core/exit-codes.js';

const OPTIONS = {
	output: {type: 'string', short: 'o'},
	watch: {type: 'boolean', short: 'w'},
	context: {type: 'string', multiple: true},
	mesh: {type: 'string'},
} as const;

const FORMS = [['-o', 'json'], ['-o=json'], ['-ojson'], ['--output', 'json'], ['--output=json']];

for (const form of FORMS) {
	test(`parseFlags reads ${form.join(' ')} as output "json"`, () => {
		assert.equal(parseFlags('status', form, OPTIONS).values.output, 'json');
		// Among other flags, grouped after a boolean short flag, and repeated (the last one wins).
		assert.deepEqual({...parseFlags('status', ['--context', 'a', ...form, '--context', 'b'], OPTIONS).values}, {context: ['a', 'b'], output: 'json'});
		assert.equal(parseFlags('status', ['-o', 'text', ...form], OPTIONS).values.output, 'json');
	});
}

test('a short group ending in a flag that takes a value: -wo=json and -wojson', () => {
	for (const arg of ['-wo=json', '-wojson']) assert.deepEqual({...parseFlags('status', [arg], OPTIONS).values}, {watch: true, output: 'json'});
});

test('only the first "=" after the short flag is the separator: -o==x is "=x", as --output==x is', () => {
	assert.equal(parseFlags('status', ['-o==x'], OPTIONS).values.output, '=x');
	assert.equal(parseFlags('status', ['--output==x'], OPTIONS).values.output, '=x');
	assert.equal(parseFlags('status', ['-o=a=b'], OPTIONS).values.output, 'a=b');
	// A flag that takes a value takes the rest of its group: -ow=json is output "w=json", as -owjson is "wjson".
	assert.deepEqual({...parseFlags('status', ['-ow=json'], OPTIONS).values}, {output: 'w=json'});
});

test('values and positionals that only look like short flags are left alone', () => {
	assert.deepEqual(normalizeShortValues('x', ['--', '-o=json'], OPTIONS), ['--', '-o=json']);
	assert.deepEqual(parseFlags('profiles show', ['--', '-o=json'], OPTIONS, true).positionals, ['-o=json']);
	assert.deepEqual(normalizeShortValues('x', ['--mesh=-o=json', 'name=-o', '-', '-o'], OPTIONS), ['--mesh=-o=json', 'name=-o', '-', '-o']);
	assert.equal(parseFlags('x', ['--mesh=-o=json'], OPTIONS).values.mesh, '-o=json');
	// An unknown short flag is not rewritten, so the error names what was typed.
	assert.deepEqual(normalizeShortValues('x', ['-z=json'], OPTIONS), ['-z=json']);
});

function usageError(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		assert.ok(error instanceof UsageError, `a UsageError, got ${String(error)}`);
		assert.equal(error.message.split('\n').length, 1, error.message);
		return error.message;
	}
	assert.fail('expected a UsageError');
}

test('bad input is one actionable line naming the flag', () => {
	assert.equal(
		usageError(() => parseFlags('status', ['-o='], OPTIONS)),
		"flag -o needs a value; run 'eastwest status --help'",
	);
	assert.equal(
		usageError(() => parseFlags('status', ['-o'], OPTIONS)),
		"flag -o needs a value; run 'eastwest status --help'",
	);
	assert.equal(
		usageError(() => parseFlags('status', ['-w=yes'], OPTIONS)),
		"flag -w (--watch) takes no value; run 'eastwest status --help'",
	);
	assert.equal(
		usageError(() => parseFlags('status', ['--watch=yes'], OPTIONS)),
		"flag -w takes no value; run 'eastwest status --help'",
	);
	assert.equal(
		usageError(() => parseFlags('', ['--bogus'], OPTIONS)),
		"unknown flag --bogus for eastwest; run 'eastwest --help' for the flags it takes",
	);
	assert.equal(
		usageError(() => parseFlags('apply', ['--mesh', '-x'], OPTIONS)),
		"flag --mesh needs a value; to give one that starts with '-', write --mesh=VALUE",
	);
});

test("acceptedOptions is what parseFlags accepts: the global flags and the command's own", () => {
	const all = acceptedOptions(OPTIONS);
	assert.deepEqual(Object.keys(all).sort(), [...Object.keys(GLOBAL_OPTIONS), ...Object.keys(OPTIONS)].sort());
	for (const name of Object.keys(GLOBAL_OPTIONS)) {
		const arg = all[name as keyof typeof all].type === 'string' ? [`--${name}`, 'v'] : [`--${name}`];
		assert.ok(name in parseFlags('x', arg, OPTIONS).values, name);
	}
});
