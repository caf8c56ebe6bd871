/**
 * On a lab that eastwest has set up, dry runs change nothing on the real API servers: `remove --dry-run`
 * (a delete's dry run must travel in its DeleteOptions body, or kube-apiserver deletes for real) and
 * `apply --dry-run`. Every object in istio-system and every webhook configuration keeps its uid and
 * every field a client writes (controllers' status writes aside). Runs last on each lab topology, after the suites that set the lab up.
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runCli} from '../helpers/cli.js';
import {kubeconfig, requireLab, snapshotDiff, versionSnapshot} from './lab.js';

const topology = process.env.EASTWEST_LAB_TOPOLOGY === 'primary-remote' ? 'primary-remote' : 'multi-primary';
before(() => requireLab(topology));

const plan =
	topology === 'primary-remote'
		? ['--topology', 'primary-remote', '--mesh', 'mesh1', '--cluster', 'east=east:net-east:primary', '--cluster', 'west=west:net-east:remote']
		: ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east=east:net-east', '--cluster', 'west=west:net-west'];
const contexts = ['east', 'west'];
const eastwest = (args: string[]) => runCli([...args, '--kubeconfig', kubeconfig()], {timeoutMs: 300_000});

test('the lab is set up: apply finds everything in place', async () => {
	const r = await eastwest(['apply', ...plan, '--yes', '--timeout', '4m']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
});

for (const args of [
	['remove', '--dry-run'],
	['apply', '--dry-run'],
]) {
	test(`${args.join(' ')} on a set-up lab changes no object`, async () => {
		const before = Object.fromEntries(contexts.map(c => [c, versionSnapshot(c)]));
		assert.ok(
			Object.keys(before.east!).some(k => k.startsWith('Deployment/istio-system/istio-eastwestgateway')),
			'the gateway is there to be (not) removed',
		);
		const r = await eastwest([args[0]!, ...plan, '--yes', args[1]!]);
		assert.equal(r.code, 0, r.stdout + r.stderr);
		if (args[0] === 'remove') assert.match(r.stdout, /would remove/);
		for (const c of contexts)
			assert.deepEqual(snapshotDiff(before[c]!, versionSnapshot(c)), [], `${c}: eastwest ${args.join(' ')} changed the cluster\n${r.stdout}`);
	});
}
