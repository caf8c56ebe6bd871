import {test} from 'node:test';
import assert from 'node:assert/strict';
import type {CreateRemoteSecretOptions} from '../../source/core/ports.js';
import type {Sealed} from '../../source/core/sealed.js';
import {createRunPlan, gatewayMismatch} from '../../source/engine/index.js';
import {buildPlan} from '../../source/core/plan.js';
import type {Event, RunOutcome} from '../../source/core/events.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {FakeFactory, FakeIstioctl} from '../support/fake-cluster.js';
import {meshPlan, multiNetwork, primaryRemoteMultiNetwork} from '../support/plans.js';
import {DEFAULT_PARALLEL} from '../../source/core/slots.js';
import type {IstioctlInstallOptions} from '../../source/core/ports.js';
import {FakeClock} from '../support/fake-clock.js';

const multi = multiNetwork;
const primaryRemoteMulti = primaryRemoteMultiNetwork;

async function run(
	input: MeshPlanInput,
	setup: (f: FakeFactory, i: FakeIstioctl) => void = () => {},
	opts: {
		timeoutMs?: number;
		dryRun?: boolean;
		reinstall?: boolean;
		parallel?: number;
		signal?: AbortSignal;
		factory?: FakeFactory;
		istioctl?: (f: FakeFactory) => FakeIstioctl;
		clock?: FakeClock;
		onEvent?: (e: Event) => void;
	} = {},
) {
	const factory =
		opts.factory ??
		new FakeFactory(
			input.clusters.map(c => c.context),
			'/tmp/kubeconfig',
		);
	const istioctl = opts.istioctl?.(factory) ?? new FakeIstioctl(factory);
	setup(factory, istioctl);
	const events: Event[] = [];
	const outcome = await createRunPlan({factory, istioctl, ...(opts.clock ? {clock: opts.clock} : {})})(buildPlan(input), {
		timeoutMs: opts.timeoutMs ?? 2000,
		dryRun: opts.dryRun ?? false,
		force: false,
		reinstall: opts.reinstall,
		...(opts.parallel !== undefined ? {parallel: opts.parallel} : {}),
		signal: opts.signal,
		onEvent: e => {
			events.push(e);
			opts.onEvent?.(e);
		},
	});
	return {factory, istioctl, events, outcome};
}

/**
 * Once `ready` holds for the events so far, move the clock forward by `ms` (once): the deadline of a wait
 * that cannot end passes while nothing else is waiting on the clock.
 */
function advanceWhen(
	clock: FakeClock,
	ms: number,
	ready: (seen: (type: Event['type'], stepId: string, reason?: RegExp) => boolean) => boolean,
): (e: Event) => void {
	const events: Event[] = [];
	const seen = (type: Event['type'], stepId: string, reason?: RegExp) =>
		events.some(e => e.type === type && 'stepId' in e && e.stepId === stepId && (!reason || (e.type === 'waiting' && reason.test(e.reason))));
	let moved = false;
	return e => {
		events.push(e);
		if (!moved && ready(seen)) {
			moved = true;
			setImmediate(() => void clock.advance(ms));
		}
	};
}

const statuses = (o: RunOutcome, cluster: string) =>
	Object.fromEntries(o.clusters.find(c => c.cluster === cluster)!.steps.map(s => [s.id.split('/')[1], s.status]));

