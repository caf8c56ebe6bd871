/**
 * Primary-remote on the lab's primary-remote topology: east is a primary with EXTERNAL_ISTIOD, west a
 * cluster on its way to becoming its remote. eastwest installs east's gateway and exposes istiod.
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runCli} from '../helpers/cli.js';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {applyMakesRemoteSecrets, applyRemoteSecret, kubeconfig, kubectl, kubectlJson, requireLab, waitFor} from './lab.js';

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

test("east's real istiod (EXTERNAL_ISTIOD) syncs west through its remote secret and writes istio-ca-root-cert into west's namespaces", async () => {
	// What the remote wiring leaves (until apply does it, the test does its part): west's namespace names
	// its control plane, east holds west's remote secret, and istio-reader-service-account has the RBAC the
	// remote profile grants it: rendered by the real istioctl from that profile, its RBAC objects applied.
	// (Installing the whole profile here is refused: its EndpointSlice would carry east's gateway address,
	// and the lab's LoadBalancer addresses are loopback, which EndpointSlice validation rejects.)
	if (!applyMakesRemoteSecrets) {
		const remote = {
			apiVersion: 'install.istio.io/v1alpha1',
			kind: 'IstioOperator',
			spec: {profile: 'remote', values: {istiodRemote: {injectionPath: '/inject/cluster/west/net/net-east'}, global: {meshID: 'mesh1', multiCluster: {clusterName: 'west'}, network: 'net-east', remotePilotAddress: 'istiod.example.invalid'}}},
		};
		const dir = mkdtempSync(path.join(os.tmpdir(), 'eastwest-e2e-remote-'));
		try {
			writeFileSync(path.join(dir, 'remote.json'), JSON.stringify(remote));
			const rendered = execFileSync('istioctl', ['manifest', 'generate', '-f', path.join(dir, 'remote.json')], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
			const rbac = parseAllDocuments(rendered).map(d => d.toJS()).filter((o: any) => ['ClusterRole', 'ClusterRoleBinding'].includes(o?.kind) && /istio-reader/.test(o.metadata?.name ?? ''));
			assert.ok(rbac.length >= 2, 'the remote profile renders the reader ClusterRole and its binding');
			execFileSync('kubectl', ['--context', 'west', 'apply', '-f', '-'], {input: JSON.stringify({apiVersion: 'v1', kind: 'List', items: rbac}), stdio: ['pipe', 'ignore', 'pipe']});
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	}
	kubectl('west', ['annotate', 'namespace', 'istio-system', 'topology.istio.io/controlPlaneClusters=east', '--overwrite']);
	const have = kubectl('east', ['-n', 'istio-system', 'get', 'secrets', '-l', 'istio/multiCluster=true', '-o', 'name']);
	if (!have.includes('istio-remote-secret-west')) applyRemoteSecret('east', 'west');
	const remoteClusters = () => execFileSync('istioctl', ['remote-clusters', '--context', 'east'], {encoding: 'utf8'});
	await waitFor('istioctl remote-clusters --context east to list west synced', 60_000, () => (/^west\s+istio-system\/istio-remote-secret-west\s+synced/m.test(remoteClusters()) ? true : undefined), remoteClusters);

	const root = kubectlJson('east', ['-n', 'istio-system', 'get', 'configmap', 'istio-ca-root-cert']).data['root-cert.pem'] as string;
	const westRoot = (ns: string) => {
		try {
			return kubectlJson('west', ['-n', ns, 'get', 'configmap', 'istio-ca-root-cert']).data['root-cert.pem'] as string;
		} catch {
			return undefined;
		}
	};
	for (const ns of ['istio-system', 'default']) {
		await waitFor(`istio-ca-root-cert in west/${ns}, written by east's istiod`, 90_000, () => (westRoot(ns) === root ? true : undefined));
	}

	const check = await eastwest(['check', ...plan, '--phase', 'post-install', '-o', 'json']);
	const sees = JSON.parse(check.stdout).results.find((x: any) => x.id === 'istiod-sees-clusters' && x.cluster === 'east');
	assert.deepEqual([sees?.status, sees?.reason], ['pass', 'west synced']);
	const status = await eastwest(['status', '--context', 'east', '-o', 'json']);
	const east = JSON.parse(status.stdout).clusters[0];
	assert.deepEqual(east.istiodView.clusters.find((x: any) => x.id === 'west')?.syncStatus, 'synced');
	assert.deepEqual(east.checks.find((x: any) => x.id === 'istiod-sees:west')?.level, 'ok');
});
