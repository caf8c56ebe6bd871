/**
 * The one keymap: every key the wizard reacts to, with the text the hint line and the help screen show.
 * Screens name the commands they offer; input handling and hints both come from this table.
 */
import type {Key} from 'ink';

export type Command =
	| 'up'
	| 'down'
	| 'pageUp'
	| 'pageDown'
	| 'toggle'
	| 'filter'
	| 'primary'
	| 'override'
	| 'nextField'
	| 'prevField'
	| 'erase'
	| 'clearField'
	| 'suggest'
	| 'yaml'
	| 'expand'
	| 'rerun'
	| 'force'
	| 'showChecks'
	| 'save'
	| 'next'
	| 'finish'
	| 'confirm'
	| 'deny'
	| 'back'
	| 'help'
	| 'quit'
	| 'removeCa';

export interface Binding {
	/** How the keys are written in hints. */
	keys: string;
	/** Short verb for the hint line. */
	hint: string;
	/** Longer text for the help screen. */
	description: string;
	/** True when the binding is a printable character, which a text field takes instead. */
	printable: boolean;
	match(input: string, key: Key): boolean;
}

const ch = (c: string) => (input: string, key: Key) => input === c && !key.ctrl && !key.meta;

export const KEYMAP: Record<Command, Binding> = {
	up: {keys: '↑/k', hint: 'move', description: 'move up', printable: false, match: (i, k) => k.upArrow || ch('k')(i, k)},
	down: {keys: '↓/j', hint: 'move', description: 'move down', printable: false, match: (i, k) => k.downArrow || ch('j')(i, k)},
	pageUp: {keys: 'PgUp', hint: 'page', description: 'page up', printable: false, match: (_i, k) => k.pageUp},
	pageDown: {keys: 'PgDn', hint: 'page', description: 'page down', printable: false, match: (_i, k) => k.pageDown},
	toggle: {keys: 'space', hint: 'select', description: 'select or unselect the highlighted context', printable: true, match: ch(' ')},
	filter: {keys: '/', hint: 'filter', description: 'type to filter contexts; Enter or Esc ends filtering', printable: true, match: ch('/')},
	primary: {
		keys: 'p',
		hint: 'make primary',
		description: 'make the highlighted context the primary (the others become remotes)',
		printable: true,
		match: ch('p'),
	},
	override: {keys: 'o', hint: 'override', description: 'include a context whose probe failed, anyway', printable: true, match: ch('o')},
	nextField: {keys: 'tab/↓', hint: 'next field', description: 'next field', printable: false, match: (_i, k) => (k.tab && !k.shift) || k.downArrow},
	prevField: {keys: 'S-tab/↑', hint: 'prev field', description: 'previous field', printable: false, match: (_i, k) => (k.tab && k.shift) || k.upArrow},
	erase: {keys: '⌫', hint: 'erase', description: 'delete the last character', printable: false, match: (_i, k) => k.backspace || k.delete},
	suggest: {
		keys: 'ctrl-y',
		hint: 'use suggestion',
		description: 'put the suggested API server address (what the cluster advertises) into the field',
		printable: false,
		match: (i, k) => k.ctrl && i === 'y',
	},
	clearField: {keys: 'ctrl-u', hint: 'clear', description: 'clear the field', printable: false, match: (i, k) => k.ctrl && i === 'u'},
	yaml: {keys: 'y', hint: 'YAML', description: 'show or hide the exact YAML per cluster', printable: true, match: ch('y')},
	expand: {keys: 'a', hint: 'all checks', description: 'show every check, passing ones and doc links too, or fold them again', printable: true, match: ch('a')},
	rerun: {keys: 'r', hint: 'check again', description: 'read the clusters again and re-run the checks', printable: true, match: ch('r')},
	force: {keys: '!', hint: 'run anyway', description: 'continue despite failed preflight checks (asks to confirm)', printable: true, match: ch('!')},
	showChecks: {keys: 'c', hint: 'checks', description: 'show or hide every post-install check', printable: true, match: ch('c')},
	save: {keys: 's', hint: 'save profile', description: 'save this plan as a named profile', printable: true, match: ch('s')},
	next: {keys: 'enter', hint: 'continue', description: 'continue to the next step', printable: false, match: (_i, k) => k.return},
	finish: {keys: 'enter', hint: 'exit', description: 'leave the wizard (the exit code reflects the run)', printable: false, match: (_i, k) => k.return},
	confirm: {keys: 'y', hint: 'yes', description: 'yes', printable: true, match: (i, k) => ch('y')(i, k) || ch('Y')(i, k)},
	deny: {keys: 'n/esc', hint: 'no', description: 'no', printable: true, match: (i, k) => ch('n')(i, k) || ch('N')(i, k) || k.escape},
	back: {keys: 'esc', hint: 'back', description: 'go back a screen (not during a run)', printable: false, match: (_i, k) => k.escape},
	help: {keys: '?', hint: 'keys', description: 'show every key', printable: true, match: ch('?')},
	quit: {
		keys: 'q/ctrl-c',
		hint: 'quit',
		description: 'quit (during a run: asks, then cancels cleanly)',
		printable: false,
		match: (i, k) => ch('q')(i, k) || (k.ctrl && i === 'c'),
	},
	removeCa: {
		keys: 'c',
		hint: 'cacerts',
		description: 'also remove Secret istio-system/cacerts (the plugged-in CA), or keep it again (kept by default)',
		printable: true,
		match: ch('c'),
	},
};

