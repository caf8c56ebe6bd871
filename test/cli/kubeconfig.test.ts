/** The one kubeconfig preamble of the commands: one line, exit 2, the same words whichever command asks. */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {currentContext, openKubeconfig, planContexts, requireContexts} from '../../source/commands/kubeconfig.js';
import {UsageError} from '../../source/core/exit-codes.js';
import type {KubeconfigInfo} from '../../source/core/ports.js';

const info = (contexts: string[], current?: string, files = ['/home/u/.kube/config']): KubeconfigInfo => ({
	files,
	contexts: contexts.map(name => ({name, cluster: name, user: 'u', server: 'https://127.0.0.1:6443'})) as KubeconfigInfo['contexts'],
	...(current ? {currentContext: current} : {}),
	warnings: [],
});

const usage = (pattern: RegExp) => (e: unknown) => {
	assert.ok(e instanceof UsageError, String(e));
	assert.doesNotMatch(e.message, /\n/, 'one line');
	assert.match(e.message, pattern);
	return true;
};

test('every missing context is named in one line, with where the command was told of it, each once', () => {
	assert.doesNotThrow(() => requireContexts(info(['a', 'b']), ['a', 'b']));
	assert.throws(
		() => requireContexts(info(['a']), ['b']),
		usage(/^context "b" not found in kubeconfig \/home\/u\/\.kube\/config; run 'kubectl config get-contexts' to list the contexts, or pass --kubeconfig$/),
	);
	const plan = planContexts([
		{context: 'a', name: 'east', network: 'n1', role: 'primary'},
		{context: 'x', name: 'west', network: 'n2', role: 'primary'},
		{context: 'y', name: 'north', network: 'n3', role: 'remote'},
	]);
	assert.throws(
		() => requireContexts(info(['a'], undefined, []), [...plan, 'x']),
		usage(/^contexts "x" \(--cluster x=west:n2:primary\), "y" \(--cluster y=north:n3:remote\) not found in kubeconfig \(no kubeconfig file found\);/),
	);
});

test('the current context, or a line saying the kubeconfig has none', () => {
	assert.equal(currentContext(info(['a'], 'a')), 'a');
	assert.throws(() => currentContext(info(['a'])), usage(/^the kubeconfig \(\/home\/u\/\.kube\/config\) has no current context; pass --context NAME$/));
});

test('a kubeconfig that cannot be read is a usage error in one line; other errors pass through', async () => {
	const broken = Object.assign(new Error('cannot parse /k: bad indentation\n  at line 3'), {name: 'KubeconfigError'});
	await assert.rejects(
		openKubeconfig(() => {
			throw broken;
		}),
		usage(/^cannot parse \/k: bad indentation$/),
	);
	const other = new Error('boom');
	await assert.rejects(
		openKubeconfig(() => Promise.reject(other)),
		(e: unknown) => e === other,
	);
	const opened = {kubeconfig: info(['a'])};
	assert.equal(await openKubeconfig(async () => opened, ['a']), opened);
	await assert.rejects(
		openKubeconfig(() => opened, ['b']),
		usage(/^context "b" not found/),
	);
});
