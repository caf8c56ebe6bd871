/**
 * One spec per command (source/commands/spec.ts): the parser, the help text and the completion
 * candidates are all made from it, so a flag changed in the spec changes all three at once.
 */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {choiceOf, parseFlags, parserOptions} from '../../source/commands/args.js';
import {commandHelp, mainHelp} from '../../source/commands/help.js';
import {complete, completionTable, type CompletionEnv} from '../../source/commands/complete.js';
import {COMMAND_SPECS, moduleCommands, type CommandTable} from '../../source/commands/spec.js';
import {UsageError} from '../../source/core/exit-codes.js';

const none: CompletionEnv = {
	env: {HOME: '/nonexistent-home', XDG_CONFIG_HOME: '/nonexistent-config', KUBECONFIG: ''},
	home: '/nonexistent-home',
	platform: 'linux',
};

/** A copy of the spec where `status --watch` is called `--follow` and `-o` also offers yaml. */
function changedSpec(): CommandTable {
	const {watch, output, ...rest} = COMMAND_SPECS.status.flags;
	const status = {
		...COMMAND_SPECS.status,
		flags: {...rest, follow: {...watch, help: ['stream changes until interrupted']}, output: {...output, value: ['text', 'json', 'yaml']}},
	};
	return {...COMMAND_SPECS, status};
}

test('a flag renamed in a copied spec: the parser, the help and the completion all follow it', async () => {
	const real: CommandTable = COMMAND_SPECS;
	const changed = changedSpec();

	// The parser.
	assert.equal(parseFlags('status', ['-w'], parserOptions(real.status!.flags)).values.watch, true);
	const parsed = parseFlags('status', ['--follow'], parserOptions(changed.status!.flags)).values as Record<string, unknown>;
	assert.equal(parsed.follow, true);
	assert.equal(parseFlags('status', ['-w'], parserOptions(changed.status!.flags)).values.follow, true, 'the short alias moved with it');
	assert.throws(
		() => parseFlags('status', ['--watch'], parserOptions(changed.status!.flags)),
		(e: Error) => e instanceof UsageError && /unknown flag --watch for eastwest status/.test(e.message),
	);

	// The help.
	assert.match(commandHelp('status', real), /^ {2}-w, --watch {10}without a terminal/m);
	const help = commandHelp('status', changed);
	assert.match(help, /^ {2}-w, --follow {9}stream changes until interrupted$/m);
	assert.doesNotMatch(help, /^ {2}-w, --watch/m);

	// The completion.
	assert.deepEqual((await complete(['status', '--w'], none, completionTable(real))).candidates, ['--watch']);
	assert.deepEqual((await complete(['status', '--w'], none, completionTable(changed))).candidates, []);
	assert.deepEqual((await complete(['status', '--f'], none, completionTable(changed))).candidates, ['--follow']);
});

test('a choice added in a copied spec: the parser accepts it and the completion offers it', async () => {
	const changed = changedSpec();
	const output = changed.status!.flags.output as {value: readonly string[]; default: string};
	assert.equal(choiceOf('output', output, 'yaml'), 'yaml');
	assert.throws(() => choiceOf('output', COMMAND_SPECS.status.flags.output, 'yaml'), /--output "yaml" is not one of text, json/);
	assert.deepEqual((await complete(['status', '-o', ''], none, completionTable(changed))).candidates, ['text', 'json', 'yaml']);
	assert.deepEqual((await complete(['status', '-o', ''], none)).candidates, ['text', 'json']);
});

test('a command added to a copied spec is listed by the main help and offered by the completion', async () => {
	const changed: CommandTable = {
		...COMMAND_SPECS,
		vouch: {summary: ['vouch for the mesh'], usage: 'eastwest vouch', about: 'Vouch.', flags: {deep: {help: ['look harder']}}},
	};
	assert.match(mainHelp('0', changed), /^ {2}vouch +vouch for the mesh$/m);
	assert.doesNotMatch(mainHelp('0'), /vouch for the mesh/);
	assert.deepEqual((await complete(['v'], none, completionTable(changed))).candidates, ['verify', 'version', 'vouch']);
	assert.deepEqual((await complete(['vouch', '--d'], none, completionTable(changed))).candidates, ['--deep']);
	assert.ok(moduleCommands(changed).includes('vouch'));
	assert.ok(!moduleCommands(changed).includes('help'), 'help is answered by cli.tsx itself');
});

test('--profile with a plan flag is refused in the same words by apply, remove and check, naming every plan flag of the spec', async () => {
	const {PROFILE_OR_PLAN_FLAGS} = await import('../../source/commands/plan-flags.js');
	const {PLAN_FLAGS} = await import('../../source/commands/spec.js');
	for (const name of Object.keys(PLAN_FLAGS)) assert.ok(PROFILE_OR_PLAN_FLAGS.includes(`--${name}`), name);
	const args = ['--profile', 'prod', '--api-server', 'east=https://10.0.0.1:6443'];
	const {parseApplyArgs} = await import('../../source/commands/apply.js');
	const {parseRemoveArgs} = await import('../../source/commands/remove.js');
	const {checkCommand} = await import('../../source/commands/check.js');
	const refused = (e: unknown) => e instanceof UsageError && e.message === PROFILE_OR_PLAN_FLAGS;
	assert.throws(() => parseApplyArgs(args), refused);
	assert.throws(() => parseRemoveArgs(args), refused);
	const sink = {write: () => true} as unknown as NodeJS.WritableStream;
	const unused = () => assert.fail('nothing is read before the flags are checked');
	await assert.rejects(
		checkCommand(args, {stdout: sink, stderr: sink, env: {}, signal: new AbortController().signal}, {createFactory: unused, loadProfile: unused}),
		refused,
	);
});
