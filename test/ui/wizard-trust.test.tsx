import {afterEach, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import App from '../../source/app.js';
import {createWizardServices} from '../../source/commands/wizard-services.js';
import {fakeServices, kubeconfig, type FakeOptions, type FakeServices} from '../support/fake-services.js';
import {KEY, passChecks, plain, press, type, waitForFrame, waitForText} from '../support/ink.js';
import {renderAt} from '../support/render-at.js';

afterEach(() => cleanup());

const TITLE = 'Trust: one root CA for every cluster';
const widest = (frame: string) => Math.max(...frame.split('\n').map(l => [...l].length));

/** Multi-network over east and west, from the first frame to the Trust screen with both clusters read. */
async function toTrust(options: FakeOptions = {}, extra: (s: FakeServices) => void = () => {}) {
	const services = fakeServices({kubeconfig: kubeconfig(['east', 'west']), ...options});
	extra(services);
	const r = render(<App services={services} color={false} />);
	await waitForText(r, 'Which multicluster topology?');
	await press(r, KEY.down, KEY.enter);
	await waitForFrame(r, f => f.includes('Pick the clusters') && !f.includes('probing…'), 3000, 'probes');
	await press(r, KEY.space, KEY.down, KEY.space);
	await waitForText(r, '2 selected');
	await press(r, KEY.enter);
	await waitForText(r, 'Mesh and cluster IDs');
	await press(r, KEY.enter);
	await waitForText(r, TITLE);
	await waitForFrame(r, f => f.includes('Generate a new root CA'), 3000, 'the options');
	return {r, services};
}

/** West holds no cacerts and signs with Istio's self-signed CA; its istio-ca-root-cert is its own. */
const westOnItsOwn: FakeOptions['trust'] = {
	west: t => {
		t.cacerts = false;
		delete t.rootSubject;
		delete t.rootFingerprint;
		t.istioCaSecret = true;
		t.caRootCertSha256 = 'c0ffee00aa';
	},
};

/** From Review, confirm and let the run finish; the recorded run. */
async function runFromChecks(r: ReturnType<typeof render>, services: FakeServices) {
	await passChecks(r);
	const review = await waitForText(r, 'Review:');
	await press(r, KEY.enter, 'y');
	await waitForFrame(r, () => services.runs.length > 0, 5000, 'the run');
	return {review, run: services.runs[0]!};
}

describe('wizard Trust step', () => {
	it('clusters sharing a root: each cluster\'s root is shown, "nothing to do" is the choice, the plan plugs in nothing', async () => {
		const {r, services} = await toTrust();
		const frame = await waitForText(r, 'The clusters already share one root: O=Istio, CN=Root CA (');
		assert.match(frame, /east: cacerts root O=Istio, CN=Root CA \([0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2}…\)/);
		assert.match(frame, /west: cacerts root O=Istio, CN=Root CA/);
		assert.match(frame, /no istio-ca-secret · istio-ca-root-cert sha256 /);
		assert.match(frame, /❯ Nothing to do: the clusters already share one root/);
		assert.deepEqual([...services.trustReads].sort(), ['east', 'west']);
		await press(r, KEY.enter);
		await waitForText(r, 'Preflight checks');
		const {run} = await runFromChecks(r, services);
		assert.equal(run.plan.input.caDir, undefined);
		assert.ok(run.plan.clusters.every(c => !c.steps.some(s => s.kind === 'plug-ca')));
		assert.equal(run.options.restartIstiod, undefined);
	});

	it('Esc goes back to the IDs; r reads the clusters again', async () => {
		const {r, services} = await toTrust();
		await press(r, 'r');
		await waitForFrame(r, () => services.trustReads.length === 4, 3000, 'a second read');
		await waitForText(r, 'Nothing to do');
		await press(r, KEY.esc);
		await waitForText(r, 'Mesh and cluster IDs');
	});

	it('generate: a directory (default ./eastwest-ca), progress while the root is made, the restart confirm, then caDir and restartIstiod reach the run', async () => {
		const {r, services} = await toTrust({trust: westOnItsOwn, ca: {create: 'hold'}});
		let frame = await waitForText(r, 'The clusters do not share one root: west has no cacerts root');
		assert.match(frame, /west: no cacerts/);
		assert.match(frame, /self-signed istio-ca-secret · istio-ca-root-cert sha256 C0:FF:EE:00…/);
		assert.doesNotMatch(frame, /Nothing to do/, 'not offered when the roots differ');
		assert.match(frame, /❯ Generate a new root CA/);
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Write the new root (root-cert.pem, root-key.pem mode 0600) to:');
		assert.match(frame, /❯ \.\/eastwest-ca▏/);
		await press(r, KEY.ctrlU);
		await type(r, '/tmp/mesh-ca');
		await press(r, KEY.enter);
		frame = await waitForText(r, 'Generating an RSA 4096 root key for /tmp/mesh-ca');
		assert.deepEqual(services.caCalls, ['create /tmp/mesh-ca']);
		// The screen keeps rendering while the key is made: the spinner moves.
		const first = plain(r.lastFrame());
		await waitForFrame(r, f => f.includes('Generating') && f !== first, 3000, 'the spinner to move');
		services.releaseCa();
		frame = await waitForText(r, 'Restart istiod after plugging in the CA? (y/N)');
		assert.match(frame, /Root O=Istio, CN=Root CA \(sha256 5A:11:7E:00:…\) in \/tmp\/mesh-ca/);
		assert.match(frame, /workloads keep their old certificates\s+until they restart/);
		await press(r, 'y');
		await waitForText(r, 'Preflight checks');
		const {review, run} = await runFromChecks(r, services);
		assert.match(review, /1\. plug in CA/, 'Review lists the plug-ca steps');
		assert.match(review, /CA: intermediates of the root in \/tmp\/mesh-ca; istiod restarts after\s+cacerts changes/);
		assert.equal(run.plan.input.caDir, '/tmp/mesh-ca');
		assert.ok(run.plan.clusters.every(c => c.steps.some(s => s.kind === 'plug-ca')));
		assert.equal(run.options.restartIstiod, true);
		assert.equal(run.options.ca, undefined, 'the key is read by the services when the run starts, never by the UI');
	});

	it('use my root, restart declined: caDir reaches the run without restartIstiod', async () => {
		const {r, services} = await toTrust({trust: westOnItsOwn});
		await press(r, KEY.down);
		await waitForText(r, '❯ Use my root');
		await press(r, KEY.enter);
		await waitForText(r, 'The directory holding root-cert.pem and root-key.pem:');
		await press(r, KEY.ctrlU);
		await type(r, '/srv/root');
		await press(r, KEY.enter);
		await waitForText(r, 'Restart istiod after plugging in the CA?');
		assert.deepEqual(services.caCalls, ['open /srv/root']);
		await press(r, 'n');
		await waitForText(r, 'Preflight checks');
		const {review, run} = await runFromChecks(r, services);
		assert.match(review, /CA: intermediates of the root in \/srv\/root; istiod not restarted/);
		assert.equal(run.plan.input.caDir, '/srv/root');
		assert.equal(run.options.restartIstiod, undefined);
	});

	it('skip: the warning that cross-cluster mTLS will fail, and no CA in the plan', async () => {
		const {r, services} = await toTrust({trust: westOnItsOwn});
		await press(r, KEY.down, KEY.down);
		const frame = await waitForText(r, '❯ Skip: leave each cluster on its own CA');
		assert.match(frame, /cross-cluster mTLS will fail/);
		await press(r, KEY.enter);
		await waitForText(r, 'Preflight checks');
		const {run} = await runFromChecks(r, services);
		assert.equal(run.plan.input.caDir, undefined);
	});

	it('refusals come from the CA layer in one line, the field stays for another try, and no key material is ever shown', async () => {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-trust-'));
		const secret = 'MIIJQgIBADANBgkqhkiG9w0BAQEFAASCCSwwggkoAgEAAoICAQDsecretkeymaterial';
		const keyText = `-----BEGIN PRIVATE KEY-----\n${secret}\n-----END PRIVATE KEY-----\n`;
		const open = path.join(tmp, 'open');
		fs.mkdirSync(open);
		fs.writeFileSync(path.join(open, 'root-cert.pem'), 'not a certificate\n');
		fs.writeFileSync(path.join(open, 'root-key.pem'), keyText, {mode: 0o644});
		fs.chmodSync(path.join(open, 'root-key.pem'), 0o644);
		const taken = path.join(tmp, 'taken');
		fs.mkdirSync(taken);
		fs.writeFileSync(path.join(taken, 'root-key.pem'), keyText, {mode: 0o600});
		const real = await createWizardServices({env: {}});
		const {r, services} = await toTrust({trust: westOnItsOwn}, s => {
			s.createRoot = real.createRoot!;
			s.openRoot = real.openRoot!;
		});
		try {
			// Generate into a directory that already holds a root key: refused before any key is made.
			await press(r, KEY.enter, KEY.ctrlU);
			await type(r, taken);
			await press(r, KEY.enter);
			let frame = await waitForText(r, 'already exists; eastwest never replaces a root');
			assert.match(frame, /Write the new root/, 'the field stays');
			// The remedy is the field on this screen, not a command-line flag.
			assert.match(frame, /pick another directory/);
			assert.doesNotMatch(frame, /--out/);
			assert.equal(fs.readFileSync(path.join(taken, 'root-key.pem'), 'utf8'), keyText, 'the existing key is untouched');
			assert.deepEqual(fs.readdirSync(taken), ['root-key.pem']);
			// Use my root whose key others may read: refused with the reason.
			await press(r, KEY.esc, KEY.down, KEY.enter, KEY.ctrlU);
			await type(r, open);
			await press(r, KEY.enter);
			frame = await waitForText(r, /is readable by others \(mode 0644\); a root key must\s+be private to its owner/);
			// Made private, the key is read and fails to parse: the error names the file, never its content.
			fs.chmodSync(path.join(open, 'root-key.pem'), 0o600);
			const before = (r.frames ?? []).length;
			await press(r, KEY.enter);
			await waitForFrame(
				r,
				f => f.includes('The directory holding') && (r.frames ?? []).length > before && !f.includes('mode 0644'),
				10_000,
				'the second refusal',
			);
			frame = plain(r.lastFrame());
			assert.match(frame, /root-key\.pem|root-cert\.pem/);
			assert.equal(services.runs.length, 0);
			for (const f of r.frames ?? []) {
				assert.ok(!f.includes(secret.slice(0, 20)) && !f.includes('PRIVATE KEY'), `key material in a frame:\n${plain(f)}`);
			}
		} finally {
			fs.rmSync(tmp, {recursive: true, force: true});
		}
	});

	it('fits 80×24 on every phase, with long cluster names', async () => {
		const long = ['arn:aws:eks:eu-central-1:123456789012:cluster/payments-production', 'gke_my-project-name_europe-west1-b_mesh-cluster-eu'];
		const services = fakeServices({kubeconfig: kubeconfig(long), ca: {create: 'hold'}, trust: {'payments-production': t => void (t.cacerts = false)}});
		const r = renderAt(<App services={services} color={false} />, 80, 24);
		const fits = async (text: string) => {
			const frame = await waitForText(r, text, 5000);
			assert.ok(widest(frame) <= 80, `a line is ${widest(frame)} columns wide:\n${frame}`);
			assert.ok(frame.split('\n').length <= 24, `${frame.split('\n').length} rows:\n${frame}`);
			return frame;
		};
		await waitForText(r, 'Which multicluster topology?');
		await press(r, KEY.down, KEY.enter);
		await waitForFrame(r, f => !f.includes('probing…') && f.includes('v1.35.4'), 3000, 'probes');
		await press(r, KEY.space, KEY.down, KEY.space, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await fits('Skip: leave each cluster on its own CA');
		await press(r, KEY.enter);
		await fits('Write the new root');
		await press(r, KEY.enter);
		await fits('Generating an RSA 4096 root key');
		services.releaseCa();
		await fits('Restart istiod after plugging in the CA?');
	});
});
