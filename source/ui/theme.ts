/** Status symbols and colours. With colour off (NO_COLOR, --no-color) every colour is undefined. */
import {createContext, useContext} from 'react';
import {MARK} from '../core/marks.js';

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

/**
 * Every status the wizard marks with a symbol, whatever it judges (a check, a step, a cluster's run, a verdict),
 * and the symbol and tone it gets. The one mapping: <Mark> renders it.
 */
export type MarkStatus =
	| 'ok'
	| 'error'
	| 'warn'
	| 'pending'
	| 'skipped'
	// Checks (CheckStatus).
	| 'pass'
	| 'fail'
	| 'skip'
	// Steps and clusters of a run.
	| 'changed'
	| 'unchanged'
	| 'failed'
	| 'succeeded'
	| 'cancelled'
	| 'not-started'
	| 'idle';

export const MARKS: Record<MarkStatus, {symbol: keyof Theme['symbols']; tone: Tone}> = {
	ok: {symbol: 'ok', tone: 'ok'},
	pass: {symbol: 'ok', tone: 'ok'},
	changed: {symbol: 'ok', tone: 'ok'},
	unchanged: {symbol: 'ok', tone: 'ok'},
	succeeded: {symbol: 'ok', tone: 'ok'},
	error: {symbol: 'error', tone: 'error'},
	fail: {symbol: 'error', tone: 'error'},
	failed: {symbol: 'error', tone: 'error'},
	warn: {symbol: 'warn', tone: 'warn'},
	cancelled: {symbol: 'warn', tone: 'warn'},
	'not-started': {symbol: 'warn', tone: 'warn'},
	pending: {symbol: 'pending', tone: 'muted'},
	skip: {symbol: 'skipped', tone: 'muted'},
	skipped: {symbol: 'skipped', tone: 'muted'},
	idle: {symbol: 'skipped', tone: 'muted'},
};

const TONES: Record<Tone, string> = {accent: 'cyan', ok: 'green', error: 'red', warn: 'yellow', muted: 'gray', title: 'magenta'};

export function createTheme(color: boolean): Theme {
	return {
		color,
		tone: t => (color ? TONES[t] : undefined),
		symbols: {ok: MARK.ok, error: MARK.fail, warn: MARK.warn, pending: '·', skipped: MARK.skip, pointer: '❯', checked: '◉', unchecked: '○', current: '(*)'},
		spinner: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'],
	};
}

export const ThemeContext = createContext<Theme>(createTheme(true));

export function useTheme(): Theme {
	return useContext(ThemeContext);
}
