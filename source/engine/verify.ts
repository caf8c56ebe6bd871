/**
 * Runs `eastwest verify` through the ClusterClient port: claims its namespace in every cluster, then the three
 * layers in order (istiod's view, istiod's endpoints of a test Service, requests from each cluster's client),
 * walks the troubleshooting ladder for every direction that failed, and deletes what it created in every
 * cluster at the end, on failure and on cancel (unless kept). Judgements are core/verify.ts's; time is a Clock.
 */
import {CLUSTERZ_PATH, NETWORKZ_PATH, istiodViewError, istiodViewFrom, type IstiodView} from '../core/istiod-view.js';
import type {CheckResult} from '../core/checks/index.js';
import {TOPOLOGY_INFO, type ClusterSpec, type MeshPlanInput} from '../core/model.js';
import type {Clock, ClusterClient, ClusterClientFactory, KubeErrorInfo} from '../core/ports.js';
import {rec, strings} from '../core/record.js';
import {rolloutStatus, type PodLike} from '../core/rollout.js';
import {firstLine} from '../core/text.js';
import {
	CLIENT,
	HELLOWORLD,
	VERIFY_LABEL,
	VERIFY_STATE_ANNOTATION,
	expectedDirections,
	helloworldHost,
	istiodClusters,
	judgeControlPlane,
	judgeDiscovery,
	judgeHistogram,
	layerStatus,
	parseEndpointShards,
	readClientRun,
	reportStatus,
	requestCommand,
	servingIstiod,
	unverifiedLine,
	verdictLine,
	verifyNamespace,
	verifyWorkload,
	walkLadder,
	type ClientRun,
	type Direction,
	type DirectionReport,
	type LayerId,
	type LayerReport,
	type ShardRead,
	type VerifyImages,
	type VerifyItem,
	type VerifyReport,
} from '../core/verify.js';
import {clientCache, systemClock} from './steps.js';

export const ENDPOINT_SHARDZ_PATH = '/debug/endpointShardz';
/** How often a wait reads again. */
const POLL_MS = 2_000;
/** How long layer 1 waits for a peer still syncing. */
const CONTROL_PLANE_WAIT_MS = 30_000;
/** One istiod read, port-forward included. */
const READ_TIMEOUT_MS = 10_000;
/** How long cleanup waits for each namespace to be gone. */
const CLEANUP_WAIT_MS = 60_000;

export type VerifyEvent =
	| {type: 'layer-start'; layer: LayerId}
	| {type: 'item'; layer: LayerId; item: VerifyItem}
	| {type: 'waiting'; layer: LayerId; text: string}
	| {type: 'layer-done'; layer: LayerReport}
	| {type: 'cleanup'; cluster: string; text: string};

export interface VerifyOptions {
	plan: MeshPlanInput;
	namespace: string;
	requests: number;
	timeoutMs: number;
	keep: boolean;
	images: VerifyImages;
	/** Written on the namespace while the run holds it ("running since … (pid … on host)"). */
	holder: string;
	signal?: AbortSignal;
	onEvent?: (event: VerifyEvent) => void;
	/** The post-install check results the ladder is judged with (check's catalogue); read only when a direction fails. */
	readChecks?: (signal: AbortSignal) => Promise<CheckResult[]>;
}

/** Verify refused to start (the namespace is not eastwest's, or another verify holds it): nothing was changed. */
export class VerifyRefused extends Error {
	constructor(
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'VerifyRefused';
	}
}

class Cancelled extends Error {}

function describe(error: unknown): {message: string; hint?: string} {
	const info = (error as {info?: KubeErrorInfo})?.info;
	if (info?.message) return {message: info.message, ...(info.hint ? {hint: info.hint} : {})};
	return {message: firstLine(error)};
}

export function createVerify(deps: {factory: ClusterClientFactory; clock?: Clock}): (options: VerifyOptions) => Promise<VerifyReport> {
	return options => new Verify(options, clientCache(deps.factory), deps.clock ?? systemClock).execute();
}

