/**
 * The one row budget of the wizard's screens. A screen describes what it would print as lines (text that wraps
 * at word boundaries after an indent, or a fixed number of rows) and asks which of its layouts, richest first,
 * fits the terminal, or how many rows are left for a scrolling window. Pure: no Ink, no terminal.
 */

export interface Terminal {
	columns: number;
	rows: number;
}

/** A line as a screen prints it: text wrapped to the columns left after `indent`, or `rows` fixed rows (a blank is 1). */
export type Line = string | {text: string; indent?: number; truncate?: boolean} | {rows: number};

/** The terminal's size, with the 80×24 a terminal reports when it says nothing. */
export function terminalOf(stdout: {columns?: number; rows?: number}): Terminal {
	return {columns: stdout.columns || 80, rows: stdout.rows || 24};
}

/** Word-wrap plain text to `width` columns; continuation rows get `indent` spaces. Long words break. */
export function wrapText(text: string, width: number, indent = 0): string[] {
	const max = Math.max(10, width);
	const rows: string[] = [];
	let line = '';
	const room = () => max - (rows.length === 0 ? 0 : indent);
	for (const word of text.split(/\s+/).filter(Boolean)) {
		let w = word;
		while ([...w].length > room() && line === '') {
			const chars = [...w];
			rows.push(chars.slice(0, room()).join(''));
			w = chars.slice(room()).join('');
		}
		if (line === '') line = w;
		else if ([...line].length + 1 + [...w].length <= room()) line += ` ${w}`;
		else {
			rows.push(line);
			line = w;
			while ([...line].length > room()) {
				const chars = [...line];
				rows.push(chars.slice(0, room()).join(''));
				line = chars.slice(room()).join('');
			}
		}
	}
	if (line !== '' || rows.length === 0) rows.push(line);
	return rows.map((r, i) => (i === 0 ? r : `${' '.repeat(indent)}${r}`));
}

/** Rows Ink's wrap (word wrap; a word wider than the row fills the rest of it and breaks) gives text at `width`. */
export function wrappedRows(text: string, width: number): number {
	const max = Math.max(1, width);
	let rows = 1;
	let used = 0;
	for (const word of text.split(/\s+/).filter(Boolean)) {
		const length = [...word].length;
		const gap = used === 0 ? 0 : 1;
		if (used + gap + length <= max) used += gap + length;
		else if (length <= max) {
			rows += 1;
			used = length;
		} else {
			// Too long for any row: it starts here and spills over as many rows as it needs.
			let rest = length - Math.max(0, max - used - gap);
			if (max - used - gap <= 0) rows += 1;
			while (rest > max) {
				rows += 1;
				rest -= max;
			}
			if (rest > 0 && max - used - gap > 0) rows += 1;
			used = rest;
		}
	}
	return rows;
}

/** How many rows the lines take at `columns`. */
export function rowsOf(lines: readonly Line[], columns: number): number {
	let rows = 0;
	for (const line of lines) {
		if (typeof line === 'string') rows += wrappedRows(line, columns);
		else if ('rows' in line) rows += line.rows;
		else rows += line.truncate ? 1 : wrappedRows(line.text, columns - (line.indent ?? 0));
	}
	return rows;
}

/** The first layout, richest first, whose lines fit the terminal's rows; the last one when none does. */
export function firstFit<T>(terminal: Terminal, layouts: ReadonlyArray<readonly [T, readonly Line[]]>): T {
	for (const [layout, lines] of layouts) if (rowsOf(lines, terminal.columns) <= terminal.rows) return layout;
	return layouts.at(-1)![0];
}

/** Rows left for a scrolling window once the other lines are printed, and never fewer than `min`. */
export function spareRows(terminal: Terminal, lines: readonly Line[], min: number): number {
	return Math.max(min, terminal.rows - rowsOf(lines, terminal.columns));
}
