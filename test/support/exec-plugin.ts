/** Fake exec credential plugins (small executable scripts in a temp dir) and kubeconfigs whose users run them. */
import {chmodSync, mkdtempSync, readFileSync, existsSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {stringify as stringifyYaml} from 'yaml';
import type {FakeApiServer} from './fake-apiserver.js';

export interface FakePlugin {
	/** Absolute path of the script. */
	command: string;
	/** File the script appends one line to per run. */
	runs: string;
}

/** A plugin that prints an ExecCredential with `token`, or (exitCode ≠ 0) prints `stderr` and fails. */
export function fakePlugin(options: {token?: string; exitCode?: number; stderr?: string; stdout?: string; name?: string; hangMs?: number}): FakePlugin {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ew-plugin-'));
	const command = path.join(dir, options.name ?? 'fake-auth-plugin');
	const runs = path.join(dir, 'runs.log');
	const credential = JSON.stringify({apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: {token: options.token ?? ''}});
	const stdout = options.stdout ?? (options.exitCode ? '' : credential);
	const script = [
		'#!/usr/bin/env node',
		`require('node:fs').appendFileSync(${JSON.stringify(runs)}, JSON.stringify({argv: process.argv.slice(2), info: process.env.KUBERNETES_EXEC_INFO}) + '\\n');`,
		options.hangMs ? `setTimeout(() => {}, ${options.hangMs});` : '',
		`process.stdout.write(${JSON.stringify(stdout)});`,
		options.stderr ? `process.stderr.write(${JSON.stringify(`${options.stderr}\n`)});` : '',
		`process.exitCode = ${options.exitCode ?? 0};`,
	].join('\n');
	writeFileSync(command, script);
	chmodSync(command, 0o755);
	return {command, runs};
}

export function pluginRuns(plugin: FakePlugin): Array<{argv: string[]; info?: string}> {
	if (!existsSync(plugin.runs)) return [];
	return readFileSync(plugin.runs, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(l => JSON.parse(l) as {argv: string[]; info?: string});
}

/** A kubeconfig whose contexts authenticate through exec plugins (command, args). */
export function writeExecKubeconfig(
	contexts: Array<{name: string; server: FakeApiServer | string; command: string; args?: string[]; installHint?: string}>,
): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'ew-exec-kubeconfig-'));
	const file = path.join(dir, 'config');
	const yaml = stringifyYaml({
		apiVersion: 'v1',
		kind: 'Config',
		'current-context': contexts[0]?.name ?? '',
		clusters: contexts.map(c => ({name: c.name, cluster: {server: typeof c.server === 'string' ? c.server : c.server.url, 'insecure-skip-tls-verify': true}})),
		users: contexts.map(c => ({
			name: c.name,
			user: {
				exec: {
					apiVersion: 'client.authentication.k8s.io/v1beta1',
					command: c.command,
					args: c.args ?? [],
					...(c.installHint ? {installHint: c.installHint} : {}),
					interactiveMode: 'IfAvailable',
				},
			},
		})),
		contexts: contexts.map(c => ({name: c.name, context: {cluster: c.name, user: c.name}})),
	});
	writeFileSync(file, yaml, {mode: 0o600});
	return file;
}
