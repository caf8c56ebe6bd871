import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {X509Certificate} from 'node:crypto';
import {createClusterClientFactory} from '../../source/kube/index.js';
import type {TrustRootInfo, WatchUpdate} from '../../source/core/ports.js';
import {startPrimary, writeKubeconfig, type FakeApiServer} from '../support/fake-apiserver.js';
import {FIXTURE_CA_CERT, FIXTURE_CA_KEY, FIXTURE_OTHER_ROOT_CERT, FIXTURE_ROOT_CERT, FIXTURE_ROOT_KEY} from '../support/ca-fixtures.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const KEY_B64 = b64(FIXTURE_CA_KEY);
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

function cacerts(root: string): Record<string, unknown> {
	return {
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {name: 'cacerts', namespace: 'istio-system'},
		data: {
			'ca-cert.pem': b64(FIXTURE_CA_CERT),
			'ca-key.pem': KEY_B64,
			'root-cert.pem': b64(root),
			'cert-chain.pem': b64(FIXTURE_CA_CERT + root),
			'root-key.pem': b64(FIXTURE_ROOT_KEY),
		},
	};
}

function rootConfigMap(root: string, name = 'istio-ca-root-cert'): Record<string, unknown> {
	return {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name, namespace: 'istio-system'}, data: {'root-cert.pem': root}};
}

/** Collect connected updates until `done` says so. */
function watchUntil(
	start: (on: (u: WatchUpdate<TrustRootInfo>) => void) => {stop(): void},
	step: (u: WatchUpdate<TrustRootInfo>, n: number) => boolean,
): Promise<Array<WatchUpdate<TrustRootInfo>>> {
	const updates: Array<WatchUpdate<TrustRootInfo>> = [];
	return new Promise(resolve => {
		const handle = start(u => {
			if (!u.connected) return;
			updates.push(u);
			if (step(u, updates.length)) {
				handle.stop();
				resolve(updates);
			}
		});
	});
}

describe('trust roots against a fake API server', () => {
	let east: FakeApiServer;
	let client: ReturnType<ReturnType<typeof createClusterClientFactory>['client']>;

	before(async () => {
		east = await startPrimary('east');
		client = createClusterClientFactory({kubeconfig: writeKubeconfig([{name: 'east', server: east}]), env: {}}).client('east');
	});
	after(async () => {
		await east.close();
	});

	test("watchPluggedRoot: cacerts as its root's subject and fingerprint, never a key, by one list and one watch on its name", async () => {
		east.put(cacerts(FIXTURE_ROOT_CERT));
		east.put({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'other', namespace: 'istio-system'}, data: {'root-cert.pem': b64(FIXTURE_OTHER_ROOT_CERT)}});
		const updates = await watchUntil(
			on => client.watchPluggedRoot(on),
			(u, n) => {
				if (n === 1) east.put(cacerts(FIXTURE_OTHER_ROOT_CERT));
				return u.items[0]?.fingerprint === fingerprintOf(FIXTURE_OTHER_ROOT_CERT);
			},
		);
		assert.deepEqual(updates[0]!.items, [{name: 'cacerts', subject: 'O=Istio, CN=Root CA', fingerprint: fingerprintOf(FIXTURE_ROOT_CERT)}]);
		assert.equal(updates.at(-1)!.items[0]!.subject, 'O=Other, CN=Other Root CA');
		for (const u of updates) {
			const json = JSON.stringify(u);
			for (const secret of [KEY_B64, FIXTURE_CA_KEY, b64(FIXTURE_ROOT_KEY), FIXTURE_ROOT_KEY, 'PRIVATE KEY', 'BEGIN CERTIFICATE'])
				assert.ok(!json.includes(secret), 'no key nor certificate text in an update');
			assert.deepEqual(Object.keys(u.items[0]!).sort(), ['fingerprint', 'name', 'subject']);
		}
		const reqs = east.requests.filter(r => r.path === '/api/v1/namespaces/istio-system/secrets' && r.query.fieldSelector === 'metadata.name=cacerts');
		assert.equal(reqs.filter(r => !r.watch).length, 1, 'one list');
		assert.equal(reqs.filter(r => r.watch).length, 1, 'one watch');
	});

	test('watchPublishedRoot: ConfigMap istio-ca-root-cert by name, a change arrives through the watch, an unreadable root is a problem', async () => {
		east.put(rootConfigMap(FIXTURE_ROOT_CERT));
		east.put(rootConfigMap(FIXTURE_OTHER_ROOT_CERT, 'unrelated'));
		const updates = await watchUntil(
			on => client.watchPublishedRoot(on),
			(u, n) => {
				if (n === 1) east.put(rootConfigMap('not a certificate'));
				return u.items[0]?.problem !== undefined;
			},
		);
		assert.deepEqual(updates[0]!.items, [{name: 'istio-ca-root-cert', subject: 'O=Istio, CN=Root CA', fingerprint: fingerprintOf(FIXTURE_ROOT_CERT)}]);
		assert.deepEqual(updates.at(-1)!.items, [{name: 'istio-ca-root-cert', problem: 'root-cert.pem holds no certificate'}]);
		const reqs = east.requests.filter(r => r.path === '/api/v1/namespaces/istio-system/configmaps');
		assert.ok(reqs.length >= 2 && reqs.every(r => r.query.fieldSelector === 'metadata.name=istio-ca-root-cert'));
	});
});
