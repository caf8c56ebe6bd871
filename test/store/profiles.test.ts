import {test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {ProfileStoreError} from '../../source/store/profiles.js';
import {ProfileStore, SCHEMA_VERSION, migrate, profileNameProblem} from '../../source/store/profiles.js';
import {withFileLock} from '../../source/store/lock.js';
import {root} from '../helpers/cli.js';

const plan: MeshPlanInput = {
	topology: 'primary-remote-multi-network',
	meshId: 'mesh1',
	revision: 'canary',
	clusters: [
		{context: 'kind-east', name: 'east', network: 'network1', role: 'primary'},
		{context: 'kind-west', name: 'west', network: 'network2', role: 'remote'},
	],
};

function tempDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-store-'));
}

function fixedClock(start = Date.parse('2026-01-02T03:04:05Z')) {
	let t = start;
	return () => new Date((t += 1000));
}

test('save, get, list, delete round-trip in a file of mode 0600', async () => {
	const dir = tempDir();
	const store = new ProfileStore({cwd: dir, now: fixedClock()});
	assert.deepEqual(store.list(), []);
	const saved = await store.save('prod.eu', plan);
	assert.equal(saved.createdAt, '2026-01-02T03:04:06.000Z');
	assert.equal(store.path, path.join(dir, 'profiles.json'));
	assert.equal(fs.statSync(store.path).mode & 0o777, 0o600);
	// Dots in a name stay one key (no dot-notation nesting).
	const onDisk = JSON.parse(fs.readFileSync(store.path, 'utf8'));
	assert.equal(onDisk.schemaVersion, SCHEMA_VERSION);
	assert.deepEqual(Object.keys(onDisk.profiles), ['prod.eu']);
	const again = new ProfileStore({cwd: dir});
	assert.deepEqual(again.get('prod.eu'), {...plan, createdAt: saved.createdAt, updatedAt: saved.updatedAt});
	await store.save('a-first', plan);
	assert.deepEqual(
		store.list().map(p => p.name),
		['a-first', 'prod.eu'],
	);
	await store.delete('prod.eu');
	assert.deepEqual(
		store.list().map(p => p.name),
		['a-first'],
	);
	assert.throws(
		() => store.get('prod.eu'),
		(e: ProfileStoreError) => e.kind === 'not-found' && /no profile named "prod.eu"; saved profiles: a-first/.test(e.message),
	);
	await assert.rejects(store.delete('prod.eu'), {name: 'ProfileStoreError', message: /no profile named/});
});

test('save refuses to overwrite unless asked, and keeps createdAt when overwriting', async () => {
	const store = new ProfileStore({cwd: tempDir(), now: fixedClock()});
	const first = await store.save('prod', plan);
	await assert.rejects(
		store.save('prod', {...plan, meshId: 'mesh2'}),
		(e: ProfileStoreError) => e.kind === 'exists' && /already exists; pass --overwrite/.test(e.message),
	);
	assert.equal(store.get('prod').meshId, 'mesh1');
	const second = await store.save('prod', {...plan, meshId: 'mesh2'}, {overwrite: true});
	assert.equal(second.meshId, 'mesh2');
	assert.equal(second.createdAt, first.createdAt);
	assert.notEqual(second.updatedAt, first.updatedAt);
});

test('only known fields are stored: no token, certificate or other extra property reaches the file', async () => {
	const store = new ProfileStore({cwd: tempDir()});
	const leaky = {
		...plan,
		token: 'sekret-token',
		clusters: plan.clusters.map(c => ({...c, user: {token: 'sekret-token', 'client-certificate-data': 'LS0tQ0VSVA=='}, server: 'https://x'})),
	} as unknown as MeshPlanInput;
	await store.save('leaky', leaky);
	const text = fs.readFileSync(store.path, 'utf8');
	assert.doesNotMatch(text, /sekret|token|certificate|LS0tQ0VSVA|server|user/i);
	assert.deepEqual(Object.keys(store.get('leaky').clusters[0]!).sort(), ['context', 'name', 'network', 'role']);
});

