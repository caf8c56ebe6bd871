/** Status symbols and colours. With colour off (NO_COLOR, --no-color) every colour is undefined. */
import {createContext, useContext} from 'react';

export type Tone = 'accent' | 'ok' | 'error' | 'warn' | 'muted' | 'title';

export interface Theme {
	color: boolean;
	/** An Ink colour for the tone, or undefined when colour is off. */
	tone(tone: Tone): string | undefined;
	symbols: {
		ok: string;
		error: string;
		warn: string;
		pending: string;
		skipped: string;
		pointer: string;
		checked: string;
		unchecked: string;
		current: string;
	};
	spinner: readonly string[];
}

const TONES: Record<Tone, string> = {accent: 'cyan', ok: 'green', error: 'red', warn: 'yellow', muted: 'gray', title: 'magenta'};

export function createTheme(color: boolean): Theme {
	return {
		color,
		tone: t => (color ? TONES[t] : undefined),
		symbols: {ok: '✔', error: '✘', warn: '‼', pending: '·', skipped: '–', pointer: '❯', checked: '◉', unchecked: '○', current: '(*)'},
		spinner: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'],
	};
}

/** Colour is on unless NO_COLOR is set to a non-empty value (no-color.org) or --no-color was given. */
export function colorWanted(env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
	return !noColorFlag && !env.NO_COLOR;
}

export const ThemeContext = createContext<Theme>(createTheme(true));

export function useTheme(): Theme {
	return useContext(ThemeContext);
}
