import {test} from 'node:test';
import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {runCli} from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'eastwest-iop-'));
const file = (name: string, text: string) => {
	const p = path.join(dir, name);
	writeFileSync(p, text);
	return p;
};
const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'ce=east:net-east', '--cluster', 'cw=west:net-west'];

const cases: Array<[string, string, RegExp]> = [
	['configmap.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', /is not an IstioOperator \(kind ConfigMap, apiVersion v1\)$/],
	['canary.yaml', 'apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: {revision: canary}\n', /sets revision canary, the plan says default/],
	['broken.yaml', 'kind: [\n', /is not YAML/],
];
for (const [name, text, expected] of cases) {
	test(`apply --control-plane-iop with ${name} → exit 2, one line, before any cluster is read`, async () => {
		const r = await runCli(['apply', ...plan, '--control-plane-iop', `ce=${file(name, text)}`, '--yes', '--kubeconfig', path.join(dir, 'none')]);
		assert.equal(r.code, 2, r.stderr);
		const lines = r.stderr.trim().split('\n');
		assert.equal(lines.length, 1, r.stderr);
		assert.match(lines[0]!, expected);
		assert.doesNotMatch(r.stderr, /\n\s+at /);
	});
}

test('--control-plane-iop for a context outside the plan, or a missing file, is refused in one line', async () => {
	const other = await runCli(['apply', ...plan, '--control-plane-iop', 'cx=a.yaml', '--yes']);
	assert.equal(other.code, 2);
	assert.match(other.stderr, /context cx is not one of the plan's --cluster contexts/);
	const missing = await runCli(['apply', ...plan, '--control-plane-iop', `ce=${path.join(dir, 'absent.yaml')}`, '--yes']);
	assert.equal(missing.code, 2);
	assert.match(missing.stderr, /cannot be read \(ENOENT\)/);
});
