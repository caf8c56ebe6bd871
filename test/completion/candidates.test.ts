/**
 * The candidates `eastwest __complete` prints: commands, each command's flags, fixed flag values,
 * profile names from the store's file and context names from the kubeconfig (kubectl's merge rules).
 * The flag table is checked against each command's real parser and its help, so a flag added to a
 * command without the table (or the other way round) fails here.
 */
import {describe, test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {COMMANDS, COMMAND_FLAGS, GLOBAL_FLAGS, complete, contextNames, profileNames, profilesFile, type CompletionEnv} from '../../source/commands/complete.js';
import {COMMAND_HELP, COMMAND_SUMMARIES, mainHelp} from '../../source/commands/help.js';
import {PHASES} from '../../source/commands/check.js';
import {TOPOLOGIES} from '../../source/core/model.js';
import {EXPOSE_CHOICES} from '../../source/core/manifests.js';
import {ProfileStore} from '../../source/store/profiles.js';
import {kubeconfigSearchOrder} from '../../source/kube/kubeconfig.js';
import type {CommandContext} from '../../source/core/command-context.js';

function tempDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-complete-'));
}

const none: CompletionEnv = {
	env: {HOME: '/nonexistent-home', XDG_CONFIG_HOME: '/nonexistent-config', KUBECONFIG: ''},
	home: '/nonexistent-home',
	platform: 'linux',
};
const words = async (line: string, where: CompletionEnv = none) => (await complete(line.split(' '), where)).candidates;

describe('commands and flags', () => {
	test('the first word offers every command, filtered by what is typed', async () => {
		// The spec's order, which the main help lists too.
		assert.deepEqual(await words(''), ['manifests', 'apply', 'remove', 'status', 'profiles', 'check', 'verify', 'version', 'completion', 'ca', 'help']);
		assert.deepEqual(await words('st'), ['status']);
		assert.deepEqual(await words('ca '), ['create']);
		assert.deepEqual(await words('ca create --'), ['--kubeconfig', '--istioctl', '--no-color', '--verbose', '--help', '--out', '--output']);
		assert.deepEqual(await words('zz'), []);
	});

	test("each command offers its own flags and the global ones, and not another command's", async () => {
		const apply = await words('apply --');
		for (const flag of [
			'--topology',
			'--mesh',
			'--cluster',
			'--revision',
			'--profile',
			'--dry-run',
			'--yes',
			'--timeout',
			'--output',
			'--force',
			'--reinstall',
			'--kubeconfig',
			'--istioctl',
			'--no-color',
			'--help',
		]) {
			assert.ok(apply.includes(flag), `${flag} in ${apply.join(' ')}`);
		}
		assert.ok(!apply.includes('--phase'));
		assert.ok(!apply.includes('--expose'));
		assert.deepEqual(await words('check --ph'), ['--phase']);
		assert.deepEqual(await words('manifests --ex'), ['--expose']);
		assert.deepEqual(await words('status --w'), ['--watch']);
		assert.deepEqual(await words('--pro'), ['--profile']);
		assert.deepEqual(await words('profiles save --ov'), ['--overwrite']);
		assert.deepEqual(await words('profiles list --'), ['--kubeconfig', '--istioctl', '--no-color', '--verbose', '--help', '--output']);
	});

	test('a flag already given is not offered again, unless it repeats', async () => {
		const after = await words('apply --topology multi-network --cluster a=a:n1 --');
		assert.ok(!after.includes('--topology'));
		assert.ok(after.includes('--cluster'));
		assert.ok(!(await words('status --output=json --o')).includes('--output'));
	});

	test('flags after the command are read with their values, so a value is not taken for a positional', async () => {
		// A command is only the first word (cli.tsx), so none is offered after a flag.
		assert.deepEqual(await words('--kubeconfig /tmp/x st'), []);
		assert.deepEqual(await words('status --kubeconfig /tmp/x --w'), ['--watch']);
		assert.deepEqual(await words('profiles --no-color s'), ['show', 'save']);
		assert.deepEqual(await words('profiles show --output json '), []);
	});

	test('subcommands and positionals: profiles subcommands, shells; nothing after --', async () => {
		assert.deepEqual(await words('profiles '), ['list', 'show', 'save', 'delete', 'rename']);
		assert.deepEqual(await words('profiles re'), ['rename']);
		assert.deepEqual(await words('completion '), ['bash', 'zsh', 'fish']);
		assert.deepEqual(await words('completion bash '), []);
		assert.deepEqual(await words('apply -- --'), []);
	});
});

