/**
 * Help that tells the truth: for every command the CLI knows, the flags its parser accepts and the flags
 * its help (and the README's Commands block) documents are the same set. The commands and their flags
 * are read from the command spec (source/commands/spec.ts), from which the parsers, the help and the
 * completion are made; each command module's FLAGS must be the spec's. Generic on purpose: a new
 * command or flag is covered as soon as it is in the spec.
 */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {GLOBAL_OPTIONS, WIZARD_OPTIONS, acceptedOptions, parserOptions, type OptionSpec} from '../../source/commands/args.js';
import {COMMAND_SPECS, moduleCommands} from '../../source/commands/spec.js';
import {COMMAND_HELP, COMMAND_SUMMARIES, commandHelp, mainHelp} from '../../source/commands/help.js';
import {root, runCli} from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string};

/** A flag as typed: `--name`, or `-x` for one letter. Not inside words such as primary-remote. */
const FLAG = /(?<![\w-])(--[a-zA-Z][\w-]*|-[a-zA-Z](?![\w-]))/g;
const flagsIn = (text: string): string[] => [...text.matchAll(FLAG)].map(m => m[1]!);

/** The commands the bundled CLI dispatches, from its one-line answer to an unknown one. */
async function cliCommands(): Promise<string[]> {
	const r = await runCli(['help', 'no-such-command']);
	assert.equal(r.code, 2, r.stderr);
	const list = /commands: ([\w, -]+?) \(/.exec(r.stderr)?.[1];
	assert.ok(list, `the error names the known commands: ${r.stderr}`);
	return list.split(', ');
}

/** A command's flags as the spec gives them to its parser. */
function specFlags(name: string): OptionSpec {
	const spec = (COMMAND_SPECS as Record<string, (typeof COMMAND_SPECS)[keyof typeof COMMAND_SPECS]>)[name];
	assert.ok(spec, `command "${name}" is not in source/commands/spec.ts`);
	return parserOptions(spec.flags);
}

/** The options object a command module hands its parser (`export const FLAGS`), read without running it. */
async function commandFlags(name: string): Promise<OptionSpec> {
	const file = ['.ts', '.tsx'].map(ext => path.join(root, 'source/commands', `${name}${ext}`)).find(f => existsSync(f));
	assert.ok(file, `command "${name}" has no module source/commands/${name}.ts(x)`);
	const mod = (await import(pathToFileURL(file).href)) as {FLAGS?: OptionSpec};
	assert.ok(mod.FLAGS && typeof mod.FLAGS === 'object', `${path.relative(root, file)} exports no FLAGS: export the options object its parseFlags call uses`);
	return mod.FLAGS;
}

/** Every spelling the parser accepts: --name, and -x for a short alias. */
function acceptedFlags(options: OptionSpec): Map<string, string> {
	const flags = new Map<string, string>();
	for (const [name, spec] of Object.entries(acceptedOptions(options))) {
		flags.set(`--${name}`, `--${name}`);
		if (spec.short) flags.set(`-${spec.short}`, `--${name}`);
	}
	return flags;
}

/**
 * The flags a help text documents: everything in its Usage block, the flag(s) a flag-list line starts
 * with (`  -o, --output FORMAT  …`), and the flags of example command lines (up to a pipe). Flags named in
 * prose, such as istioctl's own, are not counted.
 */
function documentedFlags(text: string): {flags: Set<string>; listed: string[]} {
	const flags = new Set<string>();
	const listed: string[] = [];
	let inUsage = false;
	let continued = false;
	for (const line of text.split('\n')) {
		if (line.startsWith('Usage:')) inUsage = true;
		else if (line.trim() === '') inUsage = false;
		const lead = /^\s{2,}((?:-[a-zA-Z], )?--?[a-zA-Z][\w-]*)/.exec(line)?.[1];
		// In Usage, ' | ' separates alternatives; in an example it pipes into another program.
		if (inUsage) for (const f of flagsIn(line)) flags.add(f);
		else if (continued || line.trim().startsWith('eastwest ')) for (const f of flagsIn(line.split(' | ')[0]!)) flags.add(f);
		else if (lead) for (const f of flagsIn(lead)) flags.add(f);
		if (lead && !inUsage) listed.push(lead);
		continued = line.trimEnd().endsWith('\\');
	}
	return {flags, listed};
}

/**
 * One message naming each flag missing from either side, or '' when both agree: each of `required` must be
 * documented, and each documented flag must be one of `accepted` (by default the same set).
 */
function mismatch(command: string, where: string, required: Iterable<string>, documented: Iterable<string>, accepted?: Iterable<string>): string {
	const r = [...new Set(required)];
	const a = new Set(accepted ?? r);
	const d = new Set(documented);
	const undocumented = r.filter(f => !d.has(f));
	const unaccepted = [...d].filter(f => !a.has(f));
	return [
		undocumented.length > 0 ? `${command} accepts ${undocumented.join(', ')} but ${where} does not document ${undocumented.length > 1 ? 'them' : 'it'}` : '',
		unaccepted.length > 0 ? `${where} documents ${unaccepted.join(', ')} but ${command} does not accept ${unaccepted.length > 1 ? 'them' : 'it'}` : '',
	]
		.filter(Boolean)
		.join('; ');
}

function checkHelp(command: string, options: OptionSpec, text: string, where: string): void {
	const accepted = acceptedFlags(options);
	const {flags, listed} = documentedFlags(text);
	assert.equal(mismatch(command, where, accepted.keys(), flags), '', `${where}:\n${text}`);
	// A short alias is listed next to its long name, as "-o, --output".
	for (const [flag, long] of accepted) {
		if (flag === long) continue;
		assert.ok(
			listed.some(l => l === `${flag}, ${long}`),
			`${where}: ${flag} is short for ${long}; list them together as "${flag}, ${long}  description"`,
		);
	}
}

/** Main help without the other commands' rows of its Commands list: what is left documents `eastwest` itself. */
function wizardPart(text: string): string {
	const lines = text.split('\n');
	const out: string[] = [];
	let section = '';
	let row = '';
	for (const line of lines) {
		if (/^\S.*:$/.test(line)) section = line;
		if (section === 'Commands:' && line.startsWith('  ')) {
			const name = /^ {2}(\S+)/.exec(line)?.[1];
			if (name) row = name;
			if (row !== '(none)') continue;
		}
		out.push(line);
	}
	return out.join('\n');
}

test("the commands the CLI dispatches are the spec's, and each module parses the flags the spec gives it", async () => {
	assert.deepEqual(await cliCommands(), moduleCommands());
	for (const command of moduleCommands()) assert.deepEqual(await commandFlags(command), specFlags(command), `source/commands/${command} FLAGS`);
});

test("the commands the CLI dispatches are exactly the ones with help, each in the main help's list", async () => {
	const commands = await cliCommands();
	const helped = Object.keys(COMMAND_HELP);
	assert.deepEqual(
		commands.filter(c => !helped.includes(c)),
		[],
		'commands with no entry in COMMAND_HELP (source/commands/help.ts)',
	);
	assert.deepEqual(
		helped.filter(c => !commands.includes(c)),
		[],
		'COMMAND_HELP entries the CLI does not dispatch',
	);
	const summarized = COMMAND_SUMMARIES.map(([name]) => name);
	assert.deepEqual(
		commands.filter(c => !summarized.includes(c)),
		[],
		'commands missing from COMMAND_SUMMARIES (the main help)',
	);
	assert.deepEqual(
		summarized.filter(n => n !== '' && n !== '(none)' && n !== 'help' && !commands.includes(n)),
		[],
		'COMMAND_SUMMARIES rows for commands the CLI does not dispatch',
	);
});

for (const command of Object.keys(COMMAND_HELP)) {
	test(`eastwest ${command} --help documents every flag its parser accepts, and only those`, async () => {
		checkHelp(`eastwest ${command}`, specFlags(command), commandHelp(command), `'eastwest ${command} --help'`);
	});
}

test("eastwest --help documents the wizard's flags and the global ones, and only those", () => {
	checkHelp('eastwest', WIZARD_OPTIONS, wizardPart(mainHelp(pkg.version)), "'eastwest --help'");
});

test('the checker itself: a flag missing from either side is named, with the side', () => {
	const options = {output: {type: 'string', short: 'o'}, profile: {type: 'string'}} as const;
	const text = `Usage: eastwest x [-o text|json] [--bogus]\n\n  -o, --output F   text or json\n  --kubeconfig P\n  --istioctl P\n  --no-color\n  -v, --verbose\n  -h, --help\n  --version\n`;
	const {flags} = documentedFlags(text);
	assert.equal(
		mismatch('eastwest x', "'eastwest x --help'", acceptedFlags(options).keys(), flags),
		"eastwest x accepts --profile but 'eastwest x --help' does not document it; 'eastwest x --help' documents --bogus but eastwest x does not accept it",
	);
	// Prose and piped commands are not documentation of eastwest's flags; examples are.
	const prose = documentedFlags(
		'  --dry-run   also istioctl --dry-run\n  eastwest m --network n | istioctl install -y -f -\n  eastwest a --mesh m \\\n      --cluster c --yes\n',
	);
	assert.deepEqual([...prose.flags].sort(), ['--cluster', '--dry-run', '--mesh', '--network', '--yes']);
});

test('eastwest help is eastwest --help, and eastwest help COMMAND is eastwest COMMAND --help, for every command', async () => {
	const main = await runCli(['--help']);
	assert.equal(main.code, 0);
	for (const args of [['help'], ['help', 'help'], ['help', '--help']]) {
		const r = await runCli(args);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, main.stdout, args.join(' '));
	}
	for (const command of await cliCommands()) {
		const [viaHelp, viaFlag] = await Promise.all([runCli(['help', command]), runCli([command, '--help'])]);
		assert.equal(viaHelp.code, 0, viaHelp.stderr);
		assert.equal(viaHelp.stdout, viaFlag.stdout, command);
		assert.equal(viaHelp.stdout, commandHelp(command), command);
		assert.match(viaHelp.stdout, new RegExp(`^Usage: eastwest ${command}\\b`), `${command} has its own help`);
	}
});