class Verify {
	private readonly plan: MeshPlanInput;
	private readonly layers: LayerReport[] = [];
	private readonly created = new Set<string>();
	private readonly left: string[] = [];
	private deadline = 0;

	constructor(
		private readonly options: VerifyOptions,
		private readonly client: (context: string) => ClusterClient,
		private readonly clock: Clock,
	) {
		this.plan = options.plan;
	}

	private lastWait = '';

	private emit(event: VerifyEvent): void {
		if (event.type === 'waiting') {
			if (event.text === this.lastWait) return;
			this.lastWait = event.text;
		}
		try {
			this.options.onEvent?.(event);
		} catch {
			// A front-end's failure to draw does not stop the run.
		}
	}

	private get signal(): AbortSignal | undefined {
		return this.options.signal;
	}

	private checkCancel(): void {
		if (this.signal?.aborted) throw new Cancelled();
	}

	private sleep(ms: number): Promise<void> {
		return new Promise((resolve, reject) => {
			if (this.signal?.aborted) return reject(new Cancelled());
			const onAbort = () => {
				cancel();
				reject(new Cancelled());
			};
			const cancel = this.clock.after(ms, () => {
				this.signal?.removeEventListener('abort', onAbort);
				resolve();
			});
			this.signal?.addEventListener('abort', onAbort, {once: true});
		});
	}

	async execute(): Promise<VerifyReport> {
		let cancelled = false;
		this.deadline = this.clock.now() + this.options.timeoutMs;
		await this.claim();
		try {
			const controlPlane = await this.controlPlane();
			if (controlPlane.status === 'fail') {
				this.notRun(['discovery', 'data-plane'], 'the control plane layer failed');
			} else {
				const discovery = await this.discovery();
				if (discovery.status === 'fail') {
					this.notRun(['data-plane'], 'the service discovery layer failed');
				} else {
					await this.dataPlane();
				}
			}
		} catch (error) {
			if (!(error instanceof Cancelled) && !this.signal?.aborted) throw error;
			cancelled = true;
		} finally {
			await this.cleanup();
		}
		return {
			namespace: this.options.namespace,
			layers: this.layers,
			status: reportStatus(this.layers, cancelled || (this.signal?.aborted ?? false)),
			left: this.left,
		};
	}

	// ---------- the namespace ----------

	/** Refuse a namespace of that name eastwest did not create, or one another verify holds; nothing is changed then. */
	private async claim(): Promise<void> {
		const {namespace} = this.options;
		await Promise.all(
			this.plan.clusters.map(async c => {
				const found = await this.client(c.context).getObject('v1', 'Namespace', undefined, namespace, this.signal);
				if (!found) return;
				const meta = rec(found.metadata);
				const labels = strings(meta.labels);
				const managers = (Array.isArray(meta.managedFields) ? meta.managedFields : []).map(m => rec(m).manager);
				if (labels[VERIFY_LABEL] !== 'true' || !managers.includes('eastwest')) {
					throw new VerifyRefused(
						`namespace ${namespace} in ${c.context} was not created by eastwest verify: refusing to use or delete it`,
						'pick another name with --namespace',
					);
				}
				const state = strings(meta.annotations)[VERIFY_STATE_ANNOTATION] ?? '';
				if (state.startsWith('running') && !meta.deletionTimestamp) {
					throw new VerifyRefused(
						`another eastwest verify is using namespace ${namespace} in ${c.context} (${state})`,
						`wait for it to end; if none runs (it was killed), kubectl --context ${c.context} delete namespace ${namespace}`,
					);
				}
			}),
		);
		// A namespace still terminating from an earlier run is waited for before it is claimed again.
		for (const c of this.plan.clusters) await this.namespaceGone(c, this.deadline, true);
	}