describe('flag values', () => {
	test('fixed choices: --topology, -o/--output, --expose, --phase, --api-version', async () => {
		assert.deepEqual(await words('apply --topology '), [...TOPOLOGIES]);
		assert.deepEqual(await words('apply --topology multi'), ['multi-network']);
		assert.deepEqual(await words('status -o '), ['text', 'json']);
		assert.deepEqual(await words('status --output j'), ['json']);
		assert.deepEqual(await words('manifests --expose '), [...EXPOSE_CHOICES]);
		assert.deepEqual(await words('check --phase '), [...PHASES]);
		assert.deepEqual(await words('manifests --api-version v1b'), ['v1beta1']);
	});

	test('--flag=value and -ovalue keep their prefix', async () => {
		assert.deepEqual(await words('check --phase=p'), ['--phase=preflight', '--phase=post-install']);
		assert.deepEqual(await words('apply -oj'), ['-ojson']);
		assert.deepEqual(await words('apply -o='), ['-o=text', '-o=json']);
		assert.deepEqual(await words('apply --dry-run=x'), []);
	});

	test('free text has no candidates; paths ask the shell for files', async () => {
		assert.deepEqual(await complete(['apply', '--mesh', ''], none), {candidates: [], files: false});
		assert.deepEqual(await complete(['--kubeconfig', ''], none), {candidates: [], files: true});
		assert.deepEqual(await complete(['status', '--istioctl=/usr/'], none), {candidates: [], files: true});
	});
});

describe('profiles from the store', () => {
	test('the names saved through the store, read from its file without conf', async () => {
		const dir = tempDir();
		const store = new ProfileStore({cwd: path.join(dir, 'eastwest-nodejs')});
		const plan = {
			topology: 'multi-network' as const,
			meshId: 'mesh1',
			clusters: [
				{context: 'a', name: 'a', network: 'n1', role: 'primary' as const},
				{context: 'b', name: 'b', network: 'n2', role: 'primary' as const},
			],
		};
		await store.save('prod', plan);
		await store.save('staging', plan);
		await store.save('perf', plan);
		const where: CompletionEnv = {env: {XDG_CONFIG_HOME: dir}, home: dir, platform: 'linux'};
		assert.equal(profilesFile(where), store.path);
		assert.deepEqual(profileNames(where), ['perf', 'prod', 'staging']);
		assert.deepEqual(await words('apply --profile p', where), ['perf', 'prod']);
		assert.deepEqual(await words('--profile ', where), ['perf', 'prod', 'staging']);
		assert.deepEqual(await words('profiles show s', where), ['staging']);
		assert.deepEqual(await words('profiles rename prod ', where), []);
		assert.deepEqual(await words('status --profile=st', where), ['--profile=staging']);
	});

	test("the path is the store's default one (XDG_CONFIG_HOME, else ~/.config)", () => {
		const dir = tempDir();
		const saved = process.env.XDG_CONFIG_HOME;
		process.env.XDG_CONFIG_HOME = dir;
		try {
			assert.equal(profilesFile({env: process.env, platform: 'linux'}), new ProfileStore().path);
		} finally {
			if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
			else process.env.XDG_CONFIG_HOME = saved;
		}
		assert.equal(profilesFile({env: {}, home: '/h', platform: 'linux'}), '/h/.config/eastwest-nodejs/profiles.json');
	});

	test('a missing or broken store file gives no names', () => {
		const dir = tempDir();
		const where: CompletionEnv = {env: {XDG_CONFIG_HOME: dir}, home: dir, platform: 'linux'};
		assert.deepEqual(profileNames(where), []);
		fs.mkdirSync(path.join(dir, 'eastwest-nodejs'));
		fs.writeFileSync(profilesFile(where), '{not json');
		assert.deepEqual(profileNames(where), []);
		fs.writeFileSync(profilesFile(where), '{"profiles": [1]}');
		assert.deepEqual(profileNames(where), []);
	});
});