test('multi-network: both clusters labeled, installed, rolled out, addressed and exposed; events in step order', async () => {
	const {factory, istioctl, events, outcome} = await run(multi, f => {
		f.cluster('cw').script = {lb: {hostname: 'gw.west.example'}};
	});
	factory.dispose();
	assert.equal(outcome.ok, true);
	assert.deepEqual(statuses(outcome, 'east'), {
		'label-network': 'changed',
		'install-gateway': 'changed',
		'wait-rollout': 'changed',
		'wait-address': 'changed',
		'expose-services': 'changed',
		'remote-secret': 'changed',
	});
	assert.deepEqual(
		outcome.clusters.map(c => c.address),
		[
			{kind: 'ip', value: '127.0.0.10'},
			{kind: 'hostname', value: 'gw.west.example'},
		],
	);
	assert.equal(factory.cluster('ce').namespaces.get('istio-system')?.['topology.istio.io/network'], 'net-east');
	assert.ok(factory.cluster('cw').applied.has('Gateway/cross-network-gateway'));
	assert.deepEqual(
		istioctl.installs.map(i => [i.context, i.kubeconfig, i.readinessTimeoutMs]),
		[
			['ce', '/tmp/kubeconfig', 2000],
			['cw', '/tmp/kubeconfig', 2000],
		],
	);
	// Per cluster, each step starts after its dependency is done.
	const east = events
		.filter(e => 'cluster' in e && e.cluster === 'east' && (e.type === 'step-start' || e.type === 'step-done') && e.kind !== 'remote-secret')
		.map(e => `${e.type}:${(e as any).stepId.split('/')[1]}`);
	assert.deepEqual(east.slice(0, 4), ['step-start:label-network', 'step-done:label-network', 'step-start:install-gateway', 'step-done:install-gateway']);
	assert.ok(events.some(e => e.type === 'line' && e.cluster === 'west' && e.text === '✔ Ingress gateways installed 🛬'));
	const addressAt = events.findIndex(e => e.type === 'address' && e.cluster === 'east');
	const doneAt = events.findIndex(e => e.type === 'step-done' && e.stepId === 'east/wait-address');
	assert.ok(addressAt >= 0 && addressAt < doneAt, 'address is announced as soon as it is known');
	assert.equal(events.at(-1)?.type, 'run-done');
	for (const c of factory.clusters.values()) assert.equal(c.activeWatches, 0, 'every watch was stopped');
});

test('a re-run on a set-up cluster reports unchanged and does not run istioctl again; --reinstall does', async () => {
	const first = await run(multi);
	first.factory.dispose();
	const again = await run(multi, () => {}, {factory: first.factory});
	again.factory.dispose();
	assert.equal(again.outcome.ok, true);
	assert.deepEqual(statuses(again.outcome, 'west'), {
		'label-network': 'unchanged',
		'install-gateway': 'unchanged',
		'wait-rollout': 'unchanged',
		'wait-address': 'unchanged',
		'expose-services': 'unchanged',
		'remote-secret': 'unchanged',
	});
	assert.equal(again.istioctl.installs.length, 0);
	assert.match(
		again.outcome.clusters[1]!.steps.find(s => s.kind === 'remote-secret')!.detail ?? '',
		/Secret istio-system\/istio-remote-secret-east unchanged; west's istiod can read east/,
	);
	const detail = again.outcome.clusters[1]!.steps[1]!.detail;
	assert.equal(detail, 'already installed by eastwest for network net-west, revision default');
	const forced = await run(multi, () => {}, {factory: first.factory, reinstall: true});
	forced.factory.dispose();
	assert.equal(forced.istioctl.installs.length, 2);
});

test('primary-remote across networks: the remote installs only after the primary exposed istiod', async () => {
	const {factory, events, outcome} = await run(primaryRemoteMulti);
	factory.dispose();
	assert.equal(outcome.ok, true);
	const exposeDone = events.findIndex(e => e.type === 'step-done' && e.stepId === 'one/expose-istiod');
	const remoteInstall = events.findIndex(e => e.type === 'step-start' && e.stepId === 'two/install-gateway');
	assert.ok(exposeDone >= 0 && exposeDone < remoteInstall);
	assert.ok(factory.cluster('c1').applied.has('VirtualService/istiod-vs'));
});

