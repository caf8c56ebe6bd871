import {afterEach, beforeEach, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import type {ClusterClient} from '../../source/core/ports.js';
import {renderExposeIstiod, renderExposeServices} from '../../source/core/manifests.js';
import {KubeError, createClusterClientFactory} from '../../source/kube/index.js';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';

const NS = 'istio-system';
const LABEL = 'topology.istio.io/network';

async function rejectsKube(promise: Promise<unknown>, check: (e: KubeError) => void): Promise<void> {
	await assert.rejects(promise, (error: unknown) => {
		assert.ok(error instanceof KubeError, `expected KubeError, got ${String(error)}`);
		assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
		check(error);
		return true;
	});
}

describe('network label and server-side apply', () => {
	let fake: FakeApiServer;
	let client: ClusterClient;
	beforeEach(async () => {
		fake = await FakeApiServer.start({token: 'tok'});
		fake.addIstioCrds();
		client = createClusterClientFactory({kubeconfig: writeKubeconfig([{name: 'east', server: fake}]), env: {}}).client('east');
	});
	afterEach(async () => {
		await fake.close();
	});

	const labelOf = () => fake.get('v1', 'Namespace', undefined, NS)?.metadata.labels?.[LABEL];
	const patches = () => fake.count(r => r.method === 'PATCH');

	const label = (value: string | null) => ({field: 'label' as const, name: LABEL, value});
	const ANNOTATION = 'topology.istio.io/controlPlaneClusters';
	const managers = () =>
		(fake.get('v1', 'Namespace', undefined, NS)!.metadata.managedFields as Array<{manager: string; operation: string}>).map(m => [m.manager, m.operation]);

	test('a label: server-side applied, creating istio-system when absent, owned by eastwest', async () => {
		assert.equal(await client.writeNamespaceKey(label('network1'), {dryRun: false, force: false}), 'written');
		assert.equal(labelOf(), 'network1');
		assert.deepEqual(managers(), [['eastwest', 'Apply']]);
	});

	test('a label added to an existing istio-system keeps its other labels; force takes over one another tool set', async () => {
		fake.addNamespace(NS, {'istio-injection': 'disabled'});
		await client.writeNamespaceKey(label('network1'), {dryRun: false, force: false});
		assert.equal(labelOf(), 'network1');
		assert.equal(fake.get('v1', 'Namespace', undefined, NS)!.metadata.labels['istio-injection'], 'disabled');
		fake.put({apiVersion: 'v1', kind: 'Namespace', metadata: {name: NS, labels: {[LABEL]: 'network9'}}}, {manager: 'kubectl-label'});
		assert.equal(await client.writeNamespaceKey(label('network1'), {dryRun: false, force: true}), 'written');
		assert.equal(labelOf(), 'network1');
	});

	test('an annotation: created with istio-system when asked, else merge-patched, so the label apply never owns it', async () => {
		const annotation = (value: string) => ({field: 'annotation' as const, name: ANNOTATION, value});
		assert.equal(await client.writeNamespaceKey({...annotation('east'), create: true}, {dryRun: false}), 'written');
		assert.equal(fake.get('v1', 'Namespace', undefined, NS)!.metadata.annotations[ANNOTATION], 'east');
		assert.equal(await client.writeNamespaceKey(annotation('east,west'), {dryRun: false}), 'written');
		await client.writeNamespaceKey(label('network1'), {dryRun: false, force: false});
		const ns = fake.get('v1', 'Namespace', undefined, NS)!;
		assert.equal(ns.metadata.annotations[ANNOTATION], 'east,west', 'applying the label leaves the annotation');
		assert.deepEqual(
			fake.requests.filter(r => r.method === 'POST' || r.method === 'PATCH').map(r => r.method),
			['POST', 'PATCH', 'PATCH'],
		);
		assert.deepEqual(
			managers()
				.filter(([m]) => m === 'eastwest')
				.sort(),
			[
				['eastwest', 'Apply'],
				['eastwest', 'Update'],
			],
		);
	});

	test('dry run writes nothing', async () => {
		assert.equal(await client.writeNamespaceKey(label('network1'), {dryRun: true, force: false}), 'written');
		assert.equal(fake.get('v1', 'Namespace', undefined, NS), undefined);
		fake.addNamespace(NS);
		await client.writeNamespaceKey(label('network1'), {dryRun: true, force: false});
		assert.equal(labelOf(), undefined);
		const dryRuns = fake.requests.filter(r => r.method === 'PATCH').map(r => r.query.dryRun);
		assert.deepEqual(dryRuns, ['All', 'All']);
		assert.equal(patches(), 2);
	});

	test('apply: created, then unchanged, then configured after a change, with field manager eastwest', async () => {
		fake.addNamespace(NS);
		const manifests = renderExposeIstiod();
		assert.deepEqual(await client.apply(manifests, {dryRun: false, force: false}), [
			{kind: 'Gateway', namespace: NS, name: 'istiod-gateway', outcome: 'created'},
			{kind: 'VirtualService', namespace: NS, name: 'istiod-vs', outcome: 'created'},
		]);
		const applies = fake.requests.filter(r => r.method === 'PATCH');
		assert.ok(applies.every(r => r.query.fieldManager === 'eastwest' && r.query.force === 'false' && r.query.dryRun === undefined));
		const gw = fake.get('networking.istio.io/v1', 'Gateway', NS, 'istiod-gateway')!;
		assert.deepEqual(gw.spec, manifests[0]!.spec);
		const rv = gw.metadata.resourceVersion;

		assert.deepEqual(
			(await client.apply(manifests, {dryRun: false, force: false})).map(r => r.outcome),
			['unchanged', 'unchanged'],
		);
		assert.equal(fake.get('networking.istio.io/v1', 'Gateway', NS, 'istiod-gateway')!.metadata.resourceVersion, rv);

		const changed = structuredClone(manifests);
		(changed[0]!.spec as any).servers.pop();
		assert.deepEqual(
			(await client.apply(changed, {dryRun: false, force: false})).map(r => r.outcome),
			['configured', 'unchanged'],
		);
		assert.equal(fake.get('networking.istio.io/v1', 'Gateway', NS, 'istiod-gateway')!.spec.servers.length, 1);
	});

	test('apply with v1beta1 manifests on a server that serves both versions', async () => {
		fake.addNamespace(NS);
		const result = await client.apply(renderExposeServices({apiVersion: 'v1beta1'}), {dryRun: false, force: false});
		assert.deepEqual(result, [{kind: 'Gateway', namespace: NS, name: 'cross-network-gateway', outcome: 'created'}]);
	});

	test('dry run: reports created/configured/unchanged honestly and changes nothing', async () => {
		fake.addNamespace(NS);
		const manifests = renderExposeIstiod();
		assert.deepEqual(
			(await client.apply(manifests, {dryRun: true, force: false})).map(r => r.outcome),
			['created', 'created'],
		);
		assert.equal(fake.get('networking.istio.io/v1', 'Gateway', NS, 'istiod-gateway'), undefined);

		await client.apply(manifests, {dryRun: false, force: false});
		const rv = fake.get('networking.istio.io/v1', 'Gateway', NS, 'istiod-gateway')!.metadata.resourceVersion;
		assert.deepEqual(
			(await client.apply(manifests, {dryRun: true, force: false})).map(r => r.outcome),
			['unchanged', 'unchanged'],
		);
		const changed = structuredClone(manifests);
		(changed[1]!.spec as any).hosts = ['istiod.example'];
		assert.deepEqual(
			(await client.apply(changed, {dryRun: true, force: false})).map(r => r.outcome),
			['unchanged', 'configured'],
		);
		assert.deepEqual(fake.get('networking.istio.io/v1', 'VirtualService', NS, 'istiod-vs')!.spec.hosts, ['*']);
		assert.equal(fake.get('networking.istio.io/v1', 'Gateway', NS, 'istiod-gateway')!.metadata.resourceVersion, rv);
	});

	test('a conflict names the other field manager and hints --force; force takes the fields over', async () => {
		fake.addNamespace(NS);
		const [gateway] = renderExposeServices();
		fake.put(
			{
				...structuredClone(gateway!),
				spec: {
					selector: {istio: 'eastwestgateway'},
					servers: [{port: {number: 15443, name: 'tls', protocol: 'TLS'}, tls: {mode: 'ISTIO_MUTUAL'}, hosts: ['*.local']}],
				},
			},
			{manager: 'kubectl-client-side-apply'},
		);
		await rejectsKube(client.apply([gateway!], {dryRun: false, force: false}), error => {
			assert.equal(error.info.kind, 'conflict');
			assert.equal(error.info.httpStatus, 409);
			assert.equal(error.info.manager, 'kubectl-client-side-apply');
			assert.match(error.message, /conflict with "kubectl-client-side-apply" using networking\.istio\.io\/v1: \.spec\.servers/);
			assert.match(error.message, /cross-network-gateway/);
			assert.match(error.info.hint ?? '', /--force/);
		});
		assert.equal(fake.get('networking.istio.io/v1', 'Gateway', NS, 'cross-network-gateway')!.spec.servers[0].tls.mode, 'ISTIO_MUTUAL');
		assert.equal(fake.requests.find(r => r.method === 'PATCH')!.query.force, 'false');

		assert.deepEqual(
			(await client.apply([gateway!], {dryRun: false, force: true})).map(r => r.outcome),
			['configured'],
		);
		const after = fake.get('networking.istio.io/v1', 'Gateway', NS, 'cross-network-gateway')!;
		assert.equal(after.spec.servers[0].tls.mode, 'AUTO_PASSTHROUGH');
		// FieldsV1 is nested ({"f:spec": {"f:servers": {}}}); flatten it to "f:spec.servers".
		const flat = (f: Record<string, any>, prefix = ''): string[] =>
			Object.entries(f).flatMap(([k, v]) => (Object.keys(v).length > 0 ? flat(v, `${prefix}${k.slice(2)}.`) : [`f:${prefix}${k.slice(2)}`]));
		const owners = Object.fromEntries((after.metadata.managedFields as any[]).map(m => [m.manager, flat(m.fieldsV1)]));
		assert.ok(owners.eastwest.includes('f:spec.servers'));
		assert.ok(!owners['kubectl-client-side-apply']?.includes('f:spec.servers'));
	});

	test('applying the same values another manager set is not a conflict', async () => {
		fake.addNamespace(NS);
		const [gateway] = renderExposeServices();
		fake.put(structuredClone(gateway!), {manager: 'kubectl-client-side-apply'});
		assert.deepEqual(
			(await client.apply([gateway!], {dryRun: false, force: false})).map(r => r.outcome),
			['configured'],
		);
	});

	test('Istio CRDs missing → not-found naming the kind, with a hint to install Istio', async () => {
		const bare = await FakeApiServer.start();
		try {
			bare.addNamespace(NS);
			const c = createClusterClientFactory({kubeconfig: writeKubeconfig([{name: 'bare', server: bare}]), env: {}}).client('bare');
			await rejectsKube(c.apply(renderExposeServices(), {dryRun: false, force: false}), error => {
				assert.equal(error.info.kind, 'not-found');
				assert.match(error.message, /bare does not serve networking\.istio\.io\/v1 Gateway/);
				assert.match(error.info.hint ?? '', /install Istio/);
			});
		} finally {
			await bare.close();
		}
	});

	test('apply into a missing namespace → not-found naming it', async () => {
		await rejectsKube(client.apply(renderExposeServices(), {dryRun: false, force: false}), error => {
			assert.equal(error.info.kind, 'not-found');
			assert.equal(error.info.httpStatus, 404);
			assert.match(error.message, /namespaces "istio-system" not found on east/);
		});
	});

	test('RBAC forbidding the patch → forbidden, naming the resource', async () => {
		fake.addNamespace(NS);
		fake.forbid({verb: 'patch', resource: 'gateways', namespace: NS});
		await rejectsKube(client.apply(renderExposeServices(), {dryRun: false, force: false}), error => {
			assert.equal(error.info.kind, 'forbidden');
			assert.match(error.message, /cannot patch resource "gateways" in API group "networking\.istio\.io" in the namespace "istio-system"/);
			assert.match(error.info.hint ?? '', /RBAC/);
		});
	});

	test('reads: getDeployment/getService/getObject undefined when absent; listObjects; listPods by label', async () => {
		fake.addNamespace(NS);
		assert.equal(await client.getDeployment(NS, 'istio-eastwestgateway'), undefined);
		assert.equal(await client.getService(NS, 'istio-eastwestgateway'), undefined);
		assert.equal(await client.getObject('networking.istio.io/v1', 'Gateway', NS, 'istiod-gateway'), undefined);
		await client.apply(renderExposeIstiod(), {dryRun: false, force: false});
		const gw = await client.getObject('networking.istio.io/v1', 'Gateway', NS, 'istiod-gateway');
		assert.equal((gw as any).spec.servers[0].port.number, 15012);
		const list = await client.listObjects('networking.istio.io/v1', 'VirtualService', NS);
		assert.deepEqual(
			list.map(o => (o as any).metadata.name),
			['istiod-vs'],
		);
		fake.put({
			apiVersion: 'v1',
			kind: 'Service',
			metadata: {name: 'istio-eastwestgateway', namespace: NS},
			spec: {type: 'ClusterIP', ports: [{name: 'tls', port: 15443}]},
		});
		assert.equal((await client.getService(NS, 'istio-eastwestgateway'))?.spec?.ports?.[0]?.port, 15443);
		fake.put({
			apiVersion: 'v1',
			kind: 'Pod',
			metadata: {name: 'a', namespace: NS, labels: {istio: 'eastwestgateway'}},
			spec: {containers: [{name: 'istio-proxy', image: 'auto'}]},
		});
		fake.put({
			apiVersion: 'v1',
			kind: 'Pod',
			metadata: {name: 'b', namespace: NS, labels: {istio: 'ingressgateway'}},
			spec: {containers: [{name: 'istio-proxy', image: 'auto'}]},
		});
		assert.deepEqual(
			(await client.listPods(NS, 'istio=eastwestgateway')).map(p => p.metadata?.name),
			['a'],
		);
	});

	test('canI asks a SelfSubjectAccessReview', async () => {
		fake.forbid({verb: 'create', resource: 'gateways', namespace: NS});
		assert.equal(await client.canI({verb: 'create', group: 'networking.istio.io', resource: 'gateways', namespace: NS}), false);
		assert.equal(await client.canI({verb: 'get', group: 'networking.istio.io', resource: 'gateways', namespace: NS}), true);
		assert.equal(
			fake.count(r => r.method === 'POST' && r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'),
			2,
		);
	});
});
