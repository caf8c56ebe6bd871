import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import App from '../../source/app.js';
import type {ClusterFacts} from '../../source/core/checks/index.js';
import {fakeServices, kubeconfig} from '../support/fake-services.js';
import {KEY, passTrust, press, waitForFrame, waitForText} from '../support/ink.js';
import {renderAt} from '../support/render-at.js';

const long = ['arn:aws:eks:eu-central-1:123456789012:cluster/payments-production', 'gke_my-project-name_europe-west1-b_mesh-cluster-eu', 'kind-west'];

function widest(frame: string): number {
	return Math.max(...frame.split('\n').map(l => [...l].length));
}

describe('layout at 80 columns', () => {
	it('every screen fits 80 columns, long context names included; three clusters stack on the run screen', async () => {
		const services = fakeServices({kubeconfig: kubeconfig(long), steps: {'kind-west/install-gateway': {hang: true}}});
		const r = renderAt(<App services={services} color={false} />, 80, 24);
		try {
			const check = async (text: string | RegExp) => {
				const frame = await waitForText(r, text, 5000);
				assert.ok(widest(frame) <= 80, `a line is ${widest(frame)} columns wide:\n${frame}`);
				return frame;
			};
			await check('Which multicluster topology?');
			await press(r, KEY.down, KEY.enter);
			await waitForFrame(r, f => !f.includes('probing…') && f.includes('v1.35.4'), 3000, 'probes');
			await press(r, KEY.space, KEY.down, KEY.space, KEY.down, KEY.space);
			await check('3 selected');
			await press(r, '?');
			await check('Keys: Contexts');
			await press(r, 'x');
			await press(r, KEY.enter);
			await check('Mesh and cluster IDs');
			await press(r, KEY.enter);
			await check('The clusters already share one root');
			await press(r, KEY.enter);
			await check('Every check passed');
			await press(r, KEY.enter);
			await check('Review: Multi-network');
			await press(r, 'y');
			await check('Exact YAML per cluster');
			await press(r, KEY.esc);
			await press(r, KEY.enter);
			await check('Proceed?');
			await press(r, 'y');
			const frame = await check(/kind-west context kind-west/);
			// 80 / 3 < 38: the clusters stack, each header on its own line.
			assert.match(frame, /^payments-production context arn:aws:eks/m);
			assert.match(frame, /^kind-west context kind-west/m);
			// 24 rows cannot hold 21 steps: finished steps fold into one line per cluster.
			const compact = await check(/7 of 7 steps done/);
			assert.ok(compact.split('\n').length <= 24, compact);
			assert.match(compact, /kind-west context kind-west\ngateway: no address yet\n✔ [1-3] of 7 steps done \(last: /);
			await press(r, 'q');
			await check('Cancel the run?');
			await press(r, 'y');
			await check('exit code 130');
		} finally {
			r.unmount();
		}
	});

	it('two clusters sit side by side at 80 columns', async () => {
		const services = fakeServices({kubeconfig: kubeconfig(['east', 'west']), steps: {'west/install-gateway': {hang: true}}});
		const r = renderAt(<App services={services} color={false} />, 80, 24);
		try {
			await waitForText(r, 'Which multicluster topology?');
			await press(r, KEY.down, KEY.enter);
			await waitForFrame(r, f => !f.includes('probing…') && f.includes('v1.35.4'), 3000, 'probes');
			await press(r, KEY.space, KEY.down, KEY.space, KEY.enter);
			await waitForText(r, 'Mesh and cluster IDs');
			await press(r, KEY.enter);
			await passTrust(r);
			await waitForText(r, 'Every check passed');
			await press(r, KEY.enter, KEY.enter, 'y');
			const frame = await waitForText(r, /east context east\s+west context west/);
			assert.ok(widest(frame) <= 80);
			await press(r, 'q', 'y');
			await waitForText(r, 'exit code 130');
		} finally {
			r.unmount();
		}
	});

	it('the checks screen and Done with check results fit 80×24, failures and hints included', async () => {
		const mislabel = (f: ClusterFacts) => {
			f.namespace = {present: true, labels: {'topology.istio.io/network': 'legacy-network-name'}, annotations: {}};
			f.loadBalancer = {services: 0, withAddress: 0};
			f.apiServerHost = '127.0.0.1';
		};
		const services = fakeServices({
			kubeconfig: kubeconfig(long),
			checks: {
				preflight: {'payments-production': mislabel, 'gke-my-project-name-europe-west1-b-mesh-cluster-eu': mislabel, 'kind-west': mislabel},
				'post-install': {'kind-west': f => (f.gateway!.service = {...f.gateway!.service!, status: {loadBalancer: {}}})},
			},
		});
		const r = renderAt(<App services={services} color={false} />, 80, 24);
		try {
			const fits = async (text: string | RegExp) => {
				const frame = await waitForText(r, text, 5000);
				assert.ok(widest(frame) <= 80, `a line is ${widest(frame)} columns wide:\n${frame}`);
				assert.ok(frame.split('\n').length <= 24, `${frame.split('\n').length} rows:\n${frame}`);
				return frame;
			};
			await waitForText(r, 'Which multicluster topology?');
			await press(r, KEY.down, KEY.enter);
			await waitForFrame(r, f => !f.includes('probing…') && f.includes('v1.35.4'), 3000, 'probes');
			await press(r, KEY.space, KEY.down, KEY.space, KEY.down, KEY.space, KEY.enter);
			await waitForText(r, 'Mesh and cluster IDs');
			await press(r, KEY.enter);
			await fits('The clusters already share one root');
			await press(r, KEY.enter);
			let frame = await fits('3 failed checks block the run');
			assert.match(frame, /↓ \d+ more rows/, 'the list scrolls instead of growing past the screen');
			await press(r, KEY.pageDown);
			frame = await fits(/rows \d+–\d+ of \d+/);
			await press(r, 'a');
			await fits(/rows 1–\d+ of \d+/);
			await press(r, '!');
			await fits('Run despite 3 failed checks? (y/N)');
			await press(r, 'y');
			await fits('runs despite 3 failed preflight checks (you confirmed)');
			await press(r, KEY.enter);
			await fits('Proceed despite 3 failed preflight checks? (y/N)');
			await press(r, 'y');
			frame = await fits('the run succeeded but 1 post-install check failed');
			assert.match(frame, /exit code 0/);
			await press(r, 'c');
			await fits(/Post-install checks \(1 failed/);
		} finally {
			r.unmount();
		}
	});
});