	private async namespaceGone(cluster: ClusterSpec, until: number, quietly = false): Promise<boolean> {
		const {namespace} = this.options;
		let said = quietly;
		for (;;) {
			const found = await this.client(cluster.context).getObject('v1', 'Namespace', undefined, namespace);
			if (!found) return true;
			// Claiming waits only for a namespace that is terminating.
			if (quietly && !rec(found.metadata).deletionTimestamp) return true;
			if (this.clock.now() >= until) return false;
			if (!said) this.emit({type: 'cleanup', cluster: cluster.name, text: `waiting for namespace ${namespace} to be deleted (Terminating)`});
			said = true;
			await new Promise<void>(resolve => this.clock.after(POLL_MS, resolve));
		}
	}

	// ---------- layer 1 ----------

	private async readView(cluster: ClusterSpec): Promise<IstiodView> {
		const c = this.client(cluster.context);
		if (!c.readIstiodDebug) return {read: false, error: `istiod's debug endpoints cannot be read in ${cluster.context}`};
		try {
			const answer = await c.readIstiodDebug({
				paths: [CLUSTERZ_PATH, NETWORKZ_PATH],
				timeoutMs: READ_TIMEOUT_MS,
				...(this.plan.revision ? {revision: this.plan.revision} : {}),
				...(this.signal ? {signal: this.signal} : {}),
			});
			return istiodViewFrom(answer);
		} catch (error) {
			this.checkCancel();
			const info = (error as {info?: KubeErrorInfo}).info;
			return istiodViewError(info ?? {kind: 'other', message: firstLine(error)});
		}
	}

	private async controlPlane(): Promise<LayerReport> {
		this.emit({type: 'layer-start', layer: 'control-plane'});
		const until = Math.min(this.deadline, this.clock.now() + CONTROL_PLANE_WAIT_MS);
		let items: VerifyItem[] = [];
		for (;;) {
			this.checkCancel();
			const views = await Promise.all(istiodClusters(this.plan).map(async c => ({c, view: await this.readView(c)})));
			items = views.flatMap(({c, view}) => judgeControlPlane(this.plan, c, view));
			const open = items.filter(i => i.level !== 'pass');
			if (open.length === 0 || this.clock.now() >= until) break;
			this.emit({type: 'waiting', layer: 'control-plane', text: `waiting for ${open.map(i => i.text).join('; ')}`});
			await this.sleep(POLL_MS);
		}
		return await this.finishLayer('control-plane', items);
	}

	/** A layer of items: each item reported, then, when it failed, the ladder of every direction it breaks. */
	private async finishLayer(id: LayerId, items: VerifyItem[]): Promise<LayerReport> {
		for (const item of items) this.emit({type: 'item', layer: id, item});
		const layer: LayerReport = {id, status: layerStatus(items), items};
		if (layer.status === 'fail') await this.ladderForItems(layer);
		this.layers.push(layer);
		this.emit({type: 'layer-done', layer});
		return layer;
	}

	private notRun(ids: LayerId[], reason: string): void {
		for (const id of ids) {
			const layer: LayerReport = {id, status: 'not-run', items: [], reason};
			this.layers.push(layer);
			this.emit({type: 'layer-done', layer});
		}
	}

	// ---------- layer 2 ----------

	private async deploy(cluster: ClusterSpec): Promise<void> {
		const {namespace, images, holder} = this.options;
		const c = this.client(cluster.context);
		const apply = {dryRun: false, force: false, ...(this.signal ? {signal: this.signal} : {})};
		// Marked before the write: a cancel during it still cleans up (cleanup deletes only a namespace carrying verify's label).
		this.created.add(cluster.name);
		await c.apply([verifyNamespace(namespace, this.plan.revision, holder)], apply);
		await c.apply(verifyWorkload(namespace, cluster.name, images), apply);
	}

