import React from 'react';
import {render} from 'ink';
import App from './app.js';
import {parseFlags, globalFlags} from './commands/args.js';
import {EXIT, UsageError} from './commands/errors.js';
import type {CommandContext} from './commands/types.js';

/** `eastwest` with no command: the interactive wizard. */
export async function run(argv: string[], ctx: CommandContext): Promise<number> {
	const {values} = parseFlags('', argv, {profile: {type: 'string'}});
	const flags = globalFlags(values);
	if (!process.stdin.isTTY || !process.stdout.isTTY || ctx.env.CI) {
		throw new UsageError("the wizard needs an interactive terminal; for scripts and CI use 'eastwest apply' (see 'eastwest apply --help')");
	}
	if (flags.noColor) process.env.FORCE_COLOR = '0';
	let result = EXIT.ok as number;
	const instance = render(<App onExit={code => (result = code)} />, {exitOnCtrlC: false});
	await instance.waitUntilExit();
	return result;
}
