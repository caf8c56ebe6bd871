import React from 'react';
import {render} from 'ink';
import type {CommandContext} from '../core/command-context.js';
import {EXIT} from '../core/exit-codes.js';
import type {StatusMonitor} from '../engine/status-monitor.js';
import StatusView from '../ui/status/StatusView.js';

/** `status --watch` in a terminal: renders the live status view; q or Ctrl-C leaves it. */
export async function runLiveStatus(monitor: StatusMonitor, ctx: CommandContext): Promise<number> {
	let code: number = EXIT.ok;
	const instance = render(<StatusView monitor={monitor} onQuit={c => (code = c)} />, {exitOnCtrlC: false});
	const onAbort = () => {
		code = EXIT.interrupted;
		instance.unmount();
	};
	ctx.signal.addEventListener('abort', onAbort, {once: true});
	await instance.waitUntilExit();
	ctx.signal.removeEventListener('abort', onAbort);
	monitor.stop();
	return code;
}
