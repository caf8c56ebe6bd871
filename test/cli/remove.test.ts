import {test} from 'node:test';
import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {removeCommand, parseRemoveArgs, FLAGS, type RemoveDeps} from '../../source/commands/remove.js';
import {commandHelp} from '../../source/commands/help.js';
import {COMMAND_FLAGS, COMMANDS} from '../../source/commands/complete.js';
import {UsageError, WorkError} from '../../source/core/exit-codes.js';
import {createRunPlan} from '../../source/engine/index.js';
import {createRemovePlan} from '../../source/engine/remove.js';
import {buildPlan} from '../../source/core/plan.js';
import type {DeleteTarget, RemoveOptions} from '../../source/core/ports.js';
import type {CommandContext} from '../../source/core/command-context.js';
import {FakeFactory, FakeIstioctl, type FakeCluster} from '../support/fake-cluster.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {UNREACHABLE_KUBECONFIG, runCli} from '../helpers/cli.js';

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

const multiArgs = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'ce=east:net-east', '--cluster', 'cw=west:net-west', '--timeout', '2s'];

function deps(factory: FakeFactory, extra: Partial<RemoveDeps> = {}) {
	const asked: string[] = [];
	const recorded: Array<[string, string, boolean]> = [];
	const d: RemoveDeps = {
		createFactory: () => factory,
		createRemovePlan,
		interactive: () => false,
		confirm: async q => {
			asked.push(q);
			return true;
		},
		loadProfile: async name => {
			if (name === 'prod') return parseRemoveArgs(multiArgs).input!;
			throw new UsageError(`no profile named "${name}"`);
		},
		recordRemove: async (name, result, dryRun) => {
			recorded.push([name, result, dryRun]);
			return undefined;
		},
		...extra,
	};
	return {d, asked, recorded};
}

/** Two primaries on which eastwest apply ran. */
async function setUpFactory(): Promise<FakeFactory> {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	for (const c of factory.clusters.values()) c.put({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'istio-system'}});
	const input = parseRemoveArgs(multiArgs).input!;
	const outcome = await createRunPlan({factory, istioctl: new FakeIstioctl(factory)})(buildPlan(input), {
		timeoutMs: 2000,
		dryRun: false,
		force: false,
		onEvent: () => {},
	});
	assert.equal(outcome.ok, true);
	return factory;
}

const deletes = (fake: FakeCluster) => fake.calls.filter(c => /^(delete |writeNamespaceKey \S+ \S+ remove)/.test(c) && !c.endsWith('dry-run'));

test('flags: every problem at once; --profile and plan flags together are refused', () => {
	assert.throws(
		() => parseRemoveArgs(['--topology', 'nope', '--timeout', 'soon']),
		(e: unknown) => {
			assert.ok(e instanceof UsageError);
			assert.match(e.message, /--topology "nope" is not one of/);
			assert.match(e.message, /--mesh is required/);
			assert.match(e.message, /timeout/);
			return true;
		},
	);
	assert.throws(() => parseRemoveArgs(['--profile', 'prod', '--mesh', 'm']), /give either --profile or the plan flags/);
	assert.equal(parseRemoveArgs([...multiArgs, '--ca']).ca, true);
});

