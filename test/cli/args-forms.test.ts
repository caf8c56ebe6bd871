import {test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {UNREACHABLE_KUBECONFIG, runCli} from '../helpers/cli.js';

// Nothing listens on 127.0.0.1 ports 1 and 2: the clusters are unreachable at once, and status still prints a snapshot.
function sandbox() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-flag-forms-'));
	fs.writeFileSync(path.join(dir, 'kubeconfig'), UNREACHABLE_KUBECONFIG);
	return {XDG_CONFIG_HOME: path.join(dir, 'config'), KUBECONFIG: path.join(dir, 'kubeconfig'), HOME: dir};
}

const FORMS = [['-o', 'json'], ['-o=json'], ['-ojson'], ['--output', 'json'], ['--output=json']];

for (const form of FORMS) {
	test(`${form.join(' ')} gives JSON from profiles list, profiles show and status`, async () => {
		const env = sandbox();
		const save = await runCli(
			[
				'profiles',
				'save',
				'prod',
				'--topology',
				'multi-network',
				'--mesh',
				'mesh1',
				'--cluster',
				'kind-east=east:network1',
				'--cluster',
				'kind-west=west:network2',
			],
			{env},
		);
		assert.equal(save.code, 0, save.stderr);

		const list = await runCli(['profiles', 'list', ...form], {env});
		assert.equal(list.code, 0, list.stderr);
		assert.deepEqual(
			JSON.parse(list.stdout).map((p: {name: string}) => p.name),
			['prod'],
		);

		const show = await runCli(['profiles', 'show', ...form, 'prod'], {env});
		assert.equal(show.code, 0, show.stderr);
		assert.equal(JSON.parse(show.stdout).meshId, 'mesh1');

		const status = await runCli(['status', ...form, '--timeout', '5s'], {env});
		assert.equal(status.code, 1, status.stderr);
		const snapshot = JSON.parse(status.stdout);
		assert.equal(snapshot.healthy, false);
		assert.deepEqual(
			snapshot.clusters.map((c: {context: string; reachable: boolean}) => [c.context, c.reachable]),
			[['kind-east', false]],
		);
	});
}

test('every form of a wrong value names the value as typed, without the "="', async () => {
	for (const form of [['-o=yaml'], ['-oyaml'], ['--output=yaml'], ['-o', 'yaml']]) {
		for (const command of [['profiles', 'list'], ['status']]) {
			const r = await runCli([...command, ...form], {env: sandbox()});
			assert.equal(r.code, 2, `${[...command, ...form].join(' ')}: ${r.stderr}`);
			assert.equal(r.stderr, 'eastwest: --output "yaml" is not one of text, json\n');
		}
	}
});

test('a short flag that takes no value, given one with "=", is a one-line usage error', async () => {
	const r = await runCli(['status', '-w=true'], {env: sandbox()});
	assert.equal(r.code, 2);
	assert.equal(r.stderr, "eastwest: flag -w (--watch) takes no value; run 'eastwest status --help'\n");
});
