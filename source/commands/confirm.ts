import {createInterface} from 'node:readline/promises';

/** Ask a y/N question on the terminal (stderr); anything but y/yes, end of input or an abort is no. */
export async function confirmOnTerminal(question: string, signal: AbortSignal): Promise<boolean> {
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await rl.question(question, {signal});
		return /^y(es)?$/i.test(answer.trim());
	} catch {
		return false;
	} finally {
		rl.close();
	}
}
