import {test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {UNREACHABLE_KUBECONFIG, runCli} from '../helpers/cli.js';

function sandbox() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-profiles-cli-'));
	const kubeconfig = path.join(dir, 'kubeconfig');
	fs.writeFileSync(kubeconfig, UNREACHABLE_KUBECONFIG);
	const env = {XDG_CONFIG_HOME: path.join(dir, 'config'), KUBECONFIG: kubeconfig, HOME: dir};
	const file = path.join(dir, 'config', 'eastwest-nodejs', 'profiles.json');
	return {dir, kubeconfig, env, file, run: (args: string[]) => runCli(args, {env})};
}

const SAVE = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'kind-east=east:network1', '--cluster', 'kind-west=west:network2'];

function oneLine(stderr: string) {
	assert.equal(stderr.trim().split('\n').length, 1, stderr);
	assert.doesNotMatch(stderr, /\n\s+at /);
}

/** Several problems at once: one line each, every line an eastwest error, no stack. */
function oneLineEach(stderr: string, lines: number) {
	const all = stderr.trim().split('\n');
	assert.equal(all.length, lines, stderr);
	for (const l of all) assert.match(l, /^eastwest: /);
}

test('profiles save → list → show → rename → delete, text and json', async () => {
	const s = sandbox();
	const saved = await s.run(['profiles', 'save', 'prod.eu', ...SAVE]);
	assert.equal(saved.code, 0, saved.stderr);
	assert.match(saved.stdout, /Saved profile "prod.eu".*eastwest apply --profile prod.eu/);
	assert.equal(fs.statSync(s.file).mode & 0o777, 0o600);
	const text = fs.readFileSync(s.file, 'utf8');
	assert.doesNotMatch(text, /token|127\.0\.0\.1/, 'contexts by name only: nothing from the kubeconfig is stored');

	const list = await s.run(['profiles', 'list']);
	assert.equal(list.code, 0, list.stderr);
	assert.match(list.stdout, /^NAME\s+TOPOLOGY\s+MESH\s+CLUSTERS\s+LAST APPLIED\n/);
	assert.match(list.stdout, /prod\.eu\s+multi-network\s+mesh1\s+east, west\s+never/);

	const json = JSON.parse((await s.run(['profiles', 'list', '-o', 'json'])).stdout);
	assert.equal(json.length, 1);
	assert.equal(json[0].name, 'prod.eu');
	assert.deepEqual(json[0].clusters[1], {context: 'kind-west', name: 'west', network: 'network2', role: 'primary'});

	const show = await s.run(['profiles', 'show', 'prod.eu']);
	assert.match(show.stdout, /Topology:\s+Multi-network \(multi-network\)/);
	assert.match(show.stdout, /west\s+context kind-west, network network2, primary/);
	const showJson = JSON.parse((await s.run(['profiles', 'show', 'prod.eu', '--output', 'json'])).stdout);
	assert.equal(showJson.meshId, 'mesh1');

	assert.equal((await s.run(['profiles', 'rename', 'prod.eu', 'prod'])).code, 0);
	const deleted = await s.run(['profiles', 'delete', 'prod']);
	assert.equal(deleted.code, 0, deleted.stderr);
	assert.match((await s.run(['profiles', 'list'])).stdout, /No profiles saved yet/);
});

test('profiles save refuses to overwrite without --overwrite, then replaces with it', async () => {
	const s = sandbox();
	assert.equal((await s.run(['profiles', 'save', 'p', ...SAVE])).code, 0);
	const again = await s.run(['profiles', 'save', 'p', ...SAVE, '--mesh', 'mesh2']);
	assert.equal(again.code, 2);
	assert.match(again.stderr, /profile "p" already exists; pass --overwrite/);
	oneLine(again.stderr);
	const over = await s.run(['profiles', 'save', 'p', ...SAVE.slice(0, 2), '--mesh', 'mesh2', ...SAVE.slice(4), '--overwrite']);
	assert.equal(over.code, 0, over.stderr);
	assert.match(over.stdout, /Replaced profile "p"/);
	assert.equal(JSON.parse((await s.run(['profiles', 'show', 'p', '-o', 'json'])).stdout).meshId, 'mesh2');
});

