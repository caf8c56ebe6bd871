/**
 * Teardown through the real kube layer (client-node) against a loopback fake API server: deletes, the
 * conditional label/annotation removal, and the ownership rules reading managedFields as a server lists them.
 */
import {afterEach, beforeEach, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import type {ClusterClient} from '../../source/core/ports.js';
import {renderExposeServices} from '../../source/core/manifests.js';
import {createClusterClientFactory} from '../../source/kube/index.js';
import {createRemovePlan} from '../../source/engine/remove.js';
import {buildTeardown} from '../../source/core/teardown.js';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';

const NS = 'istio-system';
const LABEL = 'topology.istio.io/network';

describe('removal through the kube layer', () => {
	let fake: FakeApiServer;
	let client: ClusterClient;
	let factory: ReturnType<typeof createClusterClientFactory>;
	beforeEach(async () => {
		fake = await FakeApiServer.start({token: 'tok'});
		fake.addIstioCrds();
		factory = createClusterClientFactory({kubeconfig: writeKubeconfig([{name: 'east', server: fake}]), env: {}});
		client = factory.client('east');
	});
	afterEach(async () => {
		await fake.close();
	});

	test('deleteObject: deleted, then not-found; a dry run deletes nothing', async () => {
		fake.addNamespace(NS);
		await client.apply(renderExposeServices(), {dryRun: false, force: false});
		const ref = {apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace: NS, name: 'cross-network-gateway'};
		assert.equal(await client.deleteObject(ref, {dryRun: true}), 'deleted');
		assert.ok(fake.get(ref.apiVersion, ref.kind, NS, ref.name), 'a dry run leaves it');
		assert.equal(fake.requests.find(r => r.method === 'DELETE')!.query.dryRun, 'All');
		assert.equal(await client.deleteObject(ref, {dryRun: false}), 'deleted');
		assert.equal(fake.get(ref.apiVersion, ref.kind, NS, ref.name), undefined);
		assert.equal(await client.deleteObject(ref, {dryRun: false}), 'not-found');
	});

	test('deleteObject: the dry run travels in the DeleteOptions body, so it holds with a uid precondition too', async () => {
		fake.addNamespace(NS);
		await client.apply(renderExposeServices(), {dryRun: false, force: false});
		const ref = {apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace: NS, name: 'cross-network-gateway'};
		const uid = String(fake.get(ref.apiVersion, ref.kind, NS, ref.name)!.metadata.uid);
		assert.equal(await client.deleteObject({...ref, uid}, {dryRun: true}), 'deleted');
		assert.ok(fake.get(ref.apiVersion, ref.kind, NS, ref.name), 'a dry run with a precondition leaves it');
		assert.deepEqual(fake.deletes.at(-1)!.options, {dryRun: true, preconditions: {uid}});
		assert.equal(await client.deleteObject({...ref, uid: 'another-uid'}, {dryRun: false}), 'changed');
		assert.ok(fake.get(ref.apiVersion, ref.kind, NS, ref.name), 'a uid that no longer matches deletes nothing');
		assert.equal(await client.deleteObject({...ref, uid}, {dryRun: false}), 'deleted');
		assert.equal(fake.get(ref.apiVersion, ref.kind, NS, ref.name), undefined);
	});

	test("the fake decodes a delete as kube-apiserver does: a body's options win and its query string is ignored", async () => {
		fake.addNamespace(NS);
		await client.apply(renderExposeServices(), {dryRun: false, force: false});
		const url = (name: string, query: string) => `${fake.url}/apis/networking.istio.io/v1/namespaces/${NS}/gateways/${name}${query}`;
		const send = (name: string, query: string, body?: unknown) =>
			fetch(url(name, query), {
				method: 'DELETE',
				headers: {authorization: 'Bearer tok', 'content-type': 'application/json'},
				...(body ? {body: JSON.stringify(body)} : {}),
			});
		// A query-only dry run is honoured…
		assert.equal((await send('cross-network-gateway', '?dryRun=All')).status, 200);
		assert.ok(fake.get('networking.istio.io/v1', 'Gateway', NS, 'cross-network-gateway'));
		// …but with a body, ?dryRun=All is dropped and the object goes: the trap a client must not fall into.
		assert.equal((await send('cross-network-gateway', '?dryRun=All', {propagationPolicy: 'Background'})).status, 200);
		assert.equal(fake.get('networking.istio.io/v1', 'Gateway', NS, 'cross-network-gateway'), undefined);
	});

	test('writeNamespaceKey removes a key with a merge patch, only from the namespace as read; other labels stay', async () => {
		fake.addNamespace(NS, {'istio-injection': 'disabled'});
		await client.writeNamespaceKey({field: 'label', name: LABEL, value: 'network1'}, {dryRun: false, force: false});
		const read = fake.get('v1', 'Namespace', undefined, NS)!;
		const remove = {field: 'label' as const, name: LABEL, value: null};
		assert.equal(await client.writeNamespaceKey({...remove, resourceVersion: '1'}, {dryRun: false}), 'changed', 'a namespace changed since it was read');
		assert.equal(fake.get('v1', 'Namespace', undefined, NS)!.metadata.labels[LABEL], 'network1');
		assert.equal(await client.writeNamespaceKey({...remove, resourceVersion: read.metadata.resourceVersion}, {dryRun: false}), 'written');
		const labels = fake.get('v1', 'Namespace', undefined, NS)!.metadata.labels;
		assert.equal(labels[LABEL], undefined);
		assert.equal(labels['istio-injection'], 'disabled');
		fake.remove('v1', 'Namespace', undefined, NS);
		assert.equal(await client.writeNamespaceKey(remove, {dryRun: false}), 'not-found');
	});

	test("the engine, reading managedFields from the server: eastwest's label and Gateway go, a label set by kubectl stays", async () => {
		fake.put({apiVersion: 'v1', kind: 'Namespace', metadata: {name: NS, labels: {[LABEL]: 'net-east'}}}, {manager: 'kubectl-label'});
		await client.apply(renderExposeServices(), {dryRun: false, force: false});
		const input = {
			topology: 'multi-network' as const,
			meshId: 'mesh1',
			clusters: [{context: 'east', name: 'east', network: 'net-east', role: 'primary' as const}],
		};
		const outcome = await createRemovePlan({factory})(buildTeardown(input), {timeoutMs: 5000, dryRun: false, onEvent: () => {}});
		assert.equal(outcome.ok, true, JSON.stringify(outcome.clusters));
		assert.equal(fake.get('networking.istio.io/v1', 'Gateway', NS, 'cross-network-gateway'), undefined);
		assert.equal(fake.get('v1', 'Namespace', undefined, NS)!.metadata.labels[LABEL], 'net-east');
		assert.deepEqual(
			outcome.left.map(l => l.reason),
			[`${NS} label ${LABEL} set by someone else (kubectl-label), not eastwest`],
		);
		const gateway = outcome.clusters[0]!.steps.find(s => s.id === 'east/remove/install-gateway')!;
		assert.equal(gateway.status, 'unchanged', 'kinds the server does not serve are skipped, nothing labelled eastwest exists');
	});
});
