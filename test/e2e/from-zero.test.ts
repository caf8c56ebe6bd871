/**
 * From no Istio at all (the lab's bare topology) to a wired multi-network mesh in one apply: the control-plane
 * step installs a multicluster-ready istiod on each cluster with the real istioctl (IstioOperator
 * eastwest-control-plane), after a shared root is plugged in, and the lab's kubelet stand-in starts a real istiod
 * for it. check is then green, each istiod sees its peer synced, verify's control-plane and discovery layers
 * pass, and a second apply changes nothing.
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {runCli} from '../helpers/cli.js';
import {kubeconfig, kubectlJson, requireLab} from './lab.js';

before(() => requireLab('bare'));

const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east=east:net-east', '--cluster', 'west=west:net-west'];
const eastwest = (args: string[]) => runCli([...args, '--kubeconfig', kubeconfig()], {timeoutMs: 420_000});
const caDir = path.join(mkdtempSync(path.join(tmpdir(), 'eastwest-from-zero-')), 'ca');

test('the bare lab has no Istio: no istio-system on either cluster', () => {
	for (const context of ['east', 'west']) {
		const namespaces = kubectlJson(context, ['get', 'namespaces']).items.map((n: any) => n.metadata.name);
		assert.ok(!namespaces.includes('istio-system'), `${context}: ${namespaces.join(' ')}`);
	}
});

test('one apply installs both control planes with a shared root and wires the mesh', async () => {
	const ca = await eastwest(['ca', 'create', '--out', caDir]);
	assert.equal(ca.code, 0, ca.stderr);
	const r = await eastwest(['apply', ...plan, '--control-plane', 'default', '--ca', caDir, '--yes', '--timeout', '4m']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	for (const [cluster, network] of [
		['east', 'net-east'],
		['west', 'net-west'],
	] as const) {
		assert.match(
			r.stdout,
			new RegExp(
				`^\\[${cluster}\\] ✔ Install Istio's control plane on ${cluster} .*: changed \\(installed with istioctl \\(IstioOperator eastwest-control-plane\\): istiod runs with mesh1/${cluster}/${network}\\)`,
				'm',
			),
		);
		const istiod = kubectlJson(cluster, ['-n', 'istio-system', 'get', 'deployment', 'istiod']);
		const env = Object.fromEntries(istiod.spec.template.spec.containers[0].env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));
		assert.equal(env.CLUSTER_ID, cluster);
		assert.equal(istiod.metadata.labels['install.operator.istio.io/owning-resource'], 'eastwest-control-plane');
	}
	assert.match(r.stdout, /east \(context east\): succeeded, gateway /);
	assert.match(r.stdout, /west \(context west\): succeeded, gateway /);
});

test('check is green and istiod sees its peer synced; verify passes its control-plane and discovery layers', async () => {
	const check = await eastwest(['check', ...plan, '--phase', 'post-install', '--timeout', '2m']);
	assert.equal(check.code, 0, check.stdout + check.stderr);
	assert.match(check.stdout, /✔ all checks passed/);
	const verify = await eastwest(['verify', ...plan, '-o', 'json']);
	// Exit 3: the lab's pods run no containers, so the data plane cannot be verified (and never claims to be).
	assert.equal(verify.code, 3, verify.stdout + verify.stderr);
	const report = JSON.parse(verify.stdout);
	const layers = Object.fromEntries(report.layers.map((l: any) => [l.id, l.status]));
	assert.deepEqual(layers, {'control-plane': 'pass', discovery: 'pass', 'data-plane': 'unverified'});
	assert.equal(report.status, 'unverified');
	assert.deepEqual(report.left, []);
	for (const context of ['east', 'west']) {
		const namespaces = kubectlJson(context, ['get', 'namespaces']).items.map((n: any) => n.metadata.name);
		assert.ok(!namespaces.includes('eastwest-verify'), `${context}: verify left its namespace behind`);
	}
});

test('a second apply changes nothing', async () => {
	const r = await eastwest(['apply', ...plan, '--control-plane', 'default', '--ca', caDir, '--yes', '-o', 'json']);
	assert.equal(r.code, 0, r.stderr);
	const out = JSON.parse(r.stdout);
	assert.equal(out.ok, true);
	const steps = out.clusters.flatMap((c: any) => c.steps.map((s: any) => `${s.id} ${s.status}`));
	assert.ok(steps.length >= 16, steps.join('\n'));
	assert.deepEqual(
		steps.filter((s: string) => !s.endsWith(' unchanged')),
		[],
	);
});
