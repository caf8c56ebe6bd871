/**
 * Exec credential plugins through the bundled CLI: `status`, `check` and `apply` against loopback fake API servers
 * that require the plugin's token. A working plugin is used; a failing or missing one is one line naming it, with
 * a hint; the token never shows in any output.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {startPrimary, type FakeApiServer} from '../support/fake-apiserver.js';
import {fakePlugin, writeExecKubeconfig} from '../support/exec-plugin.js';
import {fakeIstioctlEnv} from '../support/fake-istioctl.js';
import {runCli} from '../helpers/cli.js';

const TOKEN = 'k8s-aws-v1.plugin-token-7c1e';
const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

async function cluster(name = 'east'): Promise<FakeApiServer> {
	const s = await startPrimary(name, {token: TOKEN});
	servers.push(s);
	s.deployment = {scenario: 'ready', delayMs: 10};
	s.loadBalancer = {scenario: 'ip', delayMs: 10};
	return s;
}

const failing = () =>
	fakePlugin({exitCode: 1, stderr: 'An error occurred (ExpiredTokenException): The security token included in the request is expired', name: 'aws'});
const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east=east:net-east', '--cluster', 'west=west:net-west'];
/** Both contexts of the plan, each on its own fake server, authenticating through the same plugin command. */
async function both(command: string, args?: string[]) {
	const east = await cluster('east');
	const west = await cluster('west');
	return {
		east,
		west,
		kubeconfig: writeExecKubeconfig([
			{name: 'east', server: east, command, ...(args ? {args} : {})},
			{name: 'west', server: west, command, ...(args ? {args} : {})},
		]),
	};
}
const noToken = (r: {stdout: string; stderr: string}) =>
	assert.ok(!`${r.stdout}${r.stderr}`.includes(TOKEN) && !`${r.stdout}${r.stderr}`.includes('plugin-token-7c1e'), 'the token never shows');

test('status: a working plugin reads the cluster; a failing one is one line naming the plugin and its stderr', async () => {
	const s = await cluster();
	const ok = writeExecKubeconfig([{name: 'east', server: s, command: fakePlugin({token: TOKEN}).command}]);
	const good = await runCli(['status', '--context', 'east', '--kubeconfig', ok, '-o', 'json', '-v']);
	const doc = JSON.parse(good.stdout);
	assert.equal(doc.clusters[0].reachable, true, good.stderr);
	assert.match(good.stderr, /^\[kube east\] GET \/api\/v1\/namespaces\?.* 200 \d+ms$/m);
	assert.match(good.stderr, /^\[exec east\] \S+fake-auth-plugin: exit 0 after \d+ms$/m);
	noToken(good);

	const plugin = failing();
	const bad = writeExecKubeconfig([{name: 'east', server: s, command: plugin.command, args: ['eks', 'get-token', '--cluster-name', 'east']}]);
	const r = await runCli(['status', '--context', 'east', '--kubeconfig', bad]);
	assert.equal(r.code, 1);
	assert.match(
		r.stdout,
		new RegExp(
			`^ {2}✘ credential plugin ${plugin.command} eks get-token --cluster-name east for context east failed \\(exit 1\\): An error occurred \\(ExpiredTokenException\\): The security token included in the request is expired$`,
			'm',
		),
	);
	noToken(r);
});

test('check: a missing plugin fails cluster-reachable with its name and an install hint; a working one passes', async () => {
	const {kubeconfig: missing} = await both('gke-gcloud-auth-plugin');
	const r = await runCli(['check', ...plan, '--phase', 'preflight', '--kubeconfig', missing], {env: {PATH: '/nonexistent'}});
	assert.equal(r.code, 1, r.stdout + r.stderr);
	assert.match(
		r.stdout,
		/^ {4}credential plugin gke-gcloud-auth-plugin for context east is not installed \(gke-gcloud-auth-plugin not found\) \(install it: gcloud components install gke-gcloud-auth-plugin\)$/m,
	);

	const {kubeconfig: ok} = await both(fakePlugin({token: TOKEN}).command);
	const good = await runCli(['check', ...plan, '--phase', 'preflight', '--kubeconfig', ok, '-o', 'json']);
	const reachable = JSON.parse(good.stdout).results.filter((x: {id: string}) => x.id === 'cluster-reachable');
	assert.deepEqual(
		reachable.map((x: {status: string}) => x.status),
		['pass', 'pass'],
		good.stdout,
	);
	noToken(good);
});

test('apply: a working plugin applies (istioctl gets the same credential); a failing one stops with its line, exit 1', async () => {
	const {env} = fakeIstioctlEnv();
	const {east: s, kubeconfig: ok} = await both(fakePlugin({token: TOKEN}).command);
	const good = await runCli(['apply', ...plan, '--kubeconfig', ok, '--yes', '--timeout', '20s', '-v'], {env});
	assert.equal(good.code, 0, good.stdout + good.stderr);
	assert.equal(s.get('v1', 'Namespace', undefined, 'istio-system')?.metadata.labels['topology.istio.io/network'], 'net-east');
	assert.match(good.stderr, /^\[istioctl\] \S+istioctl install -y -f - --context east --kubeconfig \S+ --readiness-timeout 20s$/m);
	assert.match(good.stderr, /^\[kube east\] PATCH \/api\/v1\/namespaces\/istio-system\?.* 200 \d+ms$/m);
	noToken(good);

	const {east: fresh, kubeconfig: bad} = await both(failing().command);
	const r = await runCli(['apply', ...plan, '--kubeconfig', bad, '--yes', '--timeout', '20s'], {env});
	assert.equal(r.code, 1, r.stdout + r.stderr);
	assert.match(`${r.stdout}${r.stderr}`, /credential plugin \S+aws for context east failed \(exit 1\): An error occurred \(ExpiredTokenException\)/);
	assert.match(`${r.stdout}${r.stderr}`, /aws sso login/);
	assert.equal(fresh.get('v1', 'Namespace', undefined, 'istio-system')?.metadata.labels?.['topology.istio.io/network'], undefined, 'nothing changed');
	noToken(r);
});