test('the gateway install and the remote control-plane install call istioctl alike: context, kubeconfig, deadline, dry run, signal; lines go out on the step', async () => {
	const signal = new AbortController().signal;
	for (const dryRun of [false, true]) {
		const {factory, istioctl, events, outcome} = await run(primaryRemoteMulti, () => {}, {timeoutMs: 3000, dryRun, signal, reinstall: true});
		factory.dispose();
		assert.equal(outcome.ok, true);
		const contexts = primaryRemoteMulti.clusters.map(c => c.context);
		const calls = istioctl.installs.map(i => ({
			context: i.context,
			kubeconfig: i.kubeconfig,
			readiness: i.readinessTimeoutMs,
			dryRun: i.dryRun,
			signal: i.signal === signal,
		}));
		assert.ok(events.some(e => e.type === 'step-start' && e.kind === 'install-gateway'));
		assert.ok(calls.length >= 2, `a gateway install and the remote control plane's: ${calls.length}`);
		for (const call of calls)
			assert.deepEqual(
				{...call, context: contexts.includes(call.context)},
				{context: true, kubeconfig: '/tmp/kubeconfig', readiness: 3000, dryRun, signal: true},
			);
		if (dryRun) continue;
		const remote = events.find(e => e.type === 'step-start' && e.kind === 'install-remote');
		assert.ok(remote && remote.type === 'step-start');
		assert.ok(events.some(e => e.type === 'line' && e.stepId === remote.stepId && e.text === '✔ Istiod remote installed 🧠'));
	}
});

test('istioctl failing fails that cluster with cause and hint; its dependants are not-run; the other cluster continues', async () => {
	const {factory, events, outcome} = await run(multi, (_f, i) => {
		i.scenario = {ce: 'fail'};
	});
	factory.dispose();
	assert.equal(outcome.ok, false);
	const failed = events.find(e => e.type === 'step-failed');
	assert.ok(failed && failed.type === 'step-failed');
	assert.equal(failed.stepId, 'east/install-gateway');
	assert.equal(failed.error, 'failed to install manifests: errors occurred during operation');
	assert.match(failed.hint ?? '', /RBAC/);
	assert.deepEqual(statuses(outcome, 'east'), {
		'label-network': 'changed',
		'install-gateway': 'failed',
		'wait-rollout': 'not-run',
		'wait-address': 'not-run',
		'expose-services': 'not-run',
		'remote-secret': 'changed',
	});
	assert.equal(outcome.clusters[0]!.outcome, 'failed');
	assert.equal(outcome.clusters[1]!.outcome, 'succeeded');
});

test('a failed primary leaves the remote not started in primary-remote', async () => {
	const {factory, outcome} = await run(primaryRemoteMulti, f => {
		f.cluster('c1').script = {conflicts: {'Gateway/istiod-gateway': 'kubectl-client-side-apply'}};
	});
	factory.dispose();
	const expose = outcome.clusters[0]!.steps.find(s => s.kind === 'expose-istiod')!;
	assert.equal(expose.status, 'failed');
	assert.match(expose.error ?? '', /conflict with field manager "kubectl-client-side-apply"/);
	assert.match(expose.hint ?? '', /--force/);
	assert.equal(statuses(outcome, 'two')['install-gateway'], 'not-run');
	assert.equal(statuses(outcome, 'two')['label-network'], 'changed');
});

test('a pending LoadBalancer fails at the deadline with the reason and the MetalLB hint, after waiting lines', async () => {
	const clock = new FakeClock();
	const {factory, events, outcome} = await run(
		multi,
		f => {
			f.cluster('ce').script = {lb: 'pending'};
		},
		{
			timeoutMs: 1300,
			clock,
			onEvent: advanceWhen(clock, 1300, seen => seen('waiting', 'east/wait-address', /no ingress address/) && seen('step-done', 'west/wait-address')),
		},
	);
	factory.dispose();
	const failed = events.find(e => e.type === 'step-failed' && e.stepId === 'east/wait-address');
	assert.ok(failed && failed.type === 'step-failed');
	assert.equal(failed.error, 'gave up after 1.3s waiting for an external address for the gateway Service: the LoadBalancer Service has no ingress address yet');
	assert.match(failed.hint ?? '', /MetalLB/);
	assert.equal(failed.elapsedMs, 1300);
	const waits = events.filter((e): e is Extract<Event, {type: 'waiting'}> => e.type === 'waiting' && e.stepId === 'east/wait-address');
	const reason = 'the LoadBalancer Service has no ingress address yet';
	assert.deepEqual(
		waits.filter(w => w.reason === reason).map(w => w.elapsedMs),
		[0, 1000],
		'the reason is said when it changes, then repeated every second while it holds',
	);
	assert.equal(clock.pending, 0, 'no timer is left behind');
	assert.equal(statuses(outcome, 'east')['expose-services'], 'not-run');
	assert.equal(statuses(outcome, 'west')['expose-services'], 'changed');
});

