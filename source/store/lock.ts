/**
 * A cross-process lock: an exclusively created file holding the owner's pid and start time.
 * conf writes atomically, but a read-modify-write by two processes would lose one change; this serialises them.
 */
import {randomUUID} from 'node:crypto';
import fs from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {ProfileStoreError} from './errors.js';

export interface LockOptions {
	/** Give up after this long (default 10 s). */
	timeoutMs?: number;
	/** A lock older than this is taken to be left behind by a crashed process (default 30 s). */
	staleMs?: number;
	/** Pause between attempts (default 20 ms, with jitter). */
	retryMs?: number;
}

interface Owner {
	pid: number;
	at: number;
}

function readOwner(content: string): Owner | undefined {
	try {
		const parsed: unknown = JSON.parse(content);
		if (typeof parsed === 'object' && parsed !== null) {
			const {pid, at} = parsed as Record<string, unknown>;
			if (typeof pid === 'number' && typeof at === 'number') return {pid, at};
		}
	} catch {
		// Being written right now: treated as unknown.
	}
	return undefined;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Why the lock looks abandoned, or undefined when its owner may still hold it. */
function staleLock(file: string, staleMs: number): {reason: string; content: string} | undefined {
	let content: string;
	try {
		content = fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
	const owner = readOwner(content);
	if (owner) {
		if (!alive(owner.pid)) return {reason: `owner pid ${owner.pid} is gone`, content};
		if (Date.now() - owner.at > staleMs) return {reason: `held for more than ${Math.round(staleMs / 1000)} s`, content};
		return undefined;
	}
	// Unreadable content: judge by the file's age, so a half-written lock is not stolen.
	try {
		return Date.now() - fs.statSync(file).mtimeMs > staleMs ? {reason: 'unreadable and old', content} : undefined;
	} catch {
		return undefined;
	}
}

/** Run `work` while holding the lock file; release it afterwards, also on error. */
export async function withFileLock<T>(file: string, options: LockOptions = {}, work: () => T | Promise<T>): Promise<T> {
	const timeoutMs = options.timeoutMs ?? 10_000;
	const staleMs = options.staleMs ?? 30_000;
	const retryMs = options.retryMs ?? 20;
	const deadline = Date.now() + timeoutMs;
	// The nonce tells this holder's lock apart from another acquisition by the same process in the same millisecond.
	const token = JSON.stringify({pid: process.pid, at: Date.now(), nonce: randomUUID()});
	for (;;) {
		try {
			fs.writeFileSync(file, token, {flag: 'wx', mode: 0o600});
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		const stale = staleLock(file, staleMs);
		if (stale) {
			// Only remove the lock we judged stale: a rename is atomic, so two processes cannot both steal it.
			const claimed = `${file}.${process.pid}.stale`;
			try {
				fs.renameSync(file, claimed);
				// If another process replaced the stale lock with a live one in between, put that one back (link never overwrites).
				if (fs.readFileSync(claimed, 'utf8') !== stale.content) {
					try {
						fs.linkSync(claimed, file);
					} catch {
						// A third process already holds a new lock.
					}
				}
				fs.rmSync(claimed, {force: true});
			} catch {
				// Someone else took it first; try again.
			}
			continue;
		}
		if (Date.now() >= deadline) {
			let owner: Owner | undefined;
			try {
				owner = readOwner(fs.readFileSync(file, 'utf8'));
			} catch {
				owner = undefined;
			}
			throw new ProfileStoreError(
				'locked',
				`profile store is locked by ${owner ? `pid ${owner.pid}` : 'another eastwest'} (${file}) and stayed locked for ${Math.round(timeoutMs / 1000)} s; retry, or remove the lock file if no eastwest is running`,
			);
		}
		await sleep(retryMs + Math.floor(Math.random() * retryMs));
	}
	try {
		return await work();
	} finally {
		// Release only if the lock is still ours (a stale-lock steal may have replaced it).
		try {
			if (fs.readFileSync(file, 'utf8') === token) fs.rmSync(file, {force: true});
		} catch {
			// Already gone.
		}
	}
}
