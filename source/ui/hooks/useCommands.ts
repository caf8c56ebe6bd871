import {createContext, useContext} from 'react';
import {SCREEN_COMMANDS, matchCommand, type Command, type KeyScope} from '../keys.js';
import {useKeypress} from './useKeypress.js';

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

/**
 * The one input handler of a screen: keys, one at a time from the keypress reader (useKeypress), resolve
 * through the keymap to the screen's handlers; in a text field, typed or pasted text goes to onText.
 */
export function useCommands(scope: KeyScope, handlers: Handlers, options: CommandOptions = {}): void {
	const nav = useContext(NavContext);
	const textEntry = Boolean(options.textEntry);
	useKeypress(
		({input, key, text}) => {
			const all: Handlers = {help: () => nav.openHelp(scope), quit: nav.quit, back: nav.back, ...handlers};
			const command = text && [...input].length > 1 ? undefined : matchCommand(SCREEN_COMMANDS[scope], input, key, textEntry);
			if (command && all[command]) {
				all[command]!();
				return true;
			}
			if (textEntry && options.onText && text) {
				options.onText(input);
				return true;
			}
			return false;
		},
		{isActive: (options.isActive ?? true) && !nav.helpOpen, takesText: textEntry},
	);
}
