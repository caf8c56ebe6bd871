import {test} from 'node:test';
import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {applyCommand, parseApplyArgs, type ApplyDeps} from '../../source/commands/apply.js';
import {commandHelp} from '../../source/commands/help.js';
import {UsageError, WorkError} from '../../source/core/exit-codes.js';
import {createRunPlan} from '../../source/engine/index.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {FakeFactory, FakeIstioctl, type FakeCluster} from '../support/fake-cluster.js';
import type {CommandContext} from '../../source/core/command-context.js';
import {DEFAULT_PARALLEL, MAX_PARALLEL} from '../../source/core/slots.js';

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

/** What the preflight wants of a primary: istiod rolled out with CLUSTER_ID = its name, installed with the plan's mesh ID and network. */
function seedControlPlane(fake: FakeCluster, plan: MeshPlanInput, name: string): void {
	const spec = plan.clusters.find(c => c.name === name)!;
	const env = [{name: 'CLUSTER_ID', value: name}, ...(plan.topology === 'multi-network' ? [] : [{name: 'EXTERNAL_ISTIOD', value: 'true'}])];
	fake.put({
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: {name: 'istiod', namespace: 'istio-system', labels: {app: 'istiod'}, generation: 1},
		spec: {replicas: 1, template: {spec: {containers: [{name: 'discovery', env}]}}},
		status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1},
	});
	fake.put({
		apiVersion: 'v1',
		kind: 'ConfigMap',
		metadata: {name: 'istio-sidecar-injector', namespace: 'istio-system'},
		data: {values: JSON.stringify({global: {meshID: plan.meshId, network: spec.network, multiCluster: {clusterName: name}}, revision: ''})},
	});
}

/** Fake clusters for the multi-network plan whose control planes pass the preflight (all but `without`). */
function readyFactory(options: {without?: string} = {}): FakeFactory {
	const factory = new FakeFactory(['ce', 'cw']);
	const plan = parseApplyArgs(multiArgs).input!;
	for (const c of plan.clusters) if (c.name !== options.without) seedControlPlane(factory.cluster(c.context), plan, c.name);
	return factory;
}

/** Calls that change a fake cluster. */
const writes = (fake: FakeCluster) => fake.calls.filter(c => /^(writeNamespaceKey|apply) /.test(c));