describe('contexts from the kubeconfig', () => {
	const kubeconfig = (contexts: string[], current = contexts[0]) =>
		`apiVersion: v1\nkind: Config\ncurrent-context: ${current}\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: not-a-real-token}\ncontexts:\n${contexts.map(c => `- name: ${c}\n  context: {cluster: c, user: u}\n`).join('')}`;

	test('KUBECONFIG listing two files: both files, first file first, a name defined twice once; missing files skipped', async () => {
		const dir = tempDir();
		const a = path.join(dir, 'a.yaml');
		const b = path.join(dir, 'b.yaml');
		fs.writeFileSync(a, kubeconfig(['kind-east', 'shared']));
		fs.writeFileSync(b, kubeconfig(['shared', 'arn:aws:eks:eu-west-1:123:cluster/west', 'kind-west']));
		const env = {KUBECONFIG: [a, path.join(dir, 'missing.yaml'), b, a].join(path.delimiter), HOME: dir};
		const where: CompletionEnv = {env, home: dir, platform: 'linux'};
		assert.deepEqual(await contextNames(where), ['kind-east', 'shared', 'arn:aws:eks:eu-west-1:123:cluster/west', 'kind-west']);
		// The same files, in the same order, as the loader the commands use.
		assert.deepEqual(kubeconfigSearchOrder({env}).files, [a, path.join(dir, 'missing.yaml'), b]);
		assert.deepEqual(await words('status --context kind', where), ['kind-east', 'kind-west']);
		assert.deepEqual(await words('status --context arn:aws', where), ['arn:aws:eks:eu-west-1:123:cluster/west']);
		assert.deepEqual(await words('status --context=kind-w', where), ['--context=kind-west']);
		// Repeatable: offered again after one is given.
		assert.deepEqual(await words('status --context kind-east --context s', where), ['shared']);
	});

	test('--kubeconfig on the line wins over KUBECONFIG; without either, ~/.kube/config', async () => {
		const dir = tempDir();
		const flagFile = path.join(dir, 'flag.yaml');
		fs.writeFileSync(flagFile, kubeconfig(['from-flag']));
		const envFile = path.join(dir, 'env.yaml');
		fs.writeFileSync(envFile, kubeconfig(['from-env']));
		fs.mkdirSync(path.join(dir, '.kube'));
		fs.writeFileSync(path.join(dir, '.kube', 'config'), kubeconfig(['from-home']));
		assert.deepEqual(await words(`status --kubeconfig ${flagFile} --context `, {env: {KUBECONFIG: envFile}, home: dir}), ['from-flag']);
		assert.deepEqual(await words(`status --kubeconfig=${flagFile} --context `, {env: {KUBECONFIG: envFile}, home: dir}), ['from-flag']);
		assert.deepEqual(await words('status --context ', {env: {KUBECONFIG: envFile}, home: dir}), ['from-env']);
		assert.deepEqual(await words('status --context ', {env: {}, home: dir}), ['from-home']);
	});

	test('a broken, empty or unreadable kubeconfig gives no candidates and no error', async () => {
		const dir = tempDir();
		const good = path.join(dir, 'good.yaml');
		fs.writeFileSync(good, kubeconfig(['ok']));
		const broken = path.join(dir, 'broken.yaml');
		fs.writeFileSync(broken, 'contexts: [\n  - name: {');
		const empty = path.join(dir, 'empty.yaml');
		fs.writeFileSync(empty, '');
		const list = path.join(dir, 'list.yaml');
		fs.writeFileSync(list, '- 1\n- 2\n');
		for (const file of [broken, list, dir]) {
			assert.deepEqual(await contextNames({env: {KUBECONFIG: [good, file].join(path.delimiter)}, home: dir}), [], file);
		}
		assert.deepEqual(await contextNames({env: {KUBECONFIG: [empty, good].join(path.delimiter)}, home: dir}), ['ok']);
		assert.deepEqual(await contextNames({env: {}, home: dir}, path.join(dir, 'nope.yaml')), []);
	});
});

