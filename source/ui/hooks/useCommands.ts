import {createContext, useContext, useEffect, useLayoutEffect, useRef} from 'react';
import {useInput} from 'ink';
import {SCREEN_COMMANDS, matchCommand, type Command, type KeyScope} from '../keys.js';

/** Wizard-wide actions every screen can offer: help, quit, back. */
export interface Nav {
	helpOpen: boolean;
	openHelp(scope: KeyScope): void;
	quit(): void;
	back(): void;
}

export const NavContext = createContext<Nav>({helpOpen: false, openHelp() {}, quit() {}, back() {}});

export type Handlers = Partial<Record<Command, () => void>>;

export interface CommandOptions {
	isActive?: boolean;
	/** A text field has focus: printable keys go to onText instead of single-key commands. */
	textEntry?: boolean;
	onText?: (text: string) => void;
}

type Keypress = Parameters<Parameters<typeof useInput>[0]>;

/** How long a queued key waits for a render that may never come (the previous key changed nothing). */
const KEY_GRACE_MS = 40;

/**
 * The one input handler of a screen: keys resolve through the keymap to the screen's handlers.
 *
 * Keys that arrive together (typed ahead, pasted, or buffered before the terminal went raw) come in
 * one chunk, and React renders after the whole chunk. So only the first key of a chunk is handled at
 * once; each further key waits for the render the previous one caused, and sees the state it left.
 */
export function useCommands(scope: KeyScope, handlers: Handlers, options: CommandOptions = {}): void {
	const nav = useContext(NavContext);
	const latest = useRef({handlers, options, nav, scope});
	latest.current = {handlers, options, nav, scope};
	const queue = useRef<Keypress[]>([]);
	const draining = useRef(false);
	const alive = useRef(true);

	useEffect(() => {
		alive.current = true;
		return () => {
			alive.current = false;
			queue.current = [];
		};
	}, []);

	const handle = ([input, key]: Keypress) => {
		const {handlers: h, options: o, nav: n, scope: sc} = latest.current;
		const all: Handlers = {help: () => n.openHelp(sc), quit: n.quit, back: n.back, ...h};
		const command = matchCommand(SCREEN_COMMANDS[sc], input, key, Boolean(o.textEntry));
		if (command && all[command]) {
			all[command]!();
			return;
		}
		if (o.textEntry && o.onText && input && !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab) {
			// Pasted text arrives as one chunk; keep only printable characters.
			const text = input.replace(/[\p{Cc}]/gu, '');
			if (text) o.onText(text);
		}
	};

	// After a key is handled, the next one waits for the commit its updates cause (or, when it changed
	// nothing, a short grace period), so its handler reads the state the previous key left.
	const afterCommit = useRef<(() => void) | undefined>(undefined);
	useLayoutEffect(() => {
		afterCommit.current?.();
	});

	const drain = () => {
		const next = queue.current.shift();
		if (!next || !alive.current) {
			draining.current = false;
			return;
		}
		handle(next);
		// Keys of the same chunk are still arriving: wait even when the queue is empty right now.
		let done = false;
		const proceed = () => {
			if (done) return;
			done = true;
			clearTimeout(grace);
			afterCommit.current = undefined;
			setImmediate(drain);
		};
		const grace = setTimeout(proceed, KEY_GRACE_MS);
		afterCommit.current = proceed;
	};

	useInput(
		(input, key) => {
			if (!latest.current.options.textEntry && input.length > 1 && !key.ctrl && !key.meta && !key.escape && [...input].every(c => c >= ' ')) {
				// Letters typed faster than a frame can come as one input ("jj"): outside text fields, one key each.
				for (const c of input) queue.current.push([c, key]);
			} else if (input.length > 1 && /^(\t+|\r+)$/.test(input)) {
				// Several Tabs or Enters in one input (key repeat) are several keys, in text fields too.
				for (const c of input) queue.current.push([c, {...key, tab: c === '\t', return: c === '\r'}]);
			} else {
				queue.current.push([input, key]);
			}
			if (draining.current) return;
			draining.current = true;
			drain();
		},
		{isActive: (options.isActive ?? true) && !nav.helpOpen},
	);
}
