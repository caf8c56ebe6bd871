import React, {useState} from 'react';
import {Box, Text, useStdout} from 'ink';
import {summarize, summaryText, type CheckResult} from '../../core/checks.js';
import {formatClusterFlag} from '../../core/cluster-flag.js';
import {formatElapsed} from '../../core/events.js';
import type {MeshPlanInput} from '../../core/model.js';
import {runExitCode, type RunView} from '../../core/run-progress.js';
import {formatAddress} from '../../core/rollout.js';
import {CheckRowsView, ScrollMarker, markSymbol} from '../components/CheckList.js';
import {KeyHints} from '../components/KeyHints.js';
import {useCheckList} from '../hooks/useCheckList.js';
import {useChecks} from '../hooks/useChecks.js';
import {useCommands} from '../hooks/useCommands.js';
import {useTicker} from '../hooks/useTicker.js';
import {useServices} from '../services.js';
import {useTheme} from '../theme.js';

/** Quote a shell word only when it needs it. */
function sh(word: string): string {
	return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `eastwest apply` command line that runs the same plan headless. */
export function applyCommand(input: MeshPlanInput, profile?: string): string {
	if (profile) return `eastwest apply --profile ${sh(profile)}`;
	const parts = ['eastwest apply', `--topology ${input.topology}`, `--mesh ${sh(input.meshId)}`];
	for (const c of input.clusters) parts.push(`--cluster ${sh(formatClusterFlag(c))}`);
	if (input.revision) parts.push(`--revision ${sh(input.revision)}`);
	return parts.join(' ');
}

export function statusCommand(input: MeshPlanInput, profile?: string): string {
	if (profile) return `eastwest status --profile ${sh(profile)}`;
	return `eastwest status ${input.clusters.map(c => `--context ${sh(c.context)}`).join(' ')}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const REMOTE_NOTE = 'remote clusters still need their control-plane wiring (see the notes on the Review screen)';

export function DoneScreen({view, input, profile, onExit}: {view: RunView; input: MeshPlanInput; profile?: string; onExit: (code: number) => void}) {
	const theme = useTheme();
	const services = useServices();
	const {stdout} = useStdout();
	const code = runExitCode(view.outcome);
	// After a run that was not cancelled, the post-install checks read every cluster again. They never change the exit code.
	const checksWanted = Boolean(view.outcome) && !view.outcome?.cancelled;
	const {view: checks, rerun} = useChecks(services, input, 'post-install', {enabled: checksWanted});
	const [showAll, setShowAll] = useState(false);
	const tick = useTicker(Boolean(checks && !checks.results));
	const width = stdout.columns || 80;
	const {rows, offset, height, end, keys: scroll} = useCheckList(input, checks, 7);
	useCommands(
		showAll ? 'doneChecks' : 'done',
		showAll
			? {
					...scroll,
					showChecks: () => setShowAll(false),
					back: () => setShowAll(false),
					finish: () => onExit(code),
					quit: () => onExit(code),
				}
			: {
					finish: () => onExit(code),
					quit: () => onExit(code),
					showChecks: () => (checks?.results ? setShowAll(true) : checksWanted ? rerun() : undefined),
				},
	);
	if (showAll && checks?.results) {
		return (
			<Box flexDirection="column">
				<Text bold>
					Post-install checks{' '}
					<Text color={theme.tone('muted')}>
						({summaryText(summarize(checks.results))}
						{rows.length > height ? `; rows ${offset + 1}–${end} of ${rows.length}` : ''})
					</Text>
				</Text>
				<CheckRowsView rows={rows} offset={offset} height={height} />
				<ScrollMarker total={rows.length} end={end} height={height} />
				<Text color={theme.tone('muted')}>exit code {code}, from the run</Text>
				<KeyHints scope="doneChecks" />
			</Box>
		);
	}
	const outcome = view.outcome;
	const headline = outcome?.cancelled
		? {tone: 'warn' as const, text: 'Cancelled: the run was stopped; finished steps stay in place.'}
		: outcome?.ok
			? {tone: 'ok' as const, text: `East-west gateways are set up for mesh ${input.meshId}.`}
			: {tone: 'error' as const, text: 'The run failed on at least one cluster.'};
	// Ink wraps at word boundaries: allow a few columns per row for that.
	const rowsOf = (text: string, indent = 0) => Math.max(1, Math.ceil((text.length + indent) / Math.max(20, width - 8)));
	const first = checks?.results ? firstProblem(checks.results) : undefined;
	const wrappedRows = first ? 1 + rowsOf(`${first.cluster ?? ''}: ${first.claim}: ${first.reason ?? ''}`, 4) + (first.hint ? rowsOf(`hint: ${first.hint}`, 6) : 0) : 1;
	const truncatedRows = first ? (first.hint ? 3 : 2) : 1;
	const remoteNote = view.clusters.some(c => c.notes.some(n => n.startsWith('Remote wiring')));
	const applyLabel = outcome?.ok ? 'run the same plan again, headless (safe to rerun):' : 'retry headless once the problem is fixed (steps already in place report unchanged):';
	// Header, headline, blank, blank + "Next", status label, blank, exit code, hint line: 8 rows besides what is counted.
	const base =
		8 +
		rowsOf(applyLabel, 2) +
		(view.error ? 1 + rowsOf(view.error) : 0) +
		view.clusters.reduce((n, c) => n + 1 + (c.address ? 1 : 0) + c.steps.filter(x => x.status === 'failed').length * 3, 0) +
		(checksWanted ? 1 : 0) +
		rowsOf(statusCommand(input, profile), 4) +
		rowsOf(applyCommand(input, profile), 4) +
		(remoteNote ? rowsOf(REMOTE_NOTE, 2) : 0);
	const screenRows = stdout.rows || 24;
	// How much of the checks fits: the first problem wrapped in full, cut to a row per line, or the verdict alone (then the status command goes too if need be).
	const detail: Detail = !checksWanted ? 'line' : base + wrappedRows <= screenRows ? 'wrapped' : base + truncatedRows <= screenRows ? 'truncated' : 'line';
	const tight = base + (checksWanted ? 1 : 0) > screenRows;
	return (
		<Box flexDirection="column">
			<Text bold color={theme.tone(headline.tone)}>
				{headline.tone === 'ok' ? theme.symbols.ok : headline.tone === 'error' ? theme.symbols.error : theme.symbols.warn} {headline.text}
			</Text>
			{view.error ? (
				<Box marginTop={1}>
					<Text color={theme.tone('error')} wrap="wrap">
						{view.error}
					</Text>
				</Box>
			) : null}
			<Box flexDirection="column" marginTop={1}>
				{view.clusters.map(c => {
					const failed = c.steps.filter(s => s.status === 'failed');
					const changed = c.steps.filter(s => s.status === 'changed').length;
					const unchanged = c.steps.filter(s => s.status === 'unchanged').length;
					const idle = c.steps.length === 0;
					const sym = idle ? theme.symbols.skipped : c.outcome === 'succeeded' ? theme.symbols.ok : c.outcome === 'failed' ? theme.symbols.error : theme.symbols.warn;
					const tone = idle ? 'muted' : c.outcome === 'succeeded' ? 'ok' : c.outcome === 'failed' ? 'error' : 'warn';
					return (
						<Box key={c.name} flexDirection="column">
							<Text wrap="truncate-end">
								<Text color={theme.tone(tone)}>{sym}</Text> <Text bold>{c.name}</Text>
								<Text color={theme.tone('muted')}> ({c.context})</Text>{' '}
								{idle ? 'nothing to do on this cluster' : `${c.outcome ?? 'unknown'}: ${changed} changed, ${unchanged} already in place`}
							</Text>
							{c.address ? (
								<Text>
									{'  '}gateway address <Text color={theme.tone('ok')}>{formatAddress(c.address)}</Text>
								</Text>
							) : null}
							{failed.map(s => (
								<Box key={s.id} paddingLeft={2} flexDirection="column">
									<Text color={theme.tone('error')} wrap="wrap">
										{s.title}: {s.error}
									</Text>
									{s.hint ? <Text wrap="wrap">hint: {s.hint}</Text> : null}
								</Box>
							))}
						</Box>
					);
				})}
			</Box>
			{checksWanted && checks ? (
				<Box flexDirection="column" marginTop={1}>
					<PostInstall checks={checks} runOk={Boolean(view.outcome?.ok)} tick={tick} detail={detail} />
				</Box>
			) : null}
			<Box flexDirection="column" marginTop={1}>
				<Text bold>Next</Text>
				<Box paddingLeft={2} flexDirection="column">
					{tight ? null : (
						<>
							<Text wrap="wrap">watch the gateways:</Text>
							<Box paddingLeft={2}>
								<Text wrap="wrap" color={theme.tone('accent')}>
									{statusCommand(input, profile)}
								</Text>
							</Box>
						</>
					)}
					<Text wrap="wrap">{applyLabel}</Text>
					<Box paddingLeft={2}>
						<Text wrap="wrap" color={theme.tone('accent')}>
							{applyCommand(input, profile)}
						</Text>
					</Box>
				</Box>
				{view.clusters.some(c => c.notes.some(n => n.startsWith('Remote wiring'))) ? (
					<Text wrap="wrap" color={theme.tone('muted')}>
						{'  '}
						{REMOTE_NOTE}
					</Text>
				) : null}
			</Box>
			<Box marginTop={1}>
				<Text color={theme.tone('muted')}>
					exit code {code}
					{checks?.results?.some(r => r.status === 'fail') ? ", the run's result (post-install checks do not change it)" : ''}
				</Text>
			</Box>
			<KeyHints scope="done" />
		</Box>
	);
}

/** The problem Done shows: the first failure, else the first warning. */
function firstProblem(results: readonly CheckResult[]): CheckResult | undefined {
	return results.find(r => r.status === 'fail') ?? results.find(r => r.status === 'warn');
}

/** The post-install checks on the Done screen: live reads, then the verdict and the first problem with its hint. */
type Detail = 'wrapped' | 'truncated' | 'line';

function PostInstall({checks, runOk, tick, detail}: {checks: NonNullable<ReturnType<typeof useChecks>['view']>; runOk: boolean; tick: number; detail: Detail}) {
	const theme = useTheme();
	if (!checks.results) {
		// One live line while the clusters are read: who has not answered yet, for how long, and the deadline.
		const waiting = checks.clusters.filter(c => c.state === 'reading');
		const since = Math.min(...checks.clusters.map(c => c.startedAt));
		return (
			<Text wrap="truncate-end">
				<Text color={theme.tone('accent')}>{theme.spinner[tick % theme.spinner.length]}</Text> post-install checks: waiting for {waiting.map(c => c.name).join(', ')} to answer{' '}
				<Text color={theme.tone('muted')}>
					{formatElapsed(Date.now() - since)} (deadline {formatElapsed(checks.deadlineMs)})
				</Text>
			</Text>
		);
	}
	const s = summarize(checks.results);
	const problems = checks.results.filter(r => r.status === 'fail' || r.status === 'warn');
	const first = firstProblem(checks.results);
	const tone = s.fail > 0 ? 'error' : s.warn > 0 ? 'warn' : 'ok';
	const sym = s.fail > 0 ? theme.symbols.error : s.warn > 0 ? theme.symbols.warn : theme.symbols.ok;
	const verdict =
		s.fail > 0
			? runOk
				? `the run succeeded but ${plural(s.fail, 'post-install check')} failed`
				: `${plural(s.fail, 'post-install check')} failed`
			: s.warn > 0
				? `post-install checks passed with ${plural(s.warn, 'warning')}`
				: `all ${s.pass} post-install checks passed`;
	if (detail === 'line') {
		return (
			<Text wrap="truncate-end">
				<Text bold color={theme.tone(tone)}>
					{sym} {verdict}
				</Text>
				<Text color={theme.tone('muted')}> · c shows {problems.length === 0 ? 'every check' : problems.length === 1 ? 'it' : 'them'}</Text>
			</Text>
		);
	}
	return (
		<Box flexDirection="column">
			<Text wrap="truncate-end">
				<Text bold color={theme.tone(tone)}>
					{sym} {verdict}
				</Text>
				<Text color={theme.tone('muted')}>
					{s.fail + s.warn > 0 ? ` · ${s.pass} passed` : ''} · c shows {problems.length > 1 ? `all ${problems.length} problems` : 'every check'}
				</Text>
			</Text>
			{first ? (
				<Box paddingLeft={2} flexDirection="column">
					<Text wrap={detail === 'wrapped' ? 'wrap' : 'truncate-end'}>
						<Text color={theme.tone(first.status === 'fail' ? 'error' : 'warn')}>{markSymbol(theme, first.status)}</Text> {first.cluster ? `${first.cluster}: ` : ''}
						{first.claim}
						{first.reason ? <Text color={theme.tone('muted')}>: {first.reason}</Text> : null}
					</Text>
					{first.hint ? (
						<Box paddingLeft={2}>
							<Text wrap={detail === 'wrapped' ? 'wrap' : 'truncate-end'}>hint: {first.hint}</Text>
						</Box>
					) : null}
				</Box>
			) : null}
		</Box>
	);
}
