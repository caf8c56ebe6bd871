import {afterEach, test} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import StatusView from '../../source/ui/status/StatusView.js';
import {StatusMonitor} from '../../source/engine/status-monitor.js';
import {FakeCluster, readyGateway, seedSetUpCluster} from '../support/fake-cluster.js';
import {press, waitForText} from '../support/ink.js';

afterEach(() => cleanup());


test('the live view shows the picture and rows, follows watch changes, marks a dropped cluster, and quits on q', async () => {
	const east = new FakeCluster('east');
	const west = new FakeCluster('west');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	seedSetUpCluster(west, 'net-west');
	const fakes = {east, west};
	const monitor = new StatusMonitor(c => fakes[c as 'east' | 'west'].client(), [
		{context: 'east', expectation: {name: 'east', network: 'net-east', role: 'primary', topology: 'multi-network'}},
		{context: 'west', expectation: {name: 'west', network: 'net-west', role: 'primary', topology: 'multi-network'}},
	]);
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
