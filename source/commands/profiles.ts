import path from 'node:path';
import {TOPOLOGY_INFO} from '../core/model.js';
import {ProfileStore, ProfileStoreError, profilePlan, type Profile} from '../store/profiles.js';
import {choiceOf, globalFlags, parseFlags, parserOptions, readParallel, type OptionSpec} from './args.js';
import {COMMAND_SPECS} from './spec.js';
import {EXIT, UsageError, WorkError} from '../core/exit-codes.js';
import {assertValidPlan, planFromFlags} from './plan-flags.js';
import {openKubeconfig, planContexts} from './kubeconfig.js';
import type {CommandContext} from '../core/command-context.js';

const SPEC = COMMAND_SPECS.profiles;
type Subcommand = keyof typeof SPEC.subcommands;
const SUBCOMMANDS = Object.keys(SPEC.subcommands) as Subcommand[];

/** Each subcommand's flags (besides the global ones). */
export const SUBCOMMAND_FLAGS = {
	list: parserOptions(SPEC.subcommands.list.flags),
	show: parserOptions(SPEC.subcommands.show.flags),
	save: parserOptions(SPEC.subcommands.save.flags),
	delete: parserOptions(SPEC.subcommands.delete.flags),
	rename: parserOptions(SPEC.subcommands.rename.flags),
} satisfies Record<Subcommand, OptionSpec>;

/** Every flag some subcommand of `eastwest profiles` takes. */
export const FLAGS: OptionSpec = parserOptions(SPEC.flags);

/** Store errors as the CLI reports them: a missing or clashing name is bad input (2); a locked store is a failed run (1). */
export function storeErrorToCli(error: unknown): unknown {
	if (!(error instanceof ProfileStoreError)) return error;
	if (error.kind === 'locked') return new WorkError(error.message);
	return new UsageError(error.message);
}

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	const [sub, ...rest] = args;
	if (sub === undefined || !(SUBCOMMANDS as string[]).includes(sub)) {
		throw new UsageError(
			`${sub === undefined ? 'eastwest profiles needs a subcommand' : `unknown subcommand "${sub}"`}: ${SUBCOMMANDS.join(', ')} (run 'eastwest profiles --help')`,
		);
	}
	try {
		return await runSub(sub as Subcommand, rest, ctx);
	} catch (error) {
		throw storeErrorToCli(error);
	}
}

/** The positional arguments of a subcommand, exactly as many as its spec names. */
function positionals(sub: Subcommand, got: string[]): string[] {
	const command = `profiles ${sub}`;
	const names = SPEC.subcommands[sub].args.map(a => a.name);
	if (got.length !== names.length) {
		throw new UsageError(
			`eastwest ${command} takes ${names.join(' ')}${got.length > names.length ? `; unexpected "${got[names.length]}"` : ''} (run 'eastwest profiles --help')`,
		);
	}
	return got;
}

