import {afterEach, test} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import StatusView from '../../source/ui/status/StatusView.js';
import {StatusMonitor} from '../../source/engine/status-monitor.js';
import {FakeWatchCluster, readyGateway, seedSetUpCluster} from '../support/fake-cluster.js';
import {press, waitForText} from '../support/ink.js';

afterEach(() => cleanup());


test('the live view shows the picture and rows, follows watch changes, marks a dropped cluster, and quits on q', async () => {
	const east = new FakeWatchCluster('east');
	const west = new FakeWatchCluster('west');
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

test('the live view shows whether the clusters trust one root, and follows a root change', async () => {
	const {FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT} = await import('../support/ca-fixtures.js');
	const east = new FakeWatchCluster('east');
	const west = new FakeWatchCluster('west');
	seedSetUpCluster(east, 'net-east', '127.0.10.1');
	seedSetUpCluster(west, 'net-west', '127.0.20.1');
	const rootConfigMap = (pem: string) => ({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'istio-ca-root-cert', namespace: 'istio-system'}, data: {'root-cert.pem': pem}});
	east.put(rootConfigMap(FIXTURE_ROOT_CERT));
	west.put(rootConfigMap(FIXTURE_OTHER_ROOT_CERT));
	const fakes = {east, west};
	const monitor = new StatusMonitor(c => fakes[c as 'east' | 'west'].client(), [
		{context: 'east', expectation: {name: 'east', network: 'net-east', role: 'primary', topology: 'multi-network'}},
		{context: 'west', expectation: {name: 'west', network: 'net-west', role: 'primary', topology: 'multi-network'}},
	]);
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