	private async waitRollouts(): Promise<VerifyItem[]> {
		const {namespace} = this.options;
		const pending = new Map(this.plan.clusters.flatMap(c => [`${HELLOWORLD}-${c.name}`, CLIENT].map(name => [`${c.name}/${name}`, {c, name}] as const)));
		const items: VerifyItem[] = [];
		for (;;) {
			this.checkCancel();
			const waiting: string[] = [];
			await Promise.all(
				[...pending].map(async ([key, {c, name}]) => {
					const d = await this.client(c.context).getDeployment(namespace, name, this.signal);
					const state = d ? rolloutStatus(d) : {state: 'waiting' as const, message: `${name} not found yet`};
					if (state.state === 'done') {
						pending.delete(key);
						items.push({id: `discovery/rollout/${c.name}/${name}`, level: 'pass', text: `${c.name}: ${name} rolled out`});
					} else if (state.state === 'failed') {
						pending.delete(key);
						items.push({id: `discovery/rollout/${c.name}/${name}`, level: 'fail', text: `${c.name}: ${name} did not roll out`, reason: state.message});
					} else waiting.push(`${c.name}: ${state.message}`);
				}),
			);
			if (pending.size === 0) return items;
			if (this.clock.now() >= this.deadline) {
				for (const [, {c, name}] of pending)
					items.push({
						id: `discovery/rollout/${c.name}/${name}`,
						level: 'fail',
						text: `${c.name}: ${name} did not roll out before the deadline`,
						reason: waiting.find(w => w.startsWith(`${c.name}:`)) ?? 'still waiting',
						hint: `kubectl --context ${c.context} -n ${namespace} describe deploy ${name} (an air-gapped cluster needs --image-registry)`,
					});
				return items;
			}
			this.emit({type: 'waiting', layer: 'discovery', text: `waiting for the test workloads to roll out: ${waiting.join('; ')}`});
			await this.sleep(POLL_MS);
		}
	}

	private async readShards(cluster: ClusterSpec): Promise<ShardRead> {
		const c = this.client(cluster.context);
		if (!c.readIstiodDebug) return {read: false, error: `istiod's debug endpoints cannot be read in ${cluster.context}`};
		try {
			const answer = await c.readIstiodDebug({
				paths: [ENDPOINT_SHARDZ_PATH],
				timeoutMs: READ_TIMEOUT_MS,
				...(this.plan.revision ? {revision: this.plan.revision} : {}),
				...(this.signal ? {signal: this.signal} : {}),
			});
			const response = answer.responses[0];
			if (!response || response.status !== 200) return {read: false, error: `${ENDPOINT_SHARDZ_PATH} answered HTTP ${response?.status ?? 0}`};
			const counts = parseEndpointShards(response.body, helloworldHost(this.options.namespace), this.options.namespace);
			return counts ? {read: true, counts} : {read: false, error: `${ENDPOINT_SHARDZ_PATH} is not the JSON istiod serves`};
		} catch (error) {
			this.checkCancel();
			const d = describe(error);
			return {read: false, error: d.message, ...(d.hint ? {hint: d.hint} : {})};
		}
	}

	private async discovery(): Promise<LayerReport> {
		this.emit({type: 'layer-start', layer: 'discovery'});
		this.emit({type: 'waiting', layer: 'discovery', text: `deploying ${HELLOWORLD} and ${CLIENT} into ${this.options.namespace} in every cluster`});
		await Promise.all(this.plan.clusters.map(c => this.deploy(c)));
		const rollouts = await this.waitRollouts();
		if (rollouts.some(i => i.level === 'fail')) return await this.finishLayer('discovery', rollouts);
		let items: VerifyItem[] = [];
		for (;;) {
			this.checkCancel();
			const reads = await Promise.all(istiodClusters(this.plan).map(async c => ({c, shards: await this.readShards(c)})));
			items = reads.flatMap(({c, shards}) => judgeDiscovery(this.plan, c, shards, this.options.namespace));
			const open = items.filter(i => i.level !== 'pass');
			if (open.length === 0 || this.clock.now() >= this.deadline) break;
			this.emit({type: 'waiting', layer: 'discovery', text: `waiting for istiod: ${open.map(i => i.text).join('; ')}`});
			await this.sleep(POLL_MS);
		}
		return await this.finishLayer('discovery', [...rollouts, ...items]);
	}

	// ---------- layer 3 ----------