test('profiles save names a missing context and the kubeconfig searched; touches no file', async () => {
	const s = sandbox();
	const r = await s.run([
		'profiles',
		'save',
		'p',
		'--topology',
		'multi-network',
		'--mesh',
		'mesh1',
		'--cluster',
		'kind-east=east:network1',
		'--cluster',
		'kind-north=north:network2',
	]);
	assert.equal(r.code, 2);
	assert.match(
		r.stderr,
		new RegExp(
			`context "kind-north" \\(--cluster kind-north=north:network2:primary\\) not found in kubeconfig ${s.kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
		),
	);
	oneLine(r.stderr);
	assert.equal(fs.existsSync(s.file), false);
});

for (const [what, args, pattern] of [
	[
		'invalid plan',
		['profiles', 'save', 'p', '--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'kind-east=East:network1', '--cluster', 'kind-west=west:network2'],
		/clusters\[0\]\.name: cluster name "East" is not a DNS-1123 label/,
	],
	[
		'missing role for primary-remote',
		['profiles', 'save', 'p', '--topology', 'primary-remote', '--mesh', 'm', '--cluster', 'kind-east=east:n1'],
		/Primary-Remote needs a role; append :primary or :remote/,
	],
	['missing --topology', ['profiles', 'save', 'p', '--mesh', 'm'], /--topology is required[^\n]*\neastwest: --cluster is required/],
	['bad profile name', ['profiles', 'save', 'a/b', ...SAVE], /profile name "a\/b" is not allowed/],
	['unknown profile', ['profiles', 'show', 'nope'], /no profile named "nope"; no profiles are saved yet/],
	['no subcommand', ['profiles'], /needs a subcommand: list, show, save, delete, rename/],
	['missing NAME', ['profiles', 'show'], /eastwest profiles show takes NAME/],
	['bad -o', ['profiles', 'list', '-o', 'yaml'], /--output "yaml" is not one of text, json/],
] as const) {
	test(`profiles bad input → exit 2, one line: ${what}`, async () => {
		const s = sandbox();
		const r = await s.run([...args]);
		assert.equal(r.code, 2, r.stderr);
		assert.match(r.stderr, pattern);
		if (what === 'missing --topology') oneLineEach(r.stderr, 2);
		else oneLine(r.stderr);
		assert.equal(r.stdout, '');
	});
}

test('a hand-broken profile file → exit 2, one line naming the file, bytes unchanged', async () => {
	const s = sandbox();
	fs.mkdirSync(path.dirname(s.file), {recursive: true});
	const broken = '{"schemaVersion": 1, "profiles": {"p": ';
	fs.writeFileSync(s.file, broken);
	for (const args of [
		['profiles', 'list'],
		['profiles', 'save', 'q', ...SAVE],
		['profiles', 'delete', 'p'],
	]) {
		const r = await s.run(args);
		assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
		assert.match(r.stderr, new RegExp(`profile file ${s.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is broken: not valid JSON`));
		oneLine(r.stderr);
	}
	assert.equal(fs.readFileSync(s.file, 'utf8'), broken);
});

test('profiles --help documents the subcommands', async () => {
	const r = await runCli(['profiles', '--help']);
	assert.equal(r.code, 0);
	assert.match(r.stdout, /eastwest profiles save NAME --topology/);
	assert.match(r.stdout, /--overwrite/);
	assert.match((await runCli(['--help'])).stdout, /profiles\s+list, show, save/);
});

test("status --profile targets the profile's clusters (names and networks from the profile); unknown or missing contexts are one-line errors", async () => {
	const s = sandbox();
	assert.equal((await s.run(['profiles', 'save', 'prod', ...SAVE])).code, 0);
	// The kubeconfig points at 127.0.0.1 ports 1 and 2, where nothing listens: both clusters are unreachable.
	const r = await runCli(['status', '--profile', 'prod', '-o', 'json', '--timeout', '5s'], {env: s.env});
	assert.equal(r.code, 1, r.stderr);
	const doc = JSON.parse(r.stdout);
	assert.deepEqual(
		doc.clusters.map((c: any) => [c.context, c.name, c.network, c.reachable]),
		[
			['kind-east', 'east', 'network1', false],
			['kind-west', 'west', 'network2', false],
		],
	);
	const unknown = await runCli(['status', '--profile', 'nope', '-o', 'json'], {env: s.env});
	assert.equal(unknown.code, 2);
	assert.match(unknown.stderr, /no profile named "nope"; saved profiles: prod/);
	oneLine(unknown.stderr);
	fs.writeFileSync(s.kubeconfig, UNREACHABLE_KUBECONFIG.replace(/kind-west/g, 'kind-gone'));
	const missing = await runCli(['status', '--profile', 'prod', '-o', 'json'], {env: s.env});
	assert.equal(missing.code, 2);
	assert.match(missing.stderr, /context "kind-west" \(--cluster kind-west=[^)]+\) not found in kubeconfig/);
	oneLine(missing.stderr);
});

test("manifests --profile prints each cluster's documents under a comment naming the cluster", async () => {
	const s = sandbox();
	const save = await s.run([
		'profiles',
		'save',
		'pr',
		'--topology',
		'primary-remote',
		'--mesh',
		'mesh1',
		'--revision',
		'canary',
		'--cluster',
		'kind-east=east:network1:primary',
		'--cluster',
		'kind-west=west:network1:remote',
	]);
	assert.equal(save.code, 0, save.stderr);
	const r = await s.run(['manifests', '--profile', 'pr']);
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /^# cluster east \(context kind-east, network network1, primary\)\n/);
	assert.match(
		r.stdout,
		/^# a run also applies Secret istio-system\/istio-remote-secret-west \(istioctl create-remote-secret --context kind-west --name west\); it holds a token, so it is not shown$/m,
	);
	// No cluster to read here: the remote's IstioOperator says its address is a placeholder, and why.
	assert.match(
		r.stdout,
		/\n# cluster west \(context kind-west, network network1, remote\)\n# remotePilotAddress is a placeholder: east could not be read \(.+\); a run fills in the address\n/,
	);
	const docs = parseAllDocuments(r.stdout)
		.map(d => d.toJS())
		.filter(Boolean);
	assert.deepEqual(
		docs.map(d => `${d.kind}/${d.metadata.name}`),
		['IstioOperator/eastwest', 'Gateway/istiod-gateway', 'VirtualService/istiod-vs-canary', 'IstioOperator/eastwest-remote'],
	);
	assert.equal(docs[0].spec.revision, 'canary');
	assert.equal(docs[3].spec.profile, 'remote');
	assert.equal(docs[3].spec.values.global.remotePilotAddress, '<primary gateway address>');
	const both = await s.run(['manifests', '--profile', 'pr', '--network', 'n1']);
	assert.equal(both.code, 2);
	assert.match(both.stderr, /--profile takes the network, revision and what to expose from the profile/);
	const none = await s.run(['manifests', '--profile', 'nope']);
	assert.equal(none.code, 2);
	assert.match(none.stderr, /no profile named "nope"; saved profiles: pr/);
});

test('profiles save --parallel stores the bound apply --profile uses; show prints it; a bad value is one line, exit 2, nothing saved', async () => {
	const s = sandbox();
	const bad = await s.run(['profiles', 'save', 'fleet', ...SAVE, '--parallel', 'lots']);
	assert.equal(bad.code, 2);
	oneLine(bad.stderr);
	assert.match(bad.stderr, /^eastwest: --parallel "lots" must be a whole number from 1 to 256/);
	assert.equal(fs.existsSync(s.file), false);
	const saved = await s.run(['profiles', 'save', 'fleet', ...SAVE, '--parallel', '12']);
	assert.equal(saved.code, 0, saved.stderr);
	assert.equal(JSON.parse(fs.readFileSync(s.file, 'utf8')).profiles.fleet.parallel, 12);
	assert.match((await s.run(['profiles', 'show', 'fleet'])).stdout, /^Parallel:\s+12 istioctl processes at once \(eastwest apply --profile fleet\)$/m);
	assert.equal(JSON.parse((await s.run(['profiles', 'show', 'fleet', '-o', 'json'])).stdout).parallel, 12);
});
