import React from 'react';
import {render} from 'ink';
import App from './app.js';
import {parseFlags, globalFlags} from './commands/args.js';
import {EXIT, UsageError} from './commands/errors.js';
import type {CommandContext} from './commands/types.js';
import {colorWanted} from './ui/theme.js';

/** `eastwest` with no command: the interactive wizard. */
export async function run(argv: string[], ctx: CommandContext): Promise<number> {
	const {values} = parseFlags('', argv, {profile: {type: 'string'}});
	const flags = globalFlags(values);
	if (!process.stdin.isTTY || !process.stdout.isTTY || ctx.env.CI) {
		throw new UsageError("the wizard needs an interactive terminal; for scripts and CI use 'eastwest apply' (see 'eastwest apply --help')");
	}
	const color = colorWanted(ctx.env, Boolean(values['no-color']));
	if (!color) process.env.FORCE_COLOR = '0';
	let result: number = EXIT.ok;
	// The cluster libraries load after the first frame is on screen.
	const loadServices = async () =>
		(await import('./wizard-services.js')).createWizardServices({
			...(flags.kubeconfig ? {kubeconfig: flags.kubeconfig} : {}),
			...(flags.istioctl ? {istioctl: flags.istioctl} : {}),
			env: ctx.env,
		});
	const instance = render(<App services={loadServices} color={color} signal={ctx.signal} onExit={code => (result = code)} />, {exitOnCtrlC: false});
	await instance.waitUntilExit();
	return result;
}
