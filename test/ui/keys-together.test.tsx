/**
 * Keys that reach the terminal in one write (a paste, fast typing over SSH, a loaded machine): each key acts,
 * in order, on the state the previous one left, whichever screen or field it lands on.
 */
import {afterEach, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import {cleanup, render} from 'ink-testing-library';
import App from '../../source/app.js';
import {fakeServices, kubeconfig, type FakeOptions} from '../support/fake-services.js';
import {KEY, press, tick, waitForFrame, waitForText} from '../support/ink.js';

afterEach(() => cleanup());

async function toContexts(options: FakeOptions = {}) {
	const services = fakeServices({kubeconfig: kubeconfig(['east', 'west', 'north']), ...options});
	const r = render(<App services={services} color={false} />);
	await waitForText(r, 'Which multicluster topology?');
	await press(r, KEY.down, KEY.enter);
	await waitForFrame(r, f => f.includes('Pick the clusters') && !f.includes('probing…'), 3000, 'probes');
	return {r, services};
}

describe('keys that arrive together', () => {
	it('Contexts: "/", "xyz", then ctrl-u + "we" + Enter in one write leaves the filter at "we"', async () => {
		const {r} = await toContexts();
		await press(r, '/');
		await press(r, 'xyz');
		await waitForText(r, 'filter: xyz▏');
		await press(r, `${KEY.ctrlU}we${KEY.enter}`);
		const frame = await waitForText(r, /filter: we\s+1 of 3 contexts/);
		assert.doesNotMatch(frame, /filter: we▏/, 'Enter ended filtering');
		assert.match(frame, /❯ ○ west/);
	});

	it('Contexts: the same keys all in one write, from outside the filter', async () => {
		const {r} = await toContexts();
		await press(r, `/xyz${KEY.ctrlU}we${KEY.enter} `);
		const frame = await waitForText(r, '1 selected');
		assert.match(frame, /filter: we\s+1 of 3 contexts/);
		assert.match(frame, /❯ ◉ west/);
	});

	it('Contexts: down and Space in one write select the second context; j and Space then select the third', async () => {
		const {r} = await toContexts();
		await press(r, `${KEY.down} `);
		let frame = await waitForText(r, '1 selected');
		assert.match(frame, /❯ ◉ west/);
		await press(r, 'j ');
		frame = await waitForText(r, '2 selected');
		assert.match(frame, /○ east/);
		assert.match(frame, /◉ west/);
		assert.match(frame, /❯ ◉ north/);
	});

	it('keys after one that changes the screen go to the screen it opened', async () => {
		const services = fakeServices({kubeconfig: kubeconfig(['east', 'west'])});
		const r = render(<App services={services} color={false} />);
		await waitForText(r, 'Which multicluster topology?');
		await tick(r);
		r.stdin.write(`${KEY.down}\r/we`);
		const frame = await waitForText(r, /filter: we▏\s+1 of 2 contexts/);
		assert.match(frame, /Pick the clusters: Multi-network/);
	});

	it('Trust: ctrl-u + a path + Enter in one write puts the path in the field and continues', async () => {
		const {r, services} = await toContexts({kubeconfig: kubeconfig(['east', 'west']), ca: {create: 'hold'}, trust: {west: t => void (t.cacerts = false)}});
		await press(r, KEY.space, KEY.down, KEY.space, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, KEY.enter);
		await waitForFrame(r, f => f.includes('❯ Generate a new root CA'), 3000, 'the options');
		await press(r, KEY.enter);
		await waitForText(r, 'Write the new root');
		await press(r, `${KEY.ctrlU}/srv/ca${KEY.enter}`);
		await waitForText(r, 'Generating an RSA 4096 root key for /srv/ca');
		assert.deepEqual(services.caCalls, ['create /srv/ca']);
	});

	it('IDs: a pasted value with a trailing newline fills the field, then Enter acts once', async () => {
		const {r} = await toContexts({kubeconfig: kubeconfig(['east', 'west'])});
		await press(r, KEY.space, KEY.down, KEY.space, KEY.enter);
		await waitForText(r, 'Mesh and cluster IDs');
		await press(r, `${KEY.ctrlU}pasted-mesh\n`);
		// Enter on the first field with nothing to fix tries to leave the screen: on to Trust.
		const frame = await waitForText(r, 'Trust: one root CA for every cluster');
		assert.doesNotMatch(frame, /Mesh and cluster IDs/);
		await press(r, KEY.esc);
		await waitForText(r, /Mesh ID\s+pasted-mesh/);
	});

	it('a lone Escape is a key of its own, after text typed in the same burst', async () => {
		const {r} = await toContexts();
		await press(r, '/no');
		await waitForText(r, 'filter: no▏');
		await press(r, KEY.esc);
		const frame = await waitForText(r, /filter: no\s+1 of 3 contexts/);
		assert.doesNotMatch(frame, /▏/);
		assert.match(frame, /north/);
	});
});
