/**
 * On a fresh lab, a dry run changes nothing on the real API servers: `apply --dry-run` (which must not
 * mint the istio-reader token that istioctl create-remote-secret creates even with
 * --create-service-account=false) and `apply --ca DIR --dry-run` (no cacerts). Every object in
 * istio-system and every webhook configuration keeps its uid and every field a client writes (status subresource writes of controllers aside). Runs first on each lab
 * topology and leaves the lab as fresh as it found it.
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

async function assertNothingChanged(args: string[]): Promise<string> {
	const before = Object.fromEntries(contexts.map(c => [c, versionSnapshot(c)]));
	const r = await eastwest(args);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	for (const c of contexts)
		assert.deepEqual(snapshotDiff(before[c]!, versionSnapshot(c)), [], `${c}: eastwest ${args.join(' ')} changed the cluster\n${r.stdout}`);
	return r.stdout;
}

test('apply --dry-run on a fresh lab changes no object and mints no reader token', async () => {
	const out = await assertNothingChanged(['apply', ...plan, '--yes', '--dry-run']);
	assert.match(out, /no reader token yet/);
	assert.doesNotMatch(out, /✘/);
});

test('apply --ca DIR --dry-run writes no cacerts', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-e2e-ca-'));
	const made = await eastwest(['ca', 'create', '--out', dir]);
	assert.equal(made.code, 0, made.stderr);
	await assertNothingChanged(['apply', ...plan, '--yes', '--dry-run', '--ca', dir]);
});
