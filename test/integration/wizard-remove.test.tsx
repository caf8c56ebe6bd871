/**
 * The wizard's "remove a saved setup" end to end: the real services (store, kube, remove engine) against
 * loopback fake API servers, after a real apply of the same plan; a label someone else changed survives.
 */
import {after, afterEach, test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import App from '../../source/app.js';
import {createWizardServices} from '../../source/commands/wizard-services.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {buildPlan} from '../../source/core/plan.js';
import {DEFAULT_PARALLEL} from '../../source/core/slots.js';
import {ProfileStore} from '../../source/store/profiles.js';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';
import {fakeIstioctlEnv} from '../support/fake-istioctl.js';
import {KEY, press, tick, waitForFrame, waitForText} from '../support/ink.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});
afterEach(() => cleanup());

async function cluster(clusterId: string, network: string): Promise<FakeApiServer> {
	const s = await FakeApiServer.start({token: 'secret-token'});
	servers.push(s);
	s.addIstioCrds();
	s.addIstiod({clusterId, meshId: 'mesh1', network});
	s.deployment = {scenario: 'ready', delayMs: 20};
	s.loadBalancer = {scenario: 'ip', delayMs: 20};
	return s;
}

test('wizard remove end to end: pick the saved profile, review, confirm, the real engine removes only what eastwest set up', async () => {
	const east = await cluster('east', 'network1');
	const west = await cluster('west', 'network2');
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'west-ctx', server: west},
	]);
	const {env} = fakeIstioctlEnv();
	const profilesDir = mkdtempSync(path.join(tmpdir(), 'ew-wizard-remove-profiles-'));
	const services = await createWizardServices({kubeconfig, env, profilesDir, timeoutMs: 20_000});
	const input: MeshPlanInput = {
		topology: 'multi-network',
		meshId: 'mesh1',
		clusters: [
			{context: 'east-ctx', name: 'east', network: 'network1', role: 'primary'},
			{context: 'west-ctx', name: 'west', network: 'network2', role: 'primary'},
		],
	};
	const applied = await services.runPlan(buildPlan(input), {
		timeoutMs: 20_000,
		dryRun: false,
		force: false,
		parallel: DEFAULT_PARALLEL,
		onEvent: () => undefined,
	});
	assert.ok(applied.ok, JSON.stringify(applied.clusters.map(c => c.steps.filter(s => s.status === 'failed'))));
	await services.saveProfile!('lab', input);
	await services.recordRun!('lab', 'succeeded');
	for (const s of [east, west]) assert.ok(s.get('networking.istio.io/v1', 'Gateway', 'istio-system', 'cross-network-gateway'), 'apply exposed the services');
	// Someone else changes west's network label after the apply: it is no longer eastwest's to remove.
	const ns = west.get('v1', 'Namespace', undefined, 'istio-system')!;
	west.put(
		{...ns, metadata: {...ns.metadata, labels: {...(ns.metadata.labels ?? {}), 'topology.istio.io/network': 'net-other'}}},
		{manager: 'kubectl-label', operation: 'Update'},
	);

	const exits: number[] = [];
	const r = render(<App services={services} color={false} onExit={c => exits.push(c)} />);
	await waitForText(r, 'Remove a saved setup (1 saved profile)', 10_000);
	await press(r, KEY.up, KEY.enter);
	let frame = await waitForText(r, 'Remove a saved setup: which profile?');
	assert.match(frame, /❯ lab\s+Multi-network · mesh mesh1 · east-ctx, west-ctx/);
	assert.match(frame, /applied \d{4}-\d{2}-\d{2} \d{2}:\d{2} succeeded · removed never \(UTC\)/);
	await press(r, KEY.enter);
	frame = await waitForFrame(r, f => (f.match(/answers \(v1\.35\.4\)/g) ?? []).length === 2, 15_000, 'both API servers answer');
	assert.match(frame, /Remove Secret istio-system\/istio-remote-secret-west/);
	await press(r, KEY.enter);
	await waitForText(r, "Remove eastwest's setup from contexts east-ctx, west-ctx? (y/N)");
	await press(r, 'y');
	frame = await waitForText(r, 'exit code 0', 30_000);
	assert.match(frame, /Removed eastwest's setup of profile lab from east-ctx, west-ctx\./);
	assert.match(frame, /Left in place/);
	assert.match(
		frame.replace(/\s+/g, ' '),
		/west \(west-ctx\): istio-system label topology\.istio\.io\/network is net-other, not the plan's network2: someone changed it since/,
	);

	for (const s of [east, west]) {
		assert.equal(s.get('networking.istio.io/v1', 'Gateway', 'istio-system', 'cross-network-gateway'), undefined);
		assert.equal(s.get('apps/v1', 'Deployment', 'istio-system', 'istio-eastwestgateway'), undefined);
		assert.ok(s.get('apps/v1', 'Deployment', 'istio-system', 'istiod'), 'the control plane stays');
		assert.ok(s.get('v1', 'Namespace', undefined, 'istio-system'), 'istio-system stays');
	}
	assert.equal(east.get('v1', 'Secret', 'istio-system', 'istio-remote-secret-west'), undefined);
	assert.equal(east.get('v1', 'Namespace', undefined, 'istio-system')!.metadata.labels?.['topology.istio.io/network'], undefined);
	assert.equal(west.get('v1', 'Namespace', undefined, 'istio-system')!.metadata.labels['topology.istio.io/network'], 'net-other');
	await waitForFrame(r, () => new ProfileStore({cwd: profilesDir}).get('lab').lastRemoved?.result === 'succeeded', 5000, 'the remove recorded on the profile');
	await tick();
	await press(r, KEY.enter);
	assert.deepEqual(exits, [0]);
});
