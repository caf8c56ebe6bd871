import {test} from 'node:test';
import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {parseApplyArgs} from '../../source/commands/apply.js';
import {parseRemoveArgs} from '../../source/commands/remove.js';
import {askToProceed, finishRun, mustConfirm, runEngine, type RunFlags} from '../../source/commands/run-flow.js';
import {EXIT, UsageError, WorkError} from '../../source/core/exit-codes.js';
import type {CommandContext} from '../../source/core/command-context.js';
import type {RunOutcome} from '../../source/core/events.js';

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

const plan = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'ce=east:net-east', '--cluster', 'cw=west:net-west'];

test('apply and remove read the flags they share alike', () => {
	const args = [...plan, '-o', 'json', '--timeout', '3m', '--dry-run', '--yes', '--kubeconfig', '/tmp/kc'];
	const pick = ({input, profile, dryRun, yes, timeoutMs, output, kubeconfig}: RunFlags) => ({input, profile, dryRun, yes, timeoutMs, output, kubeconfig});
	const applied = pick(parseApplyArgs(args));
	assert.deepEqual(applied, pick(parseRemoveArgs(args)));
	assert.deepEqual(
		{...applied, input: undefined},
		{input: undefined, profile: undefined, dryRun: true, yes: true, timeoutMs: 180_000, output: 'json', kubeconfig: '/tmp/kc'},
	);
	const byProfile = ['--profile', 'prod'];
	assert.equal(parseApplyArgs(byProfile).profile, 'prod');
	assert.equal(parseRemoveArgs(byProfile).profile, 'prod');
	assert.equal(parseRemoveArgs(byProfile).input, undefined);
});

test("both run commands report the shared flags' problems together, each with its own --timeout examples", () => {
	const bad = ['--mesh', 'm', '--timeout', 'soon'];
	const lines = (f: () => unknown) => {
		try {
			f();
		} catch (error) {
			assert.ok(error instanceof UsageError);
			return error.message.split('\n');
		}
		return assert.fail('no UsageError');
	};
	const apply = lines(() => parseApplyArgs(bad));
	const remove = lines(() => parseRemoveArgs(bad));
	for (const got of [apply, remove]) {
		assert.ok(got.some(l => l.includes('--topology is required')));
		assert.ok(got.some(l => l.includes('--timeout "soon" is not a duration')));
	}
	assert.ok(apply.some(l => l.includes('90s, 5m or 1m30s')));
	assert.ok(remove.some(l => l.includes('90s, 2m or 1m30s')));
	assert.throws(() => parseRemoveArgs([...plan, '-o', 'yaml']), /--output "yaml" is not one of text, json/);
	assert.throws(() => parseApplyArgs([...plan, '-o', 'yaml']), /--output "yaml" is not one of text, json/);
});

test('mustConfirm: --yes or --dry-run need nobody; otherwise a person must be there to ask', () => {
	let asked = 0;
	const nobody = () => {
		asked++;
		return false;
	};
	assert.equal(mustConfirm({yes: true, dryRun: false}, nobody, 'refused'), false);
	assert.equal(mustConfirm({yes: false, dryRun: true}, nobody, 'refused'), false);
	assert.equal(asked, 0);
	assert.throws(
		() => mustConfirm({yes: false, dryRun: false}, nobody, 'refused: pass --yes'),
		(e: unknown) => e instanceof UsageError && e.message === 'refused: pass --yes',
	);
	assert.equal(
		mustConfirm({yes: false, dryRun: false}, () => true, 'refused'),
		true,
	);
});

test('askToProceed: yes goes on, no says what did not happen, an interrupt stops', async () => {
	const ask = {changes: 'these change\n', question: 'Go? ', declined: 'nothing changed'};
	const yes = makeCtx();
	const questions: string[] = [];
	assert.equal(await askToProceed(yes.ctx, async q => (questions.push(q), true), ask), undefined);
	assert.deepEqual(questions, ['Go? ']);
	const no = makeCtx();
	assert.equal(await askToProceed(no.ctx, async () => false, ask), EXIT.failed);
	assert.equal(no.err(), 'these change\neastwest: nothing changed\n');
	const controller = new AbortController();
	const interrupted = makeCtx(controller.signal);
	assert.equal(await askToProceed(interrupted.ctx, async () => (controller.abort(), false), ask), EXIT.interrupted);
	assert.equal(interrupted.err(), 'these change\n');
});

test('runEngine: a throw from the engine is a WorkError that says the run stopped', async () => {
	assert.equal(await runEngine(async () => 7), 7);
	await assert.rejects(
		runEngine(async () => {
			throw new Error('socket hang up\nat somewhere');
		}),
		(e: unknown) => e instanceof WorkError && e.message === 'the run stopped unexpectedly: socket hang up',
	);
});

test('finishRun: records the result on the profile, prints JSON with -o json, and gives the exit code', async () => {
	const outcome = (ok: boolean, cancelled: boolean): RunOutcome => ({ok, cancelled, clusters: []});
	const cases: Array<[RunOutcome, string, number]> = [
		[outcome(true, false), 'succeeded', EXIT.ok],
		[outcome(false, false), 'failed', EXIT.failed],
		[outcome(false, true), 'cancelled', EXIT.interrupted],
	];
	for (const [o, result, code] of cases) {
		const {ctx, out, err} = makeCtx();
		const recorded: unknown[] = [];
		const got = await finishRun(
			ctx,
			{profile: 'prod', dryRun: true, output: 'json'},
			o,
			async (...a) => (recorded.push(a), 'could not save'),
			() => ({ok: o.ok}),
		);
		assert.equal(got, code);
		assert.deepEqual(recorded, [['prod', result, true]]);
		assert.equal(err(), 'eastwest: warning: could not save\n');
		assert.deepEqual(JSON.parse(out()), {ok: o.ok});
	}
	const {ctx, out} = makeCtx();
	let records = 0;
	await finishRun(
		ctx,
		{dryRun: false, output: 'text'},
		outcome(true, false),
		async () => (records++, undefined),
		() => assert.fail('no JSON with text output'),
	);
	assert.equal(records, 0);
	assert.equal(out(), '');
});
