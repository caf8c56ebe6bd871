/**
 * Input as keypresses. A terminal hands over whatever arrived together as one chunk: a paste, keys typed faster
 * than a frame (over SSH, on a loaded machine), keys buffered before raw mode. Ink splits a chunk only at escape
 * sequences, so `ctrl-u` + a path + Enter reaches a handler as one string. Here a chunk becomes the keys it holds:
 * every control character and escape sequence is a key of its own; a run of printable characters is one text key,
 * which a text field takes whole and anything else takes one character at a time. Pure: no Ink at run time.
 */
import type {Key} from 'ink';

export interface Keypress {
	/** As Ink's useInput gives it: the character(s) typed, a control key's letter, '' for a named key. */
	input: string;
	key: Key;
	/** A run of printable characters (input may hold several): a paste, or keys typed ahead. */
	text: boolean;
}

const ESC = '\u001B';

export const NO_KEY: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

const named = (key: Partial<Key>, input = ''): Keypress => ({input, key: {...NO_KEY, ...key}, text: false});

/** The key a CSI or SS3 sequence's final character names (ESC [ A, ESC O A, ESC [ 5 ~ …). */
const FINAL: Record<string, Partial<Key>> = {
	A: {upArrow: true},
	B: {downArrow: true},
	C: {rightArrow: true},
	D: {leftArrow: true},
	H: {home: true},
	F: {end: true},
	Z: {tab: true, shift: true},
};
const TILDE: Record<string, Partial<Key>> = {
	'1': {home: true},
	'7': {home: true},
	'4': {end: true},
	'8': {end: true},
	'3': {delete: true},
	'5': {pageUp: true},
	'6': {pageDown: true},
};

/** One escape sequence (Ink has already cut it out of its chunk) as a key; an unknown one is a key that matches nothing. */
function escapeKey(sequence: string): Keypress {
	if (sequence === ESC || sequence === ESC + ESC) return named({escape: true, meta: true});
	const doubled = sequence.startsWith(ESC + ESC);
	const csi = /^[[O]\[?([\d;]*)([A-Za-z~])$/.exec(sequence.slice(doubled ? 2 : 1));
	if (csi) {
		const [, params = '', final = ''] = csi;
		const [first = '', modifier = ''] = params.split(';');
		const base = final === '~' ? TILDE[first] : FINAL[final];
		if (!base) return named({});
		// xterm modifiers: 1 + (shift 1, alt 2, ctrl 4).
		const bits = modifier ? Number(modifier) - 1 : 0;
		return named({...base, ...(bits & 1 ? {shift: true} : {}), ...(bits & 2 || doubled ? {meta: true} : {}), ...(bits & 4 ? {ctrl: true} : {})});
	}
	// ESC and one character: that character with meta (Alt), as Ink reads it.
	const rest = sequence.slice(1);
	if ([...rest].length === 1) {
		if (rest === '\u007F' || rest === '\b') return named({backspace: rest === '\b', delete: rest === '\u007F', meta: true});
		if (rest === '\r') return named({return: true, meta: true});
		const code = rest.codePointAt(0)!;
		if (code < 0x20) return named({ctrl: true, meta: true}, String.fromCharCode(code + 96));
		return {input: rest, key: {...NO_KEY, meta: true, shift: /^[A-Z]$/.test(rest)}, text: false};
	}
	return named({});
}

/** A control character (below space, or DEL) as a key. */
function controlKey(c: string): Keypress | undefined {
	if (c === '\r' || c === '\n') return named({return: true});
	if (c === '\t') return named({tab: true});
	if (c === '\b') return named({backspace: true});
	if (c === '\u007F') return named({delete: true});
	const code = c.codePointAt(0)!;
	if (code === 0) return named({ctrl: true}, ' ');
	if (code <= 0x1a) return named({ctrl: true}, String.fromCharCode(code + 96));
	// ctrl-\ ctrl-] ctrl-^ ctrl-_: nothing in the wizard uses them.
	return undefined;
}

const isControl = (c: string) => {
	const code = c.codePointAt(0)!;
	return code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0);
};

/**
 * The keys in one piece of input as Ink's reader cuts it (an escape sequence alone, or a run of other
 * characters). CR LF is one Enter, as is a lone LF (the newline at the end of a pasted line).
 */
export function splitKeys(data: string): Keypress[] {
	if (data.startsWith(ESC)) return [escapeKey(data)];
	const keys: Keypress[] = [];
	let run = '';
	const flush = () => {
		if (run === '') return;
		keys.push({input: run, key: {...NO_KEY, shift: /^[A-Z]$/.test(run)}, text: true});
		run = '';
	};
	const chars = [...data];
	for (let i = 0; i < chars.length; i++) {
		const c = chars[i]!;
		if (!isControl(c)) {
			run += c;
			continue;
		}
		flush();
		if (c === '\r' && chars[i + 1] === '\n') i += 1;
		const key = controlKey(c);
		if (key) keys.push(key);
	}
	flush();
	return keys;
}

/** The first character of a text key as a key of its own, and the rest (undefined when nothing is left). */
export function firstOf(k: Keypress): [Keypress, Keypress | undefined] {
	const [first = '', ...rest] = [...k.input];
	const one: Keypress = {input: first, key: {...k.key, shift: /^[A-Z]$/.test(first)}, text: true};
	return [one, rest.length > 0 ? {input: rest.join(''), key: {...k.key, shift: false}, text: true} : undefined];
}