test('rename moves a profile and refuses to clobber; recordApplied notes the outcome', async () => {
	const store = new ProfileStore({cwd: tempDir(), now: fixedClock()});
	await store.save('a', plan);
	await store.save('b', plan);
	await assert.rejects(store.rename('a', 'b'), (e: ProfileStoreError) => e.kind === 'exists' && /"b" already exists/.test(e.message));
	await assert.rejects(store.rename('zzz', 'c'), (e: ProfileStoreError) => e.kind === 'not-found');
	await store.rename('a', 'c.1');
	assert.deepEqual(
		store.list().map(p => p.name),
		['b', 'c.1'],
	);
	const applied = await store.recordApplied('c.1', 'failed', {dryRun: true});
	assert.deepEqual({...applied.lastApplied, at: undefined}, {at: undefined, result: 'failed', dryRun: true});
	assert.equal(new ProfileStore({cwd: path.dirname(store.path)}).get('c.1').lastApplied?.result, 'failed');
	await store.recordApplied('c.1', 'succeeded');
	assert.deepEqual(Object.keys(store.get('c.1').lastApplied!).sort(), ['at', 'result']);
});

test('profile names: letters, digits, dot, underscore, dash, at most 63', async () => {
	for (const ok of ['prod', 'prod.eu-1', 'A_b.9', 'x'.repeat(63)]) assert.equal(profileNameProblem(ok), undefined, ok);
	for (const bad of ['', '.hidden', '-x', 'a/b', 'a b', 'x'.repeat(64), '__proto__', 'café']) assert.match(profileNameProblem(bad) ?? '', /profile name/, bad);
	const store = new ProfileStore({cwd: tempDir()});
	await assert.rejects(store.save('a/b', plan), (e: ProfileStoreError) => e.kind === 'invalid-name' && /letters, digits/.test(e.message));
	await assert.rejects(store.save('__proto__', plan), {name: 'ProfileStoreError'});
	assert.equal(fs.existsSync(store.path), false);
});

test('a v0 file (mesh, savedAt, no schemaVersion) is read as v1 without rewriting it, and rewritten as v1 on the next save', async () => {
	const dir = tempDir();
	const v0 = {
		profiles: {
			'old.one': {
				topology: 'multi-network',
				mesh: 'legacy-mesh',
				clusters: plan.clusters.map(c => ({...c, role: 'primary'})),
				savedAt: '2025-05-05T05:05:05.000Z',
			},
		},
	};
	const file = path.join(dir, 'profiles.json');
	fs.writeFileSync(file, JSON.stringify(v0));
	const before = fs.readFileSync(file);
	const store = new ProfileStore({cwd: dir});
	const old = store.get('old.one');
	assert.equal(old.meshId, 'legacy-mesh');
	assert.equal(old.createdAt, '2025-05-05T05:05:05.000Z');
	assert.equal(old.updatedAt, '2025-05-05T05:05:05.000Z');
	assert.equal('mesh' in old, false);
	assert.deepEqual(fs.readFileSync(file), before, 'reading never writes');
	await store.save('new', plan);
	const after = JSON.parse(fs.readFileSync(file, 'utf8'));
	assert.equal(after.schemaVersion, 1);
	assert.equal(after.profiles['old.one'].meshId, 'legacy-mesh');
	assert.equal(after.profiles['old.one'].mesh, undefined);
	assert.equal(after.profiles['old.one'].savedAt, undefined);
});

test('migrate refuses a newer or nonsense schemaVersion with the file named', () => {
	assert.throws(
		() => migrate({schemaVersion: 99, profiles: {}}, '/x/profiles.json'),
		(e: ProfileStoreError) => e.kind === 'newer-schema' && /\/x\/profiles.json.*upgrade eastwest/.test(e.message),
	);
	assert.throws(
		() => migrate({schemaVersion: 'one', profiles: {}}, '/x/profiles.json'),
		(e: ProfileStoreError) => e.kind === 'corrupt',
	);
	assert.deepEqual(migrate({schemaVersion: 1, profiles: {}}, 'f'), {schemaVersion: 1, profiles: {}});
});

