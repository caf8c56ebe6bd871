/**
 * `eastwest __complete <words…>`: the candidates for the last word, one per line, for the shell scripts
 * of `eastwest completion`. It runs on every Tab, so it stays light: no conf (profiles.json is read as
 * JSON), no client-node (the kubeconfig's context names come from the YAML alone, loaded only when a
 * context is being completed), no Ink. It never prints an error: anything unreadable gives no candidates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {TOPOLOGIES} from '../core/model.js';
import {EXPOSE_CHOICES, NETWORKING_API_VERSIONS} from '../core/manifests.js';

/** What a flag's value is completed from: fixed choices, or a kind the shell or eastwest can list. */
export type ValueKind = readonly string[] | 'text' | 'file' | 'profile' | 'context';

export interface FlagSpec {
	/** Long name without the dashes. */
	name: string;
	short?: string;
	/** Absent for a boolean flag. */
	value?: ValueKind;
	/** May be given more than once. */
	multiple?: boolean;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The line printed instead of candidates when the shell should complete file names. */
export const FILES_MARKER = ':files';

const OUTPUT: FlagSpec = {name: 'output', short: 'o', value: ['text', 'json']};
const PROFILE: FlagSpec = {name: 'profile', value: 'profile'};
const TIMEOUT: FlagSpec = {name: 'timeout', value: 'text'};
const PLAN: FlagSpec[] = [
	{name: 'topology', value: TOPOLOGIES},
	{name: 'mesh', value: 'text'},
	{name: 'cluster', value: 'text', multiple: true},
	{name: 'revision', value: 'text'},
	{name: 'api-server', value: 'text', multiple: true},
];

/** Flags every command accepts (args.ts GLOBAL_OPTIONS; --version is offered only before a command). */
export const GLOBAL_FLAGS: FlagSpec[] = [
	{name: 'kubeconfig', value: 'file'},
	{name: 'istioctl', value: 'file'},
	{name: 'no-color'},
	{name: 'verbose', short: 'v'},
	{name: 'help', short: 'h'},
];

/**
 * Each command's own flags, as its parseFlags call defines them. Keep in step with the commands:
 * test/completion/candidates.test.ts checks every flag here against the command's parser and its help.
 * Keys are commands, or "profiles <sub>"; '' is the wizard (no command).
 */
export const COMMAND_FLAGS: Record<string, FlagSpec[]> = {
	'': [PROFILE, {name: 'version'}],
	manifests: [
		{name: 'network', value: 'text'},
		{name: 'revision', value: 'text'},
		{name: 'expose', value: EXPOSE_CHOICES},
		{name: 'api-version', value: NETWORKING_API_VERSIONS},
		PROFILE,
	],
	apply: [...PLAN, PROFILE, {name: 'dry-run'}, {name: 'yes', short: 'y'}, TIMEOUT, OUTPUT, {name: 'force'}, {name: 'reinstall'}, {name: 'skip-checks'}, {name: 'parallel', value: 'text'}, {name: 'ca', value: 'file'}, {name: 'restart-istiod'}],
	status: [PROFILE, {name: 'context', value: 'context', multiple: true}, {name: 'watch', short: 'w'}, OUTPUT, TIMEOUT],
	remove: [...PLAN, PROFILE, {name: 'dry-run'}, {name: 'yes', short: 'y'}, TIMEOUT, OUTPUT, {name: 'ca'}],
	check: [...PLAN, PROFILE, {name: 'phase', value: ['preflight', 'post-install', 'all']}, OUTPUT, TIMEOUT],
	'profiles list': [OUTPUT],
	'profiles show': [OUTPUT],
	'profiles save': [...PLAN, {name: 'overwrite'}, {name: 'parallel', value: 'text'}, {name: 'ca', value: 'file'}],
	'profiles delete': [],
	'profiles rename': [],
	version: [{name: 'context', value: 'context', multiple: true}, OUTPUT, TIMEOUT],
	completion: [],
	'ca create': [{name: 'out', value: 'file'}, OUTPUT],
	help: [],
};

/** The commands offered in first position (cli.tsx's registry; `__complete` stays hidden). */
export const COMMANDS = ['manifests', 'apply', 'remove', 'status', 'check', 'profiles', 'version', 'completion', 'ca', 'help'];

const PROFILE_SUBCOMMANDS = ['list', 'show', 'save', 'delete', 'rename'];

/** What each command's positional arguments are completed from, by position. */
const POSITIONALS: Record<string, ValueKind[]> = {
	profiles: [PROFILE_SUBCOMMANDS],
	'profiles show': ['profile'],
	'profiles delete': ['profile'],
	'profiles rename': ['profile'],
	completion: [SHELLS],
	ca: [['create']],
	help: [COMMANDS.filter(c => c !== 'help')],
};

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

function findFlag(flags: FlagSpec[], word: string): FlagSpec | undefined {
	if (word.startsWith('--')) return flags.find(f => f.name === word.slice(2));
	if (/^-[A-Za-z]$/.test(word)) return flags.find(f => f.short === word.slice(1));
	return undefined;
}

interface Scan {
	/** Key into COMMAND_FLAGS. */
	command: string;
	positionals: string[];
	used: Set<string>;
	kubeconfig?: string;
}

/** Read the words before the current one: the command (and profiles subcommand), positionals, flags given. */
function scan(words: string[]): Scan {
	const result: Scan = {command: '', positionals: [], used: new Set()};
	const flags = () => [...GLOBAL_FLAGS, ...(COMMAND_FLAGS[result.command] ?? [])];
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
		if (i === 0 && COMMANDS.includes(word)) {
			result.command = word;
			continue;
		}
		if (result.command === 'ca' && word === 'create' && result.positionals.length === 0) {
			result.command = 'ca create';
			continue;
		}
		if (result.command === 'profiles' && PROFILE_SUBCOMMANDS.includes(word) && result.positionals.length === 0) {
			result.command = `profiles ${word}`;
			continue;
		}
		result.positionals.push(word);
	}
	return result;
}

/** The candidates for the last of `words` (the words after `eastwest`; the last may be empty). */
export async function complete(words: string[], where: CompletionEnv): Promise<Completion> {
	const before = words.slice(0, -1);
	const current = words.at(-1) ?? '';
	const state = scan(before);
	const flags = [...GLOBAL_FLAGS, ...(COMMAND_FLAGS[state.command] ?? [])];
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
	if (before.length === 0) return {candidates: match(COMMANDS, current), files: false};
	const kind = POSITIONALS[state.command]?.[state.positionals.length];
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
	const listed = (where.env.KUBECONFIG ?? '').split(path.delimiter).filter(p => p.trim() !== '').map(p => path.resolve(p));
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
