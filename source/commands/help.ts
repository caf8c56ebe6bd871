/** Usage text for every command, written from the command spec (spec.ts). Light on purpose: `--help` must not load the heavy modules. */
import {COMMAND_SPECS, GLOBAL_FLAGS, WIZARD, type CommandTable, type Flags} from './spec.js';

/** The main help's Commands list: [name, summary line]; a summary's further lines have the name ''. */
export function commandSummaries(table: CommandTable = COMMAND_SPECS): Array<[string, string]> {
	const rows: Array<[string, string]> = [];
	const add = (name: string, summary: readonly string[]) => summary.forEach((line, i) => rows.push([i === 0 ? name : '', line]));
	add('(none)', WIZARD.summary);
	for (const [name, spec] of Object.entries(table)) add(name, spec.summary);
	return rows;
}

export const COMMAND_SUMMARIES = commandSummaries();

/**
 * One line per flag (`  -o, --output FORMAT  text or json`), its description from the column after
 * `width`; a flag too long for that column has its description on the next line.
 */
export function flagLines(flags: Flags, width: number): string[] {
	const indent = ' '.repeat(width + 4);
	const lines: string[] = [];
	for (const [name, flag] of Object.entries(flags)) {
		const label = `${flag.short ? `-${flag.short}, ` : ''}--${name}${flag.arg ? ` ${flag.arg}` : ''}`;
		const [first = '', ...rest] = flag.help;
		if (label.length <= width) lines.push(`  ${label.padEnd(width)}  ${first}`);
		else lines.push(`  ${label}`, `${indent}${first}`);
		for (const line of rest) lines.push(`${indent}${line}`);
	}
	return lines;
}

const GLOBAL = `Global flags:\n${flagLines(GLOBAL_FLAGS, 18).join('\n')}`;

const EXIT_CODES = 'Exit codes: 0 ok · 1 the work failed · 2 usage or bad input · 130 interrupted';

export function mainHelp(version: string, table: CommandTable = COMMAND_SPECS): string {
	const summaries = commandSummaries(table);
	const width = Math.max(...summaries.map(([n]) => n.length));
	return `eastwest ${version}: set up Istio multicluster east-west gateways

Usage: eastwest [command] [flags]

Commands:
${summaries.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n')}

${GLOBAL}

${EXIT_CODES}
Run 'eastwest help <command>' (or 'eastwest <command> --help') for a command's flags.
`;
}

/** A command's own part of its help: usage, what it does, its flags, notes and examples. */
export function commandText(name: string, table: CommandTable = COMMAND_SPECS): string {
	const spec = table[name];
	if (!spec) return '';
	const flags = flagLines(spec.flags, 19);
	const parts = [
		`Usage: ${spec.usage}`,
		spec.about,
		...(flags.length > 0 ? [flags.join('\n')] : []),
		...(spec.after ? [spec.after] : []),
		...(spec.examples ? [`Examples:\n${spec.examples}`] : []),
	];
	return `${parts.join('\n\n')}\n`;
}

/** Each command's own help (the commands a module runs; `help` is cli.tsx's). */
export const COMMAND_HELP: Record<string, string> = Object.fromEntries(
	Object.entries(COMMAND_SPECS)
		.filter(([, spec]) => !('builtin' in spec))
		.map(([name]) => [name, commandText(name)]),
);

export function commandHelp(name: string, table: CommandTable = COMMAND_SPECS): string {
	return `${commandText(name, table)}\n${GLOBAL}\n\n${EXIT_CODES}\n`;
}