test('text: one line per removal with [cluster], removed / already gone words, and a second run is all already gone, exit 0', async () => {
	const factory = await setUpFactory();
	const first = makeCtx();
	assert.equal(await removeCommand([...multiArgs, '--yes'], first.ctx, deps(factory).d), 0, first.err());
	assert.match(first.out(), /^\[east\] +… Remove Secret istio-system\/istio-remote-secret-west: istiod stops reading west's API server$/m);
	assert.match(
		first.out(),
		/^\[west\] +✔ Remove the east-west gateway eastwest installed .*: removed \(removed .*Deployment istio-system\/istio-eastwestgateway/m,
	);
	assert.match(
		first.out(),
		/^\[east\] +✔ Remove label topology.istio.io\/network=net-east from namespace istio-system: removed \(removed label topology.istio.io\/network=net-east\)/m,
	);
	assert.match(first.out(), /\nDone:\n/);
	assert.equal(factory.cluster('ce').deployments.has('istio-eastwestgateway'), false);

	const second = makeCtx();
	assert.equal(await removeCommand([...multiArgs, '--yes'], second.ctx, deps(factory).d), 0);
	const doneLines = second
		.out()
		.split('\n')
		.filter(l => /[✔–✘] Remove/.test(l));
	assert.equal(doneLines.length, 8, 'four removals on each cluster');
	for (const l of doneLines) assert.match(l, /✔ Remove .*: already gone \[\d/);
	assert.doesNotMatch(second.out(), /Left in place/);
	factory.dispose();
});

test('json: one document with per-cluster steps and what was left; --profile records the remove', async () => {
	const factory = await setUpFactory();
	// The user relabelled west's namespace: the label is not eastwest's any more.
	const west = factory.cluster('cw');
	const ns = west.objectsOf('Namespace', {name: 'istio-system'})[0]!;
	west.put({...ns, metadata: {...ns.metadata, labels: {'topology.istio.io/network': 'net-other'}}});
	const {ctx, out} = makeCtx();
	const {d, recorded} = deps(factory);
	assert.equal(await removeCommand(['--profile', 'prod', '--yes', '-o', 'json'], ctx, d), 0);
	const doc = JSON.parse(out());
	assert.equal(doc.ok, true);
	assert.deepEqual(
		doc.clusters.map((c: {cluster: string; outcome: string}) => [c.cluster, c.outcome]),
		[
			['east', 'succeeded'],
			['west', 'succeeded'],
		],
	);
	const w = doc.clusters.find((c: {cluster: string}) => c.cluster === 'west');
	assert.deepEqual(w.left, [
		{
			stepId: 'west/remove/label-network',
			reason: "istio-system label topology.istio.io/network is net-other, not the plan's net-west: someone changed it since, so it is left",
		},
	]);
	assert.equal(west.namespaces.get('istio-system')?.['topology.istio.io/network'], 'net-other');
	assert.deepEqual(recorded, [['prod', 'succeeded', false]]);
	assert.doesNotMatch(out(), /token-c[ew]-/, 'no reader token in the output');
	factory.dispose();
});

test('without a terminal --yes is required (exit 2, nothing read); a person is asked once, naming the contexts and what goes', async () => {
	const factory = await setUpFactory();
	const callsBefore = factory.cluster('ce').calls.length;
	await assert.rejects(
		removeCommand(multiArgs, makeCtx().ctx, deps(factory).d),
		(e: unknown) => e instanceof UsageError && /needs confirmation: pass --yes/.test(e.message),
	);
	assert.equal(factory.cluster('ce').calls.length, callsBefore, 'no cluster was read');
	const tty = deps(factory, {interactive: () => true, confirm: async q => (tty.asked.push(q), false)});
	const {ctx, err} = makeCtx();
	assert.equal(await removeCommand(multiArgs, ctx, tty.d), 1);
	assert.deepEqual(tty.asked, ["Remove eastwest's setup from ce, cw? [y/N] "]);
	assert.match(err(), /context ce \(east\), only what eastwest created:\n {4}- remove Secret istio-system\/istio-remote-secret-west/);
	assert.match(err(), /nothing removed/);
	assert.deepEqual(deletes(factory.cluster('ce')), []);
	factory.dispose();
});

test('dry run: lists what would go, changes nothing, exit 0, and needs no --yes', async () => {
	const factory = await setUpFactory();
	const before = factory.cluster('cw').snapshot();
	const {ctx, out} = makeCtx();
	assert.equal(await removeCommand([...multiArgs, '--dry-run'], ctx, deps(factory).d), 0);
	assert.match(out(), /eastwest remove will remove from these clusters:/);
	assert.match(out(), /: dry run \(dry run: would remove .*Deployment istio-system\/istio-eastwestgateway/);
	assert.deepEqual(factory.cluster('cw').snapshot(), before);
	factory.dispose();
});

test('an unreachable cluster blocks the run before anything is removed anywhere (exit 1)', async () => {
	const factory = await setUpFactory();
	factory.cluster('cw').script.unreachable = true;
	await assert.rejects(removeCommand([...multiArgs, '--yes'], makeCtx().ctx, deps(factory).d), (e: unknown) => {
		assert.ok(e instanceof WorkError);
		assert.match(e.message, /^west \(context cw\) is unreachable: cannot reach the API server of cw; nothing was removed/);
		return true;
	});
	assert.deepEqual(deletes(factory.cluster('ce')), []);
	factory.dispose();
});

test('Ctrl-C during remove: exit 130 with a summary; a re-run finishes and exits 0', async () => {
	const factory = await setUpFactory();
	const west = factory.cluster('cw');
	const original = west.deleteObject.bind(west);
	west.deleteObject = (_ref: DeleteTarget, options: RemoveOptions) =>
		new Promise((_, reject) =>
			options.signal?.addEventListener('abort', () => reject(Object.assign(new Error('cancelled'), {info: {kind: 'cancelled', message: 'cancelled'}})), {
				once: true,
			}),
		);
	const controller = new AbortController();
	const {ctx, out} = makeCtx(controller.signal);
	const {d} = deps(factory, {
		createRemovePlan: engineDeps => {
			const run = createRemovePlan(engineDeps);
			return (plan, options) =>
				run(plan, {
					...options,
					onEvent: e => {
						options.onEvent(e);
						if (e.type === 'step-start' && e.cluster === 'west') setImmediate(() => controller.abort());
					},
				});
		},
	});
	assert.equal(await removeCommand([...multiArgs, '--yes'], ctx, d), 130);
	assert.match(out(), /\nInterrupted:\n/);
	assert.match(out(), /west \(context cw\): cancelled/);
	west.deleteObject = original;
	const again = makeCtx();
	assert.equal(await removeCommand([...multiArgs, '--yes'], again.ctx, deps(factory).d), 0, again.out());
	assert.equal(west.deployments.has('istio-eastwestgateway'), false);
	assert.equal(west.namespaces.get('istio-system')?.['topology.istio.io/network'], undefined);
	factory.dispose();
});

test('help, completion table and flags agree', async () => {
	const help = commandHelp('remove');
	for (const flag of Object.keys(FLAGS)) assert.ok(help.includes(`--${flag}`), `remove --help documents --${flag}`);
	assert.ok(COMMANDS.includes('remove'));
	assert.deepEqual(COMMAND_FLAGS.remove!.map(f => f.name).sort(), Object.keys(FLAGS).sort());
	const r = await runCli(['remove', '--profile', 'x', '--topology', 'multi-network']);
	assert.equal(r.code, 2);
	assert.match(r.stderr, /^eastwest: give either --profile or the plan flags/m);
	assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('the bundled CLI: unreachable clusters are one line naming each, exit 1, nothing removed; no --yes without a terminal is exit 2', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-remove-'));
	const kc = path.join(dir, 'config');
	fs.writeFileSync(kc, UNREACHABLE_KUBECONFIG);
	const plan = ['remove', '--topology', 'multi-network', '--mesh', 'm', '--cluster', 'kind-east=east:n1', '--cluster', 'kind-west=west:n2', '--kubeconfig', kc];
	const down = await runCli([...plan, '--dry-run', '--timeout', '5s']);
	assert.equal(down.code, 1);
	assert.match(
		down.stderr,
		/^eastwest: east \(context kind-east\) is unreachable: .*; west \(context kind-west\) is unreachable: .*; nothing was removed: fix the access and run again\n$/,
	);
	const unconfirmed = await runCli(plan);
	assert.equal(unconfirmed.code, 2);
	assert.equal(unconfirmed.stderr, 'eastwest: eastwest remove deletes objects from clusters and needs confirmation: pass --yes (or --dry-run to preview)\n');
});
