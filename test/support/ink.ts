/** Driving the wizard through ink-testing-library: real key sequences, frames polled until they match. */
import {stripVTControlCharacters} from 'node:util';

export const KEY = {
	up: '\u001B[A',
	down: '\u001B[B',
	pageDown: '\u001B[6~',
	enter: '\r',
	esc: '\u001B',
	tab: '\t',
	backspace: '\u007F',
	space: ' ',
	ctrlC: '\u0003',
	ctrlU: '\u0015',
} as const;

interface Rendered {
	lastFrame(): string | undefined;
	stdin: {write(data: string): void};
}

export const plain = (frame: string | undefined) => stripVTControlCharacters(frame ?? '');

/** Poll lastFrame() until predicate holds; on timeout fail with the last frame in the message. */
export async function waitForFrame(r: Rendered, predicate: (frame: string) => boolean, timeoutMs = 3000, what = 'frame'): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const frame = plain(r.lastFrame());
		if (predicate(frame)) return frame;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last frame:\n${frame}`);
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

export const waitForText = (r: Rendered, text: string | RegExp, timeoutMs = 3000) =>
	waitForFrame(r, f => (typeof text === 'string' ? f.includes(text) : text.test(f)), timeoutMs, JSON.stringify(String(text)));

/** Yield to the event loop so effects (input listeners) run and a lone Escape is flushed. */
export const tick = () => new Promise(resolve => setTimeout(resolve, 15));

/** Write one key and let Ink handle it. */
export async function press(r: Rendered, ...keys: string[]): Promise<void> {
	for (const k of keys) {
		// A screen that just appeared attaches its input listener in an effect: let it run first.
		await tick();
		r.stdin.write(k);
		await tick();
	}
}

/** Type text one character at a time, as a person would. */
export async function type(r: Rendered, text: string): Promise<void> {
	for (const ch of text) await press(r, ch);
}

/** On the preflight checks screen: wait until every check passed, then continue to Review. */
export async function passChecks(r: Rendered, timeoutMs = 3000): Promise<string> {
	const frame = await waitForText(r, 'Every check passed. Enter continues to Review.', timeoutMs);
	await press(r, '\r');
	return frame;
}
