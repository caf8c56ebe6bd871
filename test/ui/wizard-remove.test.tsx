import {afterEach, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import App from '../../source/app.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {SavedProfile} from '../../source/ui/services.js';
import {fakeServices, kubeconfig, unreachableProbe, type FakeOptions} from '../support/fake-services.js';
import {KEY, plain, press, tick, waitForFrame, waitForText} from '../support/ink.js';
import {renderAt} from '../support/render-at.js';

afterEach(() => cleanup());

const prod: MeshPlanInput = {
	topology: 'multi-network',
	meshId: 'saved',
	clusters: [
		{context: 'east', name: 'e', network: 'n1', role: 'primary'},
		{context: 'west', name: 'w', network: 'n2', role: 'primary'},
	],
};

const staging: MeshPlanInput = {
	topology: 'primary-remote',
	meshId: 'stage',
	clusters: [
		{context: 'east', name: 'se', network: 'n1', role: 'primary'},
		{context: 'west', name: 'sw', network: 'n1', role: 'remote'},
	],
};

const PROFILES: SavedProfile[] = [
	{name: 'prod', input: prod, lastApplied: {at: '2026-11-30T09:15:02.000Z', result: 'succeeded'}},
	{
		name: 'staging',
		input: staging,
		lastApplied: {at: '2026-11-29T08:00:00.000Z', result: 'failed'},
		lastRemoved: {at: '2026-11-29T08:30:00.000Z', result: 'succeeded'},
	},
];

async function start(options: FakeOptions = {}) {
	const services = fakeServices({profiles: PROFILES, ...options});
	const exits: number[] = [];
	const r = render(<App services={services} color={false} onExit={code => exits.push(code)} />);
	await waitForText(r, 'Which multicluster topology?');
	await tick(r);
	return {r, services, exits};
}

type R = Awaited<ReturnType<typeof start>>['r'];

/** From the first screen to the removal Review of the profile at `index` in the picker. */
async function openReview(r: R, index = 0) {
	await waitForText(r, 'Remove a saved setup (2 saved profiles)');
	await press(r, KEY.up, KEY.enter);
	await waitForText(r, 'Remove a saved setup: which profile?');
	for (let i = 0; i < index; i++) await press(r, KEY.down);
	await press(r, KEY.enter);
	return waitForText(r, /Remove profile \S+'s setup/);
}

/** The part of a frame between `context NAME` and the next context (or the never-touched line). */
function section(frame: string, context: string): string {
	const from = frame.indexOf(`context ${context} `);
	assert.ok(from >= 0, `no section for ${context}:\n${frame}`);
	const rest = frame.slice(from + 1);
	const next = rest.search(/\ncontext |\nNever touched/);
	return next < 0 ? rest : rest.slice(0, next);
}

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('wizard: remove a saved setup', () => {
	it('the first screen offers it only when profiles exist; the picker lists topology, contexts, last apply and remove', async () => {
		const empty = await start({profiles: []});
		await tick(empty.r);
		assert.match(plain(empty.r.lastFrame()), /Which multicluster topology\?/);
		assert.doesNotMatch(plain(empty.r.lastFrame()), /Remove a saved setup/);
		empty.r.unmount();

		const {r} = await start();
		let frame = await waitForText(r, 'Remove a saved setup (2 saved profiles)');
		// The entry is the last one: up from the first topology wraps round to it.
		await press(r, KEY.up);
		frame = await waitForText(r, 'Take out exactly what eastwest set up');
		assert.match(frame, /❯ Remove a saved setup/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Remove a saved setup: which profile?');
		assert.match(frame, /❯ prod\s+Multi-network · mesh saved · east, west/);
		assert.match(frame, /\n {2}applied 2026-11-30 09:15 succeeded · removed never \(UTC\)\n/);
		assert.match(frame, /staging\s+Primary-Remote · mesh stage · east, west/);
		assert.match(frame, /\n {2}applied 2026-11-29 08:00 failed · removed 2026-11-29 08:30 succeeded \(UTC\)\n/);
		assert.match(frame, /eastwest remove\s+\[Profile\] › Review › Remove › Done/);
		// Esc goes back to the first screen.
		await press(r, KEY.esc);
		await waitForText(r, 'Which multicluster topology?');
	});

	it('Review shows per context exactly what goes, what never goes, and cacerts only when toggled', async () => {
		const {r, services} = await start();
		let frame = await openReview(r);
		frame = await waitForFrame(r, f => (f.match(/answers \(v1\.35\.4\)/g) ?? []).length === 2, 3000, 'both clusters answer');
		assert.match(frame, /Remove profile prod's setup \(Multi-network, mesh saved\)/);
		const east = flat(section(frame, 'east'));
		const west = flat(section(frame, 'west'));
		assert.match(east, /\(cluster e\) ✔ answers/);
		assert.match(east, /Remove Secret istio-system\/istio-remote-secret-w: istiod stops reading w's API server/);
		assert.match(east, /Remove the services exposure through the gateway \(Gateway istio-system\/cross-network-gateway\)/);
		assert.match(east, /Remove the east-west gateway eastwest installed/);
		assert.match(east, /Remove label topology\.istio\.io\/network=n1 from namespace istio-system/);
		assert.doesNotMatch(east, /network=n2|remote-secret-e/);
		assert.match(west, /Remove Secret istio-system\/istio-remote-secret-e/);
		assert.match(west, /Remove label topology\.istio\.io\/network=n2/);
		assert.doesNotMatch(west, /network=n1|remote-secret-w/);
		assert.doesNotMatch(frame, /istio-system\/cacerts \(the plugged-in CA/);
		assert.match(flat(frame), /Never touched: namespace istio-system, Istio's CRDs, istiod control planes\./);
		assert.match(flat(frame), /Secret istio-system\/cacerts stays \(c removes it too/);
		assert.deepEqual(services.probed.sort(), ['east', 'west'], 'every cluster is asked before anything is removed');

		await press(r, 'c');
		frame = await waitForText(r, 'goes too');
		assert.match(flat(section(frame, 'east')), /Remove Secret istio-system\/cacerts \(the plugged-in CA/);
		assert.match(flat(section(frame, 'west')), /Remove Secret istio-system\/cacerts \(the plugged-in CA/);
		await press(r, 'c');
		frame = await waitForText(r, 'stays (c removes it too');
		assert.doesNotMatch(frame, /istio-system\/cacerts \(the plugged-in CA/);
		assert.equal(services.removals.length, 0);
	});

	it("the confirm names the contexts, and 'n' changes nothing", async () => {
		const {r, services, exits} = await start();
		await openReview(r, 1);
		await waitForFrame(r, f => (f.match(/answers \(/g) ?? []).length === 2, 3000, 'both clusters answer');
		await press(r, KEY.enter);
		let frame = await waitForText(r, "Remove eastwest's setup from contexts east, west? (y/N)");
		assert.match(frame, /y yes · n\/esc no/);
		await press(r, 'n');
		frame = await waitForText(r, 'nothing removed');
		assert.doesNotMatch(frame, /\(y\/N\)/);
		assert.match(frame, /Remove profile staging's setup/);
		assert.equal(services.removals.length, 0, 'no removal ran');
		assert.deepEqual(services.removeRecords, [], 'the profile records no remove');
		await press(r, 'q');
		assert.deepEqual(exits, [0]);
		assert.equal(services.removals.length, 0);
	});

	it('y runs the removal live to Done: what went, what was left and why, exit code 0, the profile records it', async () => {
		const {r, services, exits} = await start({
			delayMs: 5,
			removeSteps: {
				'w/remove/label-network': {left: 'istio-system label topology.istio.io/network set by someone else (kubectl-label), not eastwest'},
				'e/remove/label-network': {gone: true},
			},
		});
		await openReview(r);
		await waitForFrame(r, f => (f.match(/answers \(/g) ?? []).length === 2, 3000, 'both clusters answer');
		await press(r, KEY.enter);
		await waitForText(r, '(y/N)');
		await press(r, 'y');
		await waitForText(r, /Removing profile prod's setup from 2 clusters|Removed eastwest's setup/);
		const frame = await waitForText(r, "Removed eastwest's setup of profile prod from east, west.");
		assert.equal(services.removals.length, 1);
		const {plan, options} = services.removals[0]!;
		assert.deepEqual(plan.input, prod);
		assert.equal(options.dryRun, false);
		assert.ok(!plan.steps.some(s => s.kind === 'remove-cacerts'), 'cacerts stays unless asked');
		assert.match(frame, /✔ e \(east\) succeeded: 3 removed, 1 already gone/);
		assert.match(frame, /✔ w \(west\) succeeded: 3 removed, 0 already gone, 1 left something/);
		assert.match(frame, /removed Secret istio-remote-secret-w/);
		assert.match(frame, /Left in place \(not eastwest's, or kept by design\)/);
		assert.match(frame, /w \(west\): istio-system label topology\.istio\.io\/network set by someone else/);
		assert.match(flat(frame), /The profile stays: eastwest apply --profile prod sets it up again/);
		assert.match(frame, /exit code 0/);
		// The run showed the removal steps as they went (the same Event stream as apply).
		assert.ok(services.events.some(e => e.type === 'step-start' && e.kind === 'remove-gateway'));
		await waitForFrame(r, () => services.removeRecords.length > 0, 3000, 'the remove recorded');
		assert.deepEqual(services.removeRecords, ['prod succeeded']);
		await press(r, KEY.enter);
		assert.deepEqual(exits, [0]);
	});

	it('with cacerts toggled the run removes it; a failed step exits 1 with its error and hint', async () => {
		const {r, services, exits} = await start({
			removeSteps: {
				'e/remove/install-gateway': {
					fail: {error: 'deleting Deployment istio-eastwestgateway: forbidden', hint: 'grant delete on deployments in istio-system'},
				},
			},
		});
		await openReview(r);
		await waitForFrame(r, f => (f.match(/answers \(/g) ?? []).length === 2, 3000, 'both clusters answer');
		await press(r, 'c', KEY.enter, 'y');
		const frame = await waitForText(r, 'The removal failed on at least one cluster.');
		assert.ok(services.removals[0]!.plan.steps.filter(s => s.kind === 'remove-cacerts').length === 2);
		assert.match(frame, /✘ e \(east\) failed/);
		assert.match(flat(frame), /deleting Deployment istio-eastwestgateway: forbidden/);
		assert.match(flat(frame), /hint: grant delete on deployments in istio-system/);
		assert.match(flat(frame), /eastwest remove --profile prod --ca/);
		assert.match(frame, /exit code 1/);
		await press(r, KEY.enter);
		assert.deepEqual(exits, [1]);
		assert.deepEqual(services.removeRecords, ['prod failed']);
	});

	it('an unreachable context is shown with its reason and blocks the removal', async () => {
		const {r, services} = await start({probes: {west: unreachableProbe('west', 'connect ECONNREFUSED 127.0.0.1:6443')}});
		await openReview(r);
		let frame = await waitForText(r, 'ECONNREFUSED');
		assert.match(section(frame, 'west'), /✘ connect ECONNREFUSED 127\.0\.0\.1:6443/);
		assert.match(section(frame, 'east'), /✔ answers/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'nothing can be removed while west does not answer');
		assert.doesNotMatch(frame, /\(y\/N\)/);
		await press(r, 'y');
		await tick(r);
		assert.equal(services.removals.length, 0);
	});

	it('a context missing from the kubeconfig blocks too; quitting mid-removal cancels it with exit code 130', async () => {
		const missing = await start({kubeconfig: kubeconfig(['east'])});
		let frame = await openReview(missing.r);
		frame = await waitForText(missing.r, 'not in the kubeconfig');
		assert.match(section(frame, 'west'), /not in the kubeconfig/);
		assert.ok(!missing.services.probed.includes('west'), 'a context the kubeconfig lacks is not probed');
		missing.r.unmount();

		const {r, services, exits} = await start({removeSteps: {'w/remove/install-gateway': {hang: true}}});
		await openReview(r);
		await waitForFrame(r, f => (f.match(/answers \(/g) ?? []).length === 2, 3000, 'both clusters answer');
		await press(r, KEY.enter, 'y');
		await waitForText(r, "Removing profile prod's setup from 2 clusters");
		await press(r, 'q');
		await waitForText(r, 'Cancel the run?');
		await press(r, 'y');
		frame = await waitForText(r, 'exit code 130');
		assert.match(frame, /Cancelled: steps already done stay done; run the removal again to finish it\./);
		await press(r, KEY.enter);
		assert.deepEqual(exits, [130]);
		assert.equal(services.removals[0]!.options.signal?.aborted, true);
		assert.deepEqual(services.removeRecords, ['prod cancelled']);
	});
});

function widest(frame: string): number {
	return Math.max(...frame.split('\n').map(l => [...l].length));
}

describe('remove screens at 80×24', () => {
	it('picker, review (cacerts on), confirm, run and done fit 80 columns and 24 rows', async () => {
		// Every step of both clusters leaves something, each with a reason wider than the terminal.
		const steps = ['remote-secret/w', 'expose-services', 'install-gateway', 'label-network'].map(s => `e/remove/${s}`);
		steps.push(...['remote-secret/e', 'expose-services', 'install-gateway', 'label-network'].map(s => `w/remove/${s}`));
		const services = fakeServices({
			profiles: PROFILES,
			removeSteps: Object.fromEntries(
				steps.map(id => [id, {left: ['first', 'second'].map(n => `${id}: a ${n} object whose field manager is someone else entirely, so it stays`)}]),
			),
		});
		const r = renderAt(<App services={services} color={false} />, 80, 24);
		try {
			const fits = async (text: string | RegExp) => {
				const frame = await waitForText(r, text, 5000);
				assert.ok(widest(frame) <= 80, `a line is ${widest(frame)} columns wide:\n${frame}`);
				assert.ok(frame.split('\n').length <= 24, `${frame.split('\n').length} rows:\n${frame}`);
				return frame;
			};
			await fits('Remove a saved setup (2 saved profiles)');
			await press(r, KEY.up);
			await fits('Take out exactly what eastwest set up');
			await press(r, KEY.enter);
			await fits('removed never (UTC)');
			await press(r, KEY.enter);
			await waitForFrame(r, f => (f.match(/answers \(/g) ?? []).length === 2, 3000, 'both clusters answer');
			await press(r, 'c');
			let frame = await fits('goes too');
			assert.equal((frame.match(/Secret istio-system\/cacerts \(the plugged-in CA/g) ?? []).length, 2, `both contexts list cacerts:\n${frame}`);
			assert.match(frame, /• Secret istio-system\/istio-remote-secret-w \(istiod stops reading w\)/, 'short of rows, each removal takes a row');
			await press(r, KEY.enter);
			frame = await fits("Remove eastwest's setup from contexts east, west? (y/N)");
			assert.match(frame, /context east/);
			await press(r, 'y');
			frame = await fits('exit code 0');
			assert.match(frame, /Left in place/);
			assert.match(frame, /… \d+ more: eastwest remove --profile prod --ca --dry-run lists them/, `the list of what was left folds:\n${frame}`);
		} finally {
			r.unmount();
		}
	});
});
