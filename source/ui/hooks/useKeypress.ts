import {useEffect, useLayoutEffect, useRef} from 'react';
import {useStdin} from 'ink';
import type {EventEmitter} from 'node:events';
import {firstOf, splitKeys, type Keypress} from '../keypress.js';

/** Priorities: an overlay (the help screen) hears keys before the screen under it. */
export const PRIORITY = {screen: 0, overlay: 10} as const;

export interface KeypressOptions {
	isActive?: boolean;
	priority?: number;
	/** A text field has focus: a run of printable characters comes whole (a paste), not one key at a time. */
	takesText?: boolean;
}

/** A listener answers whether it used the key; an unused key goes on to the next listener. */
export type KeypressHandler = (keypress: Keypress) => boolean | void;

interface Listener {
	handler: {current: KeypressHandler};
	options: {current: KeypressOptions};
	order: number;
}

/** How long a key waits for the render the previous key may cause, when that key rendered nothing at once. */
const KEY_GRACE_MS = 40;

/**
 * The one reader of a render's input: every piece of input Ink reads is split into keys here, and the keys
 * go out one at a time, in order, each to the listeners by priority (then the latest registered first) until
 * one uses it. A key waits for the render the previous key caused, so its listener sees the state that key
 * left, even when the previous key moved to another screen; keys that arrive while no listener is active wait.
 */
class KeypressRouter {
	private readonly listeners = new Set<Listener>();
	private readonly queue: Keypress[] = [];
	private draining = false;
	private commits = 0;
	private onCommit: (() => void) | undefined;
	private order = 0;
	private subscribed = false;

	constructor(private readonly emitter: EventEmitter) {}

	private readonly onInput = (data: string) => {
		this.queue.push(...splitKeys(data));
		this.drain();
	};

	add(listener: Omit<Listener, 'order'>): () => void {
		const entry = {...listener, order: (this.order += 1)};
		this.listeners.add(entry);
		if (!this.subscribed) {
			this.subscribed = true;
			this.emitter.on('input', this.onInput);
		}
		return () => {
			this.listeners.delete(entry);
			// A screen that replaces another registers in the same commit: let it, before letting go of the input.
			setImmediate(() => {
				if (this.listeners.size === 0 && this.subscribed) {
					this.subscribed = false;
					this.emitter.off('input', this.onInput);
					this.queue.length = 0;
				}
			});
		};
	}

	/** A listening component rendered: the key that caused it has had its effect. */
	committed(): void {
		this.commits += 1;
		this.onCommit?.();
	}

	/** Listeners that hear keys now, in the order they hear them. */
	private active(): Listener[] {
		return [...this.listeners]
			.filter(l => l.options.current.isActive !== false)
			.sort((a, b) => (b.options.current.priority ?? 0) - (a.options.current.priority ?? 0) || b.order - a.order);
	}

	/** The next key goes out now, unless one is still waiting for its render or nobody listens. */
	drain(): void {
		if (this.draining || this.queue.length === 0) return;
		const listeners = this.active();
		if (listeners.length === 0) return;
		this.draining = true;
		let key = this.queue.shift()!;
		// Outside a text field, typed-ahead letters are keys one by one: the first may open a field for the rest.
		if (key.text && [...key.input].length > 1 && !listeners[0]!.options.current.takesText) {
			const [first, rest] = firstOf(key);
			key = first;
			if (rest) this.queue.unshift(rest);
		}
		this.commits = 0;
		for (const l of listeners) if (l.handler.current(key) === true) break;
		const next = () =>
			setImmediate(() => {
				this.draining = false;
				this.drain();
			});
		// Rendered already (React renders at once outside a batch): go on after the effects it scheduled.
		if (this.commits > 0) return void next();
		const grace = setTimeout(() => {
			this.onCommit = undefined;
			next();
		}, KEY_GRACE_MS);
		this.onCommit = () => {
			this.onCommit = undefined;
			clearTimeout(grace);
			next();
		};
	}

	/** Keys that waited for a listener go out, once this commit is through. */
	wake(): void {
		if (this.queue.length > 0 && !this.draining) setImmediate(() => this.drain());
	}
}

const routers = new WeakMap<EventEmitter, KeypressRouter>();

function routerOf(emitter: EventEmitter): KeypressRouter {
	let router = routers.get(emitter);
	if (!router) {
		router = new KeypressRouter(emitter);
		routers.set(emitter, router);
	}
	return router;
}

/**
 * Hear keys, one at a time, from the render's one keypress reader. Return true from the handler when the key
 * was used, so listeners below it (lower priority, or registered earlier) do not get it.
 */
export function useKeypress(handler: KeypressHandler, options: KeypressOptions = {}): void {
	const {internal_eventEmitter: emitter, setRawMode} = useStdin();
	const router = routerOf(emitter);
	const handlerRef = useRef(handler);
	handlerRef.current = handler;
	const optionsRef = useRef(options);
	optionsRef.current = options;
	const active = options.isActive !== false;

	useEffect(() => {
		if (!active) return;
		setRawMode(true);
		return () => setRawMode(false);
	}, [active, setRawMode]);
	// Registered in the commit, so a key that changed the screen goes next to the screen it opened.
	useLayoutEffect(() => router.add({handler: handlerRef, options: optionsRef}), [router]);
	useLayoutEffect(() => {
		router.committed();
		// A listener just became active, or the screen changed: keys that waited for it go out.
		router.wake();
	});
}
