#!/usr/bin/env node
import pkg from '../package.json' with {type: 'json'};
import {parseFlags, WIZARD_OPTIONS} from './commands/args.js';
import {EXIT, UsageError, WorkError} from './core/exit-codes.js';
import {commandHelp, mainHelp} from './commands/help.js';
import type {CommandContext} from './core/command-context.js';
import {firstLine} from './core/text.js';
import {colorEnabled} from './core/color.js';
import {moduleCommands, type ModuleCommandName} from './commands/spec.js';

type CommandModule = {run(args: string[], ctx: CommandContext): Promise<number>};

// Each command loads only what it needs, so `--help` and `--version` stay fast. One loader per command of
// the spec (commands/spec.ts): a command added there and not here fails the type check.
const COMMANDS: Record<ModuleCommandName, () => Promise<CommandModule>> = {
	manifests: () => import('./commands/manifests.js'),
	apply: () => import('./commands/apply.js'),
	status: () => import('./commands/status.js'),
	profiles: () => import('./commands/profiles.js'),
	check: () => import('./commands/check.js'),
	verify: () => import('./commands/verify.js'),
	version: () => import('./commands/version.js'),
	completion: () => import('./commands/completion.js'),
	remove: () => import('./commands/remove.js'),
	ca: () => import('./commands/ca.js'),
};

async function main(argv: string[]): Promise<number> {
	// The shells' Tab: first and alone, so it loads nothing else and never prints an error.
	if (argv[0] === '__complete') {
		return import('./commands/complete.js').then(
			m => m.run(argv.slice(1), process.stdout, process.env),
			() => EXIT.ok,
		);
	}
	// Colour is decided once (core/color.ts), before any module that renders is loaded: chalk reads FORCE_COLOR at import.
	if (!colorEnabled(process.env, argv.includes('--no-color'))) process.env.FORCE_COLOR = '0';
	const controller = new AbortController();
	let interrupts = 0;
	const onSignal = () => {
		interrupts += 1;
		if (interrupts > 1) process.exit(EXIT.interrupted);
		controller.abort();
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	const ctx: CommandContext = {stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal};
	// -v / --verbose: every Kubernetes request and istioctl command line to stderr (the parser accepts it everywhere).
	const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
	if ((flags.includes('-v') || flags.includes('--verbose')) && !flags.includes('--help') && !flags.includes('-h'))
		(await import('./commands/verbose.js')).enableVerbose(ctx);

	const [first, ...rest] = argv;
	try {
		// `eastwest help [COMMAND]` is `eastwest [COMMAND] --help`.
		if (first === 'help') {
			const topic = rest.find(a => !a.startsWith('-'));
			if (topic === undefined || topic === 'help') {
				ctx.stdout.write(mainHelp(pkg.version));
				return EXIT.ok;
			}
			if (!isCommand(topic)) throw unknownCommand(topic);
			ctx.stdout.write(commandHelp(topic));
			return EXIT.ok;
		}
		if (first !== undefined && !first.startsWith('-')) {
			if (!isCommand(first)) throw unknownCommand(first);
			const load = COMMANDS[first];
			const own = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : rest.length);
			if (own.includes('--help') || own.includes('-h')) {
				ctx.stdout.write(commandHelp(first));
				return EXIT.ok;
			}
			// Every command's help lists the global --version: it prints the version, as `eastwest --version` does.
			if (own.includes('--version')) {
				ctx.stdout.write(`${pkg.version}\n`);
				return EXIT.ok;
			}
			return await (await load()).run(rest, ctx);
		}
		const {values} = parseFlags('', argv, WIZARD_OPTIONS);
		if (values.version) {
			ctx.stdout.write(`${pkg.version}\n`);
			return EXIT.ok;
		}
		if (values.help) {
			ctx.stdout.write(mainHelp(pkg.version));
			return EXIT.ok;
		}
		const wizard = await import('./commands/wizard.js');
		return await wizard.run(argv, ctx);
	} catch (error) {
		return report(error, ctx);
	}
}

function isCommand(name: string): name is ModuleCommandName {
	return Object.hasOwn(COMMANDS, name);
}

/** The commands in the spec's order (`__complete` is an internal entry point: it is not listed). */
function unknownCommand(name: string): UsageError {
	return new UsageError(`unknown command "${name}"; commands: ${moduleCommands().join(', ')} (run 'eastwest --help')`);
}

function report(error: unknown, ctx: CommandContext): number {
	if (error instanceof UsageError) {
		ctx.stderr.write(`eastwest: ${error.message}\n`);
		return EXIT.usage;
	}
	if (error instanceof WorkError) {
		ctx.stderr.write(`eastwest: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ''}`);
		return error.exitCode;
	}
	// Layer errors are recognised by name so this file never loads the layers themselves.
	if (error instanceof Error && error.name === 'KubeconfigError') {
		ctx.stderr.write(`eastwest: ${error.message}\n`);
		return EXIT.usage;
	}
	if (error instanceof Error && error.name === 'KubeError') {
		const hint = (error as Error & {info?: {hint?: string}}).info?.hint;
		ctx.stderr.write(`eastwest: ${error.message}\n${hint ? `  hint: ${hint}\n` : ''}`);
		return EXIT.failed;
	}
	// Unexpected: still one line, no stack trace unless asked for.
	const message = error instanceof Error ? error.message : String(error);
	ctx.stderr.write(`eastwest: unexpected error: ${firstLine(message)}\n`);
	if (process.env.EASTWEST_DEBUG && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
	return EXIT.failed;
}

// stdout and stderr are synchronous for files, pipes and terminals on Linux and macOS, so nothing is cut off.
process.exit(await main(process.argv.slice(2)));
