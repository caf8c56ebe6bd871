import {describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {KubeconfigError, createClusterClientFactory, kubeconfigSearchOrder, loadKubeconfig} from '../../source/kube/index.js';
import {createWizardServices} from '../../source/commands/wizard-services.js';
import {loadMergedKubeconfig} from '../../source/kube/kubeconfig.js';
import {FakeApiServer, kubeconfigYaml, writeKubeconfig} from '../support/fake-apiserver.js';

function tempDir(): string {
	return mkdtempSync(path.join(os.tmpdir(), 'eastwest-kc-test-'));
}

function write(dir: string, name: string, text: string): string {
	const file = path.join(dir, name);
	writeFileSync(file, text);
	return file;
}

function throwsKubeconfigError(fn: () => unknown, pattern: RegExp): void {
	assert.throws(fn, (error: unknown) => {
		assert.ok(error instanceof KubeconfigError, `expected KubeconfigError, got ${String(error)}`);
		assert.match(error.message, pattern);
		assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
		return true;
	});
}

describe('loadKubeconfig', () => {
	test('a single --kubeconfig file: contexts with cluster, user, namespace, server; current context', () => {
		const dir = tempDir();
		const file = write(
			dir,
			'config',
			kubeconfigYaml(
				[
					{name: 'east', server: 'http://127.0.0.1:1', namespace: 'apps'},
					{name: 'west', server: 'http://127.0.0.1:2', cluster: 'west-cluster', user: 'admin'},
				],
				'west',
			),
		);
		const info = loadKubeconfig({kubeconfig: file, env: {KUBECONFIG: '/nonexistent/ignored'}});
		assert.deepEqual(info.files, [file]);
		assert.equal(info.currentContext, 'west');
		assert.deepEqual(info.contexts, [
			{name: 'east', cluster: 'east', user: 'east', namespace: 'apps', server: 'http://127.0.0.1:1'},
			{name: 'west', cluster: 'west-cluster', user: 'admin', server: 'http://127.0.0.1:2'},
		]);
		assert.deepEqual(info.warnings, []);
	});

	test('KUBECONFIG merges like kubectl: first current-context and first definition of a name win, empty entries and missing files skipped', () => {
		const dir = tempDir();
		const a = write(
			dir,
			'a.yaml',
			kubeconfigYaml(
				[
					{name: 'shared', server: 'http://127.0.0.1:1', cluster: 'c'},
					{name: 'a-only', server: 'http://127.0.0.1:1', cluster: 'c'},
				],
				'a-only',
			),
		);
		const b = write(
			dir,
			'b.yaml',
			kubeconfigYaml(
				[
					{name: 'shared', server: 'http://127.0.0.1:2', cluster: 'c2'},
					{name: 'b-only', server: 'http://127.0.0.1:3', cluster: 'c'},
				],
				'b-only',
			),
		);
		const missing = path.join(dir, 'missing.yaml');
		const info = loadKubeconfig({env: {KUBECONFIG: [a, '', missing, b].join(path.delimiter)}});
		assert.deepEqual(info.files, [a, b]);
		assert.equal(info.currentContext, 'a-only');
		assert.deepEqual(
			info.contexts.map(c => c.name),
			['shared', 'a-only', 'b-only'],
		);
		// The first file's "shared" context and its cluster "c" win.
		assert.equal(info.contexts[0]!.cluster, 'c');
		assert.equal(info.contexts[0]!.server, 'http://127.0.0.1:1');
		// b-only names cluster "c", which a.yaml defined first.
		assert.equal(info.contexts[2]!.server, 'http://127.0.0.1:1');
		assert.ok(
			info.warnings.some(w => w.includes('context "shared"') && w.includes(b)),
			info.warnings.join('\n'),
		);
		assert.ok(info.warnings.some(w => w.includes('cluster "c"') && w.includes(b)));
	});

	test('a later file supplies the current context when the first has none', () => {
		const dir = tempDir();
		const a = write(dir, 'a.yaml', 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
		const b = write(dir, 'b.yaml', kubeconfigYaml([{name: 'b1', server: 'http://127.0.0.1:3'}], 'b1'));
		const info = loadKubeconfig({env: {KUBECONFIG: `${a}${path.delimiter}${b}`}});
		assert.equal(info.currentContext, 'b1');
	});

	test('~/.kube/config from HOME when neither --kubeconfig nor KUBECONFIG is set', () => {
		const home = tempDir();
		mkdirSync(path.join(home, '.kube'));
		const file = write(home, '.kube/config', kubeconfigYaml([{name: 'home-ctx', server: 'http://127.0.0.1:1'}]));
		const info = loadKubeconfig({env: {HOME: home}});
		assert.deepEqual(info.files, [file]);
		assert.equal(info.currentContext, 'home-ctx');
	});

	test('relative certificate paths are resolved against the kubeconfig file', () => {
		const dir = tempDir();
		const file = write(
			dir,
			'config',
			[
				'apiVersion: v1',
				'kind: Config',
				'current-context: x',
				'clusters:',
				'- name: x',
				'  cluster: {server: "https://127.0.0.1:6443", certificate-authority: certs/ca.crt}',
				'users:',
				'- name: x',
				'  user: {client-certificate: certs/me.crt, client-key: certs/me.key}',
				'contexts:',
				'- name: x',
				'  context: {cluster: x, user: x}',
				'',
			].join('\n'),
		);
		const merged = loadMergedKubeconfig({kubeconfig: file, env: {}});
		assert.equal(merged.clusters[0]!.caFile, path.join(dir, 'certs', 'ca.crt'));
		assert.equal(merged.users[0]!.certFile, path.join(dir, 'certs', 'me.crt'));
		assert.equal(merged.users[0]!.keyFile, path.join(dir, 'certs', 'me.key'));
		assert.equal(merged.info.contexts[0]!.server, 'https://127.0.0.1:6443');
	});

	test('a missing --kubeconfig file is an error naming it', () => {
		const file = path.join(tempDir(), 'nope.yaml');
		throwsKubeconfigError(() => loadKubeconfig({kubeconfig: file, env: {}}), new RegExp(`kubeconfig ${file} does not exist`));
	});

	test('an empty file is an error naming it', () => {
		const file = write(tempDir(), 'empty', '\n  \n');
		throwsKubeconfigError(() => loadKubeconfig({kubeconfig: file, env: {}}), new RegExp(`kubeconfig ${file} is empty`));
	});

	test('malformed YAML is an error naming the file and the YAML problem', () => {
		const dir = tempDir();
		const good = write(dir, 'good', kubeconfigYaml([{name: 'g', server: 'http://127.0.0.1:1'}]));
		const bad = write(dir, 'bad', 'clusters: [\n  - name: x\n contexts: {\n');
		throwsKubeconfigError(
			() => loadKubeconfig({env: {KUBECONFIG: `${good}${path.delimiter}${bad}`}}),
			new RegExp(`kubeconfig ${bad} is not valid YAML \\(.+\\): fix or regenerate it`),
		);
	});

	test('YAML that is not a mapping is an error naming the file', () => {
		const file = write(tempDir(), 'list', '- a\n- b\n');
		throwsKubeconfigError(() => loadKubeconfig({kubeconfig: file, env: {}}), /is not a kubeconfig/);
	});

	test('no kubeconfig anywhere: the error says where it looked', () => {
		const home = tempDir();
		throwsKubeconfigError(
			() => loadKubeconfig({env: {HOME: home}}),
			new RegExp(`looked at --kubeconfig \\(not given\\), KUBECONFIG \\(not set\\) and ${path.join(home, '.kube', 'config')}`),
		);
		const missing = path.join(home, 'x');
		throwsKubeconfigError(() => loadKubeconfig({env: {HOME: home, KUBECONFIG: missing}}), /none of the files in KUBECONFIG exist/);
	});

	test('one search order: --kubeconfig, else KUBECONFIG (blank entries dropped, each file once), else HOME; the wizard shows what the loader reads', async () => {
		const dir = tempDir();
		const a = write(dir, 'a', kubeconfigYaml([{name: 'a', server: 'http://127.0.0.1:1'}]));
		const b = path.join(dir, 'missing');
		const home = tempDir();
		const cases = [
			{source: {kubeconfig: a, env: {KUBECONFIG: b, HOME: home}}, from: 'flag', files: [a]},
			{source: {env: {KUBECONFIG: [a, ' ', '', b, a].join(path.delimiter), HOME: home}}, from: 'env', files: [a, b]},
			{source: {env: {KUBECONFIG: path.delimiter, HOME: home}}, from: 'home', files: [path.join(home, '.kube', 'config')]},
			{source: {env: {}}, from: 'home', files: []},
		] as const;
		for (const c of cases) {
			const source = {...c.source, env: {...c.source.env}};
			assert.deepEqual(kubeconfigSearchOrder(source), {from: c.from, files: c.files}, JSON.stringify(c.source));
			const services = await createWizardServices(source);
			assert.deepEqual(services.kubeconfigSearched, c.files, `wizard for ${JSON.stringify(c.source)}`);
		}
		// The loader reads the files of the search that exist, in that order.
		assert.deepEqual(loadKubeconfig({env: {KUBECONFIG: [b, a].join(path.delimiter)}}).files, [a]);
	});

	test('kubeconfigPath for istioctl: the explicit file, the only KUBECONFIG file, or unset when KUBECONFIG merges several', () => {
		const dir = tempDir();
		const a = write(dir, 'a', kubeconfigYaml([{name: 'a', server: 'http://127.0.0.1:1'}]));
		const b = write(dir, 'b', kubeconfigYaml([{name: 'b', server: 'http://127.0.0.1:1'}]));
		assert.equal(createClusterClientFactory({kubeconfig: a, env: {}}).kubeconfigPath, a);
		assert.equal(createClusterClientFactory({env: {KUBECONFIG: a}}).kubeconfigPath, a);
		assert.equal(createClusterClientFactory({env: {KUBECONFIG: `${a}${path.delimiter}${b}`}}).kubeconfigPath, undefined);
	});

	test('an unknown context is a one-line error naming the kubeconfig', () => {
		const file = writeKubeconfig([{name: 'known', server: 'http://127.0.0.1:1'}]);
		const factory = createClusterClientFactory({kubeconfig: file, env: {}});
		throwsKubeconfigError(() => factory.client('unknown'), new RegExp(`context "unknown" is not in the kubeconfig \\(${file}\\)`));
	});

	test('a context from a merged KUBECONFIG reaches the server of the first definition', async () => {
		const first = await FakeApiServer.start({token: 'first', gitVersion: 'v1.35.1'});
		const second = await FakeApiServer.start({token: 'second', gitVersion: 'v1.34.9'});
		try {
			const dir = tempDir();
			const a = writeKubeconfig([{name: 'prod', server: first}], {dir, file: 'a'});
			const b = writeKubeconfig(
				[
					{name: 'prod', server: second},
					{name: 'staging', server: second},
				],
				{dir, file: 'b'},
			);
			const factory = createClusterClientFactory({env: {KUBECONFIG: `${a}${path.delimiter}${b}`}});
			const prod = await factory.client('prod').probe();
			assert.equal(prod.serverVersion, 'v1.35.1');
			assert.equal(prod.auth, 'ok');
			// "staging" names cluster and user "staging" from b: its own server and token.
			const staging = await factory.client('staging').probe();
			assert.equal(staging.serverVersion, 'v1.34.9');
			assert.equal(staging.auth, 'ok');
		} finally {
			await first.close();
			await second.close();
		}
	});
});

test('resource names follow Kubernetes guessing rules', async () => {
	const {guessResource} = await import('../../source/kube/client.js');
	assert.equal(guessResource('Gateway'), 'gateways');
	assert.equal(guessResource('VirtualService'), 'virtualservices');
	assert.equal(guessResource('Ingress'), 'ingresses');
	assert.equal(guessResource('NetworkPolicy'), 'networkpolicies');
	assert.equal(guessResource('Namespace'), 'namespaces');
});
