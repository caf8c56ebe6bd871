import {test} from 'node:test';
import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {applyCommand, parseApplyArgs, type ApplyDeps} from '../../source/commands/apply.js';
import {UsageError} from '../../source/core/exit-codes.js';
import {createRunPlan} from '../../source/engine/index.js';
import {FakeFactory, FakeIstioctl} from '../support/fake-cluster.js';
import type {CommandContext} from '../../source/core/command-context.js';

function makeCtx(signal = new AbortController().signal) {
	const stdout = new PassThrough();
	const stderr = new PassThrough();
	let out = '';
	let err = '';
	stdout.on('data', d => (out += d));
	stderr.on('data', d => (err += d));
	const ctx: CommandContext = {stdout, stderr, env: {}, signal};
	return {ctx, out: () => out, err: () => err};
}

function deps(factory: FakeFactory, extra: Partial<ApplyDeps> = {}) {
	const istioctl = new FakeIstioctl(factory);
	const asked: string[] = [];
	const d: ApplyDeps = {
		createFactory: () => factory,
		locateIstioctl: async () => istioctl,
		createRunPlan,
		interactive: () => false,
		confirm: async q => {
			asked.push(q);
			return true;
		},
		loadProfile: async name => {
			throw new UsageError(`no profile named "${name}"`);
		},
		recordRun: async () => undefined,
		...extra,
	};
	return {d, istioctl, asked};
}

const multiArgs = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'ce=east:net-east', '--cluster', 'cw=west:net-west', '--timeout', '2s'];

