import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {buildPlan} from '../../source/core/plan.js';
import {DEFAULT_PARALLEL} from '../../source/core/slots.js';
import {createRunPlan} from '../../source/engine/index.js';
import {RunScreen} from '../../source/ui/screens/RunScreen.js';
import {ThemeContext, createTheme} from '../../source/ui/theme.js';
import {FakeFactory, FakeIstioctl} from '../support/fake-cluster.js';
import {fakeServices} from '../support/fake-services.js';
import {waitForFrame} from '../support/ink.js';
import {meshPlan} from '../support/plans.js';
import {renderAt} from '../support/render-at.js';

/** 32 clusters on the real engine: every istioctl install hangs, so DEFAULT_PARALLEL run and the rest queue. */
function fleet(count: number) {
	const input = meshPlan({clusters: count});
	const plan = buildPlan(input);
	const factory = new FakeFactory(input.clusters.map(c => c.context));
	const istioctl = new FakeIstioctl(factory);
	istioctl.scenario = Object.fromEntries(input.clusters.map(c => [c.context, 'hang' as const]));
	const services = {...fakeServices(), runPlan: createRunPlan({factory, istioctl})};
	return {plan, factory, istioctl, services};
}

const rows = (frame: string) => frame.split('\n');
const widest = (frame: string) => Math.max(...rows(frame).map(l => [...l].length));

describe('run screen at fleet scale', () => {
	it('32 clusters in 100×40: one line per cluster, queued installs say what is ahead, nothing wider or taller than the terminal', async () => {
		const {plan, factory, istioctl, services} = fleet(32);
		const r = renderAt(
			<ThemeContext.Provider value={createTheme(false)}>
				<RunScreen plan={plan} services={services} onFinished={() => {}} />
			</ThemeContext.Provider>,
			100,
			40,
		);
		try {
			const frame = await waitForFrame(
				r,
				f => (f.match(/queued: /g) ?? []).length === 32 - DEFAULT_PARALLEL && (f.match(/ · istioctl /g) ?? []).length === DEFAULT_PARALLEL,
				10_000,
				'every install running or queued',
			);
			assert.ok(rows(frame).length <= 40, `${rows(frame).length} rows:\n${frame}`);
			assert.ok(widest(frame) <= 100, `a line is ${widest(frame)} columns wide:\n${frame}`);
			assert.match(frame, /^Setting up mesh1 on 32 clusters/m);
			// Each cluster is on exactly one line, which starts with its name.
			for (const c of plan.clusters) {
				const mine = rows(frame).filter(l => new RegExp(`^${c.cluster.name}\\s`).test(l));
				assert.equal(mine.length, 1, `${c.cluster.name}:\n${frame}`);
				// 5 steps of its own and 31 remote secrets (one per other cluster), which finish first.
				assert.match(mine[0]!, /\d+\/36 install gateway/);
			}
			// The last cluster waits behind every istioctl call before it (installs and remote secrets share the bound).
			const last = rows(frame).find(l => l.startsWith('cluster32 '))!;
			assert.match(last, /install gateway .* · queued: \d+ istioctl /);
			assert.equal(istioctl.installs.length, DEFAULT_PARALLEL);
			assert.doesNotMatch(frame, /more cluster/);
		} finally {
			r.unmount();
			factory.dispose();
		}
	});

	it('32 clusters in 80×24: the lines that fit, then a count of the rest; failed clusters first', async () => {
		const {plan, factory, services} = fleet(32);
		// Two clusters cannot be reached: their first step fails, and they are shown before the running ones.
		for (const name of ['cluster20', 'cluster31']) factory.cluster(`ctx-${name}`).script = {unreachable: true};
		const r = renderAt(
			<ThemeContext.Provider value={createTheme(false)}>
				<RunScreen plan={plan} services={services} onFinished={() => {}} />
			</ThemeContext.Provider>,
			80,
			24,
		);
		try {
			const frame = await waitForFrame(
				r,
				f => /cluster31 .*failed/.test(f) && /cluster20 .*failed/.test(f) && (f.match(/queued: /g) ?? []).length > 0,
				10_000,
				'failures shown',
			);
			assert.ok(rows(frame).length <= 24, `${rows(frame).length} rows:\n${frame}`);
			assert.ok(widest(frame) <= 80, frame);
			const clusterLines = rows(frame).filter(l => /^(east|west|north|south|cluster\d+)\s/.test(l));
			// 24 rows less the title, its margin, the hints and a spare row: 19, one of them the count of the rest.
			assert.equal(clusterLines.length, 18, frame);
			assert.match(frame, /^… 14 more clusters: 14 running$/m);
			// Shown in plan order.
			const names = clusterLines.map(l => l.split(/\s/)[0]!);
			const order = plan.clusters.map(c => c.cluster.name);
			assert.deepEqual(
				names,
				[...names].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
			);
		} finally {
			r.unmount();
			factory.dispose();
		}
	});
	it('two wired clusters in 80×24 while installs and remote secrets run: the frame fits, title first', async () => {
		const {plan, factory, services} = fleet(2);
		const r = renderAt(
			<ThemeContext.Provider value={createTheme(false)}>
				<RunScreen plan={plan} services={services} onFinished={() => {}} />
			</ThemeContext.Provider>,
			80,
			24,
		);
		try {
			// Both remote secrets done (their details are long), both installs hanging: the tallest moment.
			const frame = await waitForFrame(r, f => (f.match(/can read|of 6 steps done \(last: Give/g) ?? []).length >= 2, 10_000, 'both secrets done');
			assert.ok(rows(frame).length <= 24, `${rows(frame).length} rows:\n${frame}`);
			assert.match(rows(frame)[0]!, /^Setting up mesh1 on 2 clusters/, frame);
			assert.ok(widest(frame) <= 80, frame);
		} finally {
			r.unmount();
			factory.dispose();
		}
	});
});