	private async clientPod(cluster: ClusterSpec): Promise<PodLike | undefined> {
		const pods = await this.client(cluster.context).listPods(this.options.namespace, `app=${CLIENT}`, this.signal);
		const live = pods.filter(p => !rec((p as Record<string, unknown>).metadata).deletionTimestamp);
		return live.find(p => p.status?.phase === 'Running') ?? live[0];
	}

	private async runClient(cluster: ClusterSpec): Promise<ClientRun> {
		const c = this.client(cluster.context);
		const pod = await this.clientPod(cluster);
		const name = pod?.metadata?.name;
		if (!name) return {from: cluster.name, error: `no ${CLIENT} pod in ${this.options.namespace} on ${cluster.context}`};
		if (!c.execInPod) return {from: cluster.name, pod: name, error: `this client cannot exec into pods on ${cluster.context}`};
		try {
			const result = await c.execInPod({
				namespace: this.options.namespace,
				pod: name,
				container: CLIENT,
				command: requestCommand(this.options.namespace, this.options.requests),
				timeoutMs: Math.max(10_000, this.deadline - this.clock.now()),
				...(this.signal ? {signal: this.signal} : {}),
			});
			return {from: cluster.name, pod: name, output: result.stdout};
		} catch (error) {
			this.checkCancel();
			return {from: cluster.name, pod: name, error: describe(error).message};
		}
	}

	private async dataPlane(): Promise<void> {
		this.emit({type: 'layer-start', layer: 'data-plane'});
		this.emit({
			type: 'waiting',
			layer: 'data-plane',
			text: `${this.options.requests} requests from each cluster's ${CLIENT} to ${HELLOWORLD}.${this.options.namespace}:5000/hello`,
		});
		const runs = await Promise.all(this.plan.clusters.map(c => this.runClient(c)));
		const verdicts = runs.map(r => readClientRun(r, this.options.requests));
		const notRan = verdicts.filter(v => !v.ran);
		if (notRan.length > 0) {
			const reason = notRan.map(v => (v.ran ? '' : v.reason)).join('; ');
			const layer: LayerReport = {id: 'data-plane', status: 'unverified', items: [], reason: unverifiedLine(reason)};
			this.layers.push(layer);
			this.emit({type: 'layer-done', layer});
			return;
		}
		const histograms = verdicts.flatMap(v => (v.ran ? [v.histogram] : []));
		const directions: DirectionReport[] = histograms.flatMap(h => judgeHistogram(this.plan, h));
		const failed = directions.filter(d => d.level === 'fail');
		if (failed.length > 0) {
			const checks = await this.readChecks();
			const earlier = this.layers.flatMap(l => l.items);
			for (const d of failed) {
				const from = this.plan.clusters.find(c => c.name === d.from);
				const pod = from ? await this.clientPod(from) : undefined;
				d.ladder = walkLadder({plan: this.plan, direction: d, clientPod: pod, checks, items: earlier});
				d.verdict = verdictLine(d, d.ladder);
			}
		}
		const layer: LayerReport = {id: 'data-plane', status: layerStatus(directions), items: [], histograms, directions};
		this.layers.push(layer);
		this.emit({type: 'layer-done', layer});
	}

	// ---------- the ladder for a failed layer 1 or 2 ----------

	private async readChecks(): Promise<CheckResult[]> {
		if (!this.options.readChecks) return [];
		const controller = new AbortController();
		const stop = () => controller.abort();
		this.signal?.addEventListener('abort', stop, {once: true});
		try {
			return await this.options.readChecks(controller.signal);
		} catch {
			return [];
		} finally {
			this.signal?.removeEventListener('abort', stop);
		}
	}