for (const [what, content] of [
	['invalid JSON', '{"schemaVersion": 1, "profiles": {'],
	['a JSON array', '[1, 2]'],
	['a profile without clusters', JSON.stringify({schemaVersion: 1, profiles: {p: {topology: 'multi-network', meshId: 'm', createdAt: 'x', updatedAt: 'x'}}})],
	['a bad lastApplied', JSON.stringify({schemaVersion: 1, profiles: {p: {...plan, createdAt: 'x', updatedAt: 'x', lastApplied: {at: 'x', result: 'great'}}}})],
] as const) {
	test(`a hand-broken file (${what}) → one-line error naming the file; the bytes are left untouched`, async () => {
		const dir = tempDir();
		const file = path.join(dir, 'profiles.json');
		fs.writeFileSync(file, content, {mode: 0o644});
		const store = new ProfileStore({cwd: dir});
		const check = (e: ProfileStoreError) =>
			e.kind === 'corrupt' && e.message.includes(file) && !e.message.includes('\n') && /left it untouched/.test(e.message);
		assert.throws(() => store.list(), check);
		await assert.rejects(store.save('new', plan), check);
		await assert.rejects(store.delete('p'), check);
		assert.equal(fs.readFileSync(file, 'utf8'), content);
		assert.equal(fs.statSync(file).mode & 0o777, 0o644);
		assert.equal(fs.existsSync(`${file}.lock`), false, 'the lock is released after a failure');
	});
}

test('a lock held by a live process makes a save wait, then fail with a one-line error at the deadline', async () => {
	const dir = tempDir();
	const store = new ProfileStore({cwd: dir, lock: {timeoutMs: 200, retryMs: 5}});
	fs.writeFileSync(`${store.path}.lock`, JSON.stringify({pid: process.pid, at: Date.now()}));
	await assert.rejects(
		store.save('x', plan),
		(e: ProfileStoreError) => e.kind === 'locked' && e.message.includes(`pid ${process.pid}`) && e.message.includes('.lock'),
	);
	assert.equal(fs.existsSync(`${store.path}.lock`), true, 'a live lock is not stolen');
	assert.equal(fs.existsSync(store.path), false);
});

test('a lock left by a dead process or held too long is taken over', async () => {
	const dir = tempDir();
	const store = new ProfileStore({cwd: dir, lock: {timeoutMs: 2000, retryMs: 5, staleMs: 60_000}});
	// A pid that has exited: spawn and wait for a short-lived child.
	const dead = await new Promise<number>(resolve => {
		const child = spawn(process.execPath, ['-e', '']);
		child.on('exit', () => resolve(child.pid!));
	});
	fs.writeFileSync(`${store.path}.lock`, JSON.stringify({pid: dead, at: Date.now()}));
	await store.save('after-dead', plan);
	fs.writeFileSync(`${store.path}.lock`, JSON.stringify({pid: process.pid, at: Date.now() - 120_000}));
	await store.save('after-old', plan);
	assert.deepEqual(
		store.list().map(p => p.name),
		['after-dead', 'after-old'],
	);
	assert.equal(fs.existsSync(`${store.path}.lock`), false);
});

test('withFileLock serialises work within one process too', async () => {
	const file = path.join(tempDir(), 'x.lock');
	const order: string[] = [];
	const job = (id: string) =>
		withFileLock(file, {retryMs: 2}, async () => {
			order.push(`${id}+`);
			await new Promise(r => setTimeout(r, 10));
			order.push(`${id}-`);
		});
	await Promise.all([job('a'), job('b'), job('c')]);
	for (let i = 0; i < order.length; i += 2) assert.equal(order[i]!.slice(0, 1), order[i + 1]!.slice(0, 1), order.join(' '));
});

