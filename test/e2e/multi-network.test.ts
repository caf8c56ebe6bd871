/**
 * The real thing: eastwest against two real kube-apiservers with Istio's real CRDs and the real istioctl
 * (the lab's default topology: east and west are primaries on networks net-east and net-west).
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runCli} from '../helpers/cli.js';
import {execFileSync} from 'node:child_process';
import {applyRemoteSecret, istiodDebug, kubeconfig, kubectl, kubectlJson, lbMode, plugInSharedRoot, requireLab, rootCertOf, waitFor} from './lab.js';

before(() => requireLab('multi-primary'));

const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east=east:net-east', '--cluster', 'west=west:net-west'];
const eastwest = (args: string[], timeoutMs = 240_000) => runCli([...args, '--kubeconfig', kubeconfig()], {timeoutMs});

test("preflight on the fresh lab: no failures; the lab's known gaps are warnings", async () => {
	const r = await eastwest(['check', ...plan, '--phase', 'preflight', '-o', 'json']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	const doc = JSON.parse(r.stdout);
	const failed = doc.results.filter((x: any) => x.status === 'fail');
	assert.deepEqual(failed, []);
	const passed = (id: string, cluster: string) => doc.results.find((x: any) => x.id === id && x.cluster === cluster)?.status;
	for (const c of ['east', 'west']) {
		assert.equal(passed('cluster-reachable', c), 'pass', `reachable: ${c}`);
		assert.equal(passed('istiod-present', c), 'pass', `istiod: ${c}`);
	}
});

test('apply sets up both gateways: what the real API servers hold afterwards', async () => {
	const r = await eastwest(['apply', ...plan, '--yes', '-o', 'json', '--timeout', '3m']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	const doc = JSON.parse(r.stdout);
	assert.equal(doc.ok, true);
	for (const [ctx, net, prefix] of [
		['east', 'net-east', '127.0.10.'],
		['west', 'net-west', '127.0.20.'],
	] as const) {
		const result = doc.clusters.find((c: any) => c.cluster === ctx);
		assert.equal(result.outcome, 'succeeded');
		assert.ok(result.address.value.startsWith(prefix), `${ctx} address ${result.address.value}`);

		const ns = kubectlJson(ctx, ['get', 'namespace', 'istio-system']);
		assert.equal(ns.metadata.labels['topology.istio.io/network'], net);

		const dep = kubectlJson(ctx, ['-n', 'istio-system', 'get', 'deployment', 'istio-eastwestgateway']);
		assert.ok(dep.status.observedGeneration >= dep.metadata.generation, 'the controller observed the latest generation');
		assert.ok(dep.status.availableReplicas >= 1 && dep.status.updatedReplicas >= 1, 'rolled out');
		assert.equal(dep.metadata.labels['install.operator.istio.io/owning-resource'], 'eastwest');
		assert.equal(dep.spec.template.metadata.labels['topology.istio.io/network'], net);
		const env = dep.spec.template.spec.containers.flatMap((c: any) => c.env ?? []);
		assert.ok(env.some((e: any) => e.name === 'ISTIO_META_REQUESTED_NETWORK_VIEW' && e.value === net));

		const svc = kubectlJson(ctx, ['-n', 'istio-system', 'get', 'service', 'istio-eastwestgateway']);
		assert.equal(svc.spec.type, 'LoadBalancer');
		assert.equal(svc.metadata.labels['topology.istio.io/network'], net);
		assert.deepEqual(
			svc.spec.ports.map((p: any) => [p.name, p.port, p.protocol]),
			[
				['status-port', 15021, 'TCP'],
				['tls', 15443, 'TCP'],
				['tls-istiod', 15012, 'TCP'],
				['tls-webhook', 15017, 'TCP'],
			],
		);
		assert.equal(svc.status.loadBalancer.ingress[0].ip, result.address.value);

		// Accepted by Istio's real CRD schema, and owned by eastwest's field manager.
		const gw = kubectlJson(ctx, ['-n', 'istio-system', 'get', 'gateways.networking.istio.io', 'cross-network-gateway', '--show-managed-fields']);
		assert.deepEqual(gw.spec.servers, [{port: {number: 15443, name: 'tls', protocol: 'TLS'}, tls: {mode: 'AUTO_PASSTHROUGH'}, hosts: ['*.local']}]);
		assert.ok(gw.metadata.managedFields.some((m: any) => m.manager === 'eastwest' && m.operation === 'Apply'));
	}
});

test('a re-run changes nothing and does not reinstall', async () => {
	const before = kubectlJson('east', ['-n', 'istio-system', 'get', 'deployment', 'istio-eastwestgateway']).metadata.resourceVersion;
	const r = await eastwest(['apply', ...plan, '--yes', '-o', 'json']);
	assert.equal(r.code, 0, r.stderr);
	const doc = JSON.parse(r.stdout);
	for (const c of doc.clusters) {
		for (const s of c.steps) assert.equal(s.status, 'unchanged', `${c.cluster} ${s.kind}: ${s.status} ${s.detail ?? ''}`);
	}
	const after = kubectlJson('east', ['-n', 'istio-system', 'get', 'deployment', 'istio-eastwestgateway']).metadata.resourceVersion;
	assert.equal(after, before, 'the gateway Deployment was not rewritten');
});

const PEERS = [
	['east', 'west'],
	['west', 'east'],
] as const;
const remoteClusters = (context: string) => execFileSync('istioctl', ['remote-clusters', '--context', context], {encoding: 'utf8'});
const peerStatus = (context: string, peer: string) =>
	new RegExp(`^${peer}\\s+istio-system/istio-remote-secret-${peer}\\s+(\\w+)`, 'm').exec(remoteClusters(context))?.[1];
const lbAddress = (context: string) =>
	kubectlJson(context, ['-n', 'istio-system', 'get', 'service', 'istio-eastwestgateway']).status.loadBalancer.ingress[0].ip as string;

test("istiod's own view: each real istiod syncs the other cluster and knows both gateways at their LB addresses; status -o json agrees", async () => {
	// The remote secrets, as istioctl makes them, unless apply already made them.
	for (const [primary, remote] of PEERS) {
		const have = kubectl(primary, ['-n', 'istio-system', 'get', 'secrets', '-l', 'istio/multiCluster=true', '-o', 'name']);
		if (!have.includes(`istio-remote-secret-${remote}`)) applyRemoteSecret(primary, remote);
	}
	for (const [primary, remote] of PEERS) {
		await waitFor(
			`istioctl remote-clusters --context ${primary} to list ${remote} synced`,
			60_000,
			() => (peerStatus(primary, remote) === 'synced' ? true : undefined),
			() => remoteClusters(primary),
		);
	}
	const addresses = {'net-east': lbAddress('east'), 'net-west': lbAddress('west')};
	for (const [primary] of PEERS) {
		const gateways = await waitFor(`/debug/networkz in ${primary} to list both gateways`, 60_000, async () => {
			const list = ((await istiodDebug(primary, '/debug/networkz')) ?? []) as Array<{Network: string; Addr: string; Port: number}>;
			return list.length >= 2 ? list : undefined;
		});
		assert.deepEqual(gateways.map(g => `${g.Network} ${g.Addr}:${g.Port}`).sort(), [
			`net-east ${addresses['net-east']}:15443`,
			`net-west ${addresses['net-west']}:15443`,
		]);
	}

	const status = await eastwest(['status', '--context', 'east', '--context', 'west', '-o', 'json']);
	const doc = JSON.parse(status.stdout);
	for (const [primary, remote] of PEERS) {
		const c = doc.clusters.find((x: any) => x.context === primary);
		assert.equal(c.istiodView.read, true, `${primary}: ${JSON.stringify(c.istiodView)}`);
		assert.match(c.istiodView.pod, /^istiod-/);
		assert.deepEqual(
			c.istiodView.clusters.find((x: any) => x.id === remote),
			{id: remote, secretName: `istio-system/istio-remote-secret-${remote}`, syncStatus: 'synced'},
		);
		assert.deepEqual(c.istiodView.gateways.map((g: any) => `${g.network} ${g.address}:${g.port}`).sort(), [
			`net-east ${addresses['net-east']}:15443`,
			`net-west ${addresses['net-west']}:15443`,
		]);
		const row = c.checks.find((x: any) => x.id === `istiod-sees:${remote}`);
		assert.deepEqual([row?.level, row?.text], ['ok', 'synced']);
	}
	assert.equal(status.code, 0, status.stdout + status.stderr);
});

test('a remote secret pointed at a wrong server: istiod turns it to timeout and eastwest check fails with the hint; the right one syncs again', async () => {
	// 127.0.0.1:29999: nothing listens there inside the lab.
	applyRemoteSecret('east', 'west', 'https://127.0.0.1:29999');
	try {
		await waitFor(
			"east's istiod to report west as timeout (istiod's remote cluster timeout)",
			120_000,
			() => (peerStatus('east', 'west') === 'timeout' ? true : undefined),
			() => remoteClusters('east'),
		);
		const check = await eastwest(['check', ...plan, '--phase', 'post-install', '-o', 'json']);
		assert.equal(check.code, 1, check.stdout + check.stderr);
		const result = JSON.parse(check.stdout).results.find((x: any) => x.id === 'istiod-sees-clusters' && x.cluster === 'east');
		assert.equal(result.status, 'fail');
		assert.match(result.reason, /west timeout/);
		assert.equal(result.hint, "istiod cannot reach that API server: check the remote secret's server address");
		const other = JSON.parse(check.stdout).results.find((x: any) => x.id === 'istiod-sees-clusters' && x.cluster === 'west');
		assert.equal(other.status, 'pass', 'west still sees east');
	} finally {
		applyRemoteSecret('east', 'west');
	}
	await waitFor(
		"east's istiod to sync west again",
		90_000,
		() => (peerStatus('east', 'west') === 'synced' ? true : undefined),
		() => remoteClusters('east'),
	);
});

test('a plugged-in shared root CA: after kubectl rollout restart, the istio-ca-root-cert each real istiod writes is the (new) shared root in every cluster', async () => {
	const before = rootCertOf('east', 'istio-system');
	const root = await plugInSharedRoot(['east', 'west']);
	assert.notEqual(before, root, 'a new root replaced the one istiod used before');
	for (const c of ['east', 'west']) {
		for (const ns of ['istio-system', 'default', 'kube-system']) {
			await waitFor(`istio-ca-root-cert in ${c}/${ns} to hold the shared root`, 120_000, () => (rootCertOf(c, ns) === root ? true : undefined));
		}
	}
	for (const [primary, remote] of PEERS) {
		await waitFor(
			`istioctl remote-clusters --context ${primary} to list ${remote} synced after the restart`,
			60_000,
			() => (peerStatus(primary, remote) === 'synced' ? true : undefined),
			() => remoteClusters(primary),
		);
	}
});

test('status -o json and the post-install checks agree that both clusters are healthy', async () => {
	const status = await eastwest(['status', '--context', 'east', '--context', 'west', '-o', 'json']);
	assert.equal(status.code, 0, status.stdout + status.stderr);
	const doc = JSON.parse(status.stdout);
	assert.equal(doc.healthy, true);
	assert.deepEqual(
		doc.clusters.map((c: any) => [c.context, c.network, c.address.value.slice(0, 9)]),
		[
			['east', 'net-east', '127.0.10.'],
			['west', 'net-west', '127.0.20.'],
		],
	);
	const check = await eastwest(['check', ...plan, '--phase', 'post-install', '-o', 'json']);
	assert.equal(check.code, 0, check.stdout + check.stderr);
	assert.deepEqual(
		JSON.parse(check.stdout).results.filter((x: any) => x.status === 'fail'),
		[],
	);
});

test('no LoadBalancer address: the wait fails at its deadline with the reason, and a re-run recovers', async () => {
	lbMode('pending', 'west');
	try {
		kubectl('west', ['-n', 'istio-system', 'delete', 'service', 'istio-eastwestgateway', '--wait=true']);
		const r = await eastwest(['apply', ...plan, '--yes', '--reinstall', '--timeout', '15s']);
		assert.equal(r.code, 1, r.stdout + r.stderr);
		assert.match(r.stdout, /^\[west\] ✘ Wait for the gateway Service to get an external address/m, r.stderr);
		assert.match(r.stdout, /LoadBalancer Service has no ingress address yet/);
		assert.match(r.stdout, /MetalLB|externalIPs/);
		assert.match(r.stdout, /east \(context east\): succeeded/);
	} finally {
		lbMode('assign', 'west');
	}
	const again = await eastwest(['apply', ...plan, '--yes', '--timeout', '1m']);
	assert.equal(again.code, 0, again.stdout + again.stderr);
	assert.match(again.stdout, /west \(context west\): succeeded, gateway 127\.0\.20\.\d+/);
});
