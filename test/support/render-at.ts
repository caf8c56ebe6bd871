/** Render into fake streams of a given terminal size (ink-testing-library's are fixed at 100 columns). */
import {EventEmitter} from 'node:events';
import type {ReactElement} from 'react';
import {render} from 'ink';

class FakeStdout extends EventEmitter {
	frames: string[] = [];
	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		super();
	}
	write = (frame: string) => {
		this.frames.push(frame);
		return true;
	};
}

class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	write = (data: string) => {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	};
	read = () => {
		const d = this.data;
		this.data = null;
		return d;
	};
	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

export function renderAt(tree: ReactElement, columns: number, rows: number) {
	const stdout = new FakeStdout(columns, rows);
	const stdin = new FakeStdin();
	const instance = render(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: new FakeStdout(columns, rows) as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	return {stdin, lastFrame: () => stdout.frames.at(-1), unmount: () => instance.unmount()};
}
