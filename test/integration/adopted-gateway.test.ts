/**
 * A mesh set up by the docs procedure before eastwest ran: each gateway from an IstioOperator named
 * `eastwest` piped to istioctl install, the expose resources applied by kubectl. The bundled CLI with the
 * real kube/istioctl/engine code, loopback fake API servers and the fake istioctl: apply uses what it
 * finds, remove leaves it (same uid), and an install eastwest makes itself is still removed.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {type FakeApiServer, writeKubeconfig, startReadyPrimary} from '../support/fake-apiserver.js';
import {fakeBin, fakeIstioctlEnv, readFakeIstioctlLog} from '../support/fake-istioctl.js';
import {runCli} from '../helpers/cli.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

const primary = (name: string, network: string) => startReadyPrimary(name, network, servers);

const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east-ctx=east:net-east', '--cluster', 'west-ctx=west:net-west'];
const GW = ['istio-system', 'istio-eastwestgateway'] as const;

/** The docs procedure on one cluster: the gateway IstioOperator to istioctl install, expose-services by kubectl (client-side apply). */
async function docsProcedure(server: FakeApiServer, context: string, network: string, kubeconfig: string, env: NodeJS.ProcessEnv): Promise<void> {
	const printed = await runCli(['manifests', '--network', network, '--expose', 'services']);
	assert.equal(printed.code, 0, printed.stderr);
	const [iop, ...expose] = parseAllDocuments(printed.stdout).map(d => d.toJSON());
	assert.equal(iop.kind, 'IstioOperator');
	assert.equal(iop.metadata.name, 'eastwest', "the docs' IstioOperator name");
	// Asynchronously: the fake API servers answer from this process.
	const child = spawn(path.join(fakeBin, 'istioctl'), ['install', '-y', '-f', '-', '--context', context, '--kubeconfig', kubeconfig], {
		env,
		stdio: ['pipe', 'ignore', 'pipe'],
	});
	let stderr = '';
	child.stderr.on('data', d => (stderr += String(d)));
	child.stdin.end(printed.stdout.split(/^---$/m)[0]);
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	assert.equal(code, 0, stderr);
	for (const doc of expose) server.put(doc, {manager: 'kubectl-client-side-apply', operation: 'Update'});
}

test('apply uses gateways installed by the docs procedure, remove leaves them whole; an install eastwest made is still removed', async () => {
	const east = await primary('east', 'net-east');
	const west = await primary('west', 'net-west');
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'west-ctx', server: west},
	]);
	const {env} = fakeIstioctlEnv();
	await docsProcedure(east, 'east-ctx', 'net-east', kubeconfig, env);
	await docsProcedure(west, 'west-ctx', 'net-west', kubeconfig, env);
	const uids = () => [east, west].map(s => [s.get('apps/v1', 'Deployment', ...GW)?.metadata.uid, s.get('v1', 'Service', ...GW)?.metadata.uid]);
	const before = uids();
	assert.ok(before.flat().every(Boolean));

	const applied = await runCli(['apply', ...plan, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env});
	assert.equal(applied.code, 0, applied.stdout + applied.stderr);
	assert.match(
		applied.stdout,
		/^\[east\] ✔ Install the east-west gateway for network net-east \(istioctl install\): unchanged \(found in place \(installed before eastwest, by IstioOperator eastwest\)/m,
	);
	assert.equal(readFakeIstioctlLog(env).filter(x => x.argv[0] === 'install').length, 2, 'only the docs procedure ran istioctl install');

	const removed = await runCli(['remove', ...plan, '--kubeconfig', kubeconfig, '--yes', '-o', 'json'], {env});
	assert.equal(removed.code, 0, removed.stdout + removed.stderr);
	assert.deepEqual(uids(), before, 'both gateways are still there: the same Deployment and Service');
	for (const s of [east, west]) {
		assert.ok(s.get('networking.istio.io/v1', 'Gateway', 'istio-system', 'cross-network-gateway'), "the user's expose Gateway stays");
	}
	const left = JSON.parse(removed.stdout)
		.clusters.flatMap((c: {left: Array<{reason: string}>}) => c.left.map(l => l.reason))
		.join('\n');
	assert.match(
		left,
		/Deployment istio-system\/istio-eastwestgateway and the rest of its install were found in place \(installed before eastwest, by IstioOperator eastwest\)/,
	);

	// Without the user's gateway on west, eastwest installs its own there: that one remove takes.
	west.remove('apps/v1', 'Deployment', ...GW);
	west.remove('v1', 'Service', ...GW);
	const again = await runCli(['apply', ...plan, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env});
	assert.equal(again.code, 0, again.stdout + again.stderr);
	assert.match(again.stdout, /^\[west\] ✔ Install the east-west gateway for network net-west \(istioctl install\): changed \(installed with istioctl;/m);
	assert.equal(west.get('apps/v1', 'Deployment', ...GW)?.metadata.annotations?.['eastwest/installed-by'], 'eastwest');
	const second = await runCli(['apply', ...plan, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env});
	assert.match(
		second.stdout,
		/^\[west\] ✔ Install the east-west gateway for network net-west \(istioctl install\): unchanged \(already installed by eastwest/m,
		'the record survives a re-run that finds it unchanged',
	);
	const last = await runCli(['remove', ...plan, '--kubeconfig', kubeconfig, '--yes'], {env});
	assert.equal(last.code, 0, last.stdout + last.stderr);
	assert.equal(west.get('apps/v1', 'Deployment', ...GW), undefined, "eastwest's own gateway is removed");
	assert.equal(east.get('apps/v1', 'Deployment', ...GW)?.metadata.uid, before[0]![0], "the user's stays");
});