test('an injection failure (ImagePullBackOff on image auto) is named while waiting and at the deadline', async () => {
	const clock = new FakeClock();
	const {factory, events, outcome} = await run(
		multi,
		f => {
			f.cluster('cw').script = {rollout: 'image-pull'};
		},
		{
			timeoutMs: 500,
			clock,
			onEvent: advanceWhen(clock, 500, seen => seen('waiting', 'west/wait-rollout', /ImagePullBackOff/) && seen('step-done', 'east/wait-address')),
		},
	);
	factory.dispose();
	const waiting = events.filter(e => e.type === 'waiting' && e.stepId === 'west/wait-rollout').map(e => (e as any).reason);
	assert.ok(
		waiting.some(r =>
			/0 of 1 updated replicas are available; pod istio-eastwestgateway-7d9f-abcde: ImagePullBackOff: container istio-proxy still has image "auto"/.test(r),
		),
		waiting.join('\n'),
	);
	const failed = outcome.clusters[1]!.steps.find(s => s.kind === 'wait-rollout')!;
	assert.equal(failed.status, 'failed');
	assert.match(failed.error ?? '', /^gave up after 0\.5s waiting for the gateway Deployment to roll out/);
	assert.match(failed.hint ?? '', /MutatingWebhookConfiguration istio-sidecar-injector exists/);
});

test('an unreachable context fails its first step with a one-line error; the other cluster succeeds', async () => {
	const {factory, outcome} = await run(multi, f => {
		f.cluster('ce').script = {unreachable: true};
	});
	factory.dispose();
	const first = outcome.clusters[0]!.steps[0]!;
	assert.equal(first.status, 'failed');
	assert.match(first.error ?? '', /cannot reach the API server/);
	// west's own gateway is set up; the secret for the cluster that never got its namespace is not attempted.
	const west = statuses(outcome, 'west');
	assert.deepEqual(west, {
		'label-network': 'changed',
		'install-gateway': 'changed',
		'wait-rollout': 'changed',
		'wait-address': 'changed',
		'expose-services': 'changed',
		'remote-secret': 'not-run',
	});
	assert.equal(outcome.clusters[1]!.outcome, 'failed');
});

test('dry run changes nothing: server-side dry-run applies, istioctl --dry-run, waits skipped', async () => {
	const {factory, istioctl, outcome} = await run(multi, () => {}, {dryRun: true});
	factory.dispose();
	assert.equal(outcome.ok, true);
	assert.equal(
		istioctl.installs.every(i => i.dryRun),
		true,
	);
	assert.equal(factory.cluster('ce').deployments.size, 0);
	assert.equal(factory.cluster('ce').applied.size, 0);
	assert.ok(factory.cluster('ce').calls.some(c => c.endsWith('dry-run')));
	assert.deepEqual(statuses(outcome, 'east'), {
		'label-network': 'changed',
		'install-gateway': 'skipped',
		'wait-rollout': 'skipped',
		'wait-address': 'skipped',
		'expose-services': 'changed',
		'remote-secret': 'skipped',
	});
	assert.equal(factory.cluster('ce').namespaces.size, 0);
	assert.equal(factory.cluster('ce').objectsOf('Secret').length, 0, 'a dry run writes no remote secret');
	assert.ok(
		istioctl.remoteSecrets.every(r => r.createServiceAccount === false),
		'a dry run creates no service account on the peer',
	);
});

