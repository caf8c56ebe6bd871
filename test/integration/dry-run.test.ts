/**
 * `--dry-run` writes nothing: the bundled CLI, the real kube/istioctl/engine code, loopback fake API servers
 * that decode requests as kube-apiserver does (a delete's options come from its body) and the fake istioctl,
 * which, like the real one, mints the reader's token Secret in create-remote-secret even with
 * --create-service-account=false. Judged by each server's resourceVersion, which any persisted write moves.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type FakeApiServer, writeKubeconfig, startReadyPrimary} from '../support/fake-apiserver.js';
import {fakeIstioctlEnv, readFakeIstioctlLog} from '../support/fake-istioctl.js';
import {runCli} from '../helpers/cli.js';
import {FIXTURE_ROOT_CERT, FIXTURE_ROOT_KEY} from '../support/ca-fixtures.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

const primary = (name: string, network: string) => startReadyPrimary(name, network, servers);

async function setup() {
	const east = await primary('east', 'net-east');
	const west = await primary('west', 'net-west');
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'west-ctx', server: west},
	]);
	const {env} = fakeIstioctlEnv();
	return {east, west, kubeconfig, env};
}

const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east-ctx=east:net-east', '--cluster', 'west-ctx=west:net-west'];
const TOKEN = 'istio-reader-service-account-istio-remote-secret-token';

function rootDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-root-'));
	fs.writeFileSync(path.join(dir, 'root-cert.pem'), FIXTURE_ROOT_CERT);
	fs.writeFileSync(path.join(dir, 'root-key.pem'), FIXTURE_ROOT_KEY, {mode: 0o600});
	return dir;
}

/** Run a CLI command and assert that neither server persisted any write meanwhile. */
async function assertWritesNothing(servers: FakeApiServer[], args: string[], env: NodeJS.ProcessEnv): Promise<string> {
	const before = servers.map(s => s.resourceVersion);
	const r = await runCli(args, {env, timeoutMs: 120_000});
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.deepEqual(
		servers.map(s => s.resourceVersion),
		before,
		`no write persisted by: eastwest ${args.slice(0, 2).join(' ')}\n${r.stdout}`,
	);
	return r.stdout;
}

test('apply --dry-run on fresh clusters writes nothing and mints no reader token; it says what a real run would create', async () => {
	const {east, west, kubeconfig, env} = await setup();
	const out = await assertWritesNothing([east, west], ['apply', ...plan, '--kubeconfig', kubeconfig, '--yes', '--dry-run'], env);
	for (const s of [east, west]) assert.equal(s.get('v1', 'Secret', 'istio-system', TOKEN), undefined, 'no token Secret');
	assert.equal(readFakeIstioctlLog(env).filter(x => x.argv[0] === 'create-remote-secret').length, 0, 'create-remote-secret is not run');
	assert.match(
		out,
		/^\[east\] – Give istiod read access to west's API server .*: skipped \(dry run: west has no reader token yet \(Secret istio-system\/istio-reader-service-account-istio-remote-secret-token\); a real run creates it/m,
	);
});

test('apply --ca DIR --dry-run writes no cacerts', async () => {
	const {east, west, kubeconfig, env} = await setup();
	await assertWritesNothing([east, west], ['apply', ...plan, '--kubeconfig', kubeconfig, '--yes', '--dry-run', '--ca', rootDir()], env);
	for (const s of [east, west]) assert.equal(s.get('v1', 'Secret', 'istio-system', 'cacerts'), undefined);
});

test('on a set-up mesh, remove --dry-run and apply --dry-run leave every object as it was', async () => {
	const {east, west, kubeconfig, env} = await setup();
	const applied = await runCli(['apply', ...plan, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env});
	assert.equal(applied.code, 0, applied.stdout + applied.stderr);
	for (const s of [east, west]) assert.ok(s.get('v1', 'Secret', 'istio-system', TOKEN), 'the real run made the reader token');

	const removed = await assertWritesNothing([east, west], ['remove', ...plan, '--kubeconfig', kubeconfig, '--yes', '--dry-run'], env);
	assert.match(removed, /would remove/, removed);
	for (const s of [east, west]) {
		assert.ok(s.get('apps/v1', 'Deployment', 'istio-system', 'istio-eastwestgateway'));
		assert.ok(s.get('networking.istio.io/v1', 'Gateway', 'istio-system', 'cross-network-gateway'));
		assert.equal(s.list('v1', 'Secret', 'istio-system').filter(x => x.metadata.labels?.['istio/multiCluster'] === 'true').length, 1);
	}
	// With the tokens in place the dry run does call create-remote-secret (which then creates nothing) and dry-runs the apply.
	const dry = await assertWritesNothing([east, west], ['apply', ...plan, '--kubeconfig', kubeconfig, '--yes', '--dry-run'], env);
	assert.match(dry, /^\[east\] – Give istiod read access to west's API server .*: skipped \(dry run: Secret istio-system\/istio-remote-secret-west unchanged/m);
});