test('COMMAND --version prints the version, as its help says, and runs nothing', async () => {
	const short = await runCli(['--version']);
	assert.equal(short.code, 0);
	assert.match(short.stdout, /^\d+\.\d+\.\d+\n$/);
	for (const command of await cliCommands()) {
		// A plan that would fail if the command ran: --version must win before anything is read.
		const r = await runCli([command, '--version', '--kubeconfig', '/nonexistent/kubeconfig'], {env: {KUBECONFIG: '/nonexistent/kubeconfig'}});
		assert.equal(r.code, 0, `${command}: ${r.stderr}`);
		assert.equal(r.stdout, short.stdout, command);
		assert.equal(r.stderr, '', command);
	}
});

test('eastwest help with an unknown command: exit 2, one line naming the known commands', async () => {
	const r = await runCli(['help', 'nonsense']);
	assert.equal(r.code, 2);
	assert.equal(r.stdout, '');
	assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
	assert.match(r.stderr, /^eastwest: unknown command "nonsense"; commands: manifests, apply, remove, status, profiles, check\b.*\(run 'eastwest --help'\)\n$/);
});

/** README's Commands block: one section per `eastwest NAME` line with its indented continuation lines. */
function readmeSections(): {sections: Map<string, string>; global: string} {
	const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
	const block = /## Commands\n+```\n([\s\S]*?)```/.exec(readme)?.[1];
	assert.ok(block, "README.md has a '## Commands' section starting with a code block");
	const sections = new Map<string, string>();
	let current: string | undefined;
	let global = '';
	for (const line of block.split('\n')) {
		if (line.startsWith('global:')) {
			global = line;
			current = undefined;
		} else if (line.startsWith('eastwest')) {
			current = /^eastwest(?: ([a-z][\w-]*))?/.exec(line)![1] ?? '';
			sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
		} else if (current !== undefined && /^\s/.test(line)) {
			sections.set(current, `${sections.get(current)}${line}\n`);
		}
	}
	return {sections, global};
}