test('cancellation stops istioctl and the waits, marks running steps cancelled and the rest not-run', async () => {
	const controller = new AbortController();
	// Abort once east's istioctl is hanging and west is waiting for its address: both are running then.
	const running = new Set<string>();
	const pending = run(
		multi,
		(f, i) => {
			i.scenario = {ce: 'hang'};
			f.cluster('cw').script = {lb: 'pending'};
		},
		{
			signal: controller.signal,
			timeoutMs: 60_000,
			onEvent: e => {
				if (e.type === 'step-start') running.add(e.stepId);
				if (running.has('east/install-gateway') && running.has('west/wait-address') && !controller.signal.aborted) controller.abort();
			},
		},
	);
	const {factory, events, outcome} = await pending;
	assert.equal(outcome.cancelled, true);
	assert.equal(outcome.ok, false);
	assert.equal(statuses(outcome, 'east')['install-gateway'], 'cancelled');
	assert.equal(statuses(outcome, 'east')['wait-rollout'], 'not-run');
	assert.equal(statuses(outcome, 'west')['wait-address'], 'cancelled');
	assert.equal(statuses(outcome, 'west')['expose-services'], 'not-run');
	assert.deepEqual(
		outcome.clusters.map(c => c.outcome),
		['cancelled', 'cancelled'],
	);
	assert.equal(events.at(-1)?.type, 'run-done');
	for (const c of factory.clusters.values()) assert.equal(c.activeWatches, 0);
	factory.dispose();
});

/** An istioctl whose installs each hold for a while (or until cancelled) before installing; counts how many run at once. */
class HoldingIstioctl extends FakeIstioctl {
	running = 0;
	peak = 0;
	onStart: () => void = () => {};

	constructor(
		factory: FakeFactory,
		private readonly holdMs: number | undefined,
	) {
		super(factory);
	}

	override async install(options: IstioctlInstallOptions): Promise<void> {
		this.running += 1;
		this.peak = Math.max(this.peak, this.running);
		try {
			await new Promise<void>((resolve, reject) => {
				if (this.holdMs !== undefined) setTimeout(resolve, this.holdMs);
				options.signal?.addEventListener('abort', () => reject(new Error('istioctl install was cancelled')), {once: true});
				this.onStart();
			});
			await super.install(options);
		} finally {
			this.running -= 1;
		}
	}

	/** create-remote-secret calls share the bound: counted, not held. */
	override async createRemoteSecret(options: CreateRemoteSecretOptions): Promise<Sealed<string>> {
		this.running += 1;
		this.peak = Math.max(this.peak, this.running);
		try {
			await new Promise(resolve => setImmediate(resolve));
			return await super.createRemoteSecret(options);
		} finally {
			this.running -= 1;
		}
	}
}

test('--parallel bounds the istioctl installs running at once; queued installs say what is ahead, then all finish', async () => {
	const input = meshPlan({clusters: 5});
	let holding: HoldingIstioctl | undefined;
	const {factory, outcome, events} = await run(input, () => {}, {
		parallel: 2,
		timeoutMs: 60_000,
		istioctl: f => (holding = new HoldingIstioctl(f, 30)),
	});
	factory.dispose();
	assert.equal(outcome.ok, true, JSON.stringify(outcome.clusters.map(c => c.outcome)));
	assert.equal(holding!.installs.length, 5);
	assert.equal(holding!.peak, 2, 'never more than --parallel istioctl processes at once (installs and create-remote-secret alike)');
	assert.equal(holding!.remoteSecrets.length, 5, 'one create-remote-secret per cluster');
	const queued = events.filter((e): e is Extract<Event, {type: 'waiting'}> => e.type === 'waiting' && e.reason.startsWith('queued:'));
	const installQueued = queued.filter(e => e.stepId.endsWith('/install-gateway'));
	assert.ok(
		installQueued.some(e => /istioctl installs? ahead|1 istioctl install ahead|installs ahead/.test(e.reason)),
		queued.map(e => e.reason).join('\n'),
	);
	assert.ok(
		queued.some(e => /create-remote-secret calls? ahead|create-remote-secret call/.test(e.reason)),
		'secrets queue for a slot too',
	);
	// The queued step is visible as started, and its queue line comes before istioctl runs for it.
	const last = input.clusters[4]!.name;
	const started = events.findIndex(e => e.type === 'step-start' && e.stepId === `${last}/install-gateway`);
	const firstQueued = events.findIndex(e => e.type === 'waiting' && e.cluster === last && e.reason.startsWith('queued:'));
	const running = events.findIndex(e => e.type === 'waiting' && e.cluster === last && e.reason.startsWith('istioctl install is running'));
	assert.ok(started >= 0 && started < firstQueued && firstQueued < running, `${started} < ${firstQueued} < ${running}`);
	for (const c of factory.clusters.values()) assert.equal(c.activeWatches, 0, 'every watch was stopped');
});