test('flags: every problem at once; roles default to primary only for multi-network', () => {
	assert.throws(
		() => parseApplyArgs(['--topology', 'primary-remote', '--cluster', 'a=one:n1', '--cluster', 'b=two', '--timeout', 'soon']),
		(e: unknown) => {
			assert.ok(e instanceof UsageError);
			const lines = e.message.split('\neastwest: ');
			assert.deepEqual(lines, [
				'--mesh is required: the mesh ID every primary shares, e.g. --mesh mesh1',
				'--cluster "a=one:n1": Primary-Remote needs a role; append :primary or :remote, e.g. a=one:n1:remote',
				'--cluster "b=two": expected CONTEXT=NAME:NETWORK[:primary|remote], e.g. --cluster east=east:network1:primary',
				'--timeout "soon" is not a duration; use e.g. 90s, 5m or 1m30s',
			]);
			return true;
		},
	);
	const p = parseApplyArgs(multiArgs);
	assert.deepEqual(
		p.input!.clusters.map(c => c.role),
		['primary', 'primary'],
	);
	assert.equal(p.timeoutMs, 2000);
	assert.throws(() => parseApplyArgs(['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'a=One:n1']), /clusters\[0\]\.name/);
	assert.throws(
		() => parseApplyArgs(['--topology', 'mesh', '--mesh', 'm', '--cluster', 'a=b:c']),
		/--topology "mesh" is not one of primary-remote, multi-network, primary-remote-multi-network/,
	);
});

test('text output: one line per event with [cluster], ✔ lines, addresses and a summary; exit 0', async () => {
	const factory = readyFactory();
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
	const factory = readyFactory();
	factory.cluster('cw').script = {rollout: 'image-pull'};
	const {d} = deps(factory);
	const {ctx, out} = makeCtx();
	const code = await applyCommand([...multiArgs, '--timeout', '300ms', '--yes', '-o', 'json'], ctx, d);
	factory.dispose();
	assert.equal(code, 1);
	const doc = JSON.parse(out());
	assert.equal(doc.ok, false);
	assert.equal(doc.plan.meshId, 'mesh1');
	assert.deepEqual(
		doc.clusters.map((c: any) => [c.cluster, c.outcome, c.address]),
		[
			['east', 'succeeded', {kind: 'ip', value: '127.0.0.10'}],
			['west', 'failed', null],
		],
	);
	const failed = doc.clusters[1].steps.find((s: any) => s.status === 'failed');
	assert.equal(failed.kind, 'wait-rollout');
	assert.match(failed.hint, /sidecar-injector/);
});

test('non-TTY without --yes refuses with exit-2 advice; a TTY user is asked once, naming contexts', async () => {
	const factory = readyFactory();
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
		assert.equal(
			e.message,
			'context "cw" (--cluster cw=west:net-west:primary) not found in kubeconfig /home/u/.kube/config; run \'kubectl config get-contexts\' to list the contexts, or pass --kubeconfig',
		);
		return true;
	});
});

test('Ctrl-C: exit 130 and a summary of what was done and what was not', async () => {
	const factory = readyFactory();
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
	assert.match(
		out(),
		/\nInterrupted:\n {2}east \(context ce\): succeeded, gateway 127\.0\.0\.10\n {2}west \(context cw\): cancelled\n {4}done: label-network changed, remote-secret changed\n {4}install-gateway cancelled\n {4}not run: wait-rollout, wait-address, expose-services\n/,
	);
});

test('text output rate-limits repeated waiting lines but prints every change of reason', async () => {
	const factory = readyFactory();
	const {d} = deps(factory, {
		createRunPlan: () => async (plan, options) => {
			const base = {stepId: 'east/wait-address', cluster: 'east'};
			for (const ms of [0, 1000, 2000, 9000, 10_500, 11_000]) options.onEvent({type: 'waiting', ...base, elapsedMs: ms, reason: 'no address yet'});
			options.onEvent({type: 'waiting', ...base, elapsedMs: 11_500, reason: 'Service deleted'});
			const outcome = {
				ok: true,
				cancelled: false,
				clusters: plan.clusters.map(c => ({cluster: c.cluster.name, context: c.cluster.context, outcome: 'succeeded' as const, steps: []})),
			};
			options.onEvent({type: 'run-done', outcome});
			return outcome;
		},
	});
	const {ctx, out} = makeCtx();
	assert.equal(await applyCommand([...multiArgs, '--yes'], ctx, d), 0);
	const waits = out()
		.split('\n')
		.filter(l => l.includes('waiting'));
	assert.deepEqual(waits, ['[east]     waiting 0.0s: no address yet', '[east]     waiting 10s: no address yet', '[east]     waiting 11s: Service deleted']);
});

test('--profile runs the saved plan and records how the run ended; plan flags beside it are refused', async () => {
	const factory = readyFactory();
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
	const factory = readyFactory();
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

test('preflight: a primary without istiod blocks the run before anything changes, with the failure, its hint and --skip-checks named', async () => {
	const factory = readyFactory({without: 'west'});
	const {d, istioctl} = deps(factory);
	const {ctx, out} = makeCtx();
	await assert.rejects(applyCommand([...multiArgs, '--yes'], ctx, d), (e: unknown) => {
		assert.ok(e instanceof WorkError);
		assert.equal(
			e.message,
			'1 blocking preflight check failed (istiod-present on west); nothing was changed: fix it and run again, or pass --skip-checks to run anyway',
		);
		return true;
	});
	factory.dispose();
	assert.match(
		out(),
		/^west \(context cw\)\n-+\n(?:.*\n)*?✘ istiod for the default revision is installed and ready\n {4}no istiod Deployment in istio-system\n {4}hint: install the control plane first/m,
	);
	assert.match(out(), /^✘ preflight checks failed: \d+ passed, \d+ warnings?, 1 failed, \d+ skipped$/m);
	assert.doesNotMatch(out(), /^\[(east|west)\]/m, 'no step started');
	assert.deepEqual([...writes(factory.cluster('ce')), ...writes(factory.cluster('cw'))], []);
	assert.equal(istioctl.installs.length, 0);
});

test('preflight with -o json: one document with the failed results and every cluster not started', async () => {
	const factory = readyFactory({without: 'west'});
	const {d} = deps(factory);
	const {ctx, out} = makeCtx();
	await assert.rejects(applyCommand([...multiArgs, '--yes', '-o', 'json'], ctx, d), /--skip-checks/);
	factory.dispose();
	const doc = JSON.parse(out());
	assert.equal(doc.ok, false);
	assert.equal(doc.preflight.passed, false);
	assert.deepEqual(
		doc.preflight.failed.map((r: any) => [r.id, r.cluster, r.status]),
		[['istiod-present', 'west', 'fail']],
	);
	assert.match(doc.preflight.failed[0].hint, /install the control plane first/);
	assert.deepEqual(
		doc.clusters.map((c: any) => [c.cluster, c.outcome, [...new Set(c.steps.map((st: any) => st.status))]]),
		[
			['east', 'not-started', ['not-run']],
			['west', 'not-started', ['not-run']],
		],
	);
});

test('--skip-checks runs anyway and says which failed checks it skipped; --dry-run runs the checks too', async () => {
	const factory = readyFactory({without: 'west'});
	const dry = deps(factory);
	const dryCtx = makeCtx();
	await assert.rejects(applyCommand([...multiArgs, '--dry-run'], dryCtx.ctx, dry.d), /istiod-present on west.*--skip-checks/);
	assert.equal(dry.istioctl.installs.length, 0);

	const {d, istioctl} = deps(factory);
	const {ctx, out, err} = makeCtx();
	const code = await applyCommand([...multiArgs, '--yes', '--skip-checks'], ctx, d);
	factory.dispose();
	assert.equal(code, 0);
	assert.equal(err(), 'eastwest: warning: --skip-checks: running despite 1 blocking preflight check that failed: istiod-present on west\n');
	assert.match(out(), /^✘ preflight checks failed: .*; running anyway \(--skip-checks\)$/m);
	assert.match(out(), /^\[west\] ✔ Install the east-west gateway/m);
	assert.equal(istioctl.installs.length, 2);
});

test('preflight warnings are printed and do not block', async () => {
	const factory = readyFactory();
	const {d} = deps(factory);
	const {ctx, out} = makeCtx();
	assert.equal(await applyCommand([...multiArgs, '--yes'], ctx, d), 0);
	factory.dispose();
	// No cacerts in the fakes: the plugged-in CA check warns.
	assert.match(out(), /^‼ secret istio-system\/cacerts holds .*\n {4}no cacerts: .*\n {4}hint: /m);
	assert.match(out(), /^‼ preflight checks passed with warnings: \d+ passed, [1-9]\d* warnings?, 0 failed/m);
	assert.ok(out().indexOf('preflight checks passed') < out().indexOf('[east]'), 'the verdict comes before the run');
});

test('a conflicting network label blocks, unless --force, which relabels it in multi-network', async () => {
	const factory = readyFactory();
	factory.cluster('ce').put({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'istio-system', labels: {'topology.istio.io/network': 'net-old'}}});
	const blocked = deps(factory);
	await assert.rejects(applyCommand([...multiArgs, '--yes'], makeCtx().ctx, blocked.d), /\(network-label on east\)/);
	assert.deepEqual(writes(factory.cluster('ce')), []);

	const {d} = deps(factory);
	const {ctx, out} = makeCtx();
	assert.equal(await applyCommand([...multiArgs, '--yes', '--force'], ctx, d), 0);
	factory.dispose();
	assert.match(out(), /net-old.*\n {4}hint: .*\n {4}see: .*\n {4}overridden: --force: the run relabels istio-system with the planned network/);
	assert.match(out(), /^‼ preflight checks passed with overrides: /m);
	assert.equal(factory.cluster('ce').namespaces.get('istio-system')?.['topology.istio.io/network'], 'net-east');
});

test('istioctl whose version fails is bad input (exit 2) and nothing on any cluster changed (the preflight reads ran meanwhile)', async () => {
	const factory = readyFactory();
	const {d, istioctl} = deps(factory);
	istioctl.clientVersion = async () => {
		throw new Error('/opt/bin/istioctl version failed (exit 3): Error: unknown command "version"\nmore');
	};
	await assert.rejects(applyCommand([...multiArgs, '--yes'], makeCtx().ctx, d), (e: unknown) => {
		assert.ok(e instanceof UsageError);
		assert.equal(e.message, '/opt/bin/istioctl version failed (exit 3): Error: unknown command "version"');
		return true;
	});
	factory.dispose();
	assert.deepEqual([...writes(factory.cluster('ce')), ...writes(factory.cluster('cw'))], []);
});

test('the preflight reads the clusters while istioctl answers version', async () => {
	const factory = readyFactory();
	const {d, istioctl} = deps(factory);
	let readBeforeVersion = false;
	const answer = istioctl.clientVersion.bind(istioctl);
	istioctl.clientVersion = async () => {
		// Answers only once a cluster has been read: a preflight waiting for istioctl would never finish.
		for (let i = 0; i < 1000 && factory.cluster('ce').calls.length === 0; i++) await new Promise(resolve => setImmediate(resolve));
		readBeforeVersion = factory.cluster('ce').calls.length > 0;
		return answer();
	};
	assert.equal(await applyCommand([...multiArgs, '--yes'], makeCtx().ctx, d), 0);
	factory.dispose();
	assert.ok(readBeforeVersion, 'a cluster was read before istioctl answered version');
});

test('Ctrl-C during the preflight: exit 130, nothing changed', async () => {
	const factory = readyFactory();
	const controller = new AbortController();
	const cw = factory.cluster('cw');
	cw.probe = () => {
		controller.abort();
		return new Promise(() => {});
	};
	const {d, istioctl} = deps(factory);
	const {ctx, err} = makeCtx(controller.signal);
	assert.equal(await applyCommand([...multiArgs, '--yes'], ctx, d), 130);
	factory.dispose();
	assert.match(err(), /interrupted during the preflight checks; nothing was changed/);
	assert.deepEqual([...writes(factory.cluster('ce')), ...writes(cw)], []);
	assert.equal(istioctl.installs.length, 0);
});

test('apply --help documents --skip-checks and the gates', () => {
	const help = commandHelp('apply');
	assert.match(help, /^ {2}--skip-checks {8}run even when preflight checks fail/m);
	assert.match(help, /preflight checks of\s+'eastwest check --phase preflight' must pass/);
});

test('--parallel: a whole number of istioctl processes from 1 up, default DEFAULT_PARALLEL; bad values are one line each', () => {
	assert.equal(parseApplyArgs(multiArgs).parallel, undefined);
	assert.equal(parseApplyArgs([...multiArgs, '--parallel', '12']).parallel, 12);
	assert.equal(parseApplyArgs([...multiArgs, '--parallel=1']).parallel, 1);
	for (const bad of ['0', '-2', '2.5', 'many', '4000', '']) {
		assert.throws(
			() => parseApplyArgs([...multiArgs, `--parallel=${bad}`]),
			(e: unknown) =>
				e instanceof UsageError &&
				e.message === `--parallel "${bad}" must be a whole number from 1 to ${MAX_PARALLEL} (istioctl processes at once), e.g. --parallel 4`,
			bad,
		);
	}
	// Collected with the other problems.
	assert.throws(
		() => parseApplyArgs([...multiArgs, '--timeout', 'soon', '--parallel', 'x']),
		(e: unknown) => e instanceof UsageError && e.message.split('\neastwest: ').length === 2,
	);
});

test('--parallel reaches the engine and the JSON document; without it the run uses the default', async () => {
	for (const [flags, expected] of [
		[['--parallel', '7'], 7],
		[[], DEFAULT_PARALLEL],
	] as const) {
		const factory = readyFactory();
		const seen: Array<number | undefined> = [];
		const {d} = deps(factory, {
			createRunPlan: engineDeps => {
				const inner = createRunPlan(engineDeps);
				return (plan, options) => {
					seen.push(options.parallel);
					return inner(plan, options);
				};
			},
		});
		const {ctx, out} = makeCtx();
		assert.equal(await applyCommand([...multiArgs, ...flags, '--yes', '-o', 'json'], ctx, d), 0);
		factory.dispose();
		assert.deepEqual(seen, [expected]);
		assert.equal(JSON.parse(out()).parallel, expected);
	}
});

test('apply --help documents --parallel with its default', () => {
	assert.match(
		commandHelp('apply'),
		new RegExp(`^ {2}--parallel N {9}at most N istioctl processes at once across the run \\(default ${DEFAULT_PARALLEL}\\)`, 'm'),
	);
});

test('text output: an install waiting for an istioctl slot says so on its own line', async () => {
	// Each install holds its slot a little, so with --parallel 1 the second cluster queues behind the first.
	class SlowIstioctl extends FakeIstioctl {
		override async install(options: Parameters<FakeIstioctl['install']>[0]): Promise<void> {
			await new Promise(resolve => setTimeout(resolve, 50));
			return super.install(options);
		}
	}
	const factory = readyFactory();
	const slow = new SlowIstioctl(factory);
	const {d} = deps(factory, {locateIstioctl: async () => slow});
	const {ctx, out} = makeCtx();
	assert.equal(await applyCommand([...multiArgs, '--parallel', '1', '--yes'], ctx, d), 0);
	factory.dispose();
	// Remote secrets share the bound, so what is ahead may include create-remote-secret calls too.
	assert.match(out(), /^\[west\] +waiting [\d.]+s: queued: (.* and )?1 istioctl install ahead \(--parallel 1\)$/m);
});

test("apply --profile uses the profile's --parallel unless the command line gives one", async () => {
	for (const [flags, saved, expected] of [
		[[], 9, 9],
		[['--parallel', '2'], 9, 2],
		[[], undefined, DEFAULT_PARALLEL],
	] as const) {
		const factory = readyFactory();
		const asked: string[] = [];
		const {d} = deps(factory, {
			loadProfile: async () => parseApplyArgs(multiArgs).input!,
			profileParallel: async name => {
				asked.push(name);
				return saved;
			},
		});
		const {ctx, out} = makeCtx();
		assert.equal(await applyCommand(['--profile', 'fleet', ...flags, '--yes', '-o', 'json'], ctx, d), 0);
		factory.dispose();
		assert.equal(JSON.parse(out()).parallel, expected);
		assert.deepEqual(asked, flags.length > 0 ? [] : ['fleet']);
	}
});
