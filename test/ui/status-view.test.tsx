import {afterEach, test} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import StatusView from '../../source/ui/status/StatusView.js';
import {StatusMonitor} from '../../source/engine/status-monitor.js';
import {FakeCluster, readyGateway, seedSetUpCluster} from '../support/fake-cluster.js';
import {press, waitForFrame, waitForText} from '../support/ink.js';
import {renderAt} from '../support/render-at.js';
import {ThemeContext, createTheme} from '../../source/ui/theme.js';

afterEach(() => cleanup());

test('the live view shows the picture and rows, follows watch changes, marks a dropped cluster, and quits on q', async () => {
	const east = new FakeCluster('east');
	const west = new FakeCluster('west');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	seedSetUpCluster(west, 'net-west');
	const fakes = {east, west};
	const monitor = new StatusMonitor(
		c => fakes[c as 'east' | 'west'].client(),
		[
			{context: 'east', expectation: {name: 'east', network: 'net-east', role: 'primary', topology: 'multi-network'}},
			{context: 'west', expectation: {name: 'west', network: 'net-west', role: 'primary', topology: 'multi-network'}},
		],
	);
	let quit: number | undefined;
	const r = render(<StatusView monitor={monitor} onQuit={c => (quit = c)} />);
	let frame = await waitForText(r, 'east · primary · network net-east · healthy');
	assert.match(frame, /network net-east\n\s+east \(primary\) ── gateway 127\.0\.10\.1 exposes services/);
	assert.match(frame, /west · primary · network net-west · not healthy/);
	assert.match(frame, /‼ address\s+LoadBalancer <pending>/);

	// The LB controller assigns west an address: the view follows without any polling.
	west.set('Service', [readyGateway('net-west', '127.0.20.1').service]);
	frame = await waitForText(r, 'west (primary) ── gateway 127.0.20.1');
	assert.match(frame, /west · primary · network net-west · healthy/);

	east.drop({kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:6443'});
	frame = await waitForText(r, 'east · primary · network net-east · unreachable');
	assert.match(frame, /✘ connect ECONNREFUSED 127\.0\.0\.1:6443/);
	east.restore();
	await waitForText(r, 'east · primary · network net-east · healthy');

	await press(r, 'q');
	assert.equal(quit, 0);
	assert.equal(east.openWatches + west.openWatches, 0, 'leaving the view stops every watch');
});

test('the live view fits the terminal by folding passing rows, and takes its keys from the key table (Esc leaves with 0, Ctrl-C with 130)', async () => {
	const make = () => {
		const east = new FakeCluster('east');
		const west = new FakeCluster('west');
		seedSetUpCluster(east, 'net-east', '127.0.10.1');
		seedSetUpCluster(west, 'net-west', '127.0.20.1');
		const fakes = {east, west};
		const monitor = new StatusMonitor(
			c => fakes[c as 'east' | 'west'].client(),
			[
				{context: 'east', expectation: {name: 'east', network: 'net-east', role: 'primary', topology: 'multi-network'}},
				{context: 'west', expectation: {name: 'west', network: 'net-west', role: 'primary', topology: 'multi-network'}},
			],
		);
		return {monitor, fakes};
	};
	const view = (monitor: StatusMonitor, onQuit: (code: number) => void) => (
		<ThemeContext.Provider value={createTheme(false)}>
			<StatusView monitor={monitor} onQuit={onQuit} />
		</ThemeContext.Provider>
	);
	const quits: number[] = [];
	const shown: Array<ReturnType<typeof renderAt>> = [];
	try {
		// Tall enough: every row, and the long hint.
		const big = renderAt(
			view(make().monitor, c => quits.push(c)),
			100,
			60,
		);
		shown.push(big);
		let frame = await waitForText(big, 'west · primary · network net-west · healthy');
		assert.match(frame, /updates arrive from watches/);
		const full = frame.split('\n').length;
		big.stdin.write('\u001B');
		await waitForFrame(big, () => quits.length === 1, 3000, 'Esc to leave');
		assert.deepEqual(quits, [0]);
		// Fewer rows than the full view takes: passing rows fold into one line per cluster, and it fits.
		const small = renderAt(
			view(make().monitor, c => quits.push(c)),
			100,
			full - 2,
		);
		shown.push(small);
		frame = await waitForText(small, 'west · primary · network net-west · healthy');
		assert.ok(frame.split('\n').length <= full - 2, `${frame.split('\n').length} rows:\n${frame}`);
		assert.match(frame, /live from watches/);
		assert.match(frame, /q\/ctrl-c quit · esc back/);
		small.stdin.write('\u0003');
		await waitForFrame(small, () => quits.length === 2, 3000, 'Ctrl-C to leave');
		assert.deepEqual(quits, [0, 130]);
	} finally {
		for (const r of shown) r.unmount();
	}
});

test('the live view shows whether the clusters trust one root, and follows a root change', async () => {
	const {FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT} = await import('../support/ca-fixtures.js');
	const east = new FakeCluster('east');
	const west = new FakeCluster('west');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	seedSetUpCluster(west, 'net-west', '127.0.20.1');
	const rootConfigMap = (pem: string) => ({
		apiVersion: 'v1',
		kind: 'ConfigMap',
		metadata: {name: 'istio-ca-root-cert', namespace: 'istio-system'},
		data: {'root-cert.pem': pem},
	});
	east.put(rootConfigMap(FIXTURE_ROOT_CERT));
	west.put(rootConfigMap(FIXTURE_OTHER_ROOT_CERT));
	const fakes = {east, west};
	const monitor = new StatusMonitor(
		c => fakes[c as 'east' | 'west'].client(),
		[
			{context: 'east', expectation: {name: 'east', network: 'net-east', role: 'primary', topology: 'multi-network'}},
			{context: 'west', expectation: {name: 'west', network: 'net-west', role: 'primary', topology: 'multi-network'}},
		],
	);
	const r = render(<StatusView monitor={monitor} />);
	let frame = await waitForText(r, 'east and west have different roots: cross-cluster mTLS fails');
	assert.match(frame, /✘ trust {12}east and west have different roots/);
	assert.match(frame.replace(/\s+/g, ' '), /eastwest apply --ca DIR --restart-istiod/, 'the hint, however the terminal wraps it');
	// istiod in west republishes east's root.
	west.put(rootConfigMap(FIXTURE_ROOT_CERT));
	frame = await waitForText(r, 'every cluster trusts one root');
	assert.match(frame, /✔ trust {12}every cluster trusts one root \(O=Istio, CN=Root CA, sha256 /);
	assert.doesNotMatch(frame, /restart-istiod/);
});
