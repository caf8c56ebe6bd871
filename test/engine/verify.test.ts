/**
 * The verify runner against a scripted ClusterClient: every istiod answers its debug endpoints, every
 * Deployment rolls out at once, and each client's exec prints what a test scripts. Cleanup is proven by
 * what is left in the store.
 */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {createVerify, ENDPOINT_SHARDZ_PATH, VerifyRefused} from '../../source/engine/verify.js';
import {DONE_MARKER, DEFAULT_IMAGES, VERIFY_LABEL, VERIFY_STATE_ANNOTATION, helloworldHost} from '../../source/core/verify.js';
import type {ClusterClient, ClusterClientFactory, IstiodDebugRequest, PodExecRequest} from '../../source/core/ports.js';
import type {Manifest} from '../../source/core/manifests.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {CheckResult} from '../../source/core/checks/index.js';

const NS = 'eastwest-verify';
const plan: MeshPlanInput = {
	topology: 'multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'east', name: 'east', network: 'net-east', role: 'primary'},
		{context: 'west', name: 'west', network: 'net-west', role: 'primary'},
	],
};

interface Script {
	/** stdout of each cluster's request loop. */
	exec?: (cluster: string) => string;
	sidecar?: boolean;
	/** Called when a cluster's exec starts (a test can cancel there). */
	onExec?: () => void;
}

class Scripted {
	readonly objects = new Map<string, Manifest & {metadata: Manifest['metadata'] & {uid?: string; managedFields?: unknown[]}}>();
	constructor(
		readonly name: string,
		readonly script: Script,
	) {}
	key(kind: string, namespace: string | undefined, name: string) {
		return `${kind}/${namespace ?? ''}/${name}`;
	}
	client(): ClusterClient {
		return clientOf(this);
	}
}

function clientOf(self: Scripted): ClusterClient {
	{
		const other = self.name === 'east' ? 'west' : 'east';
		return {
			context: self.name,
			async apply(manifests: Manifest[]) {
				return manifests.map(m => {
					const k = self.key(m.kind, m.metadata.namespace, m.metadata.name);
					const had = self.objects.has(k);
					self.objects.set(k, {...m, metadata: {...m.metadata, uid: `uid-${k}`, managedFields: [{manager: 'eastwest'}]}});
					return {kind: m.kind, name: m.metadata.name, outcome: had ? 'configured' : 'created'};
				});
			},
			async getObject(_apiVersion: string, kind: string, namespace: string | undefined, name: string) {
				return self.objects.get(self.key(kind, namespace, name)) as Record<string, unknown> | undefined;
			},
			async getDeployment(namespace: string, name: string) {
				if (!self.objects.has(self.key('Deployment', namespace, name))) return undefined;
				return {
					metadata: {name, generation: 1},
					spec: {replicas: 1},
					status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1},
				};
			},
			async listPods(namespace: string) {
				if (!self.objects.has(self.key('Deployment', namespace, 'curl'))) return [];
				const containers = [{name: 'curl'}, ...(self.script.sidecar === false ? [] : [{name: 'istio-proxy'}])];
				return [
					{metadata: {name: `curl-${self.name}`}, spec: {containers}, status: {phase: 'Running', containerStatuses: containers.map(() => ({ready: true}))}},
				];
			},
			async readIstiodDebug(request: IstiodDebugRequest) {
				const deployed = self.objects.has(self.key('Namespace', undefined, NS));
				const responses = request.paths.map(path => {
					if (path === '/debug/clusterz')
						return {
							path,
							status: 200,
							body: JSON.stringify([
								{id: self.name, secretName: '', syncStatus: 'synced'},
								{id: other, secretName: `istio-system/istio-remote-secret-${other}`, syncStatus: 'synced'},
							]),
						};
					if (path === '/debug/networkz')
						return {
							path,
							status: 200,
							body: JSON.stringify([
								{Network: 'net-east', Addr: '192.0.2.1', Port: 15443},
								{Network: 'net-west', Addr: '192.0.2.2', Port: 15443},
							]),
						};
					if (path === ENDPOINT_SHARDZ_PATH)
						return {
							path,
							status: 200,
							body: JSON.stringify(deployed ? {[helloworldHost(NS)]: {[NS]: {Shards: {'Kubernetes/east': [{}], 'Kubernetes/west': [{}]}}}} : {}),
						};
					return {path, status: 404, body: ''};
				});
				return {pod: `istiod-${self.name}`, port: 15014, responses};
			},
			async execInPod(request: PodExecRequest) {
				assert.equal(request.container, 'curl');
				self.script.onExec?.();
				return {stdout: self.script.exec ? self.script.exec(self.name) : '', stderr: ''};
			},
			async deleteObject(ref: {kind: string; namespace?: string; name: string}) {
				// Deleting the namespace takes everything in it.
				if (ref.kind === 'Namespace')
					for (const k of [...self.objects.keys()])
						if (k.split('/')[1] === ref.name || k === self.key('Namespace', undefined, ref.name)) self.objects.delete(k);
				return 'deleted';
			},
		} as unknown as ClusterClient;
	}
}

function setup(script: Script) {
	const clusters = {east: new Scripted('east', script), west: new Scripted('west', script)};
	const clients = {east: clusters.east.client(), west: clusters.west.client()};
	const factory = {
		kubeconfig: {files: [], contexts: [], warnings: []},
		client: (context: string) => clients[context as 'east' | 'west'],
	} as ClusterClientFactory;
	return {clusters, factory};
}

