/**
 * `eastwest completion bash|zsh|fish`, loaded in the shell itself and asked for completions, with the
 * bundled CLI on PATH as `eastwest` (so every Tab goes through `eastwest __complete`). bash always runs;
 * zsh and fish run where they are installed.
 */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cliPath, ensureBuilt, runCli} from '../helpers/cli.js';

const KUBECONFIG = (contexts: string[]) =>
	`apiVersion: v1\nkind: Config\ncurrent-context: ${contexts[0]}\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: not-a-real-token}\ncontexts:\n${contexts.map(c => `- name: ${c}\n  context: {cluster: c, user: u}\n`).join('')}`;

function installed(shell: string): boolean {
	return spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
}

/** A home with `eastwest` on PATH, two saved profiles and a KUBECONFIG of two files. */
function sandbox() {
	ensureBuilt();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-completion-'));
	const bin = path.join(dir, 'bin');
	fs.mkdirSync(bin);
	fs.writeFileSync(path.join(bin, 'eastwest'), `#!/bin/sh\nexec '${process.execPath}' '${cliPath}' "$@"\n`, {mode: 0o755});
	const config = path.join(dir, 'config');
	fs.mkdirSync(path.join(config, 'eastwest-nodejs'), {recursive: true});
	const profile = {topology: 'multi-network', meshId: 'mesh1', clusters: [], createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z'};
	fs.writeFileSync(path.join(config, 'eastwest-nodejs', 'profiles.json'), JSON.stringify({schemaVersion: 1, profiles: {prod: profile, staging: profile}}));
	const a = path.join(dir, 'a.yaml');
	const b = path.join(dir, 'b.yaml');
	fs.writeFileSync(a, KUBECONFIG(['kind-east']));
	fs.writeFileSync(b, KUBECONFIG(['kind-west', 'arn:aws:eks:eu-west-1:123:cluster/west']));
	const env: NodeJS.ProcessEnv = {
		PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
		HOME: dir,
		XDG_CONFIG_HOME: config,
		KUBECONFIG: [a, b].join(path.delimiter),
		NO_COLOR: '1',
	};
	return {dir, env};
}

function shell(command: string, args: string[], env: NodeJS.ProcessEnv): string {
	const result = spawnSync(command, args, {env, encoding: 'utf8', timeout: 30_000});
	assert.equal(result.status, 0, `${command} exited ${result.status}: ${result.stderr}`);
	assert.equal(result.stderr, '', 'nothing on stderr');
	return result.stdout;
}

const lines = (text: string) => text.split('\n').filter(Boolean);

// bash sets COMP_WORDS split at COMP_WORDBREAKS; the script reads COMP_LINE/COMP_POINT, as bash sets them on Tab.
const BASH_ASK = `source <(eastwest completion bash) || exit 9
complete -p eastwest >/dev/null || exit 8
COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}
read -r -a COMP_WORDS <<<"$COMP_LINE"; [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_eastwest_complete
printf '%s\\n' "\${COMPREPLY[@]}"`;

test('bash: the script registers for eastwest and completes commands, flags, values, profiles and contexts', () => {
	const {env} = sandbox();
	const ask = (line: string) => lines(shell('bash', ['--norc', '--noprofile', '-c', BASH_ASK, 'bash', line], env));
	assert.deepEqual(ask('eastwest st'), ['status']);
	assert.deepEqual(ask('eastwest check --ph'), ['--phase']);
	assert.deepEqual(ask('eastwest check --phase p'), ['preflight', 'post-install']);
	assert.deepEqual(ask('eastwest apply --topology '), ['primary-remote', 'multi-network', 'primary-remote-multi-network']);
	assert.deepEqual(ask('eastwest manifests --expose a'), ['all']);
	assert.deepEqual(ask('eastwest status -o j'), ['json']);
	assert.deepEqual(ask('eastwest apply --profile '), ['prod', 'staging']);
	assert.deepEqual(ask('eastwest profiles delete st'), ['staging']);
	assert.deepEqual(ask('eastwest status --context kind-'), ['kind-east', 'kind-west']);
	// bash replaces only what follows its last "=" or ":" (COMP_WORDBREAKS), so the script trims to that.
	assert.deepEqual(ask('eastwest status --output=j'), ['json']);
	assert.deepEqual(ask('eastwest status --context arn:aws:eks:eu'), ['eu-west-1:123:cluster/west']);
	assert.deepEqual(ask('eastwest completion '), ['bash', 'zsh', 'fish']);
	assert.deepEqual(ask('eastwest apply --mesh '), []);
});

test('bash: --kubeconfig completes file names; a broken kubeconfig gives no candidates and no error', () => {
	const {dir, env} = sandbox();
	fs.writeFileSync(path.join(dir, 'kube-one.yaml'), KUBECONFIG(['one']));
	const ask = (line: string, extra: NodeJS.ProcessEnv = {}) =>
		lines(shell('bash', ['--norc', '--noprofile', '-c', BASH_ASK, 'bash', line], {...env, ...extra}));
	assert.deepEqual(ask(`eastwest --kubeconfig ${dir}/kube-o`), [`${dir}/kube-one.yaml`]);
	assert.deepEqual(ask(`eastwest status --kubeconfig ${dir}/kube-one.yaml --context `), ['one']);
	const broken = path.join(dir, 'broken.yaml');
	fs.writeFileSync(broken, 'contexts: [\n  - name: {');
	assert.deepEqual(ask('eastwest status --context ', {KUBECONFIG: broken}), []);
});

test('the hidden entry point: one candidate per line, exit 0 and nothing on stderr, also for a broken kubeconfig', async () => {
	const {dir, env} = sandbox();
	const ok = await runCli(['__complete', 'profiles', 'show', ''], {env});
	assert.deepEqual({code: ok.code, stdout: ok.stdout, stderr: ok.stderr}, {code: 0, stdout: 'prod\nstaging\n', stderr: ''});
	fs.writeFileSync(path.join(dir, 'broken.yaml'), ': : :\n\t- [');
	const broken = await runCli(['__complete', 'status', '--context', ''], {env: {...env, KUBECONFIG: path.join(dir, 'broken.yaml')}});
	assert.deepEqual({code: broken.code, stdout: broken.stdout, stderr: broken.stderr}, {code: 0, stdout: '', stderr: ''});
	const nothing = await runCli(['__complete'], {env});
	assert.equal(nothing.code, 0);
	assert.match(nothing.stdout, /^manifests\n/);
});

test('eastwest completion with no shell or an unknown one: exit 2, one line naming bash, zsh and fish', async () => {
	for (const args of [['completion'], ['completion', 'tcsh'], ['completion', 'bash', 'zsh']]) {
		const result = await runCli(args);
		assert.equal(result.code, 2, args.join(' '));
		assert.equal(result.stdout, '');
		assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
		assert.match(result.stderr, /bash, zsh or fish/);
	}
	const help = await runCli(['completion', '--help']);
	assert.equal(help.code, 0);
	assert.match(help.stdout, /source <\(eastwest completion bash\)/);
	assert.match(help.stdout, /eastwest completion fish \| source/);
});

// zsh's completion builtins exist only inside a completion widget; the test stands in for them and
// records what the script hands to compadd (and whether it asked for files).
const ZSH_ASK = `compdef() { print -r -- "compdef $*" >&2 }
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@" }
_files() { print -r -- ":files:" }
compset() { : }
source <(eastwest completion zsh) 2>/dev/null
words=(\${(z)1}); [[ $1 == *" " ]] && words+=("")
CURRENT=\${#words}
PREFIX=\${words[CURRENT]}
_eastwest`;

test(
	'zsh: the script completes commands, values, profiles and contexts',
	{skip: installed('zsh') ? false : 'zsh is not installed (apt-get install zsh to run this test)'},
	() => {
		const {env} = sandbox();
		const ask = (line: string) => lines(shell('zsh', ['-f', '-c', ZSH_ASK, 'zsh', line], env));
		assert.deepEqual(ask('eastwest pro'), ['profiles']);
		assert.deepEqual(ask('eastwest check --phase '), ['preflight', 'post-install', 'all']);
		assert.deepEqual(ask('eastwest status --output=j'), ['--output=json']);
		assert.deepEqual(ask('eastwest apply --profile '), ['prod', 'staging']);
		assert.deepEqual(ask('eastwest status --context kind-'), ['kind-east', 'kind-west']);
		assert.deepEqual(ask('eastwest --kubeconfig '), [':files:']);
		const registered = spawnSync('zsh', ['-f', '-c', 'compdef() { print -r -- "compdef $*" }; source <(eastwest completion zsh)'], {env, encoding: 'utf8'});
		assert.equal(registered.stdout.trim(), 'compdef _eastwest eastwest');
	},
);

test(
	'fish: complete -C through the script gives commands, values, profiles and contexts',
	{skip: installed('fish') ? false : 'fish is not installed (apt-get install fish to run this test)'},
	() => {
		const {env} = sandbox();
		const ask = (line: string) =>
			lines(shell('fish', ['--no-config', '-c', 'eastwest completion fish | source; complete -C $argv[1]', line], env)).map(l => l.split('\t')[0]);
		assert.deepEqual(ask('eastwest sta'), ['status']);
		assert.deepEqual(ask('eastwest manifests --expose '), ['istiod', 'services', 'all', 'none']);
		assert.deepEqual(ask('eastwest check --phase=p'), ['--phase=preflight', '--phase=post-install']);
		assert.deepEqual(ask('eastwest profiles show '), ['prod', 'staging']);
		assert.deepEqual(ask('eastwest status --context kind-'), ['kind-east', 'kind-west']);
		assert.deepEqual(ask('eastwest status --context arn:'), ['arn:aws:eks:eu-west-1:123:cluster/west']);
	},
);
