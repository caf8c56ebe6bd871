import {test} from 'node:test';
import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {checkCommand, type CheckDeps} from '../../source/commands/check.js';
import {UsageError} from '../../source/core/exit-codes.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {ClusterClient, ClusterClientFactory, KubeconfigInfo} from '../../source/core/ports.js';
import {runCli} from '../helpers/cli.js';
import {FakeCluster, clusterObjects, wireMesh, type Obj} from '../support/fake-cluster.js';
import {meshPlan, numberedNetworks} from '../support/plans.js';
import {healthyIstiodAnswer} from '../support/healthy-facts.js';

const PLAN: MeshPlanInput = {
	topology: 'primary-remote-multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'ctx-east', name: 'east', network: 'network1', role: 'primary'},
		{context: 'ctx-west', name: 'west', network: 'network2', role: 'remote'},
	],
};
const PLAN_FLAGS = [
	'--topology',
	'primary-remote-multi-network',
	'--mesh',
	'mesh1',
	'--cluster',
	'ctx-east=east:network1:primary',
	'--cluster',
	'ctx-west=west:network2:remote',
];

function kubeconfig(servers: Record<string, string> = {}): KubeconfigInfo {
	return {
		files: ['/tmp/kubeconfig-for-test'],
		contexts: ['ctx-east', 'ctx-west'].map(name => ({name, cluster: name, user: 'admin', server: servers[name] ?? `https://${name}.example.internal:6443`})),
		warnings: [],
	};
}

function setup(
	options: {east?: Obj[]; west?: Obj[]; westReachable?: boolean; westHangs?: boolean; servers?: Record<string, string>; profile?: MeshPlanInput} = {},
) {
	const clients: Record<string, FakeCluster> = {
		'ctx-east': new FakeCluster('ctx-east', options.east ?? clusterObjects('east', 'network1', true)),
		'ctx-west': new FakeCluster('ctx-west', options.west ?? clusterObjects('west', 'network2', false), {reachable: options.westReachable ?? true}),
	};
	wireMesh(
		PLAN,
		{east: clients['ctx-east']!, west: clients['ctx-west']!},
		{east: kubeconfig(options.servers).contexts[0]!.server!, west: kubeconfig(options.servers).contexts[1]!.server!},
	);
	// A west whose every read stays unanswered (a black-holed API server) until it is cancelled.
	const hang = (): Promise<never> => new Promise(() => {});
	// east's istiod answers as in a wired mesh: it reads west and knows both networks' gateways.
	const plan = options.profile ?? meshPlan({topology: 'primary-remote-multi-network', network: numberedNetworks});
	const eastClient = clients['ctx-east']!;
	eastClient.readIstiodDebug = async () => healthyIstiodAnswer(plan, plan.clusters[0]!);
	const client = (context: string): ClusterClient =>
		options.westHangs && context === 'ctx-west'
			? {...clients[context]!.client(), probe: hang, getObject: hang, listObjects: hang, getDeployment: hang, getService: hang, listPods: hang}
			: context === 'ctx-east'
				? eastClient
				: clients[context]!;
	const factory: ClusterClientFactory = {kubeconfig: kubeconfig(options.servers), client};
	const deps: CheckDeps = {
		createFactory: () => factory,
		loadProfile: async name => {
			if (name === 'prod' && options.profile) return options.profile;
			throw new UsageError(`no profile named "${name}"`);
		},
	};
	const stdout = new PassThrough();
	const stderr = new PassThrough();
	let out = '';
	stdout.on('data', d => (out += d));
	const ctx = {stdout, stderr, env: {}, signal: new AbortController().signal};
	return {
		tokens: Object.values(clients).map(c => c.readerToken),
		run: async (args: string[]) => ({code: await checkCommand(args, ctx, deps), stdout: () => out}),
	};
}

test('a healthy mesh: every claim ✔ grouped by cluster, summary line, exit 0', async () => {
	const r = await setup().run(PLAN_FLAGS);
	const out = r.stdout();
	assert.equal(r.code, 0, out);
	assert.match(out, /^east \(context ctx-east\)\n-+\n✔ context ctx-east is reachable/);
	assert.match(out, /\nwest \(context ctx-west\)\n-+\n/);
	assert.match(out, /\nacross the mesh\n-+\n/);
	assert.doesNotMatch(out, /[‼✘–] /);
	assert.match(out, /\n✔ all checks passed: \d+ passed, 0 warnings, 0 failed, 0 skipped\n$/);
});

test('seeded faults: wrong network label and loopback API server → ✘/‼ with indented reason, hint and doc; exit 1', async () => {
	const west = clusterObjects('west', 'network2', false);
	west[0]!.metadata.labels['topology.istio.io/network'] = 'network7';
	const r = await setup({west, servers: {'ctx-west': 'https://127.0.0.1:6443'}}).run([...PLAN_FLAGS, '--phase', 'preflight']);
	const out = r.stdout();
	assert.equal(r.code, 1, out);
	assert.match(
		out,
		/✘ istio-system carries no topology.istio.io\/network label, or network2\n {4}istio-system is labeled topology.istio.io\/network=network7, the plan says network2\n {4}hint: .*--force.*\n {4}see: https:\/\/istio.io\/latest\/docs\/setup\/install\/multicluster\/primary-remote_multi-network\//,
	);
	assert.match(
		out,
		/‼ the API server address written into remote secrets is one other clusters can use\n {4}the kubeconfig's server is 127.0.0.1, a loopback address no other cluster can use\n {4}hint: .*pass --api-server ctx-west=https:\/\/HOST:PORT/,
	);
	assert.match(out, /✘ checks failed: \d+ passed, 1 warning, 1 failed, 0 skipped/);
});

