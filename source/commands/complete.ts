/**
 * `eastwest __complete <words…>`: the candidates for the last word, one per line, for the shell scripts
 * of `eastwest completion`. It runs on every Tab, so it stays light: no conf (profiles.json is read as
 * JSON), no client-node (the kubeconfig's context names come from the YAML alone, loaded only when a
 * context is being completed), no Ink. It never prints an error: anything unreadable gives no candidates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {COMMAND_SPECS, GLOBAL_FLAGS as GLOBAL_FLAG_SPECS, SHELLS, WIZARD, type CommandTable, type FlagValue, type Flags} from './spec.js';

export {SHELLS};

/** What a flag's value is completed from: fixed choices, or a kind the shell or eastwest can list. */
export type ValueKind = readonly string[] | 'text' | 'file' | 'profile' | 'context';

/** A flag as completion sees it, derived from the command spec (spec.ts). */
export interface CompletionFlag {
	/** Long name without the dashes. */
	name: string;
	short?: string;
	/** Absent for a boolean flag. */
	value?: ValueKind;
	/** May be given more than once. */
	multiple?: boolean;
}

/** The line printed instead of candidates when the shell should complete file names. */
export const FILES_MARKER = ':files';

/** A spec's value kind as completion offers it: numbers and durations are free text. */
function valueKind(value: FlagValue | undefined): ValueKind | undefined {
	return value === 'number' || value === 'duration' ? 'text' : value;
}

function completionFlags(flags: Flags, keep: (beforeCommand: boolean) => boolean = () => true): CompletionFlag[] {
	return Object.entries(flags)
		.filter(([, f]) => keep(Boolean(f.beforeCommand)))
		.map(([name, f]) => {
			const value = valueKind(f.value);
			return {name, ...(f.short ? {short: f.short} : {}), ...(value ? {value} : {}), ...(f.multiple ? {multiple: true} : {})};
		});
}

/** What completion knows of a command table: the commands, each one's flags, its subcommands and positionals. */
export interface CompletionTable {
	/** The commands offered in first position. */
	commands: string[];
	/** Flags every command accepts (--version is offered only before a command, as the wizard's). */
	global: CompletionFlag[];
	/** Keys are commands, or "command sub" for a subcommand; '' is the wizard (no command). */
	flags: Record<string, CompletionFlag[]>;
	subcommands: Record<string, string[]>;
	/** What each command's positional arguments are completed from, by position. */
	positionals: Record<string, Array<ValueKind | undefined>>;
}

export function completionTable(table: CommandTable = COMMAND_SPECS): CompletionTable {
	const commands = Object.keys(table);
	const result: CompletionTable = {
		commands,
		global: completionFlags(GLOBAL_FLAG_SPECS, before => !before),
		flags: {'': [...completionFlags(WIZARD.flags), ...completionFlags(GLOBAL_FLAG_SPECS, before => before)]},
		subcommands: {},
		positionals: {},
	};
	for (const [name, spec] of Object.entries(table)) {
		if (spec.subcommands) {
			result.subcommands[name] = Object.keys(spec.subcommands);
			result.positionals[name] = [Object.keys(spec.subcommands)];
			for (const [sub, subSpec] of Object.entries(spec.subcommands)) {
				result.flags[`${name} ${sub}`] = completionFlags(subSpec.flags);
				result.positionals[`${name} ${sub}`] = subSpec.args.map(a => valueKind(a.value));
			}
			continue;
		}
		result.flags[name] = completionFlags(spec.flags);
		// `help` takes a command's name.
		result.positionals[name] = spec.builtin ? [commands.filter(c => c !== name)] : (spec.args ?? []).map(a => valueKind(a.value));
	}
	return result;
}

const TABLE = completionTable();

/** Flags every command accepts (spec.ts GLOBAL_FLAGS; --version is offered only before a command). */
export const GLOBAL_FLAGS: CompletionFlag[] = TABLE.global;

/** Each command's own flags (keys: commands, or "profiles <sub>"; '' is the wizard), from the spec. */
export const COMMAND_FLAGS: Record<string, CompletionFlag[]> = TABLE.flags;

/** The commands offered in first position (`__complete` stays hidden). */
export const COMMANDS: string[] = TABLE.commands;

