/** A Clock that moves only when a test moves it: deadlines and repeats fire in order, without waiting. */
import type {Clock} from '../../source/core/ports.js';

interface Timer {
	id: number;
	at: number;
	every?: number;
	callback: () => void;
}

export class FakeClock implements Clock {
	private time: number;
	private nextId = 0;
	private readonly timers = new Map<number, Timer>();

	constructor(start = Date.UTC(2026, 0, 1)) {
		this.time = start;
	}

	now(): number {
		return this.time;
	}

	after(ms: number, callback: () => void): () => void {
		return this.add({at: this.time + ms, callback});
	}

	every(ms: number, callback: () => void): () => void {
		return this.add({at: this.time + ms, every: ms, callback});
	}

	/** Timers not yet fired or cancelled. */
	get pending(): number {
		return this.timers.size;
	}

	/**
	 * Move time forward by `ms`, firing every timer due on the way in time order; after each one, what it set
	 * off (promises, I/O callbacks of fakes) runs before the next.
	 */
	async advance(ms: number): Promise<void> {
		const target = this.time + ms;
		for (;;) {
			const next = [...this.timers.values()].filter(t => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
			if (!next) break;
			this.time = next.at;
			if (next.every) next.at += next.every;
			else this.timers.delete(next.id);
			next.callback();
			await new Promise(resolve => setImmediate(resolve));
		}
		this.time = target;
	}

	private add(timer: Omit<Timer, 'id'>): () => void {
		const id = this.nextId++;
		this.timers.set(id, {id, ...timer});
		return () => {
			this.timers.delete(id);
		};
	}
}