test('an unreachable cluster fails its reachability claim and skips the rest, saying why', async () => {
	const r = await setup({westReachable: false}).run(PLAN_FLAGS);
	const out = r.stdout();
	assert.equal(r.code, 1);
	assert.match(out, /✘ context ctx-west is reachable.*\n {4}cannot reach the API server of ctx-west \(check the network\)/);
	assert.match(out, /\n– \d+ more checks skipped: the cluster is unreachable\n/);
	assert.doesNotMatch(out, /istio-system carries network label network2/, 'blocked checks are counted, not listed');
	assert.match(out, /east \(context ctx-east\)\n-+\n(✔ .*\n)+/, 'the reachable cluster is listed in full');
	// east's secret for west cannot be verified from here: a warning, not a failure.
	assert.match(
		out,
		/‼ each remote secret's identity may list and watch .* on west\n {4}cannot reach https:\/\/ctx-west\.example\.internal:6443 .*: this machine cannot tell, istiod inside the cluster may still reach it\n/,
	);
});

test('-o json: results, summary and read errors; post-install phase only', async () => {
	const east = clusterObjects('east', 'network1', true).filter(o => o.metadata.name !== 'cross-network-gateway');
	const r = await setup({east}).run([...PLAN_FLAGS, '-o', 'json', '--phase', 'post-install']);
	assert.equal(r.code, 1);
	const doc = JSON.parse(r.stdout());
	assert.equal(doc.phase, 'post-install');
	assert.equal(doc.summary.fail, 1);
	const failed = doc.results.filter((x: any) => x.status === 'fail');
	assert.deepEqual(
		failed.map((x: any) => `${x.id}@${x.cluster}`),
		['services-exposed@east'],
	);
	assert.ok(!doc.results.some((x: any) => x.id === 'permissions'), 'preflight-only checks are not run');
	assert.deepEqual(doc.readErrors, {east: [], west: []});
});

test('-o json of every phase carries no token of the remote secrets', async () => {
	const s = setup();
	const r = await s.run([...PLAN_FLAGS, '-o', 'json', '--phase', 'all']);
	const out = r.stdout();
	assert.equal(r.code, 0, out);
	const doc = JSON.parse(out);
	assert.equal(doc.results.find((x: any) => x.id === 'remote-secret-credentials').status, 'pass');
	assert.ok(s.tokens.length > 0);
	for (const token of s.tokens) assert.ok(!out.includes(token), 'no token in the output');
	assert.doesNotMatch(out, /token-ctx-/);
});

test('--profile checks the saved plan; both --profile and plan flags is a usage error', async () => {
	const profile = meshPlan({topology: 'primary-remote-multi-network', network: numberedNetworks});
	assert.equal((await setup({profile}).run(['--profile', 'prod'])).code, 0);
	await assert.rejects(setup({profile}).run(['--profile', 'prod', ...PLAN_FLAGS]), /either --profile or the plan flags/);
	await assert.rejects(setup().run(['--profile', 'nope']), /no profile named "nope"/);
	await assert.rejects(
		setup().run([...PLAN_FLAGS.slice(0, 6), '--cluster', 'ctx-north=north:network2:remote']),
		/context "ctx-north" \(--cluster ctx-north=north:network2:remote\) not found in kubeconfig \/tmp\/kubeconfig-for-test/,
	);
});

for (const [args, pattern] of [
	[['check'], /name what to check: --profile NAME/],
	[['check', ...PLAN_FLAGS, '--phase', 'later'], /--phase "later" is not one of preflight, post-install, all/],
	[['check', '--topology', 'multi-network', '--mesh', 'm', '--cluster', 'a=A:n1', '--cluster', 'b=b:n2'], /cluster name "A" is not a DNS-1123 label/],
] as const) {
	test(`eastwest ${args.join(' ')} → exit 2, one line`, async () => {
		const r = await runCli([...args], {env: {KUBECONFIG: '/nonexistent/kubeconfig'}});
		assert.equal(r.code, 2, r.stderr);
		assert.match(r.stderr, pattern);
		assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
	});
}

test("--timeout bounds each cluster's reads: a cluster that never answers is reported unreachable and the command ends (exit 1)", async () => {
	const r = await setup({westHangs: true}).run([...PLAN_FLAGS, '--phase', 'preflight', '--timeout', '50ms']);
	const out = r.stdout();
	assert.equal(r.code, 1, out);
	assert.match(out, /✘ context ctx-west is reachable[^\n]*\n {4}no answer from the API server of ctx-west within 0\.1s while reading the cluster's facts/);
	assert.match(out, /^east \(context ctx-east\)\n-+\n✔ context ctx-east is reachable/);
});

test('--timeout that is not a duration: one line naming the flag and the form, exit 2, nothing read', async () => {
	await assert.rejects(
		setup().run([...PLAN_FLAGS, '--timeout', 'soon']),
		(e: Error) => e instanceof UsageError && /^--timeout "soon" is not a duration; use e\.g\. 30s/.test(e.message) && !e.message.includes('\n'),
	);
	const r = await runCli(['check', ...PLAN_FLAGS, '--timeout', '0s']);
	assert.equal(r.code, 2);
	assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
	assert.match(r.stderr, /--timeout "0s" is not a duration/);
});