test('flags: every problem at once; roles default to primary only for multi-network', () => {
	assert.throws(() => parseApplyArgs(['--topology', 'primary-remote', '--cluster', 'a=one:n1', '--cluster', 'b=two', '--timeout', 'soon']), (e: unknown) => {
		assert.ok(e instanceof UsageError);
		const lines = e.message.split('\neastwest: ');
		assert.deepEqual(lines, [
			'--mesh is required: the mesh ID every primary shares, e.g. --mesh mesh1',
			'--cluster "a=one:n1": Primary-Remote needs a role; append :primary or :remote, e.g. a=one:n1:remote',
			'--cluster "b=two": expected CONTEXT=NAME:NETWORK[:primary|remote], e.g. --cluster east=east:network1:primary',
			'--timeout "soon" is not a duration; use e.g. 90s, 5m or 1m30s',
		]);
		return true;
	});
	const p = parseApplyArgs(multiArgs);
	assert.deepEqual(p.input!.clusters.map(c => c.role), ['primary', 'primary']);
	assert.equal(p.timeoutMs, 2000);
	assert.throws(() => parseApplyArgs(['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'a=One:n1']), /clusters\[0\]\.name/);
	assert.throws(() => parseApplyArgs(['--topology', 'mesh', '--mesh', 'm', '--cluster', 'a=b:c']), /--topology "mesh" is not one of primary-remote, multi-network, primary-remote-multi-network/);
});

test('text output: one line per event with [cluster], ✔ lines, addresses and a summary; exit 0', async () => {
	const factory = new FakeFactory(['ce', 'cw']);
	const {d} = deps(factory);
	const {ctx, out} = makeCtx();
	const code = await applyCommand([...multiArgs, '--yes'], ctx, d);
	factory.dispose();
	assert.equal(code, 0);
	const text = out();
	assert.match(text, /^\[east\] … Label namespace istio-system with topology.istio.io\/network=net-east$/m);
	assert.match(text, /^\[west\] ✔ Install the east-west gateway for network net-west \(istioctl install\): changed/m);
	assert.match(text, /^\[west\] {5}istioctl: ✔ Ingress gateways installed 🛬$/m);
	assert.match(text, /^\[east\] ✔ gateway address: 127\.0\.0\.10$/m);
	assert.match(text, /\nDone:\n {2}east \(context ce\): succeeded, gateway 127\.0\.0\.10\n {2}west \(context cw\): succeeded, gateway 127\.0\.0\.10\n/);
});

test('json output: exactly one document with the plan, per-cluster results and addresses', async () => {
	const factory = new FakeFactory(['ce', 'cw']);
	factory.cluster('cw').script = {rollout: 'image-pull'};
	const {d} = deps(factory);
	const {ctx, out} = makeCtx();
	const code = await applyCommand([...multiArgs, '--timeout', '300ms', '--yes', '-o', 'json'], ctx, d);
	factory.dispose();
	assert.equal(code, 1);
	const doc = JSON.parse(out());
	assert.equal(doc.ok, false);
	assert.equal(doc.plan.meshId, 'mesh1');
	assert.deepEqual(doc.clusters.map((c: any) => [c.cluster, c.outcome, c.address]), [
		['east', 'succeeded', {kind: 'ip', value: '127.0.0.10'}],
		['west', 'failed', null],
	]);
	const failed = doc.clusters[1].steps.find((s: any) => s.status === 'failed');
	assert.equal(failed.kind, 'wait-rollout');
	assert.match(failed.hint, /sidecar-injector/);
});

test('non-TTY without --yes refuses with exit-2 advice; a TTY user is asked once, naming contexts', async () => {
	const factory = new FakeFactory(['ce', 'cw']);
	const refused = deps(factory);
	await assert.rejects(applyCommand(multiArgs, makeCtx().ctx, refused.d), /needs confirmation: pass --yes/);
	assert.equal(refused.istioctl.installs.length, 0);
	const tty = deps(factory, {interactive: () => true});
	tty.d.confirm = async q => {
		tty.asked.push(q);
		return false;
	};
	const {ctx, err} = makeCtx();
	assert.equal(await applyCommand(multiArgs, ctx, tty.d), 1);
	assert.equal(tty.asked.length, 1);
	assert.match(err(), /context ce \(east\): label namespace istio-system with topology.istio.io\/network=net-east; install the east-west gateway/);
	assert.match(err(), /nothing changed/);
	assert.equal(tty.istioctl.installs.length, 0);
	factory.dispose();
});

test('contexts missing from the kubeconfig are a usage error naming them and the file', async () => {
	const factory = new FakeFactory(['ce'], '/home/u/.kube/config');
	const {d} = deps(factory);
	await assert.rejects(applyCommand([...multiArgs, '--yes'], makeCtx().ctx, d), (e: unknown) => {
		assert.ok(e instanceof UsageError);
		assert.equal(e.message, 'context "cw" (--cluster cw=west:net-west:primary) is not in the kubeconfig /home/u/.kube/config; list contexts with kubectl config get-contexts');
		return true;
	});
});

test('Ctrl-C: exit 130 and a summary of what was done and what was not', async () => {
	const factory = new FakeFactory(['ce', 'cw']);
	const controller = new AbortController();
	// Ctrl-C once east has finished and west's istioctl is hanging.
	const seen = new Set<string>();
	const {d, istioctl} = deps(factory, {
		createRunPlan: engineDeps => {
			const runPlan = createRunPlan(engineDeps);
			return (plan, options) =>
				runPlan(plan, {
					...options,
					onEvent: e => {
						options.onEvent(e);
						if (e.type === 'step-start' || e.type === 'step-done') seen.add(`${e.type} ${e.stepId}`);
						if (seen.has('step-done east/expose-services') && seen.has('step-start west/install-gateway') && !controller.signal.aborted) controller.abort();
					},
				});
		},
	});
	istioctl.scenario = {cw: 'hang'};
	const {ctx, out} = makeCtx(controller.signal);
	const code = await applyCommand([...multiArgs, '--timeout', '1m', '--yes'], ctx, d);
	factory.dispose();
	assert.equal(code, 130);
	assert.match(out(), /\nInterrupted:\n {2}east \(context ce\): succeeded, gateway 127\.0\.0\.10\n {2}west \(context cw\): cancelled\n {4}done: label-network changed\n {4}install-gateway cancelled\n {4}not run: wait-rollout, wait-address, expose-services\n/);
});

test('text output rate-limits repeated waiting lines but prints every change of reason', async () => {
	const factory = new FakeFactory(['ce', 'cw']);
	const {d} = deps(factory, {
		createRunPlan: () => async (plan, options) => {
			const base = {stepId: 'east/wait-address', cluster: 'east'};
			for (const ms of [0, 1000, 2000, 9000, 10_500, 11_000]) options.onEvent({type: 'waiting', ...base, elapsedMs: ms, reason: 'no address yet'});
			options.onEvent({type: 'waiting', ...base, elapsedMs: 11_500, reason: 'Service deleted'});
			const outcome = {ok: true, cancelled: false, clusters: plan.clusters.map(c => ({cluster: c.cluster.name, context: c.cluster.context, outcome: 'succeeded' as const, steps: []}))};
			options.onEvent({type: 'run-done', outcome});
			return outcome;
		},
	});
	const {ctx, out} = makeCtx();
	assert.equal(await applyCommand([...multiArgs, '--yes'], ctx, d), 0);
	const waits = out().split('\n').filter(l => l.includes('waiting'));
	assert.deepEqual(waits, ['[east]     waiting 0.0s: no address yet', '[east]     waiting 10s: no address yet', '[east]     waiting 11s: Service deleted']);
});

test('--profile runs the saved plan and records how the run ended; plan flags beside it are refused', async () => {
	const factory = new FakeFactory(['ce', 'cw']);
	const recorded: Array<[string, string, boolean]> = [];
	const saved = parseApplyArgs(multiArgs).input!;
	const {d} = deps(factory, {
		loadProfile: async name => {
			assert.equal(name, 'prod.eu');
			return saved;
		},
		recordRun: async (name, result, dryRun) => {
			recorded.push([name, result, dryRun]);
			return undefined;
		},
	});
	const {ctx, out} = makeCtx();
	const code = await applyCommand(['--profile', 'prod.eu', '--yes', '-o', 'json', '--timeout', '2s'], ctx, d);
	factory.dispose();
	assert.equal(code, 0);
	assert.deepEqual(JSON.parse(out()).plan, saved);
	assert.deepEqual(recorded, [['prod.eu', 'succeeded', false]]);
	assert.throws(() => parseApplyArgs(['--profile', 'p', '--mesh', 'm']), /either --profile or the plan flags/);
});

test('a failure to record the run on the profile is a warning, not a failed run', async () => {
	const factory = new FakeFactory(['ce', 'cw']);
	const {d} = deps(factory, {
		loadProfile: async () => parseApplyArgs(multiArgs).input!,
		recordRun: async () => 'could not record the run on profile "p": the profile store is locked',
	});
	const {ctx, err} = makeCtx();
	const code = await applyCommand(['--profile', 'p', '--yes', '--timeout', '2s'], ctx, d);
	factory.dispose();
	assert.equal(code, 0);
	assert.match(err(), /^eastwest: warning: could not record the run on profile "p"/m);
});
