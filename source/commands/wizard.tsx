import React from 'react';
import {render} from 'ink';
import App from '../app.js';
import {parseFlags, globalFlags, WIZARD_OPTIONS} from './args.js';
import {EXIT, UsageError, WorkError} from '../core/exit-codes.js';
import type {CommandContext} from '../core/command-context.js';
import type {MeshPlanInput} from '../core/model.js';
import {firstLine} from '../core/text.js';

/** `eastwest` with no command: the interactive wizard. */
/** The flags of `eastwest` with no command (besides the global ones). */
export const FLAGS = WIZARD_OPTIONS;

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
	const {values} = parseFlags('', argv, FLAGS);
	const flags = globalFlags(values, ctx.env);
	if (!process.stdin.isTTY || !process.stdout.isTTY || ctx.env.CI) {
		throw new UsageError("the wizard needs an interactive terminal; for scripts and CI use 'eastwest apply' (see 'eastwest apply --help')");
	}
	const color = !flags.noColor;
	if (!color) process.env.FORCE_COLOR = '0';
	let initialPlan: {input: MeshPlanInput; profile: string} | undefined;
	if (values.profile !== undefined) {
		// The store does not load the cluster libraries, so reading it first keeps the first frame quick.
		const {ProfileStore, ProfileStoreError, profilePlan} = await import('../store/profiles.js');
		try {
			initialPlan = {input: profilePlan(new ProfileStore().get(values.profile)), profile: values.profile};
		} catch (error) {
			if (error instanceof ProfileStoreError) {
				const message = firstLine(error);
				throw error.kind === 'not-found' || error.kind === 'invalid-name' ? new UsageError(message) : new WorkError(message);
			}
			throw error;
		}
	}
	let result: number = EXIT.ok;
	// The cluster libraries load after the first frame is on screen.
	const loadServices = async () =>
		(await import('./wizard-services.js')).createWizardServices({
			...(flags.kubeconfig ? {kubeconfig: flags.kubeconfig} : {}),
			...(flags.istioctl ? {istioctl: flags.istioctl} : {}),
			env: ctx.env,
		});
	const instance = render(<App services={loadServices} color={color} signal={ctx.signal} initialPlan={initialPlan} onExit={code => (result = code)} />, {
		exitOnCtrlC: false,
	});
	await instance.waitUntilExit();
	return result;
}
