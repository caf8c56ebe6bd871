/**
 * Primary-remote on the lab's primary-remote topology: east is a primary with EXTERNAL_ISTIOD, west a
 * cluster on its way to becoming its remote. eastwest installs east's gateway, exposes istiod, annotates
 * west, installs its remote control plane and gives east's istiod a remote secret for west.
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runCli} from '../helpers/cli.js';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {
	applyMakesRemoteSecrets,
	applyRemoteSecret,
	kubeconfig,
	kubectl,
	kubectlAsRemoteSecret,
	kubectlJson,
	remoteSecretTokens,
	requireLab,
	waitFor,
} from './lab.js';

before(() => requireLab('primary-remote'));

const plan = ['--topology', 'primary-remote', '--mesh', 'mesh1', '--cluster', 'east=east:net-east:primary', '--cluster', 'west=west:net-east:remote'];
const eastwest = (args: string[]) => runCli([...args, '--kubeconfig', kubeconfig()], {timeoutMs: 240_000});

test("apply wires the remote: annotated, remote profile by the real istioctl pointed at east's gateway, read by east through a working secret", async () => {
	const r = await eastwest(['apply', ...plan, '--yes', '--timeout', '3m']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.doesNotMatch(r.stdout, /yours to run|Left to you/);

	const gw = kubectlJson('east', ['-n', 'istio-system', 'get', 'gateways.networking.istio.io', 'istiod-gateway']);
	assert.deepEqual(
		gw.spec.servers.map((s: any) => [s.port.number, s.port.name, s.tls.mode]),
		[
			[15012, 'tls-istiod', 'PASSTHROUGH'],
			[15017, 'tls-istiodwebhook', 'PASSTHROUGH'],
		],
	);
	const vs = kubectlJson('east', ['-n', 'istio-system', 'get', 'virtualservices.networking.istio.io', 'istiod-vs']);
	assert.deepEqual(
		vs.spec.tls.map((t: any) => [t.match[0].port, t.route[0].destination.host, t.route[0].destination.port.number]),
		[
			[15012, 'istiod.istio-system.svc.cluster.local', 15012],
			[15017, 'istiod.istio-system.svc.cluster.local', 443],
		],
	);
	const svc = kubectlJson('east', ['-n', 'istio-system', 'get', 'service', 'istio-eastwestgateway']);
	const lb = svc.status.loadBalancer.ingress[0].ip;
	assert.match(lb, /^192\.0\.2\.\d+$/, 'the primary-remote lab gives east TEST-NET-1 addresses (lab/lib.sh)');

	// The remote: annotated with its primary, no gateway of its own (one flat network), the remote profile installed.
	const ns = kubectlJson('west', ['get', 'namespace', 'istio-system']);
	assert.equal(ns.metadata.annotations['topology.istio.io/controlPlaneClusters'], 'east');
	assert.throws(() => kubectl('west', ['-n', 'istio-system', 'get', 'deployment', 'istio-eastwestgateway']), /NotFound|not found/);
	const istiodSvc = kubectlJson('west', ['-n', 'istio-system', 'get', 'service', 'istiod']);
	assert.equal(istiodSvc.metadata.labels['install.operator.istio.io/owning-resource'], 'eastwest-remote');
	assert.equal(istiodSvc.spec.selector, undefined, "selectorless: it stands for the primary's istiod");
	const slices = kubectlJson('west', ['-n', 'istio-system', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=istiod']).items;
	assert.deepEqual([...new Set(slices.flatMap((s: any) => s.endpoints.flatMap((e: any) => e.addresses)))], [lb], "west's istiod endpoints are east's gateway");
	assert.deepEqual(slices.flatMap((s: any) => s.ports.map((p: any) => p.port)).sort(), [15012, 15017]);
	const hook = kubectlJson('west', ['get', 'mutatingwebhookconfiguration', 'istio-sidecar-injector']);
	assert.ok(hook.webhooks.every((w: any) => w.clientConfig.service.path === '/inject/cluster/west/net/net-east'));

	// east reads west: its secret's credentials list endpointslices on west, from inside the lab.
	const secret = kubectlJson('east', ['-n', 'istio-system', 'get', 'secret', 'istio-remote-secret-west', '--show-managed-fields']);
	assert.equal(secret.metadata.labels['istio/multiCluster'], 'true');
	assert.equal(secret.metadata.annotations['networking.istio.io/cluster'], 'west');
	assert.ok(secret.metadata.managedFields.some((m: any) => m.manager === 'eastwest' && m.operation === 'Apply'));
	assert.match(kubectlAsRemoteSecret('east', 'istio-remote-secret-west', 'west', ['get', 'endpointslices', '-A', '-o', 'name']), /endpointslice/);
	assert.throws(() => kubectl('west', ['-n', 'istio-system', 'get', 'secret', 'istio-remote-secret-east']), /NotFound|not found/);
	for (const token of remoteSecretTokens(['east'])) assert.equal(r.stdout.includes(token) || r.stderr.includes(token), false, 'no token in the output');
});

test('a second run is all unchanged; Ctrl-C during the remote install exits 130 and a re-run converges', async () => {
	const again = await eastwest(['apply', ...plan, '--yes', '-o', 'json', '--timeout', '3m']);
	assert.equal(again.code, 0, again.stdout + again.stderr);
	const statuses = JSON.parse(again.stdout).clusters.flatMap((c: any) => c.steps.map((s: any) => `${s.id}:${s.status}`));
	assert.deepEqual(
		statuses.filter((s: string) => !s.endsWith(':unchanged')),
		[],
	);

	// Force the remote install to run again (--reinstall) and interrupt it while istioctl works.
	const cut = await runCli([...['apply', ...plan, '--yes', '--reinstall', '--timeout', '3m'], '--kubeconfig', kubeconfig()], {
		timeoutMs: 240_000,
		signalWhen: out => /\[west\] … Install the remote control plane/.test(out),
	});
	assert.equal(cut.code, 130, cut.stdout + cut.stderr);
	assert.match(cut.stdout, /Interrupted:/);
	const healed = await eastwest(['apply', ...plan, '--yes', '-o', 'json', '--timeout', '3m']);
	assert.equal(healed.code, 0, healed.stdout + healed.stderr);
	assert.equal(JSON.parse(healed.stdout).ok, true);
});

test('bad input: an --api-server of a context outside the plan exits 2; a remote that runs istiod is refused', async () => {
	const bad = await eastwest(['apply', ...plan, '--api-server', 'north=https://127.0.0.1:1', '--yes']);
	assert.equal(bad.code, 2);
	assert.match(bad.stderr, /context north is not one of the plan's --cluster contexts/);
	// east runs istiod: as a "remote" of west it is refused before anything changes on it.
	const inverted = ['--topology', 'primary-remote', '--mesh', 'mesh1', '--cluster', 'west=west:net-east:primary', '--cluster', 'east=east:net-east:remote'];
	const r = await eastwest(['apply', ...inverted, '--yes', '--dry-run', '--skip-checks', '-o', 'json', '--timeout', '1m']);
	const step = JSON.parse(r.stdout)
		.clusters.flatMap((c: any) => c.steps)
		.find((s: any) => s.id === 'east/install-remote');
	assert.equal(step?.status, 'failed', r.stdout);
	assert.match(step.error, /east runs its own istiod \(istiod\): it is a primary, and eastwest never installs a remote profile over a control plane/);
	assert.equal(
		kubectlJson('east', ['get', 'namespace', 'istio-system']).metadata.annotations?.['topology.istio.io/controlPlaneClusters'],
		undefined,
		'a dry run changed nothing',
	);
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
			spec: {
				profile: 'remote',
				values: {
					istiodRemote: {injectionPath: '/inject/cluster/west/net/net-east'},
					global: {meshID: 'mesh1', multiCluster: {clusterName: 'west'}, network: 'net-east', remotePilotAddress: 'istiod.example.invalid'},
				},
			},
		};
		const dir = mkdtempSync(path.join(os.tmpdir(), 'eastwest-e2e-remote-'));
		try {
			writeFileSync(path.join(dir, 'remote.json'), JSON.stringify(remote));
			const rendered = execFileSync('istioctl', ['manifest', 'generate', '-f', path.join(dir, 'remote.json')], {
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			});
			const rbac = parseAllDocuments(rendered)
				.map(d => d.toJS())
				.filter((o: any) => ['ClusterRole', 'ClusterRoleBinding'].includes(o?.kind) && /istio-reader/.test(o.metadata?.name ?? ''));
			assert.ok(rbac.length >= 2, 'the remote profile renders the reader ClusterRole and its binding');
			execFileSync('kubectl', ['--context', 'west', 'apply', '-f', '-'], {
				input: JSON.stringify({apiVersion: 'v1', kind: 'List', items: rbac}),
				stdio: ['pipe', 'ignore', 'pipe'],
			});
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	}
	kubectl('west', ['annotate', 'namespace', 'istio-system', 'topology.istio.io/controlPlaneClusters=east', '--overwrite']);
	const have = kubectl('east', ['-n', 'istio-system', 'get', 'secrets', '-l', 'istio/multiCluster=true', '-o', 'name']);
	if (!have.includes('istio-remote-secret-west')) applyRemoteSecret('east', 'west');
	const remoteClusters = () => execFileSync('istioctl', ['remote-clusters', '--context', 'east'], {encoding: 'utf8'});
	await waitFor(
		'istioctl remote-clusters --context east to list west synced',
		60_000,
		() => (/^west\s+istio-system\/istio-remote-secret-west\s+synced/m.test(remoteClusters()) ? true : undefined),
		remoteClusters,
	);

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