export interface CompletionEnv {
	env: NodeJS.ProcessEnv;
	platform?: NodeJS.Platform;
	/** Home directory (default: os.homedir()). */
	home?: string;
}

export interface Completion {
	candidates: string[];
	/** The shell should offer file names (with `prefix` in front when the word is --flag=…). */
	files: boolean;
}

function findFlag(flags: CompletionFlag[], word: string): CompletionFlag | undefined {
	if (word.startsWith('--')) return flags.find(f => f.name === word.slice(2));
	if (/^-[A-Za-z]$/.test(word)) return flags.find(f => f.short === word.slice(1));
	return undefined;
}

interface Scan {
	/** Key into CompletionTable.flags. */
	command: string;
	positionals: string[];
	used: Set<string>;
	kubeconfig?: string;
}

/** Read the words before the current one: the command (and profiles subcommand), positionals, flags given. */
function scan(words: string[], table: CompletionTable): Scan {
	const result: Scan = {command: '', positionals: [], used: new Set()};
	const flags = () => [...table.global, ...(table.flags[result.command] ?? [])];
	for (let i = 0; i < words.length; i++) {
		const word = words[i]!;
		if (word === '--') break;
		if (word.startsWith('-') && word.length > 1) {
			const eq = word.indexOf('=');
			const name = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word.length > 2 && !word.startsWith('--') ? word.slice(0, 2) : word;
			const flag = findFlag(flags(), name);
			if (!flag) continue;
			result.used.add(flag.name);
			const inline = name !== word;
			let value: string | undefined = inline ? word.slice(name.length + (word[name.length] === '=' ? 1 : 0)) : undefined;
			if (flag.value && !inline) value = words[++i];
			if (flag.name === 'kubeconfig' && value !== undefined) result.kubeconfig = value;
			continue;
		}
		// As in cli.tsx: a command is only ever the first word.
		if (i === 0 && table.commands.includes(word)) {
			result.command = word;
			continue;
		}
		if (table.subcommands[result.command]?.includes(word) && result.positionals.length === 0) {
			result.command = `${result.command} ${word}`;
			continue;
		}
		result.positionals.push(word);
	}
	return result;
}

/** The candidates for the last of `words` (the words after `eastwest`; the last may be empty). */
export async function complete(words: string[], where: CompletionEnv, table: CompletionTable = TABLE): Promise<Completion> {
	const before = words.slice(0, -1);
	const current = words.at(-1) ?? '';
	const state = scan(before, table);
	const flags = [...table.global, ...(table.flags[state.command] ?? [])];
	const none: Completion = {candidates: [], files: false};

	// The value of a flag given as the previous word.
	const previous = before.at(-1);
	if (previous !== undefined && !before.includes('--')) {
		const flag = findFlag(flags, previous);
		if (flag?.value) return values(flag.value, current, '', state, where);
	}
	if (before.includes('--')) return none;

	if (current.startsWith('--') && current.includes('=')) {
		const eq = current.indexOf('=');
		const flag = findFlag(flags, current.slice(0, eq));
		return flag?.value ? values(flag.value, current.slice(eq + 1), current.slice(0, eq + 1), state, where) : none;
	}
	if (/^-[A-Za-z]./.test(current)) {
		// -ojson or -o=json: a short flag with its value attached.
		const flag = findFlag(flags, current.slice(0, 2));
		const at = current[2] === '=' ? 3 : 2;
		return flag?.value ? values(flag.value, current.slice(at), current.slice(0, at), state, where) : none;
	}
	if (current.startsWith('-')) {
		const offered = flags.filter(f => f.multiple || !state.used.has(f.name)).map(f => `--${f.name}`);
		const short = flags.find(f => f.short !== undefined && current === `-${f.short}`);
		return {candidates: match([...offered, ...(short ? [current] : [])], current), files: false};
	}

	// A positional word.
	if (before.length === 0) return {candidates: match(table.commands, current), files: false};
	const kind = table.positionals[state.command]?.[state.positionals.length];
	return kind ? values(kind, current, '', state, where) : none;
}

function match(candidates: readonly string[], current: string, prefix = ''): string[] {
	return candidates.filter((c, i) => c.startsWith(current) && candidates.indexOf(c) === i).map(c => prefix + c);
}

