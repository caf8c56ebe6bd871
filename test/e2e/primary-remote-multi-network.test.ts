/**
 * Primary-remote across networks on the lab's primary-remote topology: east a primary with EXTERNAL_ISTIOD
 * on net-east, west its remote on net-west with an east-west gateway of its own. West's gateway pods are
 * injected by east's real istiod, called by west's API server through east's gateway address (the lab's
 * passthrough, lab/gateway-passthrough.mjs): the path istio/istio#58445 breaks on real clusters.
 */
import {before, test} from 'node:test';
import assert from 'node:assert/strict';
import {runCli} from '../helpers/cli.js';
import {kubeconfig, kubectlJson, requireLab} from './lab.js';

before(() => requireLab('primary-remote'));

const plan = [
	'--topology',
	'primary-remote-multi-network',
	'--mesh',
	'mesh1',
	'--cluster',
	'east=east:net-east:primary',
	'--cluster',
	'west=west:net-west:remote',
];
const eastwest = (args: string[]) => runCli([...args, '--kubeconfig', kubeconfig()], {timeoutMs: 420_000});

test("apply sets up the remote's own gateway: its pods are injected by east's istiod through east's gateway", async () => {
	const r = await eastwest(['apply', ...plan, '--yes', '--timeout', '3m']);
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /^\[west\] ✔ Install the east-west gateway for network net-west/m);
	assert.match(r.stdout, /^\[west\] ✔ Wait for the gateway Deployment to roll out/m);

	const lb = kubectlJson('east', ['-n', 'istio-system', 'get', 'service', 'istio-eastwestgateway']).status.loadBalancer.ingress[0].ip;
	assert.match(lb, /^192\.0\.2\.\d+$/);
	const slices = kubectlJson('west', ['-n', 'istio-system', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=istiod']).items;
	assert.deepEqual([...new Set(slices.flatMap((s: any) => s.endpoints.flatMap((e: any) => e.addresses)))], [lb]);
	// The injector webhook trusts east's root (patched as east's istiod patches its remotes' webhooks).
	const hook = kubectlJson('west', ['get', 'mutatingwebhookconfiguration', 'istio-sidecar-injector']);
	const root = kubectlJson('east', ['-n', 'istio-system', 'get', 'configmap', 'istio-ca-root-cert']).data['root-cert.pem'];
	assert.ok(hook.webhooks.every((w: any) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString() === root));
	// Injected for real: the gateway's proxy container no longer carries the template's image "auto".
	const pods = kubectlJson('west', ['-n', 'istio-system', 'get', 'pods', '-l', 'app=istio-eastwestgateway']).items;
	assert.ok(pods.length > 0, 'west has gateway pods');
	for (const pod of pods) {
		const proxy = pod.spec.containers.find((c: any) => c.name === 'istio-proxy');
		assert.ok(proxy, `pod ${pod.metadata.name} has istio-proxy`);
		assert.notEqual(proxy.image, 'auto', `pod ${pod.metadata.name} was injected`);
		assert.match(pod.metadata.annotations?.['sidecar.istio.io/status'] ?? '', /istio-proxy/, 'the injector marked the pod');
	}
	assert.equal(kubectlJson('west', ['get', 'namespace', 'istio-system']).metadata.labels['topology.istio.io/network'], 'net-west');
});

test('post-install checks pass on both clusters', async () => {
	const check = await eastwest(['check', ...plan, '--phase', 'post-install', '--timeout', '2m', '-o', 'json']);
	const doc = JSON.parse(check.stdout);
	const failed = doc.results.filter((x: any) => x.status === 'fail').map((x: any) => `${x.cluster} ${x.id}: ${x.reason ?? ''}`);
	assert.deepEqual(failed, []);
	assert.equal(check.code, 0, check.stdout);
	for (const cluster of ['east', 'west']) {
		assert.equal(doc.results.find((x: any) => x.id === 'gateway-rolled-out' && x.cluster === cluster)?.status, 'pass', `${cluster} gateway rolled out`);
	}
});
