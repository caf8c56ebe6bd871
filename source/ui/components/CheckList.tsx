import React from 'react';
import {Box, Text} from 'ink';
import {groupResults, SKIPPED_UNREACHABLE, type CheckResult, type CheckStatus} from '../../core/checks/index.js';
import {formatElapsed} from '../../core/events.js';
import type {MeshPlanInput} from '../../core/model.js';
import type {CheckRunView} from '../hooks/useChecks.js';
import {MARKS, useTheme, type Tone} from '../theme.js';
import {Mark} from './Mark.js';

/** Word-wrap plain text (a check list row each) to `width` columns; continuation rows get `indent` spaces. Long words break. */
function wrapText(text: string, width: number, indent = 0): string[] {
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

/** One terminal row of the check list, already wrapped to the width. */
export interface CheckRow {
	text: string;
	tone?: Tone;
	bold?: boolean;
	/** A status symbol printed before the text, in its own tone. */
	mark?: CheckStatus;
}

/**
 * The results as rows, grouped by cluster: every warning and failure with its reason and hint indented under it;
 * passing and skipped checks fold into one count per cluster unless `expanded`.
 */
export function checkRows(plan: MeshPlanInput, view: CheckRunView, width: number, expanded: boolean): CheckRow[] {
	const rows: CheckRow[] = [];
	const push = (text: string, indent: number, row: Omit<CheckRow, 'text'> = {}) => {
		// The mark takes two columns on the first row.
		const lines = wrapText(text, width - indent - (row.mark ? 2 : 0), row.mark ? 2 : 0);
		lines.forEach((l, i) => rows.push({...(i === 0 ? row : {tone: row.tone}), text: `${' '.repeat(indent)}${l}`}));
	};
	const results = view.results ?? [];
	for (const group of groupResults(plan, results)) {
		if (rows.length > 0) rows.push({text: ''});
		rows.push({text: group.title, bold: true});
		const folded: CheckResult[] = [];
		for (const r of group.results) {
			if (!expanded && (r.status === 'pass' || r.status === 'skip')) {
				folded.push(r);
				continue;
			}
			push(r.claim, 0, {mark: r.status, tone: r.status === 'pass' ? undefined : MARKS[r.status].tone});
			if (r.status === 'pass') {
				if (r.reason) push(r.reason, 4, {tone: 'muted'});
				continue;
			}
			if (r.reason) push(`${r.status === 'skip' ? 'skipped: ' : ''}${r.reason}`, 4, {tone: 'muted'});
			if (r.hint) push(`hint: ${r.hint}`, 4);
			if (r.doc && expanded) push(`see: ${r.doc}`, 4, {tone: 'muted'});
		}
		const passed = folded.filter(r => r.status === 'pass').length;
		const skipped = folded.length - passed;
		if (passed > 0) push(`${passed} check${passed === 1 ? '' : 's'} passed`, 0, {mark: 'pass', tone: 'muted'});
		if (skipped > 0) push(`${skipped} skipped`, 0, {mark: 'skip', tone: 'muted'});
		if (group.blocked > 0)
			push(`${group.blocked} more check${group.blocked === 1 ? '' : 's'} skipped: ${SKIPPED_UNREACHABLE}`, 0, {mark: 'skip', tone: 'muted'});
		const errors = group.cluster ? (view.clusters.find(c => c.name === group.cluster)?.facts?.errors ?? []) : [];
		if (errors.length > 0) {
			if (expanded) for (const e of errors) push(`(could not read: ${e})`, 4, {tone: 'muted'});
			else push(`${errors.length} read${errors.length === 1 ? '' : 's'} failed; their checks are skipped`, 4, {tone: 'muted'});
		}
	}
	return rows;
}

/** A window of rows: `offset` is the first row shown. */
export function CheckRowsView({rows, offset, height}: {rows: CheckRow[]; offset: number; height: number}) {
	const theme = useTheme();
	const shown = rows.slice(offset, offset + height);
	return (
		<Box flexDirection="column">
			{shown.map((row, i) => (
				<Text key={offset + i} wrap="truncate-end" bold={row.bold} color={row.tone ? theme.tone(row.tone) : undefined}>
					{row.mark ? (
						<>
							<Mark status={row.mark} />{' '}
						</>
					) : null}
					{row.text || ' '}
				</Text>
			))}
		</Box>
	);
}

/** While facts are read: one live line per cluster with what it waits for and for how long. */
export function ReadingLines({view, tick, now}: {view: CheckRunView; tick: number; now: number}) {
	const theme = useTheme();
	const spinner = theme.spinner[tick % theme.spinner.length];
	const what =
		view.phase === 'preflight'
			? 'reachability, istio-system, istiod, permissions, CA secrets, Services'
			: 'the gateway Deployment, Service and pods, the expose resources, the root certificate';
	return (
		<Box flexDirection="column">
			{view.clusters.map(c => (
				<Box key={c.name} flexDirection="column">
					<Text wrap="truncate-end">
						{c.state === 'reading' ? <Text color={theme.tone('accent')}>{spinner}</Text> : <Mark status={c.facts?.reachable === false ? 'error' : 'ok'} />}{' '}
						<Text bold>{c.name}</Text>
						<Text color={theme.tone('muted')}> ({c.context})</Text>{' '}
						{c.state === 'reading'
							? `waiting for its API server to answer ${formatElapsed(now - c.startedAt)} (deadline ${formatElapsed(view.deadlineMs)})`
							: c.facts?.reachable === false
								? `unreachable after ${formatElapsed(c.elapsedMs ?? 0)}`
								: `facts read in ${formatElapsed(c.elapsedMs ?? 0)}`}
					</Text>
					{c.state === 'reading' ? (
						<Box paddingLeft={2}>
							<Text color={theme.tone('muted')} wrap="truncate-end">
								reading {what}
							</Text>
						</Box>
					) : null}
				</Box>
			))}
		</Box>
	);
}

/** Under a window of rows that does not hold them all: how many rows follow, or that the end is shown. */
export function ScrollMarker({total, end, height}: {total: number; end: number; height: number}) {
	const theme = useTheme();
	if (total <= height) return null;
	return <Text color={theme.tone('muted')}>{end < total ? `↓ ${total - end} more rows (↑↓ PgUp/PgDn)` : '(end of the list)'}</Text>;
}
