/**
 * `eastwest apply` end to end: the bundled CLI, the real kube/istioctl/engine code, loopback fake API
 * servers and the fake istioctl first on PATH.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {setTimeout as delay} from 'node:timers/promises';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';
import {fakeIstioctlEnv, readFakeIstioctlLog} from '../support/fake-istioctl.js';
import {cliPath, ensureBuilt, runCli} from '../helpers/cli.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

/**
 * A cluster as the plan finds it and the preflight wants it: a primary runs istiod installed with the mesh ID,
 * its name and network (EXTERNAL_ISTIOD where it serves remotes); a remote has Istio's CRDs and no istiod.
 */
async function cluster(role: {primary: {name: string; network: string; externalIstiod?: boolean}} | 'remote'): Promise<FakeApiServer> {
	const s = await FakeApiServer.start({token: 'secret-token'});
	servers.push(s);
	s.addIstioCrds();
	if (role !== 'remote') {
		const {name, network, externalIstiod} = role.primary;
		s.addIstiod({clusterId: name, meshId: 'mesh1', network, ...(externalIstiod ? {externalIstiod} : {})});
	}
	s.deployment = {scenario: 'ready', delayMs: 30};
	s.loadBalancer = {scenario: 'ip', delayMs: 30};
	return s;
}

/** east and west as each plan below has them: both primaries (multi), or east a primary serving west, its remote. */
async function setup(extraEnv: Record<string, string> = {}, plan: 'multi' | 'primary-remote' | 'primary-remote-multi-network' = 'multi') {
	const east = await cluster({primary: plan === 'multi' ? {name: 'east', network: 'net-east'} : {name: 'east', network: 'net1', externalIstiod: true}});
	const west = await cluster(plan === 'multi' ? {primary: {name: 'west', network: 'net-west'}} : 'remote');
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'west-ctx', server: west},
	]);
	const {env} = fakeIstioctlEnv(extraEnv);
	return {east, west, kubeconfig, env};
}

const multi = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east-ctx=east:net-east', '--cluster', 'west-ctx=west:net-west'];
const primaryRemote = ['--topology', 'primary-remote', '--mesh', 'mesh1', '--cluster', 'east-ctx=east:net1:primary', '--cluster', 'west-ctx=west:net1:remote'];

const gw = (s: FakeApiServer, kind: 'Deployment' | 'Service') => s.get(kind === 'Deployment' ? 'apps/v1' : 'v1', kind, 'istio-system', 'istio-eastwestgateway');

test('multi-network: two clusters end to end, JSON result, objects in the API servers; a re-run is unchanged', async () => {
	const {east, west, kubeconfig, env} = await setup();
	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '-o', 'json', '--timeout', '20s'], {env});
	assert.equal(r.code, 0, r.stderr + r.stdout);
	const doc = JSON.parse(r.stdout);
	assert.equal(doc.ok, true);
	assert.deepEqual(
		doc.clusters.map((c: any) => [c.cluster, c.outcome, c.address?.kind]),
		[
			['east', 'succeeded', 'ip'],
			['west', 'succeeded', 'ip'],
		],
	);
	for (const [s, net] of [
		[east, 'net-east'],
		[west, 'net-west'],
	] as const) {
		assert.equal(s.get('v1', 'Namespace', undefined, 'istio-system')?.metadata.labels['topology.istio.io/network'], net);
		const dep = gw(s, 'Deployment');
		assert.equal(dep?.metadata.labels['install.operator.istio.io/owning-resource'], 'eastwest');
		assert.equal(dep?.metadata.labels['topology.istio.io/network'], net);
		assert.equal(gw(s, 'Service')?.spec.type, 'LoadBalancer');
		assert.ok(s.get('networking.istio.io/v1', 'Gateway', 'istio-system', 'cross-network-gateway'));
	}
	const installs = readFakeIstioctlLog(env).filter(x => x.argv[0] === 'install');
	assert.deepEqual(installs.map(i => i.argv.slice(0, 6)).sort(), [
		['install', '-y', '-f', '-', '--context', 'east-ctx'],
		['install', '-y', '-f', '-', '--context', 'west-ctx'],
	]);
	assert.ok(
		installs.every(
			i => i.argv.includes('--kubeconfig') && i.argv.includes('--readiness-timeout') && i.argv[i.argv.indexOf('--readiness-timeout') + 1] === '20s',
		),
	);
	assert.match(installs[0]!.stdin ?? '', /kind: IstioOperator/);

	const again = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env});
	assert.equal(again.code, 0, again.stderr);
	assert.match(
		again.stdout,
		/^\[east\] ✔ Install the east-west gateway for network net-east \(istioctl install\): unchanged \(already installed by eastwest for network net-east, revision default\)/m,
	);
	assert.match(again.stdout, /^\[west\] ✔ Expose services \(15443, AUTO_PASSTHROUGH\) through the gateway: unchanged/m);
	assert.equal(readFakeIstioctlLog(env).filter(x => x.argv[0] === 'install').length, 2, 'no second istioctl install');
});