/** Which keys a text field leaves to the keymap: Ctrl-C quits even while typing; a bare q types a q. */
export function matchCommand(commands: readonly Command[], input: string, key: Key, textEntry: boolean): Command | undefined {
	for (const c of commands) {
		const b = KEYMAP[c];
		if (textEntry && b.printable) continue;
		if (textEntry && c === 'quit' && !(key.ctrl && input === 'c')) continue;
		if (textEntry && (c === 'up' || c === 'down') && !key.upArrow && !key.downArrow) continue;
		if (b.match(input, key)) return c;
	}
	return undefined;
}

/** "↑/k move · space select · enter continue · esc back · ? keys · q quit", deduplicated by hint. */
export function hintLine(commands: readonly Command[], textEntry = false): string {
	const parts: string[] = [];
	const seen = new Set<string>();
	for (const c of commands) {
		const b = KEYMAP[c];
		if (textEntry && b.printable) continue;
		const keys = textEntry && c === 'quit' ? 'ctrl-c' : b.keys;
		const label = c === 'up' || c === 'down' ? '↑↓' : c === 'pageUp' || c === 'pageDown' ? 'PgUp/PgDn' : keys;
		const text = `${label} ${b.hint}`;
		if (seen.has(text)) continue;
		seen.add(text);
		parts.push(text);
	}
	return parts.join(' · ');
}

/** The keys each screen offers, in hint order. */
export const SCREEN_COMMANDS = {
	topology: ['up', 'down', 'next', 'help', 'quit'],
	contexts: ['up', 'down', 'pageUp', 'pageDown', 'toggle', 'primary', 'override', 'filter', 'next', 'back', 'help', 'quit'],
	contextsFilter: ['up', 'down', 'erase', 'clearField', 'next', 'back', 'quit'],
	ids: ['nextField', 'prevField', 'erase', 'clearField', 'suggest', 'next', 'back', 'quit'],
	checksRunning: ['back', 'help', 'quit'],
	checks: ['up', 'down', 'pageUp', 'pageDown', 'expand', 'rerun', 'force', 'next', 'back', 'help', 'quit'],
	checksClear: ['up', 'down', 'pageUp', 'pageDown', 'expand', 'rerun', 'next', 'back', 'help', 'quit'],
	forceConfirm: ['confirm', 'deny', 'quit'],
	review: ['yaml', 'save', 'next', 'back', 'help', 'quit'],
	reviewYaml: ['up', 'down', 'pageUp', 'pageDown', 'yaml', 'back', 'quit'],
	saveName: ['erase', 'next', 'back', 'quit'],
	confirm: ['confirm', 'deny', 'quit'],
	run: ['help', 'quit'],
	quitConfirm: ['confirm', 'deny'],
	done: ['finish', 'showChecks', 'help', 'quit'],
	doneChecks: ['up', 'down', 'pageUp', 'pageDown', 'expand', 'showChecks', 'back', 'finish', 'quit'],
	noKubeconfig: ['quit'],
	trustReading: ['back', 'help', 'quit'],
	trust: ['up', 'down', 'next', 'rerun', 'back', 'help', 'quit'],
	trustDir: ['erase', 'clearField', 'next', 'back', 'quit'],
	trustWorking: ['quit'],
	trustRestart: ['confirm', 'deny', 'quit'],
	removeProfiles: ['up', 'down', 'next', 'back', 'help', 'quit'],
	removeReview: ['removeCa', 'rerun', 'next', 'back', 'help', 'quit'],
	removeConfirm: ['confirm', 'deny', 'quit'],
	removeDone: ['finish', 'help', 'quit'],
	status: ['quit', 'back'],
} as const satisfies Record<string, readonly Command[]>;

export type KeyScope = keyof typeof SCREEN_COMMANDS;

export const SCOPE_TITLES: Record<KeyScope, string> = {
	topology: 'Topology',
	contexts: 'Contexts',
	contextsFilter: 'Contexts, while filtering',
	ids: 'Mesh and cluster IDs (typing goes into the field)',
	checksRunning: 'Preflight checks, while reading the clusters',
	checks: 'Preflight checks',
	checksClear: 'Preflight checks, none failed',
	forceConfirm: 'Run despite failed checks?',
	review: 'Review',
	reviewYaml: 'Review, YAML view',
	saveName: 'Save profile name',
	confirm: 'Confirm',
	run: 'Run',
	quitConfirm: 'Cancel the run?',
	done: 'Done',
	doneChecks: 'Done, post-install checks',
	noKubeconfig: 'No kubeconfig',
	trustReading: 'Trust, while reading the clusters',
	trust: 'Trust (a shared root CA)',
	trustDir: 'Trust, root directory (typing goes into the field)',
	trustWorking: 'Trust, while the root is made or read',
	trustRestart: 'Restart istiod after plugging in the CA?',
	removeProfiles: 'Remove a saved setup: pick the profile',
	removeReview: 'Remove: review',
	removeConfirm: 'Remove: confirm',
	removeDone: 'Remove: done',
	status: 'eastwest status --watch',
};
