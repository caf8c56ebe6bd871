import {afterEach, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import App from '../../source/app.js';
import type {ClusterFacts} from '../../source/core/checks/index.js';
import {fakeServices, kubeconfig, type FactsScript, type FakeOptions} from '../support/fake-services.js';
import {KEY, press, tick, waitForFrame, waitForText, passTrust} from '../support/ink.js';

afterEach(() => cleanup());

/** Multi-network over east and west, from the first frame to the preflight checks screen. */
async function toChecks(options: FakeOptions = {}) {
	const services = fakeServices({kubeconfig: kubeconfig(['east', 'west']), ...options});
	const exits: number[] = [];
	const r = render(<App services={services} color={false} onExit={code => exits.push(code)} />);
	await waitForText(r, 'Which multicluster topology?');
	await press(r, KEY.down, KEY.enter);
	await waitForFrame(r, f => f.includes('Pick the clusters') && !f.includes('probing…'), 3000, 'probes');
	await press(r, KEY.space, KEY.down, KEY.space);
	await waitForText(r, '2 selected');
	await press(r, KEY.enter);
	await waitForText(r, 'Mesh and cluster IDs');
	await press(r, KEY.enter);
	await passTrust(r);
	await waitForText(r, 'Preflight checks');
	return {r, services, exits};
}

const mislabeled: FactsScript = f => {
	f.namespace = {present: true, labels: {'topology.istio.io/network': 'other'}, annotations: {}};
};
const noLoadBalancers: FactsScript = f => {
	f.loadBalancer = {services: 0, withAddress: 0};
};

describe('wizard preflight checks', () => {
	it('all passing: every cluster is read, passing checks fold to a count, enter goes to Review', async () => {
		const {r, services} = await toChecks();
		let frame = await waitForText(r, 'Every check passed. Enter continues to Review.');
		assert.doesNotMatch(frame, /! run anyway/, 'nothing to override: the key is not offered');
		assert.match(frame, /\[Checks\]/, 'the breadcrumb names the checks step');
		assert.deepEqual([...services.factReads].sort(), ['preflight east', 'preflight west']);
		assert.match(frame, /east \(context east\)\n✔ \d+ checks passed/);
		assert.match(frame, /west \(context west\)\n✔ \d+ checks passed/);
		assert.match(frame, /✔ 0 failed, 0 warnings, 28 passed, 0 skipped/);
		assert.doesNotMatch(frame, /is reachable and runs Kubernetes/, 'passing claims are folded');
		await press(r, 'a');
		frame = await waitForText(r, 'context east is reachable and runs Kubernetes');
		assert.match(frame, /✔ context east is reachable and runs Kubernetes ≥ 1\.\d+/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Review: Multi-network');
		assert.match(frame, /✔ preflight: 28 passed/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Proceed? (y/N)');
		assert.doesNotMatch(frame, /despite/);
	});

	it('a failure blocks the run with the reason and hint on screen; r checks again once fixed', async () => {
		const checks: FakeOptions['checks'] = {preflight: {west: mislabeled}};
		const {r, services} = await toChecks({checks});
		let frame = await waitForText(r, '1 failed check blocks the run');
		assert.match(frame, /! run anyway/);
		assert.match(frame, /✘ istio-system carries no topology\.istio\.io\/network label, or network2/);
		assert.match(frame, /istio-system is labeled topology\.istio\.io\/network=other, the plan says network2/);
		assert.match(frame, /hint: /);
		const flat = frame.replace(/\s+/g, ' ');
		assert.match(
			flat,
			/hint: the wizard never relabels istio-system: set west's network to the existing one on the IDs screen/,
			'the hint speaks of the wizard',
		);
		assert.doesNotMatch(flat, /--force/, 'no command-line flag in the wizard');
		assert.match(frame, /✘ 1 failed, 0 warnings, 27 passed/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'the run is blocked by 1 failed check');
		assert.doesNotMatch(frame, /Review:/);
		await press(r, 'y');
		await tick();
		assert.doesNotMatch(r.lastFrame() ?? '', /Review:|Proceed/);
		// The user relabels the namespace and checks again.
		checks.preflight = {};
		await press(r, 'r');
		frame = await waitForText(r, 'Every check passed');
		assert.equal(services.factReads.length, 4, 'r reads both clusters again');
		await press(r, KEY.enter);
		await waitForText(r, 'Review: Multi-network');
		assert.equal(services.runs.length, 0);
	});

	it('override: ! asks, n keeps blocking, y runs despite the failures and the confirm step says so', async () => {
		const {r, services} = await toChecks({checks: {preflight: {west: mislabeled}}});
		await waitForText(r, '1 failed check blocks the run');
		await press(r, '!');
		let frame = await waitForText(r, 'Run despite 1 failed check? (y/N)');
		await press(r, 'n');
		frame = await waitForText(r, '1 failed check blocks the run');
		assert.doesNotMatch(frame, /Run despite/);
		await press(r, '!', 'y');
		frame = await waitForText(r, 'Review: Multi-network');
		assert.match(frame, /✘ runs despite 1 failed preflight check \(you confirmed\)/);
		// Back at the checks, the choice stands until the checks run again.
		await press(r, KEY.esc);
		frame = await waitForText(r, 'You chose to run despite 1 failed check');
		await press(r, KEY.enter);
		await waitForText(r, 'Review: Multi-network');
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Proceed despite 1 failed preflight check? (y/N)');
		await press(r, 'y');
		await waitForText(r, 'East-west gateways are set up', 5000);
		assert.equal(services.runs.length, 1);
	});

	it('re-running the checks takes the override back', async () => {
		const {r} = await toChecks({checks: {preflight: {west: mislabeled}}});
		await waitForText(r, '1 failed check blocks the run');
		await press(r, '!', 'y');
		await waitForText(r, 'Review: Multi-network');
		await press(r, KEY.esc);
		await waitForText(r, 'You chose to run despite');
		await press(r, 'r');
		await waitForText(r, '1 failed check blocks the run');
		await press(r, KEY.enter);
		await waitForText(r, 'the run is blocked by 1 failed check');
	});

	it('warnings are shown with their hint but do not block', async () => {
		const {r, services} = await toChecks({checks: {preflight: {west: noLoadBalancers}}});
		let frame = await waitForText(r, 'No check failed; 1 warning to read');
		assert.match(frame, /‼ LoadBalancer Services get an external address here/);
		assert.match(frame, /no LoadBalancer Service exists yet, so support is unknown/);
		assert.match(frame, /hint: without a LoadBalancer controller/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Review: Multi-network');
		assert.match(frame, /‼ preflight: 27 passed, 1 warning/);
		await press(r, KEY.enter, 'y');
		await waitForText(r, 'East-west gateways are set up', 5000);
		assert.equal(services.runs.length, 1);
	});

	it('an unreachable cluster: its failure says why and the checks it blocks fold into one line', async () => {
		const down: FactsScript = (f: ClusterFacts) => {
			f.reachable = false;
			f.error = 'connect ECONNREFUSED 127.0.0.1:6443';
		};
		const {r} = await toChecks({checks: {preflight: {west: down}}});
		const frame = await waitForText(r, 'blocks the run');
		assert.match(frame, /✘ context west is reachable/);
		assert.match(frame, /connect ECONNREFUSED 127\.0\.0\.1:6443/);
		assert.match(frame, /– 11 more checks skipped: the cluster is unreachable/);
	});

	it('a cluster that does not answer: a live line says what it waits for, and the deadline ends the wait', async () => {
		const {r} = await toChecks({checks: {preflight: {west: 'hang'}}, checksTimeoutMs: 400});
		let frame = await waitForText(r, /west \(west\) waiting for its API server to answer/);
		assert.match(frame, /deadline 0\.4s/);
		assert.match(frame, /reading reachability, istio-system, istiod/);
		assert.match(frame, /✔ east \(east\) facts read in/);
		await press(r, KEY.enter);
		await tick();
		assert.doesNotMatch(r.lastFrame() ?? '', /Review:/, 'enter does nothing while the checks run');
		frame = await waitForText(r, 'blocks the run', 3000);
		assert.match(frame, /no answer from the API server of west within 0\.4s while reading the cluster's facts/);
	});
});

describe('wizard post-install checks on Done', () => {
	it('after a successful run: every cluster is read again and the summary shows', async () => {
		const {r, services, exits} = await toChecks();
		await waitForText(r, 'Every check passed');
		await press(r, KEY.enter);
		await waitForText(r, 'Review: Multi-network');
		await press(r, KEY.enter, 'y');
		const frame = await waitForText(r, /all \d+ post-install checks passed/, 5000);
		// The verdict includes the wiring checks (each primary's remote secret for the other and its credentials) and istiod's own view.
		assert.match(frame, /✔ all 41 post-install checks passed · wiring 4\/4 passed · c shows every check/);
		assert.match(frame, /East-west gateways are set up for mesh mesh1, clusters wired\./);
		assert.doesNotMatch(frame, /still need/);
		assert.deepEqual(services.factReads.filter(x => x.startsWith('post-install')).sort(), ['post-install east', 'post-install west']);
		assert.match(frame, /exit code 0\n/);
		await press(r, KEY.enter);
		assert.deepEqual(exits, [0]);
	});

	it("a failed wiring check is the verdict's first problem, with its hint", async () => {
		const revoked: FactsScript = f => {
			f.remoteSecrets!.byPeer.east!.credentials = {
				kind: 'unauthorized',
				message: 'https://east.example.internal:6443 does not accept the token in istio-system/istio-remote-secret-east on west (revoked or expired?)',
				hint: 'run eastwest apply again to refresh it',
			};
		};
		const {r} = await toChecks({checks: {'post-install': {west: revoked}}});
		await waitForText(r, 'Every check passed');
		await press(r, KEY.enter);
		await waitForText(r, 'Review: Multi-network');
		await press(r, KEY.enter, 'y');
		const frame = await waitForText(r, 'the run succeeded but 1 post-install check failed', 5000);
		assert.match(frame, /wiring 3\/4 passed/);
		assert.match(
			frame,
			/✘ west: each remote secret's identity may list and watch[\s\S]* on east: https:\/\/east\.example\.internal:6443 does not accept the token/,
		);
		assert.match(frame, /hint: run eastwest apply again to refresh it/);
	});

	it('a failed post-install check: the run still succeeded, the screen says so, and the exit code stays 0', async () => {
		const noAddress: FactsScript = f => {
			f.gateway!.service = {...f.gateway!.service!, status: {loadBalancer: {}}};
		};
		const {r, exits} = await toChecks({checks: {'post-install': {west: noAddress}}});
		await waitForText(r, 'Every check passed');
		await press(r, KEY.enter, KEY.enter, 'y');
		let frame = await waitForText(r, 'the run succeeded but 1 post-install check failed', 5000);
		assert.match(frame, /✘ west: the gateway has an external IP address: the LoadBalancer Service has no ingress address\s+yet/);
		assert.match(frame, /hint: if it stays <pending>, the cluster has no LoadBalancer controller/);
		assert.ok(frame.split('\n').length <= 24, 'Done holds 24 rows with the problem and its hint');
		assert.match(frame, /exit code 0, the run's result \(post-install checks do not change it\)/);
		await press(r, 'c');
		frame = await waitForText(r, /Post-install checks \(1 failed/);
		assert.match(frame, /west \(context west\)/);
		assert.match(frame, /✘ the gateway has an external IP address/);
		await press(r, KEY.esc);
		await waitForText(r, 'the run succeeded but 1 post-install check failed');
		await press(r, KEY.enter);
		assert.deepEqual(exits, [0]);
	});

	it('a cluster that does not answer after the run: one live line, then the deadline verdict', async () => {
		const {r, exits} = await toChecks({checks: {'post-install': {west: 'hang'}}, checksTimeoutMs: 400});
		await waitForText(r, 'Every check passed');
		await press(r, KEY.enter, KEY.enter, 'y');
		let frame = await waitForText(r, /post-install checks: waiting for west to answer .* \(deadline 0\.4s\)/, 5000);
		assert.match(frame, /East-west gateways are set up/);
		frame = await waitForText(r, 'the run succeeded but 1 post-install check failed', 3000);
		assert.match(frame, /✘ west: context west is reachable .*: no answer from the API server of\s+west within 0\.4s while reading\s+the cluster's facts/);
		await press(r, KEY.enter);
		assert.deepEqual(exits, [0]);
	});

	it('a cancelled run reads nothing after it', async () => {
		const {r, services} = await toChecks({steps: {'west/install-gateway': {hang: true}}});
		await waitForText(r, 'Every check passed');
		await press(r, KEY.enter, KEY.enter, 'y');
		await waitForText(r, /west context west/);
		await press(r, 'q', 'y');
		const frame = await waitForText(r, 'exit code 130', 5000);
		assert.doesNotMatch(frame, /post-install/);
		assert.equal(services.factReads.filter(x => x.startsWith('post-install')).length, 0);
	});
});
