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
	/** Every frame Ink wrote (ink-testing-library's render result has it). */
	frames?: string[];
}

export const plain = (frame: string | undefined) => stripVTControlCharacters(frame ?? '');

/**
 * Poll lastFrame() until predicate holds. The deadline is generous and only ever fails the test (with the
 * last frame in the message); a passing test never waits for it.
 */
export async function waitForFrame(r: Rendered, predicate: (frame: string) => boolean, timeoutMs = 3000, what = 'frame'): Promise<string> {
	// Under load a frame that is due can be late: the deadline is at least 10 s whatever a test asks.
	const limit = Math.max(timeoutMs, 10_000);
	const deadline = Date.now() + limit;
	for (;;) {
		const frame = plain(r.lastFrame());
		if (predicate(frame)) return frame;
		if (Date.now() > deadline) throw new Error(`timed out after ${limit} ms waiting for ${what}; last frame:\n${frame}`);
		await new Promise(resolve => setTimeout(resolve, 5));
	}
}

export const waitForText = (r: Rendered, text: string | RegExp, timeoutMs = 3000) =>
	waitForFrame(r, f => (typeof text === 'string' ? f.includes(text) : text.test(f)), timeoutMs, JSON.stringify(String(text)));

const turn = () => new Promise<void>(resolve => setImmediate(resolve));

const frameMark = (r: Rendered | undefined): unknown => (r ? (r.frames ? r.frames.length : r.lastFrame()) : undefined);

/**
 * Let React and Ink finish what is queued, counted in turns of the event loop, never in milliseconds: React's
 * scheduler (passive effects, so a new screen's input listener) and Ink's lone-Escape flush both run on
 * setImmediate. With a rendered app, go on until no frame has been written for three turns in a row.
 */
export async function tick(r?: Rendered): Promise<void> {
	let mark = frameMark(r);
	let quiet = 0;
	for (let i = 0; i < 2000 && quiet < 3; i++) {
		await turn();
		const now = frameMark(r);
		if (now === mark) quiet += 1;
		else {
			mark = now;
			quiet = 0;
		}
	}
}

/** Write one key and let Ink handle it: wait until the app is quiet, write, wait until the frames it causes are out. */
export async function press(r: Rendered, ...keys: string[]): Promise<void> {
	for (const k of keys) {
		// A screen that just appeared attaches its input listener in an effect: let it run first.
		await tick(r);
		r.stdin.write(k);
		await tick(r);
	}
}

/** Type text one character at a time, as a person would. */
export async function type(r: Rendered, text: string): Promise<void> {
	for (const ch of text) await press(r, ch);
}

const NOTHING_TO_DO = 'Nothing to do: the clusters already share one root';
const SKIP_TRUST = 'Skip: leave each cluster on its own CA';

/**
 * On the Trust screen: once the clusters were read, take "nothing to do" when they share a root, otherwise
 * "skip" (the last option). Returns the frame the choice was made on.
 */
export async function passTrust(r: Rendered, timeoutMs = 3000): Promise<string> {
	const frame = await waitForFrame(r, f => f.includes(NOTHING_TO_DO) || f.includes(SKIP_TRUST), timeoutMs, 'the Trust options');
	if (!frame.includes(`❯ ${NOTHING_TO_DO}`)) {
		while (!plain(r.lastFrame()).includes(`❯ ${SKIP_TRUST}`)) await press(r, KEY.down);
	}
	await press(r, KEY.enter);
	return frame;
}

/** On the Trust screen (passed as passTrust does) or the preflight checks: wait until every check passed, then continue to Review. */
export async function passChecks(r: Rendered, timeoutMs = 3000): Promise<string> {
	const first = await waitForFrame(
		r,
		f => f.includes('Every check passed. Enter continues to Review.') || f.includes(NOTHING_TO_DO) || f.includes(SKIP_TRUST),
		timeoutMs,
		'Trust or the checks',
	);
	if (!first.includes('Every check passed. Enter continues to Review.')) await passTrust(r, timeoutMs);
	const frame = await waitForText(r, 'Every check passed. Enter continues to Review.', timeoutMs);
	await press(r, '\r');
	return frame;
}