test('8 processes saving 5 profiles each at once lose none', async () => {
	const dir = tempDir();
	const fixture = path.join(root, 'test/fixtures/save-profiles.ts');
	const runs = Array.from(
		{length: 8},
		(_, i) =>
			new Promise<void>((resolve, reject) => {
				const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, `p${i}`, '5'], {cwd: root, stdio: ['ignore', 'ignore', 'pipe']});
				let stderr = '';
				child.stderr.on('data', d => (stderr += d));
				child.on('error', reject);
				child.on('exit', code => (code === 0 ? resolve() : reject(new Error(`child p${i} exited ${code}: ${stderr}`))));
			}),
	);
	await Promise.all(runs);
	const names = new ProfileStore({cwd: dir}).list().map(p => p.name);
	assert.equal(names.length, 40, names.join(' '));
	for (let i = 0; i < 8; i++) for (let j = 0; j < 5; j++) assert.ok(names.includes(`p${i}-${j}`), `p${i}-${j} missing`);
	assert.equal(fs.existsSync(path.join(dir, 'profiles.json.lock')), false);
});

test('a profile may keep a --parallel for apply; rename keeps it; a bad stored value is reported as a broken file', async () => {
	const dir = tempDir();
	const store = new ProfileStore({cwd: dir, now: fixedClock()});
	await store.save('fleet', plan, {parallel: 8});
	assert.equal(new ProfileStore({cwd: dir}).get('fleet').parallel, 8);
	await store.save('plain', plan);
	assert.equal(store.get('plain').parallel, undefined);
	assert.equal('parallel' in JSON.parse(fs.readFileSync(store.path, 'utf8')).profiles.plain, false);
	await store.rename('fleet', 'fleet2');
	assert.equal(store.get('fleet2').parallel, 8);
	const onDisk = JSON.parse(fs.readFileSync(store.path, 'utf8'));
	onDisk.profiles.fleet2.parallel = 0;
	fs.writeFileSync(store.path, JSON.stringify(onDisk));
	assert.throws(
		() => new ProfileStore({cwd: dir}).get('fleet2'),
		(e: ProfileStoreError) => e.kind === 'corrupt' && /profile "fleet2" parallel 0 must be a whole number from 1 to 256/.test(e.message),
	);
});

test('recordRemoved notes the last remove beside the last apply; the plan stays', async () => {
	const store = new ProfileStore({cwd: tempDir(), now: fixedClock()});
	await store.save('p', plan);
	await store.recordApplied('p', 'succeeded');
	const removed = await store.recordRemoved('p', 'cancelled', {dryRun: false});
	assert.equal(removed.lastRemoved?.result, 'cancelled');
	const reread = new ProfileStore({cwd: path.dirname(store.path)}).get('p');
	assert.equal(reread.lastRemoved?.result, 'cancelled');
	assert.equal(reread.lastApplied?.result, 'succeeded', 'the last apply is kept');
	assert.deepEqual(reread.clusters, plan.clusters, 'the plan itself stays');
	await assert.rejects(store.recordRemoved('nope', 'succeeded'), (e: ProfileStoreError) => e.kind === 'not-found');
});

test('recordApplied and recordRemoved note an outcome alike: when, the result, a dry run; each under its own field', async () => {
	const store = new ProfileStore({cwd: tempDir(), now: fixedClock()});
	await store.save('p', plan);
	const applied = await store.recordApplied('p', 'failed', {dryRun: true});
	const removed = await store.recordRemoved('p', 'failed', {dryRun: true});
	assert.deepEqual({...removed.lastRemoved, at: undefined}, {...applied.lastApplied, at: undefined});
	assert.equal(removed.lastRemoved?.at, '2026-01-02T03:04:08.000Z', "the store's clock, at the remove");
	assert.deepEqual(Object.keys(removed.lastRemoved ?? {}).sort(), ['at', 'dryRun', 'result']);
	assert.equal((await store.recordRemoved('p', 'succeeded')).lastRemoved?.dryRun, undefined, 'a real run leaves no dryRun mark');
	assert.equal(store.get('p').lastApplied?.result, 'failed', 'a remove leaves the last apply');
	await assert.rejects(store.recordApplied('nope', 'succeeded'), (e: ProfileStoreError) => e.kind === 'not-found');
});
