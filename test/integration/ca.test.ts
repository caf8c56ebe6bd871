/**
 * `apply --ca DIR` end to end: the bundled CLI, the real CA, kube and engine code, loopback fake API servers and
 * the fake istioctl. Each cluster gets its own intermediate of the one root; a re-run is unchanged; a cluster
 * holding another root is refused and untouched; -v, -o json, profiles and manifests never show a key.
 */
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {X509Certificate} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type FakeApiServer, writeKubeconfig, type LoggedRequest, startReadyPrimary} from '../support/fake-apiserver.js';
import {fakeIstioctlEnv} from '../support/fake-istioctl.js';
import {runCli} from '../helpers/cli.js';
import {FIXTURE_ROOT_CERT, FIXTURE_ROOT_KEY, otherCacertsData} from '../support/ca-fixtures.js';

const servers: FakeApiServer[] = [];
after(async () => {
	await Promise.all(servers.map(s => s.close()));
});

const primary = (name: string, network: string) => startReadyPrimary(name, network, servers);

function rootDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-root-'));
	fs.writeFileSync(path.join(dir, 'root-cert.pem'), FIXTURE_ROOT_CERT);
	fs.writeFileSync(path.join(dir, 'root-key.pem'), FIXTURE_ROOT_KEY, {mode: 0o600});
	return dir;
}

async function setup() {
	const east = await primary('east', 'net-east');
	const west = await primary('west', 'net-west');
	const kubeconfig = writeKubeconfig([
		{name: 'east-ctx', server: east},
		{name: 'west-ctx', server: west},
	]);
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-ca-home-'));
	const {env} = fakeIstioctlEnv({XDG_CONFIG_HOME: path.join(home, 'config'), HOME: home});
	return {east, west, kubeconfig, env, dir: rootDir()};
}

const multi = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'east-ctx=east:net-east', '--cluster', 'west-ctx=west:net-west'];
const cacerts = (s: FakeApiServer) => s.get('v1', 'Secret', 'istio-system', 'cacerts');
const file = (secret: any, name: string) => Buffer.from(secret?.data?.[name] ?? '', 'base64').toString('utf8');
const isWrite = (r: LoggedRequest) => ['PATCH', 'POST', 'PUT', 'DELETE'].includes(r.method) && !r.path.endsWith('/selfsubjectaccessreviews');

/** Every base64 line of every key (the root's and each cluster's): none may appear in `text`. */
function assertNoKeys(text: string, keys: string[]) {
	assert.doesNotMatch(text, /PRIVATE KEY/);
	for (const key of keys) {
		const lines = key.split('\n').filter(l => l.length > 20 && !l.startsWith('-----'));
		assert.ok(lines.length > 0);
		for (const line of lines) assert.ok(!text.includes(line), 'a key line was printed');
	}
	for (const key of keys) assert.ok(!text.includes(Buffer.from(key).toString('base64').slice(0, 40)), 'a base64 key was printed');
}

