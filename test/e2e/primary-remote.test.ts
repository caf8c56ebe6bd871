/**
 * Primary-remote on the lab's primary-remote topology: east is a primary with EXTERNAL_ISTIOD, west a
 * cluster on its way to becoming its remote. eastwest installs east's gateway and exposes istiod.
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runCli} from '../helpers/cli.js';
import {kubeconfig, kubectl, kubectlJson, requireLab} from './lab.js';

before(() => requireLab('primary-remote'));

const plan = ['--topology', 'primary-remote', '--mesh', 'mesh1', '--cluster', 'east=east:net-east:primary', '--cluster', 'west=west:net-east:remote'];
const eastwest = (args: string[]) => runCli([...args, '--kubeconfig', kubeconfig()], {timeoutMs: 240_000});

test('apply exposes istiod through the primary\'s gateway; the remote is left untouched and the output says what is left', async () => {
	const r = await eastwest(['apply', ...plan, '--yes', '--timeout', '3m']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /create-remote-secret --context west --name west/);

	const gw = kubectlJson('east', ['-n', 'istio-system', 'get', 'gateways.networking.istio.io', 'istiod-gateway']);
	assert.deepEqual(gw.spec.servers.map((s: any) => [s.port.number, s.port.name, s.tls.mode]), [
		[15012, 'tls-istiod', 'PASSTHROUGH'],
		[15017, 'tls-istiodwebhook', 'PASSTHROUGH'],
	]);
	const vs = kubectlJson('east', ['-n', 'istio-system', 'get', 'virtualservices.networking.istio.io', 'istiod-vs']);
	assert.deepEqual(vs.spec.tls.map((t: any) => [t.match[0].port, t.route[0].destination.host, t.route[0].destination.port.number]), [
		[15012, 'istiod.istio-system.svc.cluster.local', 15012],
		[15017, 'istiod.istio-system.svc.cluster.local', 443],
	]);
	const svc = kubectlJson('east', ['-n', 'istio-system', 'get', 'service', 'istio-eastwestgateway']);
	assert.match(svc.status.loadBalancer.ingress[0].ip, /^127\.0\.10\.\d+$/);

	// Nothing was installed on the remote.
	assert.throws(() => kubectl('west', ['-n', 'istio-system', 'get', 'deployment', 'istio-eastwestgateway']), /NotFound|not found/);
});

test('status and post-install checks on the primary-remote plan', async () => {
	const check = await eastwest(['check', ...plan, '--phase', 'post-install', '-o', 'json']);
	const doc = JSON.parse(check.stdout);
	const east = (id: string) => doc.results.find((x: any) => x.id === id && x.cluster === 'east')?.status;
	assert.equal(east('istiod-exposed'), 'pass');
	assert.equal(east('gateway-rolled-out'), 'pass');
	const status = await eastwest(['status', '--context', 'east', '-o', 'json']);
	assert.equal(status.code, 0, status.stdout);
	const c = JSON.parse(status.stdout).clusters[0];
	assert.ok(c.checks.some((x: any) => x.id === 'expose-istiod' && x.level === 'ok'));
});