async function values(kind: ValueKind, current: string, prefix: string, state: Scan, where: CompletionEnv): Promise<Completion> {
	if (kind === 'file') return {candidates: [], files: true};
	if (kind === 'text') return {candidates: [], files: false};
	if (kind === 'profile') return {candidates: match(profileNames(where), current, prefix), files: false};
	if (kind === 'context') return {candidates: match(await contextNames(where, state.kubeconfig), current, prefix), files: false};
	return {candidates: match(kind, current, prefix), files: false};
}

// ---------- profiles ----------

/** profiles.json where the profile store (conf, project "eastwest") keeps it, by conf's platform rules. */
export function profilesFile(where: CompletionEnv): string {
	const platform = where.platform ?? process.platform;
	const home = where.home ?? os.homedir();
	const dir = 'eastwest-nodejs';
	if (platform === 'darwin') return path.join(home, 'Library', 'Preferences', dir, 'profiles.json');
	if (platform === 'win32') return path.join(where.env.APPDATA || path.join(home, 'AppData', 'Roaming'), dir, 'Config', 'profiles.json');
	return path.join(where.env.XDG_CONFIG_HOME || path.join(home, '.config'), dir, 'profiles.json');
}

/** The saved profile names, sorted; none when the file is missing or unreadable. */
export function profileNames(where: CompletionEnv): string[] {
	try {
		const data: unknown = JSON.parse(fs.readFileSync(profilesFile(where), 'utf8'));
		const profiles = (data as {profiles?: unknown} | null)?.profiles;
		if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) return [];
		return Object.keys(profiles).sort();
	} catch {
		return [];
	}
}

// ---------- contexts ----------

/** kubectl's files: --kubeconfig, else KUBECONFIG's entries (each once), else ~/.kube/config (as kube/kubeconfig.ts). */
export function kubeconfigFiles(where: CompletionEnv, flag?: string): string[] {
	const home = where.home ?? where.env.HOME ?? os.homedir();
	if (flag !== undefined && flag !== '') return [path.resolve(flag.startsWith('~/') ? path.join(home, flag.slice(2)) : flag)];
	const listed = (where.env.KUBECONFIG ?? '')
		.split(path.delimiter)
		.filter(p => p.trim() !== '')
		.map(p => path.resolve(p));
	if (listed.length > 0) return listed.filter((p, i) => listed.indexOf(p) === i);
	return [path.join(home, '.kube', 'config')];
}

/**
 * The context names of the merged kubeconfig, first file first, each once (kubectl: the first file to
 * define a name wins). Listed files that do not exist are skipped; an unreadable or broken file gives none.
 */
export async function contextNames(where: CompletionEnv, flag?: string): Promise<string[]> {
	const names: string[] = [];
	try {
		// The YAML parser is loaded only here, when a context is completed. Bundled, the CommonJS
		// package's dynamic import has only a default export.
		const yaml = await import('yaml');
		const parseYaml = yaml.parse ?? (yaml as unknown as {default: typeof yaml}).default.parse;
		for (const file of kubeconfigFiles(where, flag)) {
			if (!fs.existsSync(file)) continue;
			const doc = parseYaml(fs.readFileSync(file, 'utf8')) as {contexts?: unknown} | null;
			if (doc === null || doc === undefined) continue;
			if (typeof doc !== 'object' || Array.isArray(doc)) return [];
			const contexts = doc.contexts ?? [];
			if (!Array.isArray(contexts)) return [];
			for (const entry of contexts) {
				const name = (entry as {name?: unknown} | null)?.name;
				if (typeof name === 'string' && name !== '' && !names.includes(name)) names.push(name);
			}
		}
	} catch {
		return [];
	}
	return names;
}

/** `eastwest __complete <words…>`: one candidate per line (then FILES_MARKER when files fit); always exit 0. */
export async function run(words: string[], stdout: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Promise<number> {
	try {
		const result = await complete(words.length === 0 ? [''] : words, {env});
		const lines = [...result.candidates, ...(result.files ? [FILES_MARKER] : [])];
		if (lines.length > 0) stdout.write(`${lines.join('\n')}\n`);
	} catch {
		// Never an error in the completion: no candidates.
	}
	return 0;
}