const reply = (counts: Record<string, number>) =>
	[...Object.entries(counts).flatMap(([c, n]) => Array.from({length: n}, () => `Hello version: ${c}, instance: helloworld-${c}-1`)), DONE_MARKER].join('\n');

const options = (extra: Partial<Parameters<ReturnType<typeof createVerify>>[0]> = {}) => ({
	plan,
	namespace: NS,
	requests: 20,
	timeoutMs: 60_000,
	keep: false,
	images: DEFAULT_IMAGES,
	holder: 'running since test',
	...extra,
});

const leftovers = (s: ReturnType<typeof setup>) => [...s.clusters.east.objects.keys(), ...s.clusters.west.objects.keys()];

test('every direction answered: all three layers pass, histograms per client, nothing left behind', async () => {
	const s = setup({exec: c => (c === 'east' ? reply({east: 11, west: 9}) : reply({east: 10, west: 10}))});
	const report = await createVerify({factory: s.factory})(options());
	assert.deepEqual(
		report.layers.map(l => [l.id, l.status]),
		[
			['control-plane', 'pass'],
			['discovery', 'pass'],
			['data-plane', 'pass'],
		],
	);
	assert.equal(report.status, 'pass');
	assert.deepEqual(report.layers[2]!.histograms?.[0]?.answers, {east: 11, west: 9});
	assert.deepEqual(leftovers(s), []);
});

test('one direction failing: the ladder names the first broken link from the checks, and cleanup still runs', async () => {
	const checks: CheckResult[] = [
		{id: 'remote-secrets', cluster: 'west', claim: 'c', level: 'fail', status: 'fail', reason: 'no Secret istio-remote-secret-east for east'},
	];
	const s = setup({exec: c => (c === 'east' ? reply({east: 10, west: 10}) : reply({west: 20}))});
	const report = await createVerify({factory: s.factory})(options({readChecks: async () => checks}));
	assert.equal(report.status, 'fail');
	const failed = report.layers[2]!.directions!.filter(d => d.level === 'fail');
	assert.deepEqual(
		failed.map(d => `${d.from}>${d.to}`),
		['west>east'],
	);
	assert.match(failed[0]!.verdict!, /^west → east failed: the remote secret .* no Secret istio-remote-secret-east for east/);
	assert.deepEqual(leftovers(s), []);
});

test('a skewed histogram is a warning, not a failure', async () => {
	const s = setup({exec: c => (c === 'east' ? reply({east: 19, west: 1}) : reply({east: 10, west: 10}))});
	const report = await createVerify({factory: s.factory})(options());
	assert.equal(report.layers[2]!.status, 'warn');
	assert.equal(report.status, 'pass');
});

test('no sidecar on the client: the failing direction says so first', async () => {
	const s = setup({sidecar: false, exec: c => reply({[c]: 20})});
	const report = await createVerify({factory: s.factory})(options({readChecks: async () => []}));
	const d = report.layers[2]!.directions!.find(x => x.level === 'fail');
	assert.match(d?.verdict ?? '', /the client has a sidecar .* curl-(east|west) has no istio-proxy/);
});

test('a loop that prints nothing (no container runs) leaves the data plane not verified', async () => {
	const s = setup({});
	const report = await createVerify({factory: s.factory})(options());
	assert.equal(report.status, 'unverified');
	assert.match(report.layers[2]!.reason ?? '', /^data plane not verified: the request loop in curl-east on east did not run/);
	assert.deepEqual(leftovers(s), []);
});

test('cancelled during the requests: cancelled, and the namespaces are deleted anyway', async () => {
	const controller = new AbortController();
	const s = setup({onExec: () => controller.abort(), exec: () => ''});
	const report = await createVerify({factory: s.factory})(options({signal: controller.signal}));
	assert.equal(report.status, 'cancelled');
	assert.deepEqual(leftovers(s), []);
});

test('--keep leaves the namespace, marked kept; a namespace not of verify is refused and never touched', async () => {
	const s = setup({exec: c => reply({east: 10, west: 10, [c]: 10})});
	const report = await createVerify({factory: s.factory})(options({keep: true}));
	assert.equal(report.left.length, 2);
	const ns = s.clusters.east.objects.get(`Namespace//${NS}`);
	assert.equal(ns?.metadata.annotations?.[VERIFY_STATE_ANNOTATION], 'kept');

	const foreign = setup({});
	foreign.clusters.west.objects.set(`Namespace//${NS}`, {
		apiVersion: 'v1',
		kind: 'Namespace',
		metadata: {name: NS, labels: {team: 'a'}, managedFields: [{manager: 'kubectl'}]},
	});
	await assert.rejects(
		createVerify({factory: foreign.factory})(options()),
		(e: unknown) => e instanceof VerifyRefused && /was not created by eastwest verify/.test(e.message),
	);
	assert.deepEqual(leftovers(foreign), [`Namespace//${NS}`]);

	const busy = setup({});
	busy.clusters.east.objects.set(`Namespace//${NS}`, {
		apiVersion: 'v1',
		kind: 'Namespace',
		metadata: {
			name: NS,
			labels: {[VERIFY_LABEL]: 'true'},
			annotations: {[VERIFY_STATE_ANNOTATION]: 'running since 05:00 (pid 1 on h)'},
			managedFields: [{manager: 'eastwest'}],
		},
	});
	await assert.rejects(
		createVerify({factory: busy.factory})(options()),
		/another eastwest verify is using namespace eastwest-verify in east \(running since 05:00/,
	);
});
