import {afterEach, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import App from '../../source/app.js';
import {PROBE_CONCURRENCY} from '../../source/ui/hooks/useProbes.js';
import {DEFAULT_PARALLEL} from '../../source/core/slots.js';
import {fakeServices, kubeconfig, okProbe, unreachableProbe, type FakeOptions} from '../support/fake-services.js';
import {KEY, passChecks, passTrust, plain, press, tick, type, waitForFrame, waitForText} from '../support/ink.js';

afterEach(() => cleanup());

async function start(options: FakeOptions = {}) {
	const services = fakeServices(options);
	const exits: number[] = [];
	const r = render(<App services={services} color={false} onExit={code => exits.push(code)} />);
	await waitForText(r, 'Which multicluster topology?');
	await tick();
	return {r, services, exits};
}

type R = Awaited<ReturnType<typeof start>>['r'];

/** From the topology list (already highlighted) to the IDs screen with the given contexts selected, in order. */
async function pickContexts(r: R, names: string[], all: string[]) {
	await press(r, KEY.enter);
	await waitForText(r, 'Pick the clusters');
	// Probes answer in the background; wait for every row to show its result.
	await waitForFrame(r, f => !f.includes('probing…') && !f.includes('not probed'), 3000, 'probe results');
	let at = 0;
	for (const name of names) {
		const to = all.indexOf(name);
		while (at < to) {
			await press(r, KEY.down);
			at += 1;
		}
		while (at > to) {
			await press(r, KEY.up);
			at -= 1;
		}
		await press(r, KEY.space);
	}
}

/** Scripted services, the plan saved as profile "prod", and the runs recorded on profiles. */
function savedProfile() {
	const services = fakeServices();
	const input = {
		topology: 'multi-network' as const,
		meshId: 'saved',
		clusters: [
			{context: 'east', name: 'e', network: 'n1', role: 'primary' as const},
			{context: 'west', name: 'w', network: 'n2', role: 'primary' as const},
		],
	};
	const recorded: Array<[string, string]> = [];
	services.recordRun = async (name, result) => {
		recorded.push([name, result]);
	};
	return {services, input, recorded};
}

describe('wizard flows, every topology to Run and Done', () => {
	it('primary-remote: contexts, prefilled IDs, review, confirm, run, done with exit code 0', async () => {
		const all = ['east', 'west'];
		const {r, services, exits} = await start({
			kubeconfig: kubeconfig(all),
			probes: {
				east: okProbe('east', {
					istioNamespace: true,
					istioCrds: true,
					networkLabel: 'net-a',
					istiod: [{name: 'istiod-1-30', revision: '1-30', clusterId: 'east-1', meshId: 'prod-mesh', ready: true}],
				}),
			},
		});
		await pickContexts(r, ['west', 'east'], all);
		let frame = await waitForText(r, '2 selected');
		// east runs istiod, so it became the primary even though west was picked first.
		assert.match(frame, /east\(\*\)\s+east-cluster\s+east-admin\s+primary/);
		assert.match(frame, /west\s+west-cluster\s+west-admin\s+remote/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Mesh and cluster IDs');
		assert.match(frame, /Mesh ID\s+prod-mesh/);
		assert.match(frame, /Revision\s+1-30/);
		assert.match(frame, /east\s+primary\s+east-1\s+net-a/);
		assert.match(frame, /west\s+remote\s+west\s+net-a/, 'a flat network: the remote takes the primary network');
		assert.equal((frame.match(/API server/g) ?? []).length, 1, 'only the remote, which the primary reads, has an API server field');
		await press(r, KEY.enter);
		await passChecks(r);
		frame = await waitForText(r, 'Review: Primary-Remote');
		assert.match(frame, /Expose istiod \(15012, 15017\)/);
		assert.match(frame, /note: No east-west gateway: west shares network net-a/);
		assert.match(
			frame,
			new RegExp(`istioctl: at most ${DEFAULT_PARALLEL} at once \\(2 installs, 1 create-remote-secret planned\\)`),
			"the run's istioctl bound, as apply's --parallel default",
		);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'This will change:');
		assert.match(frame, /context east \(cluster east-1\)/);
		const flatConfirm = frame.replace(/\s+/g, ' ');
		assert.match(flatConfirm, /context west \(cluster west\) • annotate namespace istio-system topology\.istio\.io\/controlPlaneClusters=east-1/);
		assert.match(flatConfirm, /istioctl install the remote control plane \(IstioOperator "eastwest-remote", profile remote, pointed at east-1's gateway\)/);
		assert.match(flatConfirm, /context east \(cluster east-1\) .* • server-side apply Secret istio-remote-secret-west in istio-system/);
		await press(r, 'y');
		frame = await waitForText(r, 'East-west gateways are set up for mesh prod-mesh', 5000);
		assert.equal(services.runs.length, 1);
		assert.equal(services.runs[0]!.options.parallel, DEFAULT_PARALLEL);
		const input = services.runs[0]!.plan.input;
		assert.deepEqual(input, {
			topology: 'primary-remote',
			meshId: 'prod-mesh',
			revision: '1-30',
			clusters: [
				{context: 'east', name: 'east-1', network: 'net-a', role: 'primary'},
				{context: 'west', name: 'west', network: 'net-a', role: 'remote'},
			],
		});
		assert.match(frame, /gateway address 192\.0\.2\.10/);
		const flat = frame.replace(/\s+/g, ' ');
		assert.match(
			flat,
			/eastwest apply --topology primary-remote --mesh prod-mesh --cluster east=east-1:net-a:primary --cluster west=west:net-a:remote --revision 1-30/,
		);
		assert.match(flat, /eastwest status --context east --context west/);
		assert.match(frame, /exit code 0/);
		await press(r, KEY.enter);
		assert.deepEqual(exits, [0]);
	});

	it('multi-network: every cluster a primary on its own network; the run screen shows live steps then Done', async () => {
		const all = ['alpha', 'beta', 'gamma'];
		const {r, services, exits} = await start({
			kubeconfig: kubeconfig(all),
			steps: {'beta/install-gateway': {hang: true}},
		});
		await press(r, KEY.down);
		await pickContexts(r, ['alpha', 'beta'], all);
		let frame = await waitForText(r, '2 selected');
		assert.doesNotMatch(frame, /ROLE/, 'multi-network has no roles to assign');
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Mesh and cluster IDs');
		assert.match(frame, /alpha\s+alpha\s+network1/);
		assert.match(frame, /beta\s+beta\s+network2/);
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'Review: Multi-network');
		await press(r, KEY.enter);
		await waitForText(r, 'Proceed?');
		await press(r, 'Y');
		frame = await waitForText(r, 'Setting up mesh1 on 2 clusters');
		// alpha finishes; beta hangs in its install: a live line with the step title.
		frame = await waitForFrame(r, f => /gateway address|gateway: 192\.0\.2\.10/.test(f) && f.includes('Expose services'), 5000, 'alpha done');
		assert.match(frame, /✔ Label namespace istio-system with/);
		assert.match(frame, /gateway: 192\.0\.2\.10/);
		assert.ok(services.runs[0]!.plan.steps.some(s => s.kind === 'expose-services' && s.cluster === 'beta'));
		// Esc does not go back during a run.
		await press(r, KEY.esc);
		await tick();
		assert.match(plain(r.lastFrame()), /Setting up mesh1/);
		// q asks; n keeps running; q then y cancels through the run's signal.
		await press(r, 'q');
		await waitForText(r, 'Cancel the run?');
		await press(r, 'n');
		await waitForFrame(r, f => !f.includes('Cancel the run?'), 2000, 'question gone');
		assert.equal(services.runs[0]!.options.signal?.aborted, false);
		await press(r, 'q');
		await waitForText(r, 'Cancel the run?');
		await press(r, 'y');
		frame = await waitForText(r, 'Cancelled: the run was stopped', 5000);
		assert.equal(services.runs[0]!.options.signal?.aborted, true);
		assert.match(frame, /alpha \(alpha\) succeeded/);
		assert.match(frame, /beta \(beta\) cancelled/);
		assert.match(frame, /exit code 130/);
		await press(r, 'q');
		assert.deepEqual(exits, [130]);
	});

	it('primary-remote across networks: p picks the primary; a failed step shows its error and hint; exit code 1', async () => {
		const all = ['one', 'two', 'three'];
		const {r, services, exits} = await start({
			kubeconfig: kubeconfig(all),
			steps: {'three/wait-address': {fail: {error: 'no external address after 5m0s', hint: 'install a LoadBalancer controller'}}},
		});
		await press(r, KEY.down, KEY.down);
		await pickContexts(r, ['one', 'three'], all);
		await waitForText(r, /one\(\*\)\s+one-cluster\s+one-admin\s+primary/);
		await press(r, 'p');
		let frame = await waitForText(r, /three\s+three-cluster\s+three-admin\s+primary/);
		assert.match(frame, /one\(\*\)\s+one-cluster\s+one-admin\s+remote/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Mesh and cluster IDs');
		assert.match(frame, /three\s+primary\s+three\s+network1/);
		assert.match(frame, /one\s+remote\s+one\s+network2/);
		await press(r, KEY.enter);
		await passChecks(r);
		frame = await waitForText(r, 'Review: Primary-Remote across networks');
		await press(r, KEY.enter, 'y');
		frame = await waitForText(r, 'The run failed on at least one cluster', 5000);
		assert.match(frame, /three \(three\) failed/);
		assert.match(frame, /no external address after 5m0s/);
		assert.match(frame, /hint: install a LoadBalancer controller/);
		assert.match(frame, /exit code 1/);
		assert.equal(services.runs[0]!.plan.input.clusters[0]!.role, 'primary');
		assert.equal(services.runs[0]!.plan.input.clusters[0]!.context, 'three');
		await press(r, KEY.enter);
		assert.deepEqual(exits, [1]);
	});
});

describe('wizard validation and back paths', () => {
	it('IDs: inline errors while typing, cannot leave while invalid, edits survive going back', async () => {
		const {r, services} = await start();
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.ctrlU);
		let frame = await waitForText(r, 'mesh ID is empty');
		await press(r, KEY.enter);
		frame = await waitForText(r, 'fix the problem above before going on');
		assert.match(frame, /Mesh and cluster IDs/);
		await type(r, 'mesh-b');
		frame = await waitForText(r, 'valid: enter runs the preflight checks');
		// Cluster name of west: field 5 (mesh, revision, east name, east network, west name); the primary
		// has no API server field, as no other cluster reads it.
		await press(r, KEY.tab, KEY.tab, KEY.tab, KEY.tab);
		await press(r, KEY.ctrlU);
		await type(r, 'West');
		frame = await waitForText(r, 'try "west"');
		await press(r, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace);
		await type(r, 'east');
		frame = await waitForText(r, 'cluster name "east" is already used');
		await type(r, '2');
		// Primary-remote wants one network: give west its own and see the topology rule.
		await press(r, KEY.tab);
		await press(r, KEY.ctrlU);
		await type(r, 'other');
		frame = await waitForText(r, 'primary-remote puts every cluster on one network');
		await press(r, KEY.ctrlU);
		await type(r, 'network1');
		await waitForText(r, 'valid: enter runs the preflight checks');
		// Back to contexts and forward again: the edits stay.
		await press(r, KEY.esc);
		await waitForText(r, 'Pick the clusters');
		await press(r, KEY.esc);
		await waitForText(r, 'Which multicluster topology?');
		await press(r, KEY.enter);
		await waitForText(r, 'Pick the clusters');
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Mesh and cluster IDs');
		assert.match(frame, /Mesh ID\s+mesh-b/);
		assert.match(frame, /west\s+remote\s+east2\s+network1/);
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'Review: Primary-Remote, mesh mesh-b');
		const reads = services.factReads.length;
		await press(r, KEY.esc);
		await waitForText(r, 'Every check passed');
		assert.equal(services.factReads.length, reads, "back from Review shows the same plan's checks without reading the clusters again");
		await press(r, KEY.esc);
		await waitForText(r, 'Trust: one root CA for every cluster');
		await press(r, KEY.esc);
		await waitForText(r, 'Mesh and cluster IDs');
		assert.equal(services.runs.length, 0);
	});

	it('contexts: fewer than two selected cannot continue', async () => {
		const {r} = await start();
		await pickContexts(r, ['east'], ['east', 'west']);
		await press(r, KEY.enter);
		const frame = await waitForText(r, 'select at least 2 contexts');
		assert.match(frame, /Pick the clusters/);
	});

	it('a context whose probe failed shows the reason and needs the override key', async () => {
		const all = ['east', 'broken', 'west'];
		const {r} = await start({kubeconfig: kubeconfig(all), probes: {broken: unreachableProbe('broken', 'dial tcp: lookup broken.example: no such host')}});
		await press(r, KEY.enter);
		let frame = await waitForText(r, 'dial tcp: lookup');
		assert.match(frame, /✘ broken\s+broken-cluster/);
		await press(r, KEY.down);
		frame = await waitForText(r, /broken: dial tcp: lookup broken\.example: no such host \(check that the API server/);
		await press(r, KEY.space);
		frame = await waitForText(r, 'broken cannot be selected');
		assert.match(frame, /0 selected/);
		await press(r, 'o');
		frame = await waitForText(r, '1 selected');
		assert.match(frame, /◉ broken\s+broken-cluster\s+broken-admin\s+primary\s+override: dial tcp/);
		await press(r, 'o');
		frame = await waitForText(r, '0 selected');
	});
});

describe('wizard screens and keys', () => {
	it('IDs: a loopback API server is flagged with the address the cluster advertises; ctrl-y puts it into the plan', async () => {
		const info = kubeconfig(['east', 'west']);
		info.contexts = info.contexts.map(c => ({...c, server: c.name === 'west' ? 'https://127.0.0.1:26443' : 'https://east.example:6443'}));
		const {r, services} = await start({kubeconfig: info, probes: {west: okProbe('west', {advertisedApiServer: 'https://127.0.20.3:6443'})}});
		await press(r, 'j');
		await waitForText(r, /❯ Multi-network/);
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		let frame = await waitForText(r, 'Mesh and cluster IDs');
		assert.match(frame, /API server\s+https:\/\/127\.0\.0\.1:26443\s*\n\s+‼ loopback: other clusters cannot use it; ctrl-y: https:\/\/127\.0\.20\.3:6443/);
		assert.doesNotMatch(frame, /east\.example:6443\s+‼/, 'a routable server gets no warning');
		assert.doesNotMatch(frame, /ctrl-y use suggestion/, 'on the mesh ID there is nothing to suggest');
		// mesh, revision, east name, network, API server, west name, network, API server.
		await press(r, KEY.tab, KEY.tab, KEY.tab, KEY.tab);
		frame = await waitForFrame(r, f => /❯ API server/.test(f), 2000, "east's API server field");
		assert.doesNotMatch(frame, /ctrl-y use suggestion/, 'east advertises no other address');
		await press(r, KEY.tab, KEY.tab, KEY.tab);
		frame = await waitForText(r, 'ctrl-y use suggestion');
		await press(r, '\u0019');
		frame = await waitForText(r, /API server\s+https:\/\/127\.0\.20\.3:6443/);
		assert.doesNotMatch(frame, /ctrl-y: https/);
		await press(r, KEY.enter);
		await passTrust(r);
		// The override is itself loopback here (loopback only in tests): the preflight warns, and the run may go on.
		await waitForText(r, /1 warning to read\. Enter continues to Review/, 3000);
		await press(r, KEY.enter);
		await waitForText(r, 'Review: Multi-network');
		await press(r, KEY.enter);
		await waitForText(r, 'This will change:');
		await press(r, 'y');
		await waitForText(r, /exit code/, 5000);
		assert.deepEqual(
			services.runs[0]!.plan.input.clusters.map(c => c.apiServer),
			[undefined, 'https://127.0.20.3:6443'],
		);
	});

	it('keys that arrive in one chunk are taken one by one outside text fields', async () => {
		const {r} = await start();
		await press(r, 'jj');
		await waitForText(r, /❯ Primary-Remote across networks/);
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, '\t\t\t\t');
		await press(r, KEY.ctrlU);
		const frame = await waitForText(r, 'cluster name is empty');
		assert.match(frame, /Mesh ID\s+mesh1/);
	});

	it('? shows every key of the screen, any key closes it', async () => {
		const {r} = await start();
		await press(r, '?');
		let frame = await waitForText(r, 'Keys: Topology');
		assert.match(frame, /q\/ctrl-c\s+quit/);
		assert.match(frame, /Elsewhere in the wizard/);
		assert.match(frame, /space\s+select or unselect/);
		await press(r, 'x');
		frame = await waitForText(r, 'Which multicluster topology?');
		assert.doesNotMatch(frame, /Keys: Topology/);
	});

	it('review: y shows the exact YAML; s saves a profile and Done offers the profile commands', async () => {
		const {r, services} = await start({saveProfile: true});
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'Review:');
		await press(r, 'y');
		let frame = await waitForText(r, 'Exact YAML per cluster');
		assert.match(frame, /# east \(context east\): 3 objects/);
		assert.match(frame, /kind: IstioOperator/);
		await press(r, 'y');
		await waitForText(r, 'Review:');
		await press(r, 's');
		await waitForText(r, 'Profile name:');
		await press(r, KEY.enter);
		frame = await waitForText(r, 'profile name is empty');
		await type(r, 'prod');
		await press(r, KEY.enter);
		frame = await waitForText(r, 'saved as profile "prod"');
		assert.equal(services.saved.length, 1);
		assert.equal(services.saved[0]!.name, 'prod');
		assert.equal(services.saved[0]!.input.clusters.length, 2);
		await press(r, KEY.enter, 'y');
		frame = await waitForText(r, 'East-west gateways are set up', 5000);
		assert.match(frame, /eastwest apply --profile prod/);
		assert.match(frame, /eastwest status --profile prod/);
	});

	it('a failed save says why and keeps the wizard going', async () => {
		const {r, services} = await start({saveProfile: new Error('profile "prod" already exists; pick another name')});
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'Review:');
		await press(r, 's');
		await type(r, 'prod');
		await press(r, KEY.enter);
		await waitForText(r, 'could not save profile "prod": profile "prod" already exists; pick another name');
		await press(r, KEY.esc);
		await press(r, KEY.enter, 'y');
		const frame = await waitForText(r, 'East-west gateways are set up', 5000);
		assert.doesNotMatch(frame, /--profile/);
		assert.equal(services.saved.length, 0);
	});

	it('a run that cannot start (istioctl missing) says why on Done, exit code 1', async () => {
		const services = fakeServices();
		services.runPlan = async () => {
			throw new Error('istioctl not found on PATH: install the istioctl matching your control plane or pass --istioctl PATH');
		};
		const exits: number[] = [];
		const r = render(<App services={services} color={false} onExit={c => exits.push(c)} />);
		await waitForText(r, 'Which multicluster topology?');
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'Review:');
		await press(r, KEY.enter, 'y');
		const frame = await waitForText(r, 'The run failed');
		assert.match(frame, /istioctl not found on PATH/);
		assert.match(frame, /exit code 1/);
		await press(r, KEY.enter);
		assert.deepEqual(exits, [1]);
	});

	it('SIGINT/SIGTERM (the signal) cancels a run without asking, and ends other screens with 130', async () => {
		const controller = new AbortController();
		const services = fakeServices({steps: {'east/install-gateway': {hang: true}}});
		const exits: number[] = [];
		const r = render(<App services={services} color={false} signal={controller.signal} onExit={c => exits.push(c)} />);
		await waitForText(r, 'Which multicluster topology?');
		await press(r, KEY.down);
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'Review:');
		await press(r, KEY.enter, 'y');
		await waitForText(r, 'Setting up');
		controller.abort();
		const frame = await waitForText(r, 'Cancelled', 5000);
		assert.equal(services.runs[0]!.options.signal?.aborted, true);
		assert.match(frame, /exit code 130/);
		const other = new AbortController();
		const exits2: number[] = [];
		const r2 = render(<App services={fakeServices()} color={false} signal={other.signal} onExit={c => exits2.push(c)} />);
		await waitForText(r2, 'Which multicluster topology?');
		other.abort();
		await waitForFrame(r2, () => exits2.length > 0, 2000, 'exit');
		assert.deepEqual(exits2, [130]);
	});

	it('review checks istioctl first: a missing one is shown and blocks the run', async () => {
		const {r, services} = await start({preflight: {ready: false, message: 'istioctl not found on PATH: install it or pass --istioctl PATH'}});
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await passChecks(r);
		let frame = await waitForText(r, '✘ istioctl not found on PATH');
		await press(r, KEY.enter);
		frame = await waitForText(r, 'cannot run: istioctl not found on PATH');
		assert.doesNotMatch(frame, /Proceed\?/);
		await press(r, 'y');
		await tick();
		assert.equal(services.runs.length, 0);
	});

	/** Review with an istioctl check that answers only when the test says so. */
	async function toReviewWithLateIstioctl() {
		const services = fakeServices();
		let answer!: (result: {ready: boolean; message: string}) => void;
		services.preflight = () => new Promise(resolve => (answer = resolve));
		const r = render(<App services={services} color={false} />);
		await waitForText(r, 'Which multicluster topology?');
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'checking istioctl…');
		return {r, services, answer: (result: {ready: boolean; message: string}) => answer(result)};
	}

	it('a run confirmed while istioctl is still checked starts when the check passes; the waiting line goes with its cause', async () => {
		const {r, services, answer} = await toReviewWithLateIstioctl();
		await press(r, KEY.enter);
		let frame = await waitForText(r, 'Proceed? (y/N)');
		assert.match(frame, /checking istioctl…/);
		await press(r, 'y');
		frame = await waitForText(r, 'still checking istioctl: the run starts as soon as istioctl answers');
		assert.equal(services.runs.length, 0);
		answer({ready: true, message: 'istioctl 1.31-dev'});
		frame = await waitForText(r, 'East-west gateways are set up', 5000);
		assert.doesNotMatch(frame, /still checking istioctl/);
		assert.equal(services.runs.length, 1);
	});

	it('a run confirmed while istioctl is checked does not start when the check fails, and says why', async () => {
		const {r, services, answer} = await toReviewWithLateIstioctl();
		await press(r, KEY.enter, 'y');
		await waitForText(r, 'the run starts as soon as istioctl answers');
		answer({ready: false, message: 'istioctl not found on PATH'});
		const frame = await waitForText(r, '✘ cannot run: istioctl not found on PATH');
		assert.doesNotMatch(frame, /still checking istioctl|Proceed\?/);
		await press(r, 'y');
		await waitForText(r, '✘ cannot run: istioctl not found on PATH');
		assert.equal(services.runs.length, 0);
		await press(r, 'n');
		await waitForText(r, '✘ istioctl not found on PATH');
	});

	it('review shows the istioctl it will use when the check passes', async () => {
		const {r} = await start({preflight: {ready: true, message: 'istioctl 1.30.3 (/usr/local/bin/istioctl)'}});
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, '✔ istioctl 1.30.3 (/usr/local/bin/istioctl)');
		await press(r, KEY.enter);
		await waitForText(r, 'Proceed?');
	});

	it('review without a profile store says why saving is unavailable', async () => {
		const {r, services} = await start();
		await pickContexts(r, ['east', 'west'], ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await passChecks(r);
		let frame = await waitForText(r, 'Review:');
		assert.match(frame, /save profile: unavailable/);
		await press(r, 's');
		frame = await waitForText(r, 'saving profiles is unavailable');
		assert.doesNotMatch(frame, /Profile name:/);
		assert.equal(services.saveProfile, undefined);
	});

	it('no kubeconfig: says where it looked and how to point elsewhere; quitting exits 2', async () => {
		const services = fakeServices({kubeconfig: new Error('kubeconfig /home/me/.kube/config does not exist: check the path, or pass --kubeconfig PATH')});
		const exits: number[] = [];
		const r = render(<App services={services} color={false} onExit={c => exits.push(c)} />);
		await waitForText(r, 'Which multicluster topology?');
		await tick();
		await press(r, KEY.enter);
		const frame = await waitForText(r, 'Looked in:');
		assert.match(frame, /✘ kubeconfig \/home\/me\/\.kube\/config does not exist/);
		assert.match(frame, /eastwest --kubeconfig \/path\/to\/kubeconfig/);
		assert.match(frame, /KUBECONFIG=/);
		await press(r, 'q');
		assert.deepEqual(exits, [2]);
	});

	it('a kubeconfig without contexts gets the same screen', async () => {
		const {r} = await start({kubeconfig: {files: ['/tmp/empty'], contexts: [], warnings: []}});
		await press(r, KEY.enter);
		await waitForText(r, 'the kubeconfig (/tmp/empty) has no contexts');
	});

	it('1,000 contexts: renders a window of rows, probes only what is visible, filters as you type', async () => {
		const names = Array.from({length: 1000}, (_, i) => `ctx-${String(i).padStart(4, '0')}`);
		const {r, services} = await start({kubeconfig: kubeconfig(names)});
		await press(r, KEY.enter);
		let frame = await waitForText(r, 'rows 1–');
		const rows = frame.split('\n').filter(l => /ctx-\d{4}\s/.test(l));
		assert.ok(rows.length <= 20, `rendered ${rows.length} rows`);
		assert.ok(services.probed.length <= 20, `probed ${services.probed.length} contexts`);
		await press(r, KEY.pageDown);
		frame = await waitForFrame(r, f => !/rows 1–/.test(f), 2000, 'next page');
		await press(r, '/');
		await type(r, '0999');
		frame = await waitForText(r, /filter: 0999▏\s+1 of 1000 contexts/);
		assert.match(frame, /ctx-0999/);
		assert.doesNotMatch(frame, /ctx-0998/);
		await press(r, KEY.enter);
		await press(r, KEY.space);
		await waitForText(r, '1 selected');
		await waitForFrame(r, () => services.probed.includes('ctx-0999'), 2000, 'ctx-0999 probed');
	});

	it('slow API servers: paging through 1,000 contexts never runs more than the concurrency limit of probes', async () => {
		const names = Array.from({length: 1000}, (_, i) => `ctx-${String(i).padStart(4, '0')}`);
		const probes: Record<string, 'hang'> = {};
		for (const n of names) probes[n] = 'hang';
		const {r, services} = await start({kubeconfig: kubeconfig(names), probes});
		await press(r, KEY.enter);
		await waitForText(r, 'rows 1–');
		await waitForFrame(r, () => services.probed.length === PROBE_CONCURRENCY, 2000, 'the first probes');
		for (let i = 0; i < 5; i++) await press(r, KEY.pageDown);
		await waitForFrame(r, f => /ctx-00[6-9]\d\s/.test(f) && f.includes('probing…'), 2000, 'a later page, probing');
		assert.equal(services.probed.length, PROBE_CONCURRENCY, 'nothing beyond the concurrency limit starts while probes hang');
	});

	it('--profile opens at Review with the saved plan; Done offers the profile commands', async () => {
		const {services, input, recorded} = savedProfile();
		const r = render(<App services={services} color={false} initialPlan={{input, profile: 'prod'}} />);
		await passChecks(r);
		let frame = await waitForText(r, 'Review: Multi-network, mesh saved');
		assert.deepEqual(services.factReads.sort(), ['preflight e', 'preflight w'], 'a saved plan is checked before Review');
		assert.match(frame, /e context east · network n1 · primary/);
		await press(r, KEY.esc);
		await waitForText(r, 'Preflight checks');
		await press(r, KEY.esc);
		await waitForText(r, 'Trust: one root CA for every cluster');
		await press(r, KEY.esc);
		frame = await waitForText(r, 'Mesh and cluster IDs');
		assert.match(frame, /west\s+w\s+n2/);
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'Review:');
		await press(r, KEY.enter, 'y');
		frame = await waitForText(r, 'East-west gateways are set up for mesh saved', 5000);
		assert.match(frame, /eastwest apply --profile prod/);
		assert.deepEqual(services.runs[0]!.plan.input, input);
		await waitForFrame(r, () => recorded.length > 0, 2000, 'the run recorded on the profile');
		assert.deepEqual(recorded, [['prod', 'succeeded']]);
	});

	it('a saved plan edited before the run is not recorded on the profile it came from', async () => {
		const {services, input, recorded} = savedProfile();
		const r = render(<App services={services} color={false} initialPlan={{input, profile: 'prod'}} />);
		await passChecks(r);
		await waitForText(r, 'Review: Multi-network, mesh saved');
		await press(r, KEY.esc);
		await waitForText(r, 'Preflight checks');
		await press(r, KEY.esc);
		await waitForText(r, 'Trust: one root CA for every cluster');
		await press(r, KEY.esc);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.ctrlU);
		await type(r, 'edited');
		await press(r, KEY.enter);
		await passChecks(r);
		await waitForText(r, 'Review: Multi-network, mesh edited');
		await press(r, KEY.enter, 'y');
		await waitForText(r, 'East-west gateways are set up for mesh edited', 5000);
		// A run is recorded when it finishes, before the Done screen renders: nothing was recorded by now.
		assert.deepEqual(recorded, []);
	});

	it('services load after the first frame', async () => {
		let release!: () => void;
		const gate = new Promise<void>(resolve => (release = resolve));
		const services = fakeServices();
		const r = render(<App services={async () => (await gate, services)} color={false} />);
		await waitForText(r, 'Which multicluster topology?');
		await tick();
		await press(r, KEY.enter);
		await waitForText(r, 'Reading the kubeconfig…');
		release();
		await waitForText(r, 'Pick the clusters');
	});
});
