import React from 'react';
import {Box, Text} from 'ink';
import {formatElapsed} from '../../core/events.js';
import {summarizeCluster, type ClusterState, type ClusterView, type StepView} from '../../core/run-progress.js';
import {formatAddress} from '../../core/rollout.js';
import {useTheme} from '../theme.js';
import {Mark} from './Mark.js';
import {STEP_SHORT} from '../step-labels.js';

/** One cluster's column on the run screen: finished steps, the live step, the gateway address. */
export interface ClusterProgressProps {
	cluster: ClusterView;
	width?: number;
	tick: number;
	now: number;
	/** Short of rows: finished steps fold into one line and only the next pending step shows. */
	compact?: boolean;
}

const FINISHED = new Set(['changed', 'unchanged', 'skipped']);

export function ClusterProgress({cluster, width, tick, now, compact = false}: ClusterProgressProps) {
	const theme = useTheme();
	const spinner = theme.spinner[tick % theme.spinner.length];
	const line = (s: StepView) => {
		switch (s.status) {
			case 'changed':
			case 'unchanged':
			case 'skipped':
				return (
					<Box key={s.id} flexDirection="column">
						<Text wrap="wrap">
							<Mark status={s.status} /> {s.title}
							<Text color={theme.tone('muted')}>
								{s.status === 'unchanged' ? ' (already in place)' : s.status === 'skipped' ? ' (skipped)' : ''}
								{s.elapsedMs !== undefined ? ` ${formatElapsed(s.elapsedMs)}` : ''}
							</Text>
						</Text>
						{s.detail ? (
							<Box paddingLeft={2}>
								<Text color={theme.tone('muted')} wrap="wrap">
									{s.detail}
								</Text>
							</Box>
						) : null}
					</Box>
				);
			case 'failed':
				return (
					<Box key={s.id} flexDirection="column">
						<Text wrap="wrap">
							<Mark status="failed" /> {s.title}
						</Text>
						<Box paddingLeft={2} flexDirection="column">
							<Text color={theme.tone('error')} wrap="wrap">
								{s.error}
							</Text>
							{s.hint ? <Text wrap="wrap">hint: {s.hint}</Text> : null}
						</Box>
					</Box>
				);
			case 'running':
				return (
					<Box key={s.id} flexDirection="column">
						<Text wrap="wrap">
							<Text color={theme.tone('accent')}>{spinner}</Text> {s.title}
							<Text color={theme.tone('muted')}> {formatElapsed(Math.max(0, now - (s.startedAt ?? now)))}</Text>
						</Text>
						{s.waiting || s.lastLine ? (
							<Box paddingLeft={2}>
								<Text color={theme.tone('muted')} wrap="wrap">
									{s.waiting ? `waiting: ${s.waiting}` : s.lastLine}
								</Text>
							</Box>
						) : null}
					</Box>
				);
			default:
				return (
					<Text key={s.id} wrap="wrap">
						<Mark status="pending">{s.title}</Mark>
					</Text>
				);
		}
	};
	function compactLines() {
		const finished = cluster.steps.filter(s => FINISHED.has(s.status));
		const rest = cluster.steps.filter(s => !FINISHED.has(s.status));
		const firstPending = rest.findIndex(s => s.status === 'pending');
		const shown = rest.filter((s, i) => s.status !== 'pending' || i === firstPending);
		const hidden = rest.length - shown.length;
		return [
			finished.length > 0 ? (
				<Text key="done" wrap="truncate-end">
					<Mark status="ok" /> {finished.length} of {cluster.steps.length} steps done
					<Text color={theme.tone('muted')}> (last: {finished.at(-1)!.title})</Text>
				</Text>
			) : null,
			...shown.map(line),
			hidden > 0 ? (
				<Mark key="more" status="pending">
					{hidden} more step{hidden === 1 ? '' : 's'}
				</Mark>
			) : null,
		];
	}

	return (
		<Box flexDirection="column" width={width} flexShrink={0} paddingRight={width ? 2 : 0} marginBottom={width ? 0 : 1}>
			<Text bold wrap="truncate-end">
				<Text color={theme.tone('accent')}>{cluster.name}</Text>
				<Text color={theme.tone('muted')}> context {cluster.context}</Text>
			</Text>
			<Text wrap="truncate-end">
				gateway:{' '}
				{cluster.address ? (
					<Text color={theme.tone('ok')}>{formatAddress(cluster.address)}</Text>
				) : (
					<Text color={theme.tone('muted')}>{cluster.steps.some(s => s.kind === 'wait-address') ? 'no address yet' : 'none on this cluster'}</Text>
				)}
			</Text>
			{cluster.steps.length === 0 ? (
				<Text color={theme.tone('muted')} wrap="wrap">
					nothing to do here{cluster.notes[0] ? `: ${cluster.notes[0]}` : ''}
				</Text>
			) : null}
			{compact ? compactLines() : cluster.steps.map(line)}
		</Box>
	);
}

const STATE_WORD: Record<ClusterState, string> = {failed: 'failed', running: '', cancelled: 'cancelled', pending: 'waiting to start', done: 'done'};

/**
 * One cluster in one row, for runs with more clusters than the columns or rows hold:
 * `east-7   ⠋ 2/5 install gateway 12s · queued: 4 istioctl installs ahead`.
 */
export function ClusterLine({cluster, nameWidth, tick, now}: {cluster: ClusterView; nameWidth: number; tick: number; now: number}) {
	const theme = useTheme();
	const {state, done, total, current} = summarizeCluster(cluster);
	const mark =
		state === 'running' ? (
			<Text color={theme.tone('accent')}>{theme.spinner[tick % theme.spinner.length]}</Text>
		) : (
			<Mark status={state === 'done' ? 'ok' : state === 'failed' ? 'failed' : state === 'cancelled' ? 'warn' : 'pending'} />
		);
	const step = current && state !== 'done' ? STEP_SHORT[current.kind] : '';
	const elapsed = current?.status === 'running' ? ` ${formatElapsed(Math.max(0, now - (current.startedAt ?? now)))}` : '';
	const why =
		state === 'failed'
			? current?.error
			: state === 'done'
				? cluster.address
					? `gateway ${formatAddress(cluster.address)}`
					: undefined
				: current?.status === 'running'
					? (current.waiting ?? current.lastLine)
					: undefined;
	return (
		<Text wrap="truncate-end">
			<Text color={theme.tone('accent')}>{cluster.name.padEnd(nameWidth)}</Text> {mark} {total === 0 ? 'nothing to do' : `${done}/${total}`}
			{STATE_WORD[state] ? ` ${STATE_WORD[state]}` : ''}
			{step ? ` ${step}` : ''}
			<Text color={theme.tone('muted')}>
				{elapsed}
				{why ? ` · ${why}` : ''}
			</Text>
		</Text>
	);
}
