import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parseAllDocuments} from 'yaml';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {root, runCli} from '../helpers/cli.js';

test('manifests --network network1 --expose all prints the four documents', async () => {
	const r = await runCli(['manifests', '--network', 'network1', '--expose', 'all']);
	assert.equal(r.code, 0, r.stderr);
	assert.equal(r.stderr, '');
	const docs = parseAllDocuments(r.stdout).map(d => d.toJS());
	assert.deepEqual(
		docs.map(d => `${d.kind}/${d.metadata.name}`),
		['IstioOperator/eastwest', 'Gateway/istiod-gateway', 'VirtualService/istiod-vs', 'Gateway/cross-network-gateway'],
	);
	assert.equal(docs[0].spec.values.global.network, 'network1');
});

test('manifests defaults to the gateway alone; --revision and --api-version flow through', async () => {
	const r = await runCli(['manifests', '--network', 'n2', '--revision', 'canary', '--expose', 'istiod', '--api-version', 'v1beta1']);
	assert.equal(r.code, 0, r.stderr);
	const docs = parseAllDocuments(r.stdout).map(d => d.toJS());
	assert.equal(docs[0].spec.revision, 'canary');
	assert.equal(docs[2].metadata.name, 'istiod-vs-canary');
	assert.equal(docs[2].apiVersion, 'networking.istio.io/v1beta1');
	const only = await runCli(['manifests', '--network', 'n2']);
	assert.equal(parseAllDocuments(only.stdout).length, 1);
});

for (const [args, pattern] of [
	[['manifests'], /--network is required/],
	[['manifests', '--network', 'Net_1'], /network "Net_1" is not a DNS-1123 label/],
	[['manifests', '--network', 'n', '--expose', 'everything'], /--expose "everything" is not one of istiod, services, all, none/],
	[['manifests', '--network', 'n', '--bogus'], /unknown flag --bogus/],
	[['manifests', '--network'], /flag --network needs a value/],
	[['frobnicate'], /unknown command "frobnicate"/],
] as const) {
	test(`bad input → exit 2, one line: ${args.join(' ')}`, async () => {
		const r = await runCli([...args]);
		assert.equal(r.code, 2);
		assert.equal(r.stdout, '');
		assert.match(r.stderr, pattern);
		assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
		assert.doesNotMatch(r.stderr, /\n\s+at /);
	});
}

test('--version prints the package version; --help lists commands and exit codes', async () => {
	const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
	const v = await runCli(['--version']);
	assert.equal(v.stdout.trim(), pkg.version);
	const h = await runCli(['--help']);
	assert.equal(h.code, 0);
	assert.match(h.stdout, /manifests/);
	assert.match(h.stdout, /130 interrupted/);
	const mh = await runCli(['manifests', '--help']);
	assert.match(mh.stdout, /--expose WHAT/);
});

test('the wizard refuses without a terminal and points to apply', async () => {
	const r = await runCli([], {env: {CI: 'true'}});
	assert.equal(r.code, 2);
	assert.match(r.stderr, /needs an interactive terminal.*eastwest apply/);
});
