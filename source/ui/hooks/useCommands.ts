import {createContext, useContext, useRef} from 'react';
import {useInput, type Key} from 'ink';
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

/** The one input handler of a screen: keys resolve through the keymap to the screen's handlers. */
export function useCommands(scope: KeyScope, handlers: Handlers, options: CommandOptions = {}): void {
	const nav = useContext(NavContext);
	const latest = useRef({handlers, options, nav, scope});
	latest.current = {handlers, options, nav, scope};
	useInput(
		(input, key) => {
			// Keys typed faster than a frame can arrive as one chunk ("jj"): outside text fields, take them one by one.
			if (!latest.current.options.textEntry && input.length > 1 && !key.ctrl && !key.meta && !key.escape && [...input].every(c => c >= ' ')) {
				for (const c of input) handle(c, key);
				return;
			}
			// Several Tabs or Enters in one chunk (key repeat) are several keys, in text fields too.
			if (input.length > 1 && /^(\t+|\r+)$/.test(input)) {
				for (const c of input) handle(c, {...key, tab: c === '\t', return: c === '\r'});
				return;
			}
			handle(input, key);
		},
		{isActive: (options.isActive ?? true) && !nav.helpOpen},
	);

	function handle(input: string, key: Key) {
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
	}
}