test('primary-remote: the primary exposes istiod; the remote is annotated, gets the remote profile and is read by the primary', async () => {
	const {east, west, kubeconfig, env} = await setup({}, 'primary-remote');
	const r = await runCli(['apply', ...primaryRemote, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env});
	assert.equal(r.code, 0, r.stderr + r.stdout);
	assert.match(r.stdout, /^\[east\] ✔ gateway address: 127\.0\.10\.\d+$/m);
	assert.match(
		r.stdout,
		/^\[east\] ✔ Expose istiod \(15012, 15017\) through the gateway: changed \(Gateway istio-system\/istiod-gateway created, VirtualService istio-system\/istiod-vs created\)/m,
	);
	assert.match(r.stdout, /Notes:\n {2}west: No east-west gateway/);
	assert.doesNotMatch(r.stdout, /yours to run|Left to you/);
	assert.ok(east.get('networking.istio.io/v1', 'VirtualService', 'istio-system', 'istiod-vs'));
	assert.equal(gw(west, 'Deployment'), undefined);
	assert.equal(west.get('v1', 'Namespace', undefined, 'istio-system')?.metadata.annotations?.['topology.istio.io/controlPlaneClusters'], 'east');
	const lbIp = /gateway address: (127\.0\.10\.\d+)/.exec(r.stdout)![1];
	assert.equal(
		west.get('discovery.k8s.io/v1', 'EndpointSlice', 'istio-system', 'istiod')?.endpoints[0].addresses[0],
		lbIp,
		"the remote's istiod endpoints are the primary's gateway",
	);
	assert.match(r.stdout, /^\[west\] ✔ Install the remote control plane, pointed at east's istiod \(istioctl install, profile remote\): changed/m);
	const secret = east.get('v1', 'Secret', 'istio-system', 'istio-remote-secret-west');
	assert.equal(secret?.metadata.labels['istio/multiCluster'], 'true');
	assert.ok(
		secret?.metadata.managedFields.some((m: any) => m.manager === 'eastwest'),
		'applied by eastwest (server-side apply)',
	);
	assert.match(
		r.stdout,
		/^\[east\] ✔ Give istiod read access to west's API server \(Secret istio-remote-secret-west\): changed \(Secret istio-system\/istio-remote-secret-west created; east's istiod can read west/m,
	);
	assert.equal(r.stdout.includes('secret-token'), false, 'the token never reaches the output');
	const again = await runCli(['apply', ...primaryRemote, '--kubeconfig', kubeconfig, '--yes', '-o', 'json', '--timeout', '20s'], {env});
	assert.equal(again.code, 0, again.stderr);
	const statuses = JSON.parse(again.stdout).clusters.flatMap((c: any) => c.steps.map((s: any) => s.status));
	assert.deepEqual([...new Set(statuses)], ['unchanged']);
	assert.equal(again.stdout.includes('secret-token'), false);
});

test('an SSA conflict names the other field manager and fails with exit 1', async () => {
	const {east, kubeconfig, env} = await setup({}, 'primary-remote');
	east.put(
		{
			apiVersion: 'networking.istio.io/v1',
			kind: 'Gateway',
			metadata: {name: 'istiod-gateway', namespace: 'istio-system'},
			spec: {selector: {istio: 'something-else'}, servers: []},
		},
		{manager: 'helm'},
	);
	const r = await runCli(['apply', ...primaryRemote, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env});
	assert.equal(r.code, 1);
	assert.match(r.stdout, /^\[east\] ✘ Expose istiod .*helm/m);
	assert.match(r.stdout, /^\[east\] {5}hint: /m);
	assert.match(r.stdout, /^ {2}west \(context west-ctx\): failed\n {4}done: annotate-remote changed\n {4}not run: install-remote$/m);
});

test('an unreachable context blocks the run in the preflight; with --skip-checks it fails that cluster with one line and the other is set up', async () => {
	const {east, env} = await setup();
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'west-ctx', server: 'http://127.0.0.1:9'},
	]);
	const blocked = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--timeout', '10s'], {env});
	assert.equal(blocked.code, 1);
	assert.match(blocked.stdout, /^✘ context west-ctx is reachable/m);
	assert.match(blocked.stderr, /\(cluster-reachable on west\); nothing was changed: .*--skip-checks/);
	assert.equal(east.get('v1', 'Namespace', undefined, 'istio-system')?.metadata.labels?.['topology.istio.io/network'], undefined, 'east was not labeled');

	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '-o', 'json', '--timeout', '10s', '--skip-checks'], {env});
	assert.equal(r.code, 1);
	const doc = JSON.parse(r.stdout);
	// east's own gateway is set up; its secret for the cluster it could not reach is not attempted.
	assert.deepEqual(
		doc.clusters[0].steps.map((s: any) => `${s.kind}:${s.status}`),
		['label-network:changed', 'install-gateway:changed', 'wait-rollout:changed', 'wait-address:changed', 'expose-services:changed', 'remote-secret:not-run'],
	);
	assert.equal(doc.clusters[1].outcome, 'failed');
	const failed = doc.clusters[1].steps[0];
	assert.equal(failed.status, 'failed');
	assert.doesNotMatch(failed.error, /\n/);
	assert.match(failed.error, /127\.0\.0\.1:9|reach|refused/i);
});

