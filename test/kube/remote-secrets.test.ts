import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {chmodSync, existsSync, mkdtempSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {stringify as stringifyYaml} from 'yaml';
import {createClusterClientFactory} from '../../source/kube/index.js';
import {describeRemoteSecret, secretFromIstioctlOutput, type SecretLike} from '../../source/kube/remote-secrets.js';
import {ISTIOD_PEER_READS} from '../../source/core/ports.js';
import type {FakeApiServer} from '../support/fake-apiserver.js';
import {startPrimary, writeKubeconfig} from '../support/fake-apiserver.js';

const TOKEN = 'reader-token-7Qx9s3cr3t';
const ADMIN = 'admin-token-east';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
	const server = http.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise<void>(resolve => server.close(() => resolve()));
	return port;
}

/** The kubeconfig istioctl create-remote-secret writes, with `user` as its user entry. */
function kubeconfigFor(cluster: string, server: string, user: Record<string, unknown>, clusterExtra: Record<string, unknown> = {}): string {
	return stringifyYaml({
		apiVersion: 'v1',
		kind: 'Config',
		clusters: [{name: cluster, cluster: {server, 'insecure-skip-tls-verify': true, ...clusterExtra}}],
		users: [{name: cluster, user}],
		contexts: [{name: cluster, context: {cluster, user: cluster}}],
		'current-context': cluster,
	});
}

function secret(name: string, data: Record<string, string>, labelled = true): SecretLike & {apiVersion: string; kind: string} {
	return {
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {
			name,
			namespace: 'istio-system',
			...(labelled ? {labels: {'istio/multiCluster': 'true'}, annotations: {'networking.istio.io/cluster': 'west'}} : {}),
		},
		data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
	};
}

/** A script that leaves a marker file when run: proof that nothing ran it. */
function markerScript(): {command: string; marker: string} {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eastwest-exec-'));
	const marker = path.join(dir, 'ran');
	const command = path.join(dir, 'plugin.sh');
	writeFileSync(
		command,
		`#!/bin/sh\ntouch ${marker}\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${TOKEN}"}}'\n`,
	);
	chmodSync(command, 0o755);
	return {command, marker};
}