test('apply --ca -v -o json --restart-istiod: every cluster gets an intermediate of the one root, istiod restarts; no key in any output', async () => {
	const {east, west, kubeconfig, env, dir} = await setup();
	const r = await runCli(['apply', ...multi, '--ca', dir, '--restart-istiod', '--kubeconfig', kubeconfig, '--yes', '-o', 'json', '-v', '--timeout', '20s'], {
		env,
		timeoutMs: 120_000,
	});
	assert.equal(r.code, 0, r.stdout.slice(0, 3000) + r.stderr.slice(-1500));
	const doc = JSON.parse(r.stdout);
	assert.equal(doc.plan.caDir, dir);
	const root = new X509Certificate(FIXTURE_ROOT_CERT);
	const keys = [FIXTURE_ROOT_KEY];
	for (const [s, name] of [
		[east, 'east'],
		[west, 'west'],
	] as const) {
		const secret = cacerts(s);
		assert.ok(secret, `cacerts on ${name}`);
		const ca = new X509Certificate(file(secret, 'ca-cert.pem'));
		assert.equal(ca.subject, `O=Istio\nCN=Intermediate CA\nL=${name}`);
		assert.ok(ca.verify(root.publicKey));
		assert.equal(secret.metadata.managedFields?.[0]?.manager, 'eastwest');
		keys.push(file(secret, 'ca-key.pem'));
		const step = doc.clusters.find((c: any) => c.cluster === name).steps[0];
		assert.equal(step.kind, 'plug-ca');
		assert.match(
			step.detail,
			/^created cacerts with an intermediate for \w+ from O=Istio, CN=Root CA \(sha256 [0-9A-F:]+…\); restarted istiod; workloads keep their certificates until they restart$/,
		);
		const istiod = s.get('apps/v1', 'Deployment', 'istio-system', 'istiod');
		assert.match(istiod?.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] ?? '', /^\d{4}-\d\d-\d\dT/);
		assert.equal(istiod?.status.observedGeneration, istiod?.metadata.generation, 'the rollout was waited for');
		assert.equal(istiod?.metadata.generation, 2, 'one restart');
		assert.deepEqual(istiod?.spec.template.spec.containers[0].env, [{name: 'CLUSTER_ID', value: name}], 'the rest of the pod template is kept');
	}
	assert.match(r.stderr, /\[kube east-ctx\] PATCH \/api\/v1\/namespaces\/istio-system\/secrets\/cacerts\?.* 20[01] /);
	assertNoKeys(r.stdout + r.stderr, keys);

	// A second run: both cacerts hold the root already: unchanged, no restart.
	const patchesBefore = east.count(x => isWrite(x) && x.path.includes('/deployments/istiod'));
	const again = await runCli(['apply', ...multi, '--ca', dir, '--restart-istiod', '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {
		env,
		timeoutMs: 120_000,
	});
	assert.equal(again.code, 0, again.stderr);
	assert.match(
		again.stdout,
		/^\[east\] ✔ Plug in an intermediate CA for east \(Secret istio-system\/cacerts\) from the shared root: unchanged \(cacerts already holds an intermediate of O=Istio, CN=Root CA/m,
	);
	assert.equal(
		east.count(x => isWrite(x) && x.path.includes('/deployments/istiod')),
		patchesBefore,
		'istiod was not restarted again',
	);
	assertNoKeys(again.stdout + again.stderr, keys);

	// check: both clusters chain to one root.
	const check = await runCli(['check', ...multi, '--phase', 'preflight', '--kubeconfig', kubeconfig, '-o', 'json'], {env, timeoutMs: 120_000});
	const results = JSON.parse(check.stdout).results as Array<{id: string; cluster?: string; status: string; reason?: string}>;
	assert.deepEqual(
		results
			.filter(x => ['shared-root-ca', 'cacerts-chain', 'cacerts-key', 'cacerts-expiry'].includes(x.id))
			.map(x => `${x.id}@${x.cluster ?? 'mesh'} ${x.status}`)
			.sort(),
		[
			'cacerts-chain@east pass',
			'cacerts-chain@west pass',
			'cacerts-expiry@east pass',
			'cacerts-expiry@west pass',
			'cacerts-key@east pass',
			'cacerts-key@west pass',
			'shared-root-ca@mesh pass',
		],
	);
	assertNoKeys(check.stdout + check.stderr, keys);
});