test('a pending LoadBalancer hits its deadline with the reason and what to do', async () => {
	const {west, kubeconfig, env} = await setup();
	west.loadBalancer = {scenario: 'pending', delayMs: 0};
	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--timeout', '3s'], {env});
	assert.equal(r.code, 1);
	assert.match(
		r.stdout,
		/^\[west\] ✘ Wait for the gateway Service to get an external address: gave up after 3\.0s waiting for an external address for the gateway Service: the LoadBalancer Service has no ingress address yet$/m,
	);
	assert.match(r.stdout, /^\[west\] {5}hint: .*MetalLB/m);
	assert.match(r.stdout, /^\[west\] {5}waiting .*no ingress address yet/m);
	assert.match(r.stdout, /east \(context east-ctx\): succeeded, gateway 127\.0\.10\.\d+/);
});

test('an injection failure (ImagePullBackOff on image auto) fails the install with the pod reason', async () => {
	const {west, kubeconfig, env} = await setup();
	west.deployment = {scenario: 'image-pull-auto', delayMs: 10};
	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--skip-checks', '--timeout', '3s'], {env, timeoutMs: 120_000});
	assert.equal(r.code, 1);
	assert.match(
		r.stdout,
		/^\[west\] ✘ Install the east-west gateway .*: failed to install manifests: errors occurred during operation: pod istio-eastwestgateway-\S+: ImagePullBackOff: container istio-proxy still has image "auto": sidecar injection did not run$/m,
	);
	assert.match(r.stdout, /^\[west\] {5}hint: check that istiod is running and MutatingWebhookConfiguration istio-sidecar-injector exists/m);
	assert.match(r.stdout, /^\[west\] {5}waiting .*ImagePullBackOff: container istio-proxy still has image "auto"/m);
});

