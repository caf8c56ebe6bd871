import React from 'react';
import {render} from 'ink';
import type {CommandContext} from '../core/command-context.js';
import {EXIT} from '../core/exit-codes.js';
import type {StatusMonitor} from '../engine/status-monitor.js';
import StatusView from '../ui/status/StatusView.js';
import {ThemeContext, createTheme} from '../ui/theme.js';
import {colorEnabled} from '../core/color.js';

/** `status --watch` in a terminal: renders the live status view; q or Ctrl-C leaves it. */
export async function runLiveStatus(monitor: StatusMonitor, ctx: CommandContext, noColorFlag = false): Promise<number> {
	let code: number = EXIT.ok;
	const theme = createTheme(colorEnabled(ctx.env, noColorFlag));
	const instance = render(
		<ThemeContext.Provider value={theme}>
			<StatusView monitor={monitor} onQuit={c => (code = c)} />
		</ThemeContext.Provider>,
		{exitOnCtrlC: false},
	);
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
