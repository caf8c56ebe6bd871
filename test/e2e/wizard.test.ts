/**
 * The wizard as a person uses it: in tmux, inside the lab's network namespace, from the topology screen
 * to the Done screen, against the real clusters and the real istioctl.
 */
import {after, before, test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {cliPath, ensureBuilt} from '../helpers/cli.js';
import {applyMakesRemoteSecrets, applyRemoteSecret, kubeconfig, kubectlJson, plugInSharedRoot, requireLab} from './lab.js';

const socket = `eastwest-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const screen = () => tmux('capture-pane', '-p', '-t', 'wizard');

async function waitForScreen(text: string | RegExp, what: string, timeoutMs = 60_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const s = screen();
		if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${s}`);
		await new Promise(r => setTimeout(r, 200));
	}
}

/** Send one key, then wait until the screen shows what it leads to (never a fixed delay). */
async function press(key: string, then: string | RegExp, what: string, timeoutMs?: number): Promise<string> {
	tmux('send-keys', '-t', 'wizard', key);
	return waitForScreen(then, what, timeoutMs);
}

before(async () => {
	requireLab('multi-primary');
	ensureBuilt();
	// As Istio's multicluster docs prepare clusters: one shared root plugged in before anything else, so the
	// real istiods sign with it; and (until apply makes them) each primary holding the other's remote secret.
	await plugInSharedRoot(['east', 'west']);
	if (!applyMakesRemoteSecrets) {
		applyRemoteSecret('east', 'west');
		applyRemoteSecret('west', 'east');
	}
});
after(() => {
	try {
		tmux('kill-server');
	} catch {
		// Already gone.
	}
});

test('the wizard sets up multi-network on both lab clusters, screen by screen, and exits 0', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-wizard-e2e-'));
	const exitFile = path.join(dir, 'exit');
	// A person at a terminal: not a CI job, whatever runs this suite.
	const command = `env -u CI ${process.execPath} ${cliPath} --kubeconfig ${kubeconfig()}; echo $? > ${exitFile}; sleep 600`;
	tmux('new-session', '-d', '-s', 'wizard', '-x', '120', '-y', '40', command);

	await waitForScreen('Which multicluster topology?', 'the topology screen');
	await press('Down', /❯ Multi-network/, 'Multi-network highlighted');
	await press('Enter', /Pick the clusters: Multi-network/, 'the contexts screen');
	// Both probes answer from the real API servers before anything is picked.
	let s = await waitForScreen(/east\(\*\).*istiod[\s\S]*west .*istiod/, 'both probes');
	assert.match(s, /v1\.35\.4/);
	await press('Space', '1 selected', 'east selected');
	await press('Down', /❯ \S+ west/, 'west highlighted');
	await press('Space', '2 selected', 'west selected');
	s = await press('Enter', 'Mesh and cluster IDs', 'the IDs screen');
	// Prefilled from what istiod and istio-system say.
	assert.match(s, /Mesh ID\s+mesh1/);
	assert.match(s, /east\s+east\s+net-east/);
	assert.match(s, /west\s+west\s+net-west/);
	// Trust reads each cluster's CA: nothing to do when the lab's clusters share a root, otherwise this run skips it.
	s = await press('Enter', /❯ (Nothing to do|Generate a new root)/, 'the Trust options');
	assert.match(s, /(east|west): (cacerts root|no cacerts)/);
	if (!/❯ Nothing to do/.test(s)) {
		await press('Down', /❯ Use my root/, 'use my root highlighted');
		await press('Down', /❯ Skip/, 'skip highlighted');
	}
	// The preflight reads both real clusters; the lab is set up as the Istio docs say, so nothing fails.
	s = await press('Enter', /Every check passed|No check failed|failed checks? blocks? the run/, 'the preflight verdict');
	assert.match(s, /[✔‼] 0 failed, \d+ warnings?, \d+ passed/, s);
	s = await press('Enter', /Review: Multi-network, mesh mesh1/, 'the review screen');
	assert.match(s, /preflight: \d+ passed/);
	// The review is measured after it is drawn: its first frame may be the folded plan, the next the full titles.
	await waitForScreen(/Install the east-west gateway for network net-east/, 'the full step titles');
	// Enter may come while istioctl is still being checked: the confirmation shows either way, and a run confirmed
	// meanwhile starts when the check passes.
	await press('Enter', 'Proceed? (y/N)', 'the confirmation');
	s = await press('y', /East-west gateways are set up|did not finish|failed/, 'the Done screen', 180_000);
	assert.match(s, /East-west gateways are set up for mesh mesh1/);
	assert.match(s, /gateway address 127\.0\.10\.\d+/);
	assert.match(s, /gateway address 127\.0\.20\.\d+/);
	assert.match(s, /eastwest status --context east --context west/);
	// Post-install reads both clusters again; the exit code stays the run's either way.
	s = await waitForScreen(/post-install checks passed|post-install checks? failed/, 'the post-install verdict', 60_000);
	assert.match(s, /✔ all \d+ post-install checks passed|‼ post-install checks passed with/, s);
	tmux('send-keys', '-t', 'wizard', 'Enter');
	const deadline = Date.now() + 10_000;
	while (!existsSync(exitFile) && Date.now() < deadline) await new Promise(r => setTimeout(r, 100));
	assert.equal(readFileSync(exitFile, 'utf8').trim(), '0');

	// What the wizard did is really there.
	for (const ctx of ['east', 'west']) {
		const svc = kubectlJson(ctx, ['-n', 'istio-system', 'get', 'service', 'istio-eastwestgateway']);
		assert.equal(svc.metadata.labels['topology.istio.io/network'], `net-${ctx}`);
		assert.ok(kubectlJson(ctx, ['-n', 'istio-system', 'get', 'gateways.networking.istio.io', 'cross-network-gateway']));
	}
});
