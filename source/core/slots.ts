/**
 * A counting semaphore for istioctl processes: at most `limit` run at once across a whole run; the
 * rest wait first in, first out. Pure (no clock, no I/O): the engine takes a slot around each istioctl
 * call and shows how many calls are ahead while one waits.
 */

/**
 * How many istioctl processes a run starts at once unless told otherwise (`--parallel`).
 * Measured with bench 7's fake istioctl (each install holds 150 MB for 5 s, then waits for the rollout),
 * 32 clusters: the whole process tree (eastwest and every istioctl) peaked at 956 MB RSS / 762 MB PSS at
 * --parallel 4, 1.8 GB / 1.4 GB at 8, 6.7 GB / 5.4 GB at 32 (bench/README.md, benchmark 7).
 * The real istioctl on the lab (1.31-dev): `install` of the east-west gateway peaked at 95 MB RSS and
 * `create-remote-secret` at 79 MB (GNU time -v), so 4 at once stay under half a gigabyte on a laptop.
 */
export const DEFAULT_PARALLEL = 4;

/** The largest --parallel accepted: far above any fleet, low enough to catch a typo such as 4000. */
export const MAX_PARALLEL = 256;

/** Why `value` cannot be a --parallel, or undefined when it can. */
export function parallelProblem(value: number): string | undefined {
	if (!Number.isInteger(value) || value < 1 || value > MAX_PARALLEL) return `must be a whole number from 1 to ${MAX_PARALLEL}`;
	return undefined;
}

/** What a waiting call has in front of it, by the kind of call (e.g. install: 3). */
export type Ahead = ReadonlyMap<string, number>;

export interface Ticket {
	/** Resolves with `release` once a slot is free; rejects with the signal's reason when aborted first. */
	readonly granted: Promise<() => void>;
	/** True once the slot was given. */
	readonly holding: boolean;
	/** The calls running or queued before this one, by kind; empty once it holds a slot. */
	ahead(): Ahead;
}

interface Entry {
	seq: number;
	kind: string;
	/** Calls of each kind that had entered before this one. */
	before: Map<string, number>;
	grant: () => void;
	cancel: (reason: unknown) => void;
	done: boolean;
}

export class Slots {
	private running = 0;
	private readonly runningByKind = new Map<string, number>();
	private readonly queue: Entry[] = [];
	private head = 0;
	private seq = 0;
	private readonly enteredByKind = new Map<string, number>();
	/** Calls of each kind that left the queue by being granted (all of them entered before any call still queued). */
	private readonly grantedByKind = new Map<string, number>();
	/** Queued calls that were cancelled, still counted in the later entries' `before`. */
	private cancelled: Entry[] = [];

	constructor(readonly limit: number) {
		if (parallelProblem(limit)) throw new Error(`slots: limit ${limit} ${parallelProblem(limit)}`);
	}

	/** Calls holding a slot now. */
	get active(): number {
		return this.running;
	}

	/** Calls waiting for a slot now. */
	get waiting(): number {
		return this.queue.length - this.head - this.cancelled.length;
	}

	/** Ask for a slot for one call of `kind` (e.g. "install"). */
	acquire(kind: string, signal?: AbortSignal): Ticket {
		let holding = false;
		let entry: Entry | undefined;
		const granted = new Promise<() => void>((resolve, reject) => {
			const release = once(() => this.release(kind));
			const grant = () => {
				holding = true;
				signal?.removeEventListener('abort', onAbort);
				resolve(release);
			};
			const onAbort = () => this.cancel(entry!, signal!.reason);
			entry = {seq: this.seq++, kind, before: new Map(this.enteredByKind), grant, cancel: reason => reject(reason), done: true};
			if (signal?.aborted) {
				reject(signal.reason);
				return;
			}
			entry.done = false;
			this.enteredByKind.set(kind, (this.enteredByKind.get(kind) ?? 0) + 1);
			if (this.running < this.limit && this.waiting === 0) {
				entry.done = true;
				this.take(kind);
				grant();
				return;
			}
			this.queue.push(entry);
			signal?.addEventListener('abort', onAbort, {once: true});
		});
		return {
			granted,
			get holding() {
				return holding;
			},
			ahead: () => (holding || entry!.done ? new Map() : this.aheadOf(entry!)),
		};
	}

	private aheadOf(entry: Entry): Ahead {
		const ahead = new Map<string, number>();
		for (const [kind, n] of this.runningByKind) if (n > 0) ahead.set(kind, n);
		for (const [kind, entered] of entry.before) {
			let left = this.grantedByKind.get(kind) ?? 0;
			for (const c of this.cancelled) if (c.kind === kind && c.seq < entry.seq) left += 1;
			const queued = entered - left;
			if (queued > 0) ahead.set(kind, (ahead.get(kind) ?? 0) + queued);
		}
		return ahead;
	}

	private take(kind: string): void {
		this.running += 1;
		this.runningByKind.set(kind, (this.runningByKind.get(kind) ?? 0) + 1);
		this.grantedByKind.set(kind, (this.grantedByKind.get(kind) ?? 0) + 1);
	}

	private release(kind: string): void {
		this.running -= 1;
		this.runningByKind.set(kind, (this.runningByKind.get(kind) ?? 1) - 1);
		this.next();
	}

	/**
	 * Reject every call still waiting (e.g. when the whole run is cancelled): one listener on a run's
	 * signal instead of one per queued call. Holders keep their slots until they release them.
	 */
	cancelQueued(reason: unknown): void {
		for (let i = this.head; i < this.queue.length; i++) this.cancel(this.queue[i]!, reason);
	}

	private cancel(entry: Entry, reason: unknown): void {
		if (entry.done) return;
		entry.done = true;
		this.cancelled.push(entry);
		entry.cancel(reason);
	}

	/** Give free slots to the first live entries in the queue. */
	private next(): void {
		while (this.running < this.limit && this.head < this.queue.length) {
			const entry = this.queue[this.head]!;
			this.head += 1;
			if (entry.done) {
				// A cancelled call leaves the queue: it no longer counts in anyone's `before` (granted counts it instead).
				this.cancelled = this.cancelled.filter(c => c !== entry);
				this.grantedByKind.set(entry.kind, (this.grantedByKind.get(entry.kind) ?? 0) + 1);
				continue;
			}
			entry.done = true;
			this.take(entry.kind);
			entry.grant();
		}
		// Drop the consumed prefix now and then so the array does not grow with the run.
		if (this.head > 64 && this.head * 2 > this.queue.length) {
			this.queue.splice(0, this.head);
			this.head = 0;
		}
	}
}

function once(fn: () => void): () => void {
	let called = false;
	return () => {
		if (called) return;
		called = true;
		fn();
	};
}

const NOUNS: Record<string, [string, string]> = {
	install: ['istioctl install', 'istioctl installs'],
};

/** "queued: 4 istioctl installs ahead (--parallel 4)". */
export function queueReason(ahead: Ahead, limit: number): string {
	const parts = [...ahead.entries()]
		.filter(([, n]) => n > 0)
		.map(([kind, n]) => {
			const [one, many] = NOUNS[kind] ?? [`istioctl ${kind} call`, `istioctl ${kind} calls`];
			return `${n} ${n === 1 ? one : many}`;
		});
	const what = parts.length === 0 ? 'next in line' : `${parts.join(' and ')} ahead`;
	return `queued: ${what} (--parallel ${limit})`;
}
