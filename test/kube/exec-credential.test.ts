/**
 * Exec credential plugins against the fake API server (which requires the plugin's token): a working plugin is
 * used as kubectl would (its token verified, one run shared by concurrent requests); a failing, missing or
 * garbled one gives one line naming the command, the first line of its stderr and a hint, never the token.
 */
import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {createClusterClientFactory} from '../../source/kube/index.js';
import {FakeApiServer} from '../support/fake-apiserver.js';
import {fakePlugin, pluginRuns, writeExecKubeconfig} from '../support/exec-plugin.js';

const TOKEN = 'plugin-token-5f2a9c';

describe('exec credential plugins in the probe', () => {
	let server: FakeApiServer;
	before(async () => {
		server = await FakeApiServer.start({token: TOKEN});
		server.addIstioCrds();
		server.addIstiod({clusterId: 'eks'});
	});
	after(async () => {
		await server.close();
	});

	test('a working plugin: its token is sent (the server requires it), one run serves every request', async () => {
		const plugin = fakePlugin({token: TOKEN});
		const file = writeExecKubeconfig([{name: 'eks', server, command: plugin.command, args: ['eks', 'get-token', '--cluster-name', 'prod']}]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('eks').probe();
		assert.equal(result.error, undefined, JSON.stringify(result.error));
		assert.equal(result.reachable, true);
		assert.equal(result.auth, 'ok');
		assert.equal(result.istiod.length, 1);
		const runs = pluginRuns(plugin);
		assert.equal(runs.length, 1, 'the credential is cached, as kubectl does, and concurrent requests share the run');
		assert.deepEqual(runs[0]!.argv, ['eks', 'get-token', '--cluster-name', 'prod']);
		assert.deepEqual(JSON.parse(runs[0]!.info!), {apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', spec: {interactive: false}});
	});

	test('a plugin returning the wrong token is a 401 from the server', async () => {
		const plugin = fakePlugin({token: 'not-the-right-one'});
		const file = writeExecKubeconfig([{name: 'eks', server, command: plugin.command}]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('eks').probe();
		assert.equal(result.reachable, true);
		assert.equal(result.auth, 'unauthorized');
		assert.equal(result.error?.httpStatus, 401);
	});

	test('a failing plugin: one line with the command and the first stderr line, a log-in hint; the server is never asked', async () => {
		const plugin = fakePlugin({exitCode: 1, stderr: 'Error: the SSO session has expired or is invalid\nmore detail here', name: 'aws'});
		const before = server.requests.length;
		const file = writeExecKubeconfig([{name: 'eks', server, command: plugin.command, args: ['eks', 'get-token', '--cluster-name', 'prod']}]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('eks').probe();
		assert.equal(result.reachable, false);
		assert.equal(result.auth, 'unauthorized');
		assert.equal(result.error?.kind, 'unauthorized');
		assert.equal(
			result.error?.message,
			`credential plugin ${plugin.command} eks get-token --cluster-name prod for context eks failed (exit 1): Error: the SSO session has expired or is invalid`,
		);
		assert.match(result.error?.hint ?? '', /aws sso login/);
		assert.equal(server.requests.length, before, 'no request without a credential');
	});

	test('a missing plugin: named, with the kubeconfig installHint (or a default install hint)', async () => {
		const file = writeExecKubeconfig([
			{name: 'gke', server, command: 'gke-gcloud-auth-plugin-not-here'},
			{
				name: 'gke2',
				server,
				command: 'gke-gcloud-auth-plugin-not-here',
				args: ['--x'],
				installHint: 'Install it with: gcloud components install gke-gcloud-auth-plugin\nsecond line',
			},
		]);
		const factory = createClusterClientFactory({kubeconfig: file, env: {}});
		const one = await factory.client('gke').probe();
		assert.equal(one.reachable, false);
		assert.equal(
			one.error?.message,
			'credential plugin gke-gcloud-auth-plugin-not-here for context gke is not installed (gke-gcloud-auth-plugin-not-here not found)',
		);
		assert.match(one.error?.hint ?? '', /^install gke-gcloud-auth-plugin-not-here/);
		const two = await factory.client('gke2').probe();
		assert.equal(two.error?.hint, 'Install it with: gcloud components install gke-gcloud-auth-plugin');
	});

	test('a plugin that prints a bare token instead of an ExecCredential: an error that does not quote it', async () => {
		const plugin = fakePlugin({stdout: `${TOKEN}\n`});
		const file = writeExecKubeconfig([{name: 'eks', server, command: plugin.command}]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('eks').probe();
		assert.equal(result.reachable, false);
		assert.match(result.error!.message, /printed something that is not an ExecCredential/);
		assert.ok(!JSON.stringify(result).includes(TOKEN));
	});

	test('secret-named plugin flags are redacted in the message', async () => {
		const plugin = fakePlugin({exitCode: 2, stderr: 'AADSTS7000215: Invalid client secret provided.', name: 'kubelogin'});
		const file = writeExecKubeconfig([
			{name: 'aks', server, command: plugin.command, args: ['get-token', '--client-secret', 'hunter2-secret', '--server-id=abc']},
		]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('aks').probe();
		assert.ok(!result.error!.message.includes('hunter2-secret'), result.error!.message);
		assert.match(result.error!.message, /--client-secret \[redacted\] --server-id=abc for context aks failed \(exit 2\): AADSTS7000215/);
		assert.match(result.error!.hint ?? '', /az login/);
	});

	test('a plugin that hangs past the probe deadline is named as such, not as a silent API server', async () => {
		const plugin = fakePlugin({token: TOKEN, hangMs: 3000, name: 'kubelogin'});
		const file = writeExecKubeconfig([{name: 'aks', server, command: plugin.command, args: ['get-token']}]);
		const result = await createClusterClientFactory({kubeconfig: file, env: {}}).client('aks').probe({timeoutMs: 1000});
		assert.equal(result.reachable, false);
		assert.equal(result.error?.kind, 'timeout');
		assert.equal(result.error?.message, `credential plugin ${plugin.command} get-token for context aks did not finish within 1s`);
		assert.match(result.error?.hint ?? '', /waiting for a login/);
		assert.ok(result.elapsedMs < 2500, `the probe kept its deadline (${result.elapsedMs} ms)`);
	});
});
