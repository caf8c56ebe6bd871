/**
 * The wizard end to end: real kube, engine, istioctl and store code behind the wizard's services,
 * loopback fake API servers and the fake istioctl first on PATH, driven by key presses.
 */
import {after, afterEach, test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import App from '../../source/app.js';
import {ProfileStore} from '../../source/store/profiles.js';
import {createWizardServices} from '../../source/commands/wizard-services.js';
import {STEP_KINDS} from '../../source/core/plan.js';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';
import {fakeIstioctlEnv, readFakeIstioctlLog} from '../support/fake-istioctl.js';
import {KEY, passTrust, press, tick, type, waitForFrame, waitForText} from '../support/ink.js';
import {FIXTURE_ROOT_CERT, fixtureCacertsData} from '../support/ca-fixtures.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});
afterEach(() => cleanup());

/** Every row of a scrolling check list: page down until the end, collecting the distinct rows. */
async function scrollAll(r: {lastFrame(): string | undefined; stdin: {write(data: string): void}}): Promise<string> {
	const seen: string[] = [];
	for (let i = 0; i < 20; i++) {
		const frame = await waitForFrame(r, () => true);
		const rows = frame.split('\n');
		const first = rows.findIndex(l => /^(Preflight|Post-install) checks/.test(l));
		const end = rows.findIndex((l, j) => j > first && /^(↓ \d+ more rows|\(end of the list\)|[✘‼✔] \d+ failed|exit code)/.test(l));
		seen.push(...rows.slice(first + 1, end === -1 ? undefined : end));
		if (!/↓ \d+ more rows/.test(frame)) break;
		await press(r, KEY.pageDown);
	}
	return seen.join('\n');
}

/** Whether apply makes the remote secrets itself (a plan step); until then the tests hold them, as istioctl create-remote-secret makes them. */
const applyMakesRemoteSecrets = (STEP_KINDS as readonly string[]).includes('remote-secret');
function holdRemoteSecret(primary: FakeApiServer, remote: FakeApiServer, name: string): void {
	if (applyMakesRemoteSecrets) return;
	primary.put({
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {name: `istio-remote-secret-${name}`, namespace: 'istio-system', labels: {'istio/multiCluster': 'true'}},
		data: {[name]: Buffer.from(`apiVersion: v1\nkind: Config\nclusters:\n- name: ${name}\n  cluster:\n    server: ${remote.url}\n`).toString('base64')},
	});
}

async function cluster(istiod: {clusterId?: string; meshId?: string; network?: string} | undefined): Promise<FakeApiServer> {
	const s = await FakeApiServer.start({token: 'secret-token'});
	servers.push(s);
	s.addIstioCrds();
	if (istiod) s.addIstiod(istiod);
	s.deployment = {scenario: 'ready', delayMs: 30};
	s.loadBalancer = {scenario: 'ip', delayMs: 30};
	return s;
}

test('wizard end to end: probes real API servers, runs multi-network with the engine and istioctl, saves a profile', async () => {
	const east = await cluster({clusterId: 'east-cluster'});
	const west = await cluster(undefined);
	holdRemoteSecret(east, west, 'west-ctx');
	// A context whose API server is not listening: shown with its reason, not selectable.
	const closed = await FakeApiServer.start();
	const closedUrl = closed.url;
	await closed.close();
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'gone-ctx', server: closedUrl},
		{name: 'west-ctx', server: west},
	]);
	const {env} = fakeIstioctlEnv();
	const profilesDir = mkdtempSync(path.join(tmpdir(), 'ew-wizard-profiles-'));
	const services = await createWizardServices({kubeconfig, env, profilesDir, timeoutMs: 20_000});
	const exits: number[] = [];
	const r = render(<App services={services} color={false} onExit={c => exits.push(c)} />);
	await waitForText(r, 'Which multicluster topology?');
	await press(r, KEY.down, KEY.enter);
	let frame = await waitForFrame(
		r,
		f => /east-ctx.*istiod/.test(f) && /west-ctx.*no Istio/.test(f) && /gone-ctx/.test(f) && !f.includes('probing…'),
		15_000,
		'probe results',
	);
	assert.match(frame, /east-ctx\(\*\)\s+east-ctx\s+east-ctx\s+v1\.35\.4 · istiod/);
	assert.match(frame, /✘ gone-ctx/);
	await press(r, KEY.space, KEY.down);
	frame = await waitForText(r, /gone-ctx: .*(refused|reach)/);
	await press(r, KEY.space);
	await waitForText(r, 'gone-ctx cannot be selected');
	await press(r, KEY.down, KEY.space);
	await waitForText(r, '2 selected');
	await press(r, KEY.enter);
	frame = await waitForText(r, 'Mesh and cluster IDs');
	assert.match(frame, /east-ctx\s+east-cluster\s+network1/, 'cluster name from istiod CLUSTER_ID');
	assert.match(frame, /west-ctx\s+west-ctx\s+network2/);
	await press(r, KEY.enter);
	// Trust reads each API server's CA: these fakes hold no cacerts, so there is no shared root; skip it.
	frame = await passTrust(r, 15_000);
	assert.match(frame, /no cacerts/);
	// The real preflight reads both API servers: west runs no istiod, which every multi-network primary needs.
	frame = await waitForText(r, '2 failed checks block the run', 15_000);
	await press(r, 'a');
	frame = await waitForText(r, '✔ context east-ctx is reachable and runs Kubernetes');
	const all = await scrollAll(r);
	assert.match(
		all,
		/east-cluster \(context east-ctx\)[^]*✘ the control plane was installed with meshID mesh1, network network1 and clusterName east-cluster\n\s+meshID is unset, network is unset\n/,
	);
	assert.match(all, /west-ctx \(context west-ctx\)[^]*✘ istiod for the default revision is installed and ready\n\s+no istiod Deployment in istio-system/);
	assert.match(
		all,
		/‼ the API server address written into remote secrets is one other clusters can use\n\s+the kubeconfig's server is 127\.0\.0\.1, a loopback address/,
	);
	await press(r, 'a');
	await waitForText(r, /east-cluster \(context east-ctx\)\n✘ the control plane was installed/);
	await press(r, KEY.enter);
	await waitForText(r, 'the run is blocked by 2 failed checks');
	await press(r, '!');
	await waitForText(r, 'Run despite 2 failed checks? (y/N)');
	await press(r, 'y');
	frame = await waitForText(r, '✔ istioctl 1.30.3', 10_000);
	assert.match(frame, /runs despite 2 failed preflight checks \(you confirmed\)/);
	await press(r, 's');
	await type(r, 'lab');
	await press(r, KEY.enter);
	await waitForText(r, 'saved as profile "lab"');
	await press(r, KEY.enter);
	await waitForText(r, 'Proceed despite 2 failed preflight checks? (y/N)');
	await press(r, 'y');
	frame = await waitForText(r, 'East-west gateways are set up for mesh mesh1', 30_000);
	// Post-install reads both servers again: the gateways are in place; west still lacks istiod, and nothing there lets its istio-reader account read (no binding names it); the exit code stays the run's.
	frame = await waitForText(r, /the run succeeded but \d+ post-install checks? failed/, 15_000);
	assert.match(frame, /✘ west-ctx: istiod for the default revision is installed and ready/);
	assert.match(frame, /east-cluster \(east-ctx\) succeeded/);
	assert.match(frame, /west-ctx \(west-ctx\) succeeded/);
	assert.match(frame, /gateway address 127\.0\.10\.\d+/);
	assert.match(frame, /eastwest apply --profile lab/);
	assert.match(frame, /exit code 0, the run's result/);
	await press(r, 'c');
	await waitForText(r, /Post-install checks \(2 failed/);
	await press(r, 'a');
	await waitForText(r, '✔ Deployment istio-system/istio-eastwestgateway is rolled out');
	const post = await scrollAll(r);
	for (const name of ['east-cluster', 'west-ctx']) {
		const section = post.slice(post.indexOf(`${name} (context`));
		assert.match(section, /✔ the gateway has an external IP address\n\s+127\.0\.10\.\d+/, `${name}: the address the fake LoadBalancer gave`);
	}
	await press(r, 'c');
	await waitForText(r, 'exit code 0');

	for (const [s, net] of [
		[east, 'network1'],
		[west, 'network2'],
	] as const) {
		assert.equal(s.get('v1', 'Namespace', undefined, 'istio-system')?.metadata.labels['topology.istio.io/network'], net);
		assert.equal(s.get('apps/v1', 'Deployment', 'istio-system', 'istio-eastwestgateway')?.metadata.labels['topology.istio.io/network'], net);
		assert.ok(s.get('networking.istio.io/v1', 'Gateway', 'istio-system', 'cross-network-gateway'));
	}
	const installs = readFakeIstioctlLog(env).filter(x => x.argv[0] === 'install');
	assert.deepEqual(installs.map(i => i.argv[5]).sort(), ['east-ctx', 'west-ctx']);
	const saved = new ProfileStore({cwd: profilesDir}).get('lab');
	assert.deepEqual(
		saved.clusters.map(c => [c.context, c.name, c.network, c.role]),
		[
			['east-ctx', 'east-cluster', 'network1', 'primary'],
			['west-ctx', 'west-ctx', 'network2', 'primary'],
		],
	);
	await tick();
	await press(r, KEY.enter);
	assert.deepEqual(exits, [0]);
});

