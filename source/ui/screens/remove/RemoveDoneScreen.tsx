import React from 'react';
import {Box, Text} from 'ink';
import {runExitCode, type ClusterView} from '../../../core/run-progress.js';
import type {RemovalState} from '../../../core/wizard.js';
import {ClusterOutcome} from '../../components/ClusterOutcome.js';
import {Fit} from '../../components/Fit.js';
import {KeyHints} from '../../components/KeyHints.js';
import {Mark} from '../../components/Mark.js';
import {useCommands} from '../../hooks/useCommands.js';
import {useTheme} from '../../theme.js';
import {NEVER_TOUCHED} from './RemoveReviewScreen.js';

type Finished = NonNullable<RemovalState['finished']>;

/** One cluster's removal in counts: removed (changed), already gone (unchanged), left (skipped: something not eastwest's). */
export function removalCounts(c: ClusterView): string {
	const count = (status: string) => c.steps.filter(s => s.status === status).length;
	const parts = [`${count('changed')} removed`, `${count('unchanged')} already gone`];
	if (count('skipped') > 0) parts.push(`${count('skipped')} left something`);
	if (count('failed') > 0) parts.push(`${count('failed')} failed`);
	const unfinished = c.steps.filter(s => s.status === 'pending' || s.status === 'running' || s.status === 'cancelled' || s.status === 'not-run').length;
	if (unfinished > 0) parts.push(`${unfinished} not run`);
	return parts.join(', ');
}

export interface RemoveDoneScreenProps {
	removal: RemovalState & {finished: Finished};
	onExit: (code: number) => void;
}

/** What the removal took out, what it left and why, and the exit code (as eastwest remove's). */
export function RemoveDoneScreen({removal, onExit}: RemoveDoneScreenProps) {
	const theme = useTheme();
	const {view, left} = removal.finished;
	const code = runExitCode(view.outcome);
	useCommands('removeDone', {finish: () => onExit(code), quit: () => onExit(code)});
	const contexts = removal.input.clusters.map(c => c.context).join(', ');
	const outcome = view.outcome;
	const headline = outcome?.cancelled
		? {tone: 'warn' as const, text: 'Cancelled: steps already done stay done; run the removal again to finish it.'}
		: outcome?.ok
			? {tone: 'ok' as const, text: `Removed eastwest's setup of profile ${removal.profile} from ${contexts}.`}
			: {tone: 'error' as const, text: 'The removal failed on at least one cluster.'};
	const again = `eastwest remove --profile ${removal.profile}${removal.ca ? ' --ca' : ''}`;
	const leftLines = left.map(l => `${l.cluster} (${l.context}): ${l.reason}`);
	// Richest first: what each step removed and every reason in full; then reasons cut to a row; then fewer of them.
	const layouts: Array<readonly [details: boolean, wrapLeft: boolean, shownLeft: number]> = [
		[true, true, left.length],
		[false, true, left.length],
	];
	for (let n = left.length; n >= 0; n--) layouts.push([false, false, n]);
	const draw = ([details, wrapLeft, shownLeft]: (typeof layouts)[number]) => (
		<Box flexDirection="column">
			<Mark status={headline.tone} bold>
				{headline.text}
			</Mark>
			{view.error ? (
				<Text color={theme.tone('error')} wrap="wrap">
					{view.error}
				</Text>
			) : null}
			<Box flexDirection="column" marginTop={1}>
				{view.clusters.map(c => (
					<ClusterOutcome key={c.name} cluster={c} idle="nothing eastwest set up here" counts={removalCounts(c)}>
						{details
							? c.steps
									.filter(s => s.status === 'changed')
									.map(s => (
										<Text key={s.id} wrap="truncate-end" color={theme.tone('muted')}>
											{'    '}
											{s.detail ?? s.title}
										</Text>
									))
							: null}
					</ClusterOutcome>
				))}
			</Box>
			{left.length > 0 ? (
				<Box flexDirection="column" marginTop={1}>
					<Text bold>Left in place (not eastwest&apos;s, or kept by design)</Text>
					{leftLines.slice(0, shownLeft).map((line, i) => (
						<Box key={i} paddingLeft={2}>
							<Text wrap={wrapLeft ? 'wrap' : 'truncate-end'}>{line}</Text>
						</Box>
					))}
					{shownLeft < left.length ? (
						<Text color={theme.tone('muted')} wrap="truncate-end">
							{'  '}… {left.length - shownLeft} more: {again} --dry-run lists them
						</Text>
					) : null}
				</Box>
			) : null}
			<Box flexDirection="column" marginTop={1}>
				<Text wrap="wrap" color={theme.tone('muted')}>
					{NEVER_TOUCHED}
				</Text>
				<Text wrap="wrap">
					The profile stays: <Text color={theme.tone('accent')}>eastwest apply --profile {removal.profile}</Text> sets it up again; rerun the removal with{' '}
					<Text color={theme.tone('accent')}>{again}</Text>.
				</Text>
			</Box>
			<Box marginTop={1}>
				<Text color={theme.tone('muted')}>exit code {code}</Text>
			</Box>
			<KeyHints scope="removeDone" />
		</Box>
	);
	return <Fit layouts={layouts} render={draw} />;
}