test('a cluster holding another root is refused in one line and untouched; --force replaces it', async () => {
	const {east, west, kubeconfig, env, dir} = await setup();
	west.put(
		{apiVersion: 'v1', kind: 'Secret', metadata: {name: 'cacerts', namespace: 'istio-system'}, type: 'Opaque', data: otherCacertsData()},
		{manager: 'kubectl-create'},
	);
	const before = structuredClone(cacerts(west))!;
	const r = await runCli(['apply', ...multi, '--ca', dir, '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env, timeoutMs: 120_000});
	assert.equal(r.code, 1, r.stdout + r.stderr);
	assert.match(
		r.stdout,
		/^\[west\] ✘ Plug in an intermediate CA for west \(Secret istio-system\/cacerts\) from the shared root: Secret istio-system\/cacerts on west holds root O=Other, CN=Other Root CA \(sha256 [0-9A-F:]+…\), but the plan plugs in root O=Istio, CN=Root CA \(sha256 [0-9A-F:]+…\)$/m,
	);
	assert.deepEqual(cacerts(west)?.data, before.data, 'untouched');
	assert.equal(cacerts(west)?.metadata.resourceVersion, before.metadata.resourceVersion);
	assert.ok(cacerts(east), 'east is independent and got its cacerts');
	assert.match(
		r.stdout,
		/istiod keeps the old CA until restarted \(--restart-istiod, or kubectl rollout restart deployment -n istio-system istiod\); workloads keep their certificates until they restart/,
	);

	const forced = await runCli(['apply', ...multi, '--ca', dir, '--force', '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s'], {env, timeoutMs: 120_000});
	assert.equal(forced.code, 0, forced.stdout + forced.stderr);
	assert.ok(new X509Certificate(file(cacerts(west), 'ca-cert.pem')).verify(new X509Certificate(FIXTURE_ROOT_CERT).publicKey));
});

test('a root whose key others may read is refused before any cluster or istioctl is asked anything (exit 2, one line)', async () => {
	const {east, west, kubeconfig, env, dir} = await setup();
	fs.chmodSync(path.join(dir, 'root-key.pem'), 0o644);
	const r = await runCli(['apply', ...multi, '--ca', dir, '--kubeconfig', kubeconfig, '--yes'], {env, timeoutMs: 120_000});
	assert.equal(r.code, 2);
	assert.equal(
		r.stderr,
		`eastwest: --ca ${dir}: ${path.join(dir, 'root-key.pem')} is readable by others (mode 0644); a root key must be private to its owner; run 'chmod 600 ${path.join(dir, 'root-key.pem')}' and check who could have copied it\n`,
	);
	assert.equal(east.requests.length + west.requests.length, 0);
	const restart = await runCli(['apply', ...multi, '--restart-istiod', '--kubeconfig', kubeconfig, '--yes'], {env, timeoutMs: 120_000});
	assert.equal(restart.code, 2);
	assert.match(restart.stderr, /^eastwest: --restart-istiod restarts istiod after a new CA is plugged in: give --ca DIR too/);
});

test('profiles save --ca stores the directory path only; apply --profile plugs it in; manifests and show print no key', async () => {
	const {east, kubeconfig, env, dir} = await setup();
	const saved = await runCli(['profiles', 'save', 'trust', ...multi, '--ca', dir, '--kubeconfig', kubeconfig], {env, timeoutMs: 120_000});
	assert.equal(saved.code, 0, saved.stderr);
	const stored = fs.readFileSync(path.join(env.XDG_CONFIG_HOME!, 'eastwest-nodejs', 'profiles.json'), 'utf8');
	assert.equal(JSON.parse(stored).profiles.trust.caDir, dir);
	assertNoKeys(stored, [FIXTURE_ROOT_KEY]);
	assert.doesNotMatch(stored, /BEGIN/);
	const show = await runCli(['profiles', 'show', 'trust', '-o', 'json'], {env, timeoutMs: 120_000});
	assert.equal(JSON.parse(show.stdout).caDir, dir);
	const text = await runCli(['profiles', 'show', 'trust'], {env, timeoutMs: 120_000});
	assert.match(text.stdout, new RegExp(`^Root CA: +${dir} `, 'm'));
	const manifests = await runCli(['manifests', '--profile', 'trust'], {env, timeoutMs: 120_000});
	assert.equal(manifests.code, 0, manifests.stderr);
	assert.doesNotMatch(manifests.stdout, /kind: Secret|cacerts|BEGIN/);

	const r = await runCli(['apply', '--profile', 'trust', '--kubeconfig', kubeconfig, '--yes', '--timeout', '20s', '-v'], {env, timeoutMs: 120_000});
	assert.equal(r.code, 0, r.stdout + r.stderr);
	assert.ok(cacerts(east));
	assertNoKeys(r.stdout + r.stderr, [FIXTURE_ROOT_KEY, file(cacerts(east), 'ca-key.pem')]);

	// A bad root directory is refused at save time, and nothing is saved.
	const bad = await runCli(['profiles', 'save', 'bad', ...multi, '--ca', path.join(dir, 'nope'), '--kubeconfig', kubeconfig], {env, timeoutMs: 120_000});
	assert.equal(bad.code, 2);
	assert.match(bad.stderr, /^eastwest: --ca .*nope: .*nope is not a directory holding a root CA; create one with 'eastwest ca create --out /);
	assert.ok(!('bad' in JSON.parse(fs.readFileSync(path.join(env.XDG_CONFIG_HOME!, 'eastwest-nodejs', 'profiles.json'), 'utf8')).profiles));
});