/** A cluster installed as the Istio multicluster docs say: istiod with its IDs, a plugged-in root shared by the mesh. */
async function installedCluster(name: string, network: string): Promise<FakeApiServer> {
	const s = await cluster({clusterId: name, meshId: 'mesh1', network});
	s.put({
		apiVersion: 'v1',
		kind: 'ConfigMap',
		metadata: {name: 'istio-sidecar-injector', namespace: 'istio-system', labels: {'istio.io/rev': 'default'}},
		data: {values: JSON.stringify({global: {meshID: 'mesh1', network, multiCluster: {clusterName: name}}, revision: ''}), config: 'policy: enabled\n'},
	});
	// A real bundle: the checks parse its certificates and check its key.
	const root = FIXTURE_ROOT_CERT;
	s.put({
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {name: 'cacerts', namespace: 'istio-system'},
		data: fixtureCacertsData(),
	});
	s.put({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-ca-root-cert', namespace: 'istio-system'}, data: {'root-cert.pem': root}});
	return s;
}

test('wizard end to end: clusters prepared as documented pass the real preflight without an override; post-install reads the result', async () => {
	const east = await installedCluster('east', 'network1');
	const west = await installedCluster('west', 'network2');
	holdRemoteSecret(east, west, 'west');
	holdRemoteSecret(west, east, 'east');
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'west-ctx', server: west},
	]);
	const {env} = fakeIstioctlEnv();
	const services = await createWizardServices({kubeconfig, env, profilesDir: mkdtempSync(path.join(tmpdir(), 'ew-wizard-profiles-')), timeoutMs: 20_000});
	const exits: number[] = [];
	const r = render(<App services={services} color={false} onExit={c => exits.push(c)} />);
	await waitForText(r, 'Which multicluster topology?');
	await press(r, KEY.down, KEY.enter);
	await waitForFrame(r, f => /east-ctx.*istiod/.test(f) && /west-ctx.*istiod/.test(f) && !f.includes('probing…'), 15_000, 'probe results');
	await press(r, KEY.space, KEY.down, KEY.space);
	await waitForText(r, '2 selected');
	await press(r, KEY.enter);
	let frame = await waitForText(r, 'Mesh and cluster IDs');
	assert.match(frame, /east-ctx\s+east\s+network1/);
	assert.match(frame, /west-ctx\s+west\s+network2/);
	await press(r, KEY.enter);
	// Trust reads each API server's CA: prepared as documented, both hold cacerts from one root.
	frame = await passTrust(r, 15_000);
	assert.match(frame, /✔ The clusters already share one root: O=Istio, CN=Root CA \(/);
	frame = await waitForText(r, /No check failed; \d+ warnings? to read/, 15_000);
	// What a loopback fake cannot avoid: its API server is 127.0.0.1, and no LoadBalancer Service has an address yet.
	assert.match(frame, /‼ the API server address written into remote secrets is one other clusters can use/);
	assert.match(frame, /‼ 0 failed, 4 warnings, 24 passed, 0 skipped/);
	assert.match(frame, /‼ LoadBalancer Services get an external address here\n\s+no LoadBalancer Service exists yet/);
	await press(r, KEY.enter);
	frame = await waitForText(r, '✔ istioctl 1.30.3', 10_000);
	assert.match(frame, /‼ preflight: 24 passed, 4 warnings \(esc to read them\)/);
	await press(r, KEY.enter);
	frame = await waitForText(r, 'Proceed? (y/N)');
	await press(r, 'y');
	frame = await waitForText(r, /post-install checks passed|post-install checks? failed/, 30_000);
	assert.match(frame, /East-west gateways are set up for mesh mesh1/);
	// The gateways and the mesh, the wiring, the CA bundle and istiod's own view (each sees the other synced, knows both gateways).
	assert.match(frame, /✔ all 41 post-install checks passed · wiring 4\/4 passed · c shows every check/);
	assert.match(frame, /exit code 0\n/);
	await tick();
	await press(r, KEY.enter);
	assert.deepEqual(exits, [0]);
});