async function runSub(sub: Subcommand, args: string[], ctx: CommandContext): Promise<number> {
	const command = `profiles ${sub}`;
	switch (sub) {
		case 'list': {
			const {values, positionals: pos} = parseFlags(command, args, SUBCOMMAND_FLAGS.list, true);
			positionals(sub, pos);
			const output = choiceOf('output', SPEC.subcommands.list.flags.output, values.output);
			const profiles = new ProfileStore().list();
			if (output === 'json') {
				ctx.stdout.write(
					`${JSON.stringify(
						profiles.map(({name, profile}) => ({name, ...profile})),
						null,
						2,
					)}\n`,
				);
			} else {
				ctx.stdout.write(
					profiles.length === 0
						? "No profiles saved yet; save one with 'eastwest profiles save NAME --topology … --mesh … --cluster …'.\n"
						: listTable(profiles),
				);
			}
			return EXIT.ok;
		}
		case 'show': {
			const {values, positionals: pos} = parseFlags(command, args, SUBCOMMAND_FLAGS.show, true);
			const [name] = positionals(sub, pos);
			const output = choiceOf('output', SPEC.subcommands.show.flags.output, values.output);
			const profile = new ProfileStore().get(name!);
			ctx.stdout.write(output === 'json' ? `${JSON.stringify({name, ...profile}, null, 2)}\n` : showText(name!, profile));
			return EXIT.ok;
		}
		case 'save': {
			const {values, positionals: pos} = parseFlags(command, args, SUBCOMMAND_FLAGS.save, true);
			const [name] = positionals(sub, pos);
			const store = new ProfileStore();
			// Check the name (and the file) before any slower work.
			const existing = store.find(name!);
			if (existing && !values.overwrite) {
				throw new UsageError(`profile "${name}" already exists; pass --overwrite to replace it, or pick another name`);
			}
			const parallel = readParallel(values.parallel);
			if (parallel.problem !== undefined) throw new UsageError(parallel.problem);
			const input = planFromFlags(values);
			assertValidPlan(input);
			if (values.ca !== undefined) {
				if (values.ca === '')
					throw new UsageError('--ca needs the directory of the root CA (root-cert.pem, root-key.pem); create one with eastwest ca create --out DIR');
				// The directory is checked now (a root and its private key) and stored as a path: never the key.
				input.caDir = path.resolve(values.ca);
				await (await import('./ca.js')).openCaDir(input.caDir);
			}
			// Loaded here only: list/show/delete/rename need no Kubernetes client.
			const {loadKubeconfig} = await import('../kube/index.js');
			await openKubeconfig(() => ({kubeconfig: loadKubeconfig({kubeconfig: globalFlags(values).kubeconfig, env: ctx.env})}), planContexts(input.clusters));
			await store.save(name!, input, {overwrite: Boolean(values.overwrite), ...(parallel.value !== undefined ? {parallel: parallel.value} : {})});
			ctx.stdout.write(`${existing ? 'Replaced' : 'Saved'} profile "${name}" (${store.path}); run it with 'eastwest apply --profile ${name}'.\n`);
			return EXIT.ok;
		}
		case 'delete': {
			const {positionals: pos} = parseFlags(command, args, SUBCOMMAND_FLAGS.delete, true);
			const [name] = positionals(sub, pos);
			await new ProfileStore().delete(name!);
			ctx.stdout.write(`Deleted profile "${name}".\n`);
			return EXIT.ok;
		}
		case 'rename': {
			const {positionals: pos} = parseFlags(command, args, SUBCOMMAND_FLAGS.rename, true);
			const [from, to] = positionals(sub, pos);
			await new ProfileStore().rename(from!, to!);
			ctx.stdout.write(`Renamed profile "${from}" to "${to}".\n`);
			return EXIT.ok;
		}
	}
}

function lastAppliedText(profile: Profile, which: 'lastApplied' | 'lastRemoved' = 'lastApplied'): string {
	const la = profile[which];
	if (!la) return 'never';
	return `${la.result}${la.dryRun ? ' (dry run)' : ''} ${la.at}`;
}

function clustersText(profile: Profile): string {
	return profile.clusters.map(c => `${c.name}${profile.topology === 'multi-network' ? '' : `(${c.role})`}`).join(', ');
}

function listTable(profiles: Array<{name: string; profile: Profile}>): string {
	const rows = [
		['NAME', 'TOPOLOGY', 'MESH', 'CLUSTERS', 'LAST APPLIED'],
		...profiles.map(({name, profile}) => [name, profile.topology, profile.meshId, clustersText(profile), lastAppliedText(profile)]),
	];
	const widths = rows[0]!.map((_, i) => Math.max(...rows.map(r => r[i]!.length)));
	return rows.map(r => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

function showText(name: string, profile: Profile): string {
	const plan = profilePlan(profile);
	const lines = [
		`Profile:      ${name}`,
		`Topology:     ${TOPOLOGY_INFO[plan.topology]?.title ?? plan.topology} (${plan.topology})`,
		`Mesh ID:      ${plan.meshId}`,
		`Revision:     ${plan.revision ?? '(default)'}`,
		...(plan.caDir ? [`Root CA:      ${plan.caDir} (apply plugs its intermediates into every cluster)`] : []),
		'Clusters:',
		...plan.clusters.map(
			c => `  ${c.name.padEnd(16)} context ${c.context}, network ${c.network}, ${c.role}${c.apiServer ? `, API server ${c.apiServer}` : ''}`,
		),
		...(profile.parallel !== undefined ? [`Parallel:     ${profile.parallel} istioctl processes at once (eastwest apply --profile ${name})`] : []),
		`Created:      ${profile.createdAt}`,
		`Updated:      ${profile.updatedAt}`,
		`Last applied: ${lastAppliedText(profile)}`,
		`Last removed: ${lastAppliedText(profile, 'lastRemoved')}`,
	];
	return `${lines.join('\n')}\n`;
}