	/** The directions a failed item of layer 1 or 2 breaks, each with its ladder, as the layer's directions. */
	private async ladderForItems(layer: LayerReport): Promise<void> {
		const broken = new Map<string, Direction>();
		for (const item of layer.items.filter(i => i.level === 'fail')) {
			for (const d of this.directionsOf(item)) broken.set(`${d.from}>${d.to}`, d);
		}
		if (broken.size === 0) return;
		const checks = await this.readChecks();
		const pods = new Map<string, PodLike | undefined>();
		const reports: DirectionReport[] = [];
		for (const d of broken.values()) {
			const from = this.plan.clusters.find(c => c.name === d.from);
			if (from && !pods.has(from.name) && layer.id === 'discovery') pods.set(from.name, await this.clientPod(from).catch(() => undefined));
			const ladder = walkLadder({plan: this.plan, direction: d, clientPod: pods.get(d.from), checks, items: layer.items});
			// Layers 1 and 2 run before any request: a missing sidecar does not explain them.
			const steps = ladder.filter(s => s.id !== 'client-sidecar');
			reports.push({...d, level: 'fail', answers: 0, text: `${d.from} → ${d.to}: cannot work`, ladder: steps, verdict: verdictLine(d, steps)});
		}
		layer.directions = reports;
	}

	/** Which directions a failed item breaks: an istiod's missing peer, network or endpoints break the requests of the clusters it serves to that peer. */
	private directionsOf(item: VerifyItem): Direction[] {
		const parts = item.id.split('/');
		const expected = expectedDirections(this.plan);
		const servedBy = (istiod: string) => this.plan.clusters.filter(c => servingIstiod(this.plan, c)?.name === istiod).map(c => c.name);
		if (parts[0] === 'control-plane' && parts.length === 4) {
			const [, istiod = '', kind, subject = ''] = parts;
			const targets =
				kind === 'peer'
					? [subject]
					: kind === 'network' && TOPOLOGY_INFO[this.plan.topology].multiNetwork
						? this.plan.clusters.filter(c => c.network === subject).map(c => c.name)
						: this.plan.clusters.map(c => c.name);
			return expected.filter(d => servedBy(istiod).includes(d.from) && targets.includes(d.to));
		}
		if (parts[0] === 'discovery' && parts.length === 3 && parts[2] !== 'read') {
			const [, istiod = '', source = ''] = parts;
			return expected.filter(d => servedBy(istiod).includes(d.from) && d.to === source);
		}
		if (parts[0] === 'discovery' && parts[2] === 'read') return expected.filter(d => servedBy(parts[1] ?? '').includes(d.from));
		return [];
	}

	// ---------- cleanup ----------

	private async cleanup(): Promise<void> {
		const {namespace, keep} = this.options;
		await Promise.all(
			this.plan.clusters.map(async cluster => {
				if (!this.created.has(cluster.name)) return;
				const c = this.client(cluster.context);
				// Cleanup runs after a cancel too: it has its own deadline, not the run's signal.
				try {
					const found = await c.getObject('v1', 'Namespace', undefined, namespace);
					if (!found || labelOf(found) !== 'true') return;
					if (keep) {
						await c.apply([{...verifyNamespace(namespace, this.plan.revision, 'kept')}], {dryRun: false, force: false});
						this.left.push(`namespace ${namespace} in ${cluster.context} (--keep)`);
						this.emit({type: 'cleanup', cluster: cluster.name, text: `kept namespace ${namespace} (--keep)`});
						return;
					}
					const uid = rec(found.metadata).uid;
					await c.deleteObject({apiVersion: 'v1', kind: 'Namespace', name: namespace, ...(typeof uid === 'string' ? {uid} : {})}, {dryRun: false});
					this.emit({type: 'cleanup', cluster: cluster.name, text: `deleting namespace ${namespace} and everything in it`});
					const gone = await this.namespaceGone(cluster, this.clock.now() + CLEANUP_WAIT_MS);
					if (!gone) this.left.push(`namespace ${namespace} in ${cluster.context} (still terminating)`);
					else this.emit({type: 'cleanup', cluster: cluster.name, text: `namespace ${namespace} deleted`});
				} catch (error) {
					this.left.push(`namespace ${namespace} in ${cluster.context} (${describe(error).message})`);
				}
			}),
		);
	}
}

function labelOf(ns: Record<string, unknown>): string | undefined {
	return strings(rec(ns.metadata).labels)[VERIFY_LABEL];
}