test("README's Commands block documents every command of the spec and every flag the spec gives it, and only those", () => {
	const {sections, global} = readmeSections();
	const globals = Object.keys(GLOBAL_OPTIONS).map(n => `--${n}`);
	assert.equal(
		mismatch(
			'every command',
			"README's global: line",
			globals,
			flagsIn(global).filter(f => f.startsWith('--')),
		),
		'',
	);
	const commands = moduleCommands();
	assert.deepEqual(
		commands.filter(c => !sections.has(c)),
		[],
		"commands with no 'eastwest NAME' line in README's Commands block",
	);
	assert.deepEqual(
		[...sections.keys()].filter(s => s !== '' && s !== 'help' && !commands.includes(s)),
		[],
		"README's Commands block names commands the CLI does not dispatch",
	);
	// `eastwest help` takes only the global flags.
	const cases: Array<[string, OptionSpec]> = [
		['', WIZARD_OPTIONS],
		['help', specFlags('help')],
	];
	for (const c of commands) cases.push([c, specFlags(c)]);
	for (const [name, options] of cases) {
		const command = name ? `eastwest ${name}` : 'eastwest';
		const accepted = acceptedFlags(options);
		const documented = [...flagsIn(sections.get(name) ?? ''), ...flagsIn(global)];
		// The README names each flag by its long name or its short alias (-o for --output); any it names must be accepted.
		const long = new Set([...accepted.values()]);
		const named = documented.map(f => (long.has(accepted.get(f) ?? '') ? accepted.get(f)! : f));
		assert.equal(mismatch(command, `README's '${command}' entry`, long, named, [...long, ...accepted.keys()]), '', sections.get(name));
	}
});
