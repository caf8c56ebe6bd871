import React, {useState} from 'react';
import {Box, Text} from 'ink';
import {summarize, summaryText, wiringSummary, type CheckResult} from '../../core/checks/index.js';
import {formatClusterFlag} from '../../core/cluster-flag.js';
import {formatElapsed} from '../../core/events.js';
import type {MeshPlanInput} from '../../core/model.js';
import {runExitCode, type RunView} from '../../core/run-progress.js';
import {formatAddress} from '../../core/rollout.js';
import {CheckRowsView, ScrollMarker} from '../components/CheckList.js';
import {ClusterOutcome} from '../components/ClusterOutcome.js';
import {Mark} from '../components/Mark.js';
import {Fit} from '../components/Fit.js';
import {KeyHints} from '../components/KeyHints.js';
import {useCheckList} from '../hooks/useCheckList.js';
import {useChecks} from '../hooks/useChecks.js';
import {useCommands} from '../hooks/useCommands.js';
import {useTicker} from '../hooks/useTicker.js';
import {useServices} from '../services.js';
import {useTheme} from '../theme.js';
import {plural} from '../../core/text.js';

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

export function DoneScreen({view, input, profile, onExit}: {view: RunView; input: MeshPlanInput; profile?: string; onExit: (code: number) => void}) {
	const theme = useTheme();
	const services = useServices();
	const code = runExitCode(view.outcome);
	// After a run that was not cancelled, the post-install checks read every cluster again. They never change the exit code.
	const checksWanted = Boolean(view.outcome) && !view.outcome?.cancelled;
	const {view: checks, rerun} = useChecks(services, input, 'post-install', {enabled: checksWanted});
	const [showAll, setShowAll] = useState(false);
	const tick = useTicker(Boolean(checks && !checks.results));
	const {rows, offset, height, end, screen, window, keys: scroll} = useCheckList(input, checks);
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
			<Box ref={screen} flexDirection="column">
				<Text bold>
					Post-install checks{' '}
					<Text color={theme.tone('muted')}>
						({summaryText(summarize(checks.results))}
						{rows.length > height ? `; rows ${offset + 1}–${end} of ${rows.length}` : ''})
					</Text>
				</Text>
				<Box ref={window} flexDirection="column">
					<CheckRowsView rows={rows} offset={offset} height={height} />
				</Box>
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
			? {tone: 'ok' as const, text: `East-west gateways are set up for mesh ${input.meshId}, clusters wired.`}
			: {tone: 'error' as const, text: 'The run failed on at least one cluster.'};
	const applyLabel = outcome?.ok
		? 'run the same plan again, headless (safe to rerun):'
		: 'retry headless once the problem is fixed (steps already in place report unchanged):';
	// The first problem wrapped in full, cut to a row per line, or the verdict alone; then the status command goes too.
	const draw = ([detail, withStatus]: readonly [Detail, boolean]) => {
		const tight = !withStatus;
		return (
			<Box flexDirection="column">
				<Mark status={headline.tone} bold>
					{headline.text}
				</Mark>
				{view.error ? (
					<Box marginTop={1}>
						<Text color={theme.tone('error')} wrap="wrap">
							{view.error}
						</Text>
					</Box>
				) : null}
				<Box flexDirection="column" marginTop={1}>
					{view.clusters.map(c => (
						<ClusterOutcome
							key={c.name}
							cluster={c}
							idle="nothing to do on this cluster"
							counts={`${c.steps.filter(s => s.status === 'changed').length} changed, ${c.steps.filter(s => s.status === 'unchanged').length} already in place`}
						>
							{c.address ? (
								<Text>
									{'  '}gateway address <Text color={theme.tone('ok')}>{formatAddress(c.address)}</Text>
								</Text>
							) : null}
						</ClusterOutcome>
					))}
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
								<Text wrap="wrap">watch the gateways and the wiring:</Text>
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
	};
	return <Fit layouts={DONE_LAYOUTS} render={draw} />;
}

/** The problem Done shows: the first failure, else the first warning. */
function firstProblem(results: readonly CheckResult[]): CheckResult | undefined {
	return results.find(r => r.status === 'fail') ?? results.find(r => r.status === 'warn');
}

/** How much of the first post-install problem Done shows: wrapped in full, one row per line, or only the verdict. */
type Detail = 'wrapped' | 'truncated' | 'line';

/** Done's layouts, richest first: how much of the first post-install problem, and whether the status command shows. */
const DONE_LAYOUTS: ReadonlyArray<readonly [Detail, boolean]> = [
	['wrapped', true],
	['truncated', true],
	['line', true],
	['line', false],
];

/** The post-install checks on the Done screen: live reads, then the verdict and the first problem with its hint. */
function PostInstall({checks, runOk, tick, detail}: {checks: NonNullable<ReturnType<typeof useChecks>['view']>; runOk: boolean; tick: number; detail: Detail}) {
	const theme = useTheme();
	if (!checks.results) {
		// One live line while the clusters are read: who has not answered yet, for how long, and the deadline.
		const waiting = checks.clusters.filter(c => c.state === 'reading');
		const since = Math.min(...checks.clusters.map(c => c.startedAt));
		return (
			<Text wrap="truncate-end">
				<Text color={theme.tone('accent')}>{theme.spinner[tick % theme.spinner.length]}</Text> post-install checks: waiting for{' '}
				{waiting.map(c => c.name).join(', ')} to answer{' '}
				<Text color={theme.tone('muted')}>
					{formatElapsed(Date.now() - since)} (deadline {formatElapsed(checks.deadlineMs)})
				</Text>
			</Text>
		);
	}
	const s = summarize(checks.results);
	const problems = checks.results.filter(r => r.status === 'fail' || r.status === 'warn');
	const first = firstProblem(checks.results);
	const status = s.fail > 0 ? 'fail' : s.warn > 0 ? 'warn' : 'pass';
	// The verdict names the wiring checks (remote secrets and their credentials, the remotes' control plane).
	const w = wiringSummary(checks.results);
	const wiring = w.total > 0 ? ` · wiring ${w.passed}/${w.total} passed` : '';
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
				<Mark status={status} bold>
					{verdict}
				</Mark>
				<Text color={theme.tone('muted')}>
					{wiring} · c shows {problems.length === 0 ? 'every check' : problems.length === 1 ? 'it' : 'them'}
				</Text>
			</Text>
		);
	}
	return (
		<Box flexDirection="column">
			<Text wrap="truncate-end">
				<Mark status={status} bold>
					{verdict}
				</Mark>
				<Text color={theme.tone('muted')}>
					{s.fail + s.warn > 0 ? ` · ${s.pass} passed` : ''}
					{wiring} · c shows {problems.length > 1 ? `all ${problems.length} problems` : 'every check'}
				</Text>
			</Text>
			{first ? (
				<Box paddingLeft={2} flexDirection="column">
					<Text wrap={detail === 'wrapped' ? 'wrap' : 'truncate-end'}>
						<Mark status={first.status} /> {first.cluster ? `${first.cluster}: ` : ''}
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
