import {afterEach, beforeEach, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import type {ClusterClient, WatchHandle, WatchUpdate} from '../../source/core/ports.js';
import {podProblems, rolloutStatus, serviceAddress, type DeploymentLike, type PodLike, type ServiceLike} from '../../source/core/rollout.js';
import {createClusterClientFactory} from '../../source/kube/index.js';
import {FakeApiServer, writeKubeconfig} from '../support/fake-apiserver.js';

const NS = 'istio-system';
const GW = 'istio-eastwestgateway';
/** Safety net for waits in tests: a hang fails the test instead of blocking the run. */
const SAFETY_MS = 15_000;

/** Collects updates and lets a test wait, in order, for the next one that matches. */
class Updates<T> {
	readonly all: Array<WatchUpdate<T>> = [];
	/** Updates before this index were consumed by earlier waits. */
	private cursor = 0;
	private waiter: {predicate: (u: WatchUpdate<T>) => boolean; resolve: () => void} | undefined;
	readonly push = (update: WatchUpdate<T>) => {
		this.all.push(update);
		const waiter = this.waiter;
		if (waiter && this.consume(waiter.predicate)) {
			this.waiter = undefined;
			waiter.resolve();
		}
	};

	private consume(predicate: (u: WatchUpdate<T>) => boolean): WatchUpdate<T> | undefined {
		for (let i = this.cursor; i < this.all.length; i++) {
			if (predicate(this.all[i]!)) {
				this.cursor = i + 1;
				return this.all[i];
			}
		}
		this.cursor = this.all.length;
		return undefined;
	}

	async next(what: string, predicate: (u: WatchUpdate<T>) => boolean): Promise<WatchUpdate<T>> {
		const ready = this.consume(predicate);
		if (ready) return ready;
		let timer: NodeJS.Timeout | undefined;
		try {
			await Promise.race([
				new Promise<void>(resolve => {
					this.waiter = {predicate, resolve};
				}),
				new Promise<never>((_, reject) => {
					timer = setTimeout(() => reject(new Error(`no update where ${what}; last: ${JSON.stringify(this.all.at(-1))?.slice(0, 400)}`)), SAFETY_MS);
				}),
			]);
			return this.all[this.cursor - 1]!;
		} finally {
			clearTimeout(timer);
		}
	}
}

/** Wait until a condition on the fake server holds (its request log is written as requests arrive). */
async function eventually(what: string, condition: () => boolean): Promise<void> {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > SAFETY_MS) throw new Error(`never: ${what}`);
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

function deployment(name: string, image = 'auto'): Record<string, any> {
	return {
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: {name, namespace: NS, labels: {istio: 'eastwestgateway', app: name}},
		spec: {
			replicas: 2,
			selector: {matchLabels: {istio: 'eastwestgateway'}},
			template: {metadata: {labels: {istio: 'eastwestgateway', app: name}}, spec: {containers: [{name: 'istio-proxy', image}]}},
		},
	};
}

function lbService(name: string): Record<string, any> {
	return {
		apiVersion: 'v1',
		kind: 'Service',
		metadata: {name, namespace: NS, labels: {istio: 'eastwestgateway', 'topology.istio.io/network': 'network1'}},
		spec: {type: 'LoadBalancer', selector: {istio: 'eastwestgateway'}, ports: [{name: 'tls', port: 15443, targetPort: 15443}]},
	};
}

describe('watches', () => {
	let fake: FakeApiServer;
	let client: ClusterClient;
	const handles: WatchHandle[] = [];
	beforeEach(async () => {
		fake = await FakeApiServer.start({token: 'tok'});
		fake.addNamespace(NS);
		fake.deployment = {scenario: 'ready', delayMs: 30};
		fake.loadBalancer = {scenario: 'ip', delayMs: 30};
		client = createClusterClientFactory({kubeconfig: writeKubeconfig([{name: 'east', server: fake}]), env: {}}).client('east');
	});
	afterEach(async () => {
		for (const h of handles.splice(0)) h.stop();
		await fake.close();
	});

	const lists = (plural: string) => fake.count(r => r.method === 'GET' && !r.watch && r.path.endsWith(`/${plural}`));
	const watches = (plural: string) => fake.count(r => r.watch && r.path.endsWith(`/${plural}`));

	test('sees a Deployment roll out to ready with one list and one watch (no polling)', async () => {
		const updates = new Updates<DeploymentLike>();
		handles.push(client.watchDeployments({namespace: NS, name: GW}, updates.push));
		const first = await updates.next('connected', u => u.connected);
		assert.deepEqual(first.items, []);
		fake.put(deployment(GW, 'docker.io/istio/proxyv2:1.30.0'), {manager: 'istioctl'});
		const done = await updates.next('rolled out', u => u.items.length === 1 && rolloutStatus(u.items[0]!).state === 'done');
		assert.equal(done.items[0]!.status?.availableReplicas, 2);
		// A waiting state was seen before: the controller observed the new generation after a delay.
		assert.ok(updates.all.some(u => u.items.length === 1 && rolloutStatus(u.items[0]!).state === 'waiting'));
		assert.equal(lists('deployments'), 1);
		assert.equal(watches('deployments'), 1);
		const watch = fake.requests.find(r => r.watch)!;
		assert.equal(watch.query.allowWatchBookmarks, 'true');
		assert.equal(watch.query.fieldSelector, `metadata.name=${GW}`);
		assert.ok(Number(watch.query.resourceVersion) > 0);
	});

	test('the field selector keeps other Deployments out', async () => {
		fake.put(deployment('other'));
		const updates = new Updates<DeploymentLike>();
		handles.push(client.watchDeployments({namespace: NS, name: GW}, updates.push));
		await updates.next('connected', u => u.connected);
		fake.put(deployment(GW));
		const u = await updates.next('gateway seen', x => x.items.length > 0);
		assert.deepEqual(
			u.items.map(d => d.metadata?.name),
			[GW],
		);
	});

	test('a dropped watch is reported as disconnected, then re-listed and re-watched', async () => {
		const updates = new Updates<DeploymentLike>();
		handles.push(client.watchDeployments({namespace: NS, labelSelector: 'istio=eastwestgateway'}, updates.push));
		await updates.next('connected', u => u.connected);
		fake.failAll = 503;
		fake.dropWatches();
		const down = await updates.next('disconnected', u => !u.connected);
		assert.ok(down.error, 'an error says why');
		assert.ok(!down.error!.message.includes('\n'));
		// Changes made while the watch is down are picked up by the re-list.
		fake.failAll = undefined;
		fake.put(deployment(GW));
		const back = await updates.next('reconnected with the gateway', u => u.connected && u.items.length === 1);
		assert.equal(back.error, undefined);
		assert.ok(lists('deployments') >= 2, `re-listed (${lists('deployments')} lists)`);
		await eventually('re-watched', () => fake.openWatches === 1 && watches('deployments') >= 2);
	});

	test('410 Gone on resume → re-list at once, without reporting a disconnect', async () => {
		const updates = new Updates<DeploymentLike>();
		handles.push(client.watchDeployments({namespace: NS}, updates.push));
		await updates.next('connected', u => u.connected);
		fake.put(deployment(GW));
		await updates.next('gateway', u => u.items.length === 1);
		const before = lists('deployments');
		fake.compact();
		fake.endWatches();
		fake.put(deployment('second'));
		const u = await updates.next('both deployments', x => x.items.length >= 2 && x.connected);
		assert.deepEqual(u.items.map(d => d.metadata?.name).sort(), [GW, 'second'].sort());
		assert.ok(lists('deployments') > before, 're-listed after 410');
		assert.ok(
			updates.all.every(x => x.connected),
			'never reported disconnected',
		);
	});

	test('a routine watch end resumes from the last resourceVersion without a re-list', async () => {
		const updates = new Updates<DeploymentLike>();
		handles.push(client.watchDeployments({namespace: NS}, updates.push));
		await updates.next('connected', u => u.connected);
		fake.put(deployment(GW));
		await updates.next('gateway', u => u.items.length === 1);
		const rvBefore = fake.requests.filter(r => r.watch).at(-1)!.query.resourceVersion;
		fake.endWatches();
		fake.remove('apps/v1', 'Deployment', NS, GW);
		await updates.next('deleted', u => u.items.length === 0);
		assert.equal(lists('deployments'), 1);
		const resumed = fake.requests.filter(r => r.watch).at(-1)!;
		assert.ok(Number(resumed.query.resourceVersion) > Number(rvBefore), 'resumed from a later resourceVersion');
	});

	test('a forbidden watch reports the RBAC problem while disconnected', async () => {
		fake.forbid({verb: 'list', resource: 'services'});
		const updates = new Updates<ServiceLike>();
		handles.push(client.watchServices({namespace: NS, name: GW}, updates.push));
		const u = await updates.next('disconnected', x => !x.connected);
		assert.equal(u.error?.kind, 'forbidden');
		assert.match(u.error!.message, /cannot list resource "services"/);
	});

	test('a LoadBalancer Service gets an address (ip, then hostname scenario)', async () => {
		const updates = new Updates<ServiceLike>();
		handles.push(client.watchServices({namespace: NS, name: GW}, updates.push));
		await updates.next('connected', u => u.connected);
		fake.put(lbService(GW), {manager: 'istioctl'});
		const pending = await updates.next('service', u => u.items.length === 1);
		assert.equal(serviceAddress(pending.items[0]!).state, 'pending');
		const ready = await updates.next('address', u => u.items.length === 1 && serviceAddress(u.items[0]!).state === 'ready');
		const address = serviceAddress(ready.items[0]!);
		assert.ok(address.state === 'ready' && address.address.kind === 'ip' && address.address.value.startsWith('127.'));

		fake.loadBalancer = {scenario: 'hostname', delayMs: 10};
		const hostUpdates = new Updates<ServiceLike>();
		handles.push(client.watchServices({namespace: NS, name: 'other-gw'}, hostUpdates.push));
		await hostUpdates.next('connected', u => u.connected);
		fake.put(lbService('other-gw'));
		const host = await hostUpdates.next('hostname', u => u.items.length === 1 && serviceAddress(u.items[0]!).state === 'ready');
		const hostAddress = serviceAddress(host.items[0]!);
		assert.ok(hostAddress.state === 'ready' && hostAddress.address.kind === 'hostname');
	});

	test('image "auto" stuck in ImagePullBackOff: pods show the injection failure', async () => {
		fake.deployment = {scenario: 'image-pull-auto', delayMs: 10};
		const pods = new Updates<PodLike>();
		handles.push(client.watchPods({namespace: NS, labelSelector: 'istio=eastwestgateway'}, pods.push));
		await pods.next('connected', u => u.connected);
		fake.put(deployment(GW));
		const u = await pods.next('two pods', x => x.items.length === 2);
		const problems = podProblems(u.items);
		assert.equal(problems.length, 2);
		assert.equal(problems[0]!.reason, 'ImagePullBackOff');
		assert.match(problems[0]!.message, /sidecar injection did not run/);
		const dep = await client.getDeployment(NS, GW);
		assert.equal(rolloutStatus(dep!).state, 'waiting');
	});

	test('ProgressDeadlineExceeded fails the rollout', async () => {
		fake.deployment = {scenario: 'progress-deadline', delayMs: 10};
		const updates = new Updates<DeploymentLike>();
		handles.push(client.watchDeployments({namespace: NS, name: GW}, updates.push));
		await updates.next('connected', u => u.connected);
		fake.put(deployment(GW));
		const failed = await updates.next('failed', u => u.items.length === 1 && rolloutStatus(u.items[0]!).state === 'failed');
		assert.match(rolloutStatus(failed.items[0]!).message, /exceeded its progress deadline/);
	});

	test('watchObjects: a cluster-scoped kind (Namespace labels) and a custom resource (Gateway)', async () => {
		fake.addIstioCrds();
		const namespaces = new Updates<Record<string, any>>();
		handles.push(client.watchObjects('v1', 'Namespace', {namespace: '', name: NS}, namespaces.push));
		await namespaces.next('connected', u => u.connected && u.items.length === 1);
		await client.writeNamespaceKey({field: 'label', name: 'topology.istio.io/network', value: 'network1'}, {dryRun: false, force: false});
		const labelled = await namespaces.next('labelled', u => u.items[0]?.metadata?.labels?.['topology.istio.io/network'] === 'network1');
		assert.equal(labelled.items.length, 1);

		const gateways = new Updates<Record<string, any>>();
		handles.push(client.watchObjects('networking.istio.io/v1', 'Gateway', {namespace: NS}, gateways.push));
		await gateways.next('connected', u => u.connected);
		await client.apply(
			[
				{
					apiVersion: 'networking.istio.io/v1',
					kind: 'Gateway',
					metadata: {name: 'cross-network-gateway', namespace: NS},
					spec: {selector: {istio: 'eastwestgateway'}},
				},
			],
			{dryRun: false, force: false},
		);
		const seen = await gateways.next('gateway', u => u.items.length === 1);
		assert.equal(seen.items[0]!.metadata.name, 'cross-network-gateway');
		assert.ok(fake.requests.some(r => r.watch && r.path === '/apis/networking.istio.io/v1/namespaces/istio-system/gateways'));
		assert.ok(fake.requests.some(r => r.watch && r.path === '/api/v1/namespaces' && r.query.fieldSelector === `metadata.name=${NS}`));
	});

	test('stop() closes the watch, silences updates and leaves no timers, even during back-off', async () => {
		const updates = new Updates<DeploymentLike>();
		const handle = client.watchDeployments({namespace: NS}, updates.push);
		handles.push(handle);
		await updates.next('connected', u => u.connected);
		await eventually('watch open', () => fake.openWatches === 1);
		fake.failAll = 503;
		fake.dropWatches();
		await updates.next('disconnected', u => !u.connected);
		// Now in back-off with a retry timer pending.
		handle.stop();
		const count = updates.all.length;
		const timers = process.getActiveResourcesInfo().filter(r => r === 'Timeout').length;
		fake.failAll = undefined;
		fake.put(deployment(GW));
		await new Promise(resolve => setImmediate(resolve));
		assert.equal(updates.all.length, count, 'no updates after stop');
		assert.equal(fake.openWatches, 0);
		assert.equal(timers, 0, `timers left: ${process.getActiveResourcesInfo().join(', ')}`);

		const second = new Updates<DeploymentLike>();
		const h2 = client.watchDeployments({namespace: NS}, second.push);
		handles.push(h2);
		await second.next('connected', u => u.connected && u.items.length === 1);
		await eventually('watch open', () => fake.openWatches === 1);
		h2.stop();
		await eventually('the server saw the watch close', () => fake.openWatches === 0);
	});
});