test('without --parallel the default bound applies; a run cancelled while installs are queued cancels them without running istioctl', async () => {
	const input = meshPlan({clusters: DEFAULT_PARALLEL + 2});
	const controller = new AbortController();
	let holding: HoldingIstioctl | undefined;
	const {factory, outcome, events} = await run(input, () => {}, {
		timeoutMs: 60_000,
		signal: controller.signal,
		istioctl: f => {
			holding = new HoldingIstioctl(f, undefined);
			holding.onStart = () => {
				if (holding!.running === DEFAULT_PARALLEL) setImmediate(() => controller.abort());
			};
			return holding;
		},
	});
	factory.dispose();
	assert.equal(holding!.peak, DEFAULT_PARALLEL);
	assert.equal(holding!.installs.length, 0, 'no install got past its hold');
	assert.equal(outcome.cancelled, true);
	const installs = outcome.clusters.map(c => c.steps.find(s => s.kind === 'install-gateway')!.status);
	assert.deepEqual(
		installs,
		Array.from({length: DEFAULT_PARALLEL + 2}, () => 'cancelled'),
	);
	const queuedInstalls = new Set(
		events
			.filter(e => e.type === 'waiting' && e.reason.startsWith('queued:') && e.stepId.endsWith('/install-gateway'))
			.map(e => (e as {cluster: string}).cluster),
	);
	assert.ok(queuedInstalls.size >= 2, 'the installs beyond the bound waited for a slot');
	for (const c of factory.clusters.values()) assert.equal(c.activeWatches, 0, 'every watch was stopped');
});

test('gatewayMismatch explains why an existing gateway is not the planned one', () => {
	const podLabels = {istio: 'eastwestgateway', app: 'istio-eastwestgateway', 'topology.istio.io/network': 'n1', 'istio.io/rev': 'default'};
	const labels = {...podLabels, 'install.operator.istio.io/owning-resource': 'eastwest'};
	const dep = {
		metadata: {labels},
		spec: {template: {metadata: {labels: podLabels}, spec: {containers: [{env: [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: 'n1'}]}]}}},
	} as any;
	const ports = [
		{name: 'status-port', port: 15021},
		{name: 'tls', port: 15443},
		{name: 'tls-istiod', port: 15012},
		{name: 'tls-webhook', port: 15017},
	];
	const svc = {metadata: {labels}, spec: {type: 'LoadBalancer', ports}};
	assert.equal(gatewayMismatch(dep, svc, 'n1', undefined), undefined);
	assert.equal(
		gatewayMismatch(dep, svc, 'n2', undefined),
		'pod label topology.istio.io/network is n1 (want n2); env ISTIO_META_REQUESTED_NETWORK_VIEW is n1 (want n2); Service label topology.istio.io/network is n1 (want n2)',
	);
	assert.equal(gatewayMismatch(dep, svc, 'n1', 'canary'), 'pod label istio.io/rev is default (want canary)');
	assert.equal(
		gatewayMismatch(dep, {...svc, spec: {type: 'LoadBalancer', ports: [ports[1]!]}}, 'n1', undefined),
		'port status-port 15021 is missing (want status-port 15021); port tls-istiod 15012 is missing (want tls-istiod 15012); port tls-webhook 15017 is missing (want tls-webhook 15017)',
	);
	// A port with the right number and no name is not the planned port either (the checks always said so).
	assert.equal(
		gatewayMismatch(dep, {...svc, spec: {type: 'LoadBalancer', ports: [{port: 15021}, ...ports.slice(1)]}}, 'n1', undefined),
		'port status-port 15021 is unnamed 15021 (want status-port 15021)',
	);
	// Who installed it is no mismatch: a gateway found in place that serves the plan is used (and remove leaves it).
	assert.equal(
		gatewayMismatch({...dep, metadata: {labels: {...labels, 'install.operator.istio.io/owning-resource': 'other'}}}, svc, 'n1', undefined),
		undefined,
	);
	assert.match(gatewayMismatch(undefined, svc, 'n1', undefined) ?? '', /Deployment istio-system\/istio-eastwestgateway does not exist/);
});
