/**
 * A mesh set up by hand, as the Istio docs do it, before eastwest ever ran: on each cluster the east-west
 * gateway IstioOperator (named `eastwest`, as samples/multicluster/gen-eastwest-gateway.sh names it) piped
 * to the real istioctl install, and the expose resources applied with kubectl. Then eastwest apply of the
 * same plan uses both gateways as found, and eastwest remove leaves them serving: Deployment and Service
 * the same objects (uid), unchanged (resourceVersion). Runs on its own fresh multi-primary lab.
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {runCli} from '../helpers/cli.js';
import {kubeconfig, kubectlJson, requireLab, waitFor} from './lab.js';

before(() => requireLab('multi-primary'));

const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east=east:net-east', '--cluster', 'west=west:net-west'];
const clusters = [
	['east', 'net-east'],
	['west', 'net-west'],
] as const;
const eastwest = (args: string[]) => runCli([...args, '--kubeconfig', kubeconfig()], {timeoutMs: 300_000});

function gateway(context: string): {deployment: string; service: string} {
	const d = kubectlJson(context, ['-n', 'istio-system', 'get', 'deployment', 'istio-eastwestgateway']);
	const s = kubectlJson(context, ['-n', 'istio-system', 'get', 'service', 'istio-eastwestgateway']);
	return {deployment: `${d.metadata.uid}@${d.metadata.resourceVersion}`, service: `${s.metadata.uid}@${s.metadata.resourceVersion}`};
}

const found: Record<string, {deployment: string; service: string}> = {};

test('the docs procedure installs both gateways with the real istioctl and kubectl', async () => {
	for (const [context, network] of clusters) {
		const printed = await runCli(['manifests', '--network', network, '--expose', 'services']);
		assert.equal(printed.code, 0, printed.stderr);
		const [iop, expose] = [printed.stdout.split(/^---$/m)[0]!, printed.stdout.split(/^---$/m).slice(1).join('---\n')];
		assert.match(iop, /^ {2}name: eastwest$/m);
		execFileSync('istioctl', ['install', '-y', '-f', '-', '--context', context], {input: iop, stdio: ['pipe', 'ignore', 'pipe']});
		execFileSync('kubectl', ['--context', context, 'apply', '-f', '-'], {input: expose, stdio: ['pipe', 'ignore', 'pipe']});
		await waitFor(`${context}'s gateway Service to get an address`, 60_000, () =>
			kubectlJson(context, ['-n', 'istio-system', 'get', 'service', 'istio-eastwestgateway']).status?.loadBalancer?.ingress?.length ? true : undefined,
		);
	}
	for (const [context] of clusters) found[context] = gateway(context);
});

test('eastwest apply uses the gateways found in place and says so', async () => {
	const r = await eastwest(['apply', ...plan, '--yes', '--timeout', '4m']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	for (const [context, network] of clusters) {
		assert.match(
			r.stdout,
			new RegExp(
				`^\\[${context}\\] ✔ Install the east-west gateway for network ${network} \\(istioctl install\\): unchanged \\(found in place \\(installed before eastwest, by IstioOperator eastwest\\)`,
				'm',
			),
		);
		assert.deepEqual(gateway(context), found[context], `${context}: apply did not touch the gateway`);
	}
});

test('eastwest remove leaves both gateways serving: same objects, unchanged; it says why', async () => {
	const r = await eastwest(['remove', ...plan, '--yes', '-o', 'json', '--timeout', '2m']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	const doc = JSON.parse(r.stdout);
	for (const [context] of clusters) {
		assert.deepEqual(gateway(context), found[context], `${context}: the gateway is still there, unchanged`);
		const left = doc.clusters
			.find((c: any) => c.context === context)
			.left.map((l: any) => l.reason)
			.join('\n');
		assert.match(
			left,
			/Deployment istio-system\/istio-eastwestgateway and the rest of its install were found in place \(installed before eastwest, by IstioOperator eastwest\)/,
		);
		assert.match(left, /Gateway istio-system\/cross-network-gateway .*(not created by eastwest|also managed by)/);
		const hpa = kubectlJson(context, [
			'-n',
			'istio-system',
			'get',
			'hpa,role,rolebinding,serviceaccount',
			'-l',
			'install.operator.istio.io/owning-resource=eastwest',
		]).items;
		assert.ok(hpa.length > 0, `${context}: the rest of the install (HPA, Role, RoleBinding, ServiceAccount) stays`);
	}
});