describe('the table stays true to the commands', () => {
	test('the commands are the ones the help lists', () => {
		const listed = COMMAND_SUMMARIES.map(([name]) => name).filter(name => name !== '' && name !== '(none)');
		assert.deepEqual([...COMMANDS].sort(), [...listed].sort());
		for (const command of COMMANDS) {
			assert.ok(
				Object.keys(COMMAND_FLAGS).some(key => key === command || key.startsWith(`${command} `)),
				`COMMAND_FLAGS has ${command}`,
			);
		}
	});

	// Each flag of the table, given to the command's own parser before an unknown flag: the parser must
	// stop at the unknown one, which proves it accepted the flag (and its value) first.
	const sink = {write: () => true} as unknown as CommandContext['stdout'];
	const ctx = (): CommandContext => ({stdout: sink, stderr: sink, env: {}, signal: new AbortController().signal});
	const modules: Record<string, () => Promise<{run(args: string[], ctx: CommandContext): Promise<number>}>> = {
		'': () => import('../../source/commands/wizard.js'),
		manifests: () => import('../../source/commands/manifests.js'),
		apply: () => import('../../source/commands/apply.js'),
		remove: () => import('../../source/commands/remove.js'),
		status: () => import('../../source/commands/status.js'),
		check: () => import('../../source/commands/check.js'),
		verify: () => import('../../source/commands/verify.js'),
		profiles: () => import('../../source/commands/profiles.js'),
		version: () => import('../../source/commands/version.js'),
		completion: () => import('../../source/commands/completion.js'),
		ca: () => import('../../source/commands/ca.js'),
	};
	// `help` is dispatched by cli.tsx itself and has no flags of its own.
	for (const [key, flags] of Object.entries(COMMAND_FLAGS).filter(([key]) => key !== 'help')) {
		test(`every flag the table gives "${key || '(wizard)'}" is one its parser accepts`, async () => {
			const [command, sub] = key.split(' ') as [string, string | undefined];
			const load = modules[command];
			assert.ok(load, `a module for ${command}`);
			const {run} = await load();
			for (const flag of [...flags, ...GLOBAL_FLAGS]) {
				const value = flag.value === undefined ? [] : [Array.isArray(flag.value) ? flag.value[0]! : 'x'];
				for (const spelling of [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])]) {
					const args = [...(sub ? [sub] : []), spelling, ...value, '--zz-not-a-flag'];
					await assert.rejects(run(args, ctx()), (error: Error) => {
						assert.match(error.message, /unknown flag --zz-not-a-flag/, `${key} ${args.join(' ')}: ${error.message}`);
						return true;
					});
				}
			}
		});
	}

	test("every flag a command's help describes is in the table, and the global ones are", () => {
		const described = (text: string) => [...text.matchAll(/^ {2}(?:-\w, )?--([\w-]+)/gm)].map(m => m[1]!);
		for (const command of ['manifests', 'apply', 'status', 'check', 'profiles', 'version', 'completion', 'ca']) {
			const table = new Set(
				Object.entries(COMMAND_FLAGS)
					.filter(([key]) => key === command || key.startsWith(`${command} `))
					.flatMap(([, flags]) => flags.map(f => f.name)),
			);
			for (const flag of described(COMMAND_HELP[command] ?? '')) assert.ok(table.has(flag), `${command} --${flag} (in its help) is in COMMAND_FLAGS`);
		}
		const global = described(mainHelp('0').split('Global flags:')[1] ?? '');
		assert.deepEqual(global.sort(), [...GLOBAL_FLAGS.map(f => f.name), 'version'].sort());
	});
});