describe('remote secrets against fake API servers', () => {
	let east: FakeApiServer;
	let west: FakeApiServer;
	/** A peer only the tests that must not dial it point at (the others' requests may still be in flight to west). */
	let quiet: FakeApiServer;
	let client: ReturnType<ReturnType<typeof createClusterClientFactory>['client']>;

	before(async () => {
		east = await startPrimary('east', {token: ADMIN});
		west = await startPrimary('west', {token: TOKEN, user: 'system:serviceaccount:istio-system:istio-reader-service-account'});
		quiet = await startPrimary('quiet', {token: TOKEN});
		const file = writeKubeconfig([{name: 'east', server: east}]);
		client = createClusterClientFactory({kubeconfig: file, env: {}}).client('east');
	});
	after(async () => {
		await east.close();
		await west.close();
		await quiet.close();
	});

	const reviewsAt = (s: FakeApiServer) => s.requests.filter(r => r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews').length;

	test("a working secret: every read istiod needs is allowed, asked of the peer as the secret's identity", async () => {
		east.put(secret('istio-remote-secret-west', {west: kubeconfigFor('west', west.url, {token: TOKEN})}));
		const before = reviewsAt(west);
		const verdict = await client.verifyRemoteSecret('istio-remote-secret-west', 'west', {timeoutMs: 10_000});
		assert.equal(verdict.kind, 'ok', verdict.message);
		assert.match(verdict.message, new RegExp(`may list and watch services, endpointslices, pods, nodes, namespaces on ${west.url.replace(/[.]/g, '\\.')}`));
		// west accepts only TOKEN: every review reached it authenticated as the secret's identity.
		assert.equal(reviewsAt(west) - before, ISTIOD_PEER_READS.length * 2);
		assert.equal(reviewsAt(east), 0, "the reader cluster is not asked on the peer's behalf");
	});

	test('a denied read: forbidden, naming what istiod may not do', async () => {
		west.forbid({verb: 'watch', resource: 'nodes'});
		try {
			const verdict = await client.verifyRemoteSecret('istio-remote-secret-west', 'west', {timeoutMs: 10_000});
			assert.equal(verdict.kind, 'forbidden');
			assert.deepEqual(verdict.denied, ['watch nodes']);
			assert.match(verdict.message, /may not watch nodes on http:\/\/127\.0\.0\.1:\d+/);
			assert.match(verdict.hint!, /istio-reader/);
		} finally {
			// Only this rule existed; a fresh server would be needed to lift it otherwise.
			(west as unknown as {forbidden: unknown[]}).forbidden.length = 0;
		}
	});

	test('a bad token: unauthorized, and neither token appears in the verdict', async () => {
		const wrong = 'revoked-token-Zk8pWq';
		east.put(secret('istio-remote-secret-west', {west: kubeconfigFor('west', west.url, {token: wrong})}));
		const verdict = await client.verifyRemoteSecret('istio-remote-secret-west', 'west', {timeoutMs: 10_000});
		assert.equal(verdict.kind, 'unauthorized');
		assert.match(verdict.message, /does not accept the token in istio-system\/istio-remote-secret-west on east/);
		assert.ok(!JSON.stringify(verdict).includes(wrong) && !JSON.stringify(verdict).includes(TOKEN));
	});

	test('an unreachable server (a closed loopback port): unreachable, no token in the message', async () => {
		const server = `http://127.0.0.1:${await closedPort()}`;
		east.put(secret('istio-remote-secret-west', {west: kubeconfigFor('west', server, {token: TOKEN})}));
		const verdict = await client.verifyRemoteSecret('istio-remote-secret-west', 'west', {timeoutMs: 10_000});
		assert.equal(verdict.kind, 'unreachable');
		assert.match(verdict.message, new RegExp(`cannot reach ${server.replace(/[.]/g, '\\.')} \\(from istio-system/istio-remote-secret-west on east\\)`));
		assert.match(verdict.hint!, /--api-server CONTEXT=URL/);
		assert.ok(!JSON.stringify(verdict).includes(TOKEN));
	});

	test("a key that is not the peer's cluster name, a missing secret: invalid without dialling anything", async () => {
		east.put(secret('istio-remote-secret-west', {cluster2: kubeconfigFor('cluster2', quiet.url, {token: TOKEN})}));
		const before = quiet.requests.length;
		const misnamed = await client.verifyRemoteSecret('istio-remote-secret-west', 'west', {timeoutMs: 10_000});
		assert.equal(misnamed.kind, 'invalid');
		assert.match(misnamed.message, /has no kubeconfig under key west/);
		assert.match(misnamed.hint!, /--name west/);
		const absent = await client.verifyRemoteSecret('istio-remote-secret-north', 'north', {timeoutMs: 10_000});
		assert.deepEqual(absent, {kind: 'invalid', message: 'istio-system/istio-remote-secret-north on east does not exist'});
		assert.equal(quiet.requests.length, before);
	});

	test('exec, auth-provider and file-based kubeconfigs in a secret are refused: never run, never read, nothing dialled', async () => {
		const {command, marker} = markerScript();
		const cases: Array<[string, Record<string, unknown>, Record<string, unknown>?]> = [
			['exec', {exec: {apiVersion: 'client.authentication.k8s.io/v1', command, args: [], interactiveMode: 'Never'}}],
			['auth-provider', {'auth-provider': {name: 'oidc', config: {'id-token': TOKEN}}}],
			['file', {'token-file': path.join(os.tmpdir(), 'eastwest-no-such-token')}],
			['file', {'client-certificate': '/nonexistent/cert.pem', 'client-key': '/nonexistent/key.pem'}],
		];
		const before = quiet.requests.length;
		for (const [auth, user] of cases) {
			east.put(secret('istio-remote-secret-west', {west: kubeconfigFor('west', quiet.url, user)}));
			const info = await client.getRemoteSecret('istio-remote-secret-west');
			assert.equal(info!.entries[0]!.auth, auth);
			const verdict = await client.verifyRemoteSecret('istio-remote-secret-west', 'west', {timeoutMs: 10_000});
			assert.equal(verdict.kind, 'invalid', auth);
			assert.match(verdict.message, new RegExp(`authenticates with ${auth}, which istiod cannot use`));
			assert.ok(!JSON.stringify(verdict).includes(TOKEN));
		}
		// A CA given as a file path is refused the same way.
		east.put(secret('istio-remote-secret-west', {west: kubeconfigFor('west', quiet.url, {token: TOKEN}, {'certificate-authority': '/nonexistent/ca.pem'})}));
		const caFile = await client.verifyRemoteSecret('istio-remote-secret-west', 'west', {timeoutMs: 10_000});
		assert.equal(caFile.kind, 'invalid');
		assert.match(caFile.message, /points at a CA file/);
		assert.equal(existsSync(marker), false, 'the exec plugin in the secret never ran');
		assert.equal(quiet.requests.length, before, 'nothing was dialled for a refused kubeconfig');
	});

	test('listRemoteSecrets: labelled secrets only, described without their credentials', async () => {
		east.put(secret('istio-remote-secret-west', {west: kubeconfigFor('west', west.url, {token: TOKEN})}));
		east.put(secret('unrelated', {west: kubeconfigFor('west', west.url, {token: TOKEN})}, false));
		const listed = await client.listRemoteSecrets();
		assert.deepEqual(
			listed.map(s => s.name),
			['istio-remote-secret-west'],
		);
		assert.deepEqual(listed[0]!.entries, [{cluster: 'west', server: west.url, auth: 'token', inlineCa: false}]);
		assert.equal(listed[0]!.clusterAnnotation, 'west');
		assert.equal(listed[0]!.multiClusterLabel, true);
		assert.ok(!JSON.stringify(listed).includes(TOKEN));
	});

	test('watchRemoteSecrets: a list+watch of labelled secrets, delivered as descriptions without credentials', async () => {
		east.put(secret('istio-remote-secret-west', {west: kubeconfigFor('west', west.url, {token: TOKEN})}));
		const updates: Array<{names: string[]; json: string}> = [];
		const first = new Promise<void>(resolve => {
			const handle = client.watchRemoteSecrets(u => {
				if (!u.connected) return;
				updates.push({names: u.items.map(i => i.name), json: JSON.stringify(u)});
				// After the list: a new secret must arrive through the watch.
				if (updates.length === 1) east.put(secret('istio-remote-secret-north', {north: kubeconfigFor('north', west.url, {token: TOKEN})}));
				if (u.items.some(i => i.name === 'istio-remote-secret-north')) {
					handle.stop();
					resolve();
				}
			});
		});
		await first;
		assert.deepEqual(updates[0]!.names, ['istio-remote-secret-west']);
		assert.ok(!updates[0]!.names.includes('unrelated'));
		assert.ok(updates.at(-1)!.names.includes('istio-remote-secret-north'));
		for (const u of updates) assert.ok(!u.json.includes(TOKEN), 'no token in an update');
		const watches = east.requests.filter(r => r.watch && r.path === '/api/v1/namespaces/istio-system/secrets');
		assert.ok(watches.length >= 1 && watches.every(r => r.query.labelSelector === 'istio/multiCluster=true'));
	});

	test('advertisedApiServer: the address in EndpointSlice default/kubernetes, read and never dialled', async () => {
		assert.equal(await client.advertisedApiServer(), undefined, 'none advertised yet');
		east.put({
			apiVersion: 'discovery.k8s.io/v1',
			kind: 'EndpointSlice',
			metadata: {name: 'kubernetes', namespace: 'default', labels: {'kubernetes.io/service-name': 'kubernetes'}},
			addressType: 'IPv4',
			endpoints: [{addresses: ['127.0.10.5'], conditions: {ready: true}}],
			ports: [{name: 'https', port: 6443, protocol: 'TCP'}],
		});
		const before = east.requests.length;
		assert.equal(await client.advertisedApiServer(), 'https://127.0.10.5:6443');
		const made = east.requests.slice(before);
		assert.ok(
			made.every(r => r.method === 'GET'),
			'a read only',
		);
		assert.ok(
			made.some(
				r => r.path === '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices' && r.query.labelSelector === 'kubernetes.io/service-name=kubernetes',
			),
		);
	});
});

describe('remote secrets in memory: described and converted without their credentials', () => {
	const server = 'https://127.0.10.7:6443';

	test('describeRemoteSecret: how each kubeconfig authenticates, never the token', () => {
		const cert = {'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ'};
		const s = secret('istio-remote-secret-west', {
			west: kubeconfigFor('west', server, {token: TOKEN}, {'certificate-authority-data': 'Q0E='}),
			cert: kubeconfigFor('cert', server, cert),
			exec: kubeconfigFor('exec', server, {exec: {command: '/bin/false'}}),
			broken: 'not: [valid',
			none: kubeconfigFor('none', server, {}),
		});
		const info = describeRemoteSecret(s);
		assert.deepEqual(
			info.entries.map(e => [e.cluster, e.auth, e.inlineCa, e.problem ?? '']),
			[
				['west', 'token', true, ''],
				['cert', 'client-certificate', false, ''],
				['exec', 'exec', false, ''],
				['broken', 'none', false, 'the kubeconfig under key broken is not valid YAML'],
				['none', 'none', false, ''],
			],
		);
		assert.ok(!JSON.stringify(info).includes(TOKEN) && !JSON.stringify(info).includes('S0VZ'));
	});

	const output = (docs: unknown[]) => docs.map(d => stringifyYaml(d)).join('---\n');
	const istioctlSecret = (user: Record<string, unknown>, name = 'istio-remote-secret-west') => ({
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {name, namespace: 'istio-system', labels: {'istio/multiCluster': 'true'}, annotations: {'networking.istio.io/cluster': 'west'}},
		stringData: {west: kubeconfigFor('west', server, user)},
	});

	test('secretFromIstioctlOutput: stringData becomes data; labels and annotations kept', () => {
		const manifest = secretFromIstioctlOutput(output([istioctlSecret({token: TOKEN})]), 'istio-remote-secret-west');
		assert.deepEqual(Object.keys(manifest.data), ['west']);
		assert.match(Buffer.from(manifest.data.west!, 'base64').toString(), new RegExp(TOKEN));
		assert.deepEqual(manifest.metadata.labels, {'istio/multiCluster': 'true'});
		assert.equal(!('stringData' in manifest), true);
	});

	test('secretFromIstioctlOutput refuses exec, auth-provider and file-based kubeconfigs without quoting them', () => {
		const {command, marker} = markerScript();
		for (const user of [{exec: {command}}, {'auth-provider': {name: 'gcp', config: {'access-token': TOKEN}}}, {'token-file': '/nonexistent/token'}]) {
			assert.throws(
				() => secretFromIstioctlOutput(output([istioctlSecret(user)]), 'istio-remote-secret-west'),
				(e: Error) =>
					/authenticates with (exec|auth-provider|file), which istiod cannot use/.test(e.message) && !e.message.includes(TOKEN) && !e.message.includes(command),
			);
		}
		assert.equal(existsSync(marker), false);
	});

	test('secretFromIstioctlOutput errors never contain the token', () => {
		const good = istioctlSecret({token: TOKEN});
		const attempts: Array<[string, string]> = [
			[output([good, good]), 'istio-remote-secret-west'],
			[output([good]), 'istio-remote-secret-north'],
			[`${stringifyYaml(good)}\n  : [ ${TOKEN}`, 'istio-remote-secret-west'],
			[output([{...good, kind: 'ConfigMap'}]), 'istio-remote-secret-west'],
		];
		for (const [text, name] of attempts) {
			assert.throws(
				() => secretFromIstioctlOutput(text, name),
				(e: Error & {info?: {hint?: string}}) => !e.message.includes(TOKEN) && !(e.info?.hint ?? '').includes(TOKEN) && !String(e.stack).includes(TOKEN),
			);
		}
	});
});