test('a remote whose injector cannot be reached: the wait says so live, from the ReplicaSet, and the failure names it', async () => {
	const {east, west, kubeconfig, env} = await setup({}, 'primary-remote-multi-network');
	west.deployment = {scenario: 'webhook-unreachable', delayMs: 10};
	const r = await runCli(
		[
			'apply',
			'--topology',
			'primary-remote-multi-network',
			'--mesh',
			'mesh1',
			'--cluster',
			'east-ctx=east:net1:primary',
			'--cluster',
			'west-ctx=west:net2:remote',
			'--kubeconfig',
			kubeconfig,
			'--yes',
			'--skip-checks',
			'--timeout',
			'5s',
		],
		{env, timeoutMs: 120_000},
	);
	assert.equal(r.code, 1, r.stderr + r.stdout);
	const eastAddress = east.get('v1', 'Service', 'istio-system', 'istio-eastwestgateway')?.status.loadBalancer.ingress[0].ip as string;
	const injector = `the sidecar injector at istiod\\.istio-system\\.svc:443 is unreachable \\(dial tcp 10\\.96\\.0\\.10:443: connect: network is unreachable\\); on a remote that is east's istiod through east's gateway ${eastAddress.replaceAll('.', '\\.')}:15017`;
	assert.match(r.stdout, new RegExp(`^\\[west\\] {5}waiting .*pods cannot be created: ${injector}$`, 'm'));
	assert.match(
		r.stdout,
		new RegExp(
			`^\\[west\\] ✘ Install the east-west gateway .*: failed to install manifests: errors occurred during operation: pods cannot be created: ${injector}$`,
			'm',
		),
	);
	assert.match(r.stdout, /^\[west\] {5}hint: check that east's istiod is running, that east's gateway passes 15017 through to it/m);
	assert.ok(
		west.get('apps/v1', 'ReplicaSet', 'istio-system', west.list('apps/v1', 'ReplicaSet', 'istio-system')[0]?.metadata.name),
		'the scripted ReplicaSet exists',
	);
});

test('a pending LoadBalancer still waits on the address with its own reason while the rollout is read from ReplicaSets and events', async () => {
	const {west, kubeconfig, env} = await setup();
	west.loadBalancer = {scenario: 'pending', delayMs: 10};
	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--skip-checks', '--timeout', '5s'], {env, timeoutMs: 120_000});
	assert.equal(r.code, 1);
	assert.match(
		r.stdout,
		/^\[west\] ✘ Wait for the gateway Service to get an external address: gave up after 5\.0s waiting for an external address for the gateway Service: the LoadBalancer Service has no ingress address yet$/m,
	);
	assert.match(r.stdout, /^\[west\] ✔ Wait for the gateway Deployment to roll out/m);
	assert.ok(
		west.requests.some(q => q.watch && q.path.endsWith('/replicasets')),
		'ReplicaSets were watched',
	);
	assert.ok(
		west.requests.some(q => q.watch && q.path.endsWith('/events') && q.query.fieldSelector === 'type=Warning'),
		'Warning events were watched',
	);
});

test('istioctl failing: cause and hint, dependants not run, exit 1', async () => {
	const {kubeconfig, env} = await setup({FAKE_ISTIOCTL_SCENARIO: 'fail-apply'});
	const r = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '-o', 'json', '--timeout', '10s'], {env});
	assert.equal(r.code, 1);
	const doc = JSON.parse(r.stdout);
	const east = doc.clusters[0];
	assert.deepEqual(
		east.steps.map((s: any) => s.status),
		['changed', 'failed', 'not-run', 'not-run', 'not-run', 'changed'],
	);
	assert.equal(east.steps[1].error, 'failed to install manifests: errors occurred during operation');
	assert.match(east.steps[1].hint, /RBAC/);
});

