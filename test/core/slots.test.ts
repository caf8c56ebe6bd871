import {test} from 'node:test';
import assert from 'node:assert/strict';
import {DEFAULT_PARALLEL, MAX_PARALLEL, Slots, parallelProblem, queueReason} from '../../source/core/slots.js';

const settle = () => new Promise<void>(resolve => setImmediate(resolve));
const ahead = (m: ReadonlyMap<string, number>) => Object.fromEntries(m);

test('slots: at most `limit` hold a slot; the rest are granted first in, first out as slots free', async () => {
	const slots = new Slots(2);
	const order: number[] = [];
	const tickets = Array.from({length: 5}, (_, i) => {
		const t = slots.acquire('install');
		void t.granted.then(() => order.push(i));
		return t;
	});
	await settle();
	assert.deepEqual(order, [0, 1]);
	assert.equal(slots.active, 2);
	assert.equal(slots.waiting, 3);
	assert.deepEqual(ahead(tickets[2]!.ahead()), {install: 2});
	assert.deepEqual(ahead(tickets[4]!.ahead()), {install: 4});
	(await tickets[1]!.granted)();
	await settle();
	assert.deepEqual(order, [0, 1, 2]);
	assert.deepEqual(ahead(tickets[4]!.ahead()), {install: 3});
	assert.deepEqual(ahead(tickets[2]!.ahead()), {}, 'a holder has nothing ahead');
	// Releasing twice frees one slot only.
	const release0 = await tickets[0]!.granted;
	release0();
	release0();
	await settle();
	assert.deepEqual(order, [0, 1, 2, 3]);
	assert.equal(slots.active, 2);
	(await tickets[2]!.granted)();
	(await tickets[3]!.granted)();
	await settle();
	assert.deepEqual(order, [0, 1, 2, 3, 4]);
	assert.equal(slots.waiting, 0);
});

test('slots: an aborted wait leaves the queue, frees no slot, and no longer counts as ahead', async () => {
	const slots = new Slots(1);
	const first = slots.acquire('install');
	const controller = new AbortController();
	const second = slots.acquire('install', controller.signal);
	const third = slots.acquire('create-remote-secret');
	assert.deepEqual(ahead(third.ahead()), {install: 2});
	controller.abort(new Error('stop'));
	await assert.rejects(second.granted, /stop/);
	assert.deepEqual(ahead(third.ahead()), {install: 1});
	assert.equal(slots.waiting, 1);
	(await first.granted)();
	await third.granted;
	assert.equal(third.holding, true);
	assert.equal(slots.active, 1);
	// A fourth call counts only the running one.
	const fourth = slots.acquire('install');
	assert.deepEqual(ahead(fourth.ahead()), {'create-remote-secret': 1});
	// Asking with a signal that is already aborted never takes a place.
	const gone = new AbortController();
	gone.abort(new Error('already'));
	await assert.rejects(slots.acquire('install', gone.signal).granted, /already/);
	const fifth = slots.acquire('install');
	assert.deepEqual(ahead(fifth.ahead()), {'create-remote-secret': 1, install: 1});
});

test('slots: a long run does not keep every finished entry', async () => {
	const slots = new Slots(3);
	const held: Array<Promise<() => void>> = [];
	for (let i = 0; i < 1000; i++) held.push(slots.acquire('install').granted);
	for (const g of held) (await g)();
	assert.equal(slots.active, 0);
	assert.equal(slots.waiting, 0);
	assert.ok((slots as unknown as {queue: unknown[]}).queue.length < 200);
});

test('cancelQueued rejects every waiting call and leaves holders alone', async () => {
	const slots = new Slots(1);
	const holder = slots.acquire('install');
	const waiting = [slots.acquire('install'), slots.acquire('install')];
	slots.cancelQueued(new Error('run cancelled'));
	for (const w of waiting) await assert.rejects(w.granted, /run cancelled/);
	assert.equal(slots.waiting, 0);
	assert.equal(slots.active, 1);
	(await holder.granted)();
	assert.equal(slots.active, 0);
	const next = slots.acquire('install');
	assert.equal(next.holding, true, 'the cancelled calls do not hold the slot');
});

test('queueReason names what is ahead and the bound', () => {
	assert.equal(queueReason(new Map([['install', 4]]), 4), 'queued: 4 istioctl installs ahead (--parallel 4)');
	assert.equal(
		queueReason(
			new Map([
				['install', 1],
				['create-remote-secret', 2],
			]),
			1,
		),
		'queued: 1 istioctl install and 2 istioctl create-remote-secret calls ahead (--parallel 1)',
	);
	assert.match(queueReason(new Map(), 2), /^queued: next in line/);
});

test('parallelProblem accepts 1..MAX_PARALLEL whole numbers only; the default is one of them', () => {
	for (const ok of [1, DEFAULT_PARALLEL, MAX_PARALLEL]) assert.equal(parallelProblem(ok), undefined);
	for (const bad of [0, -1, 1.5, MAX_PARALLEL + 1, Number.NaN]) assert.match(parallelProblem(bad)!, /whole number from 1/);
	assert.throws(() => new Slots(0), /limit 0/);
});