test('bad input: usage errors exit 2 without touching clusters; a missing context names the kubeconfig', async () => {
	const {kubeconfig, env} = await setup();
	const r = await runCli(
		[
			'apply',
			'--topology',
			'multi-network',
			'--mesh',
			'mesh1',
			'--cluster',
			'nope=east:n1',
			'--cluster',
			'west-ctx=west:n2',
			'--kubeconfig',
			kubeconfig,
			'--yes',
		],
		{env},
	);
	assert.equal(r.code, 2);
	assert.equal(
		r.stderr,
		`eastwest: context "nope" (--cluster nope=east:n1:primary) not found in kubeconfig ${kubeconfig}; run 'kubectl config get-contexts' to list the contexts, or pass --kubeconfig\n`,
	);
	const noYes = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig], {env});
	assert.equal(noYes.code, 2);
	assert.match(noYes.stderr, /pass --yes/);
	const noIstioctl = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes'], {env: {...env, PATH: '/nonexistent'}});
	assert.equal(noIstioctl.code, 2);
	assert.match(noIstioctl.stderr, /^eastwest: istioctl not found on PATH: install the istioctl matching your control plane/);
	assert.equal(readFakeIstioctlLog(env).length, 0);
});

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

test('Ctrl-C: exit 130, a summary of what was and was not done, and no istioctl left running', async () => {
	const {kubeconfig, env} = await setup({FAKE_ISTIOCTL_SCENARIO: 'hang'});
	ensureBuilt();
	const child = spawn(process.execPath, [cliPath, 'apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '--timeout', '1m'], {
		env: {...process.env, ...env},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	child.stdout.on('data', d => (stdout += d));
	const closed = new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
	// Interrupt once both istioctl processes have started their children.
	for (let i = 0; i < 1200 && readFakeIstioctlLog(env).filter(x => x.childPid).length < 2; i++) await delay(25);
	const log = readFakeIstioctlLog(env);
	const pids = [...new Set(log.filter(x => x.argv[0] === 'install').map(x => x.pid))].concat(log.filter(x => x.childPid).map(x => x.childPid!));
	assert.equal(pids.length, 4, 'two istioctl processes, each with a child');
	child.kill('SIGINT');
	const code = await closed;
	assert.equal(code, 130);
	assert.match(stdout, /\nInterrupted:\n/);
	assert.match(
		stdout,
		/east \(context east-ctx\): cancelled\n {4}done: label-network changed\n {4}install-gateway cancelled\n {4}remote-secret cancelled\n {4}not run: wait-rollout, wait-address, expose-services/,
	);
	for (let i = 0; i < 500 && pids.some(alive); i++) await delay(20);
	assert.deepEqual(pids.filter(alive), [], 'no istioctl process or child left');
});

test('primary-remote across networks: both clusters labeled; the remote installs after the primary exposed istiod', async () => {
	const {east, west, kubeconfig, env} = await setup({}, 'primary-remote-multi-network');
	const r = await runCli(
		[
			'apply',
			'--topology',
			'primary-remote-multi-network',
			'--mesh',
			'mesh1',
			'--cluster',
			'east-ctx=east:net1:primary',
			'--cluster',
			'west-ctx=west:net2:remote',
			'--kubeconfig',
			kubeconfig,
			'--yes',
			'-o',
			'json',
			'--timeout',
			'20s',
		],
		{env},
	);
	assert.equal(r.code, 0, r.stderr + r.stdout);
	const doc = JSON.parse(r.stdout);
	assert.deepEqual(
		doc.clusters.map((c: any) => c.steps.map((s: any) => `${s.kind}:${s.status}`)),
		[
			[
				'label-network:changed',
				'install-gateway:changed',
				'wait-rollout:changed',
				'wait-address:changed',
				'expose-istiod:changed',
				'expose-services:changed',
				'remote-secret:changed',
			],
			['label-network:changed', 'annotate-remote:changed', 'install-remote:changed', 'install-gateway:changed', 'wait-rollout:changed', 'wait-address:changed'],
		],
	);
	assert.ok(doc.clusters[1].address);
	assert.ok(east.get('networking.istio.io/v1', 'Gateway', 'istio-system', 'cross-network-gateway'));
	assert.equal(gw(west, 'Deployment')?.metadata.labels['topology.istio.io/network'], 'net2');
	assert.equal(west.get('v1', 'Namespace', undefined, 'istio-system')?.metadata.labels['topology.istio.io/network'], 'net2');
});

test('a saved profile reruns headless to the same result, and the profile remembers the run', async () => {
	const {kubeconfig, env} = await setup();
	const {mkdtempSync} = await import('node:fs');
	const {tmpdir} = await import('node:os');
	const path = await import('node:path');
	const profileEnv = {...env, XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), 'ew-profiles-'))};
	const save = await runCli(['profiles', 'save', 'prod', ...multi, '--kubeconfig', kubeconfig], {env: profileEnv});
	assert.equal(save.code, 0, save.stderr);
	const byFlags = await runCli(['apply', ...multi, '--kubeconfig', kubeconfig, '--yes', '-o', 'json', '--timeout', '20s'], {env: profileEnv});
	const byProfile = await runCli(['apply', '--profile', 'prod', '--kubeconfig', kubeconfig, '--yes', '-o', 'json', '--timeout', '20s'], {env: profileEnv});
	assert.equal(byProfile.code, 0, byProfile.stderr);
	const a = JSON.parse(byFlags.stdout);
	const b = JSON.parse(byProfile.stdout);
	assert.deepEqual(b.plan, a.plan);
	assert.deepEqual(
		b.clusters.map((c: any) => [c.cluster, c.outcome, c.address]),
		a.clusters.map((c: any) => [c.cluster, c.outcome, c.address]),
	);
	const show = await runCli(['profiles', 'show', 'prod', '-o', 'json'], {env: profileEnv});
	assert.equal(JSON.parse(show.stdout).lastApplied.result, 'succeeded');
});

test('--api-server: saved with the profile, written into the remote secret; manifests --profile shows the live discovery address', async () => {
	const {east, west, kubeconfig, env} = await setup({}, 'primary-remote');
	const {mkdtempSync} = await import('node:fs');
	const {tmpdir} = await import('node:os');
	const path = await import('node:path');
	const profileEnv = {...env, XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), 'ew-profiles-'))};
	const westServer = `http://127.0.0.1:${new URL(west.url).port}`;
	const save = await runCli(['profiles', 'save', 'pr', ...primaryRemote, '--api-server', `west-ctx=${westServer}/`, '--kubeconfig', kubeconfig], {
		env: profileEnv,
	});
	assert.equal(save.code, 0, save.stderr);
	const show = await runCli(['profiles', 'show', 'pr', '-o', 'json'], {env: profileEnv});
	assert.equal(JSON.parse(show.stdout).clusters[1].apiServer, `${westServer}/`);
	const r = await runCli(['apply', '--profile', 'pr', '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env: profileEnv});
	assert.equal(r.code, 0, r.stderr + r.stdout);
	const create = readFakeIstioctlLog(env).find(x => x.argv[0] === 'create-remote-secret')!;
	assert.equal(create.argv[create.argv.indexOf('--server') + 1], `${westServer}/`);
	const secret = east.get('v1', 'Secret', 'istio-system', 'istio-remote-secret-west');
	assert.match(Buffer.from(secret!.data.west, 'base64').toString(), new RegExp(`server: ${westServer}/`));
	const lbIp = /gateway address: (127\.0\.10\.\d+)/.exec(r.stdout)![1];
	const manifests = await runCli(['manifests', '--profile', 'pr', '--kubeconfig', kubeconfig], {env: profileEnv});
	assert.equal(manifests.code, 0, manifests.stderr);
	assert.match(manifests.stdout, /# remotePilotAddress is east's gateway address, read live/);
	assert.match(manifests.stdout, new RegExp(`remotePilotAddress: ${lbIp!.replace(/\./g, '\\.')}`));
	assert.equal(manifests.stdout.includes('secret-token'), false);
	const bad = await runCli(['apply', ...primaryRemote, '--api-server', 'nope=https://127.0.0.1:1', '--kubeconfig', kubeconfig, '--yes'], {env});
	assert.equal(bad.code, 2);
	assert.match(bad.stderr, /--api-server nope=https:\/\/127\.0\.0\.1:1: context nope is not one of the plan's --cluster contexts \(east-ctx, west-ctx\)/);
	const notUrl = await runCli(['apply', ...primaryRemote, '--api-server', 'west-ctx=not a url', '--kubeconfig', kubeconfig, '--yes'], {env});
	assert.equal(notUrl.code, 2);
	assert.match(notUrl.stderr, /API server "not a url" is not a URL; use https:\/\/HOST:PORT/);
});
