import React, {useEffect, useState} from 'react';
import {Box, Text} from 'ink';
import type {Plan} from '../../core/plan.js';
import type {TeardownPlan} from '../../core/teardown.js';
import {clustersInRows, type ClusterState, type RunView} from '../../core/run-progress.js';
import {ClusterLine, ClusterProgress} from '../components/ClusterProgress.js';
import {Fit, useRowsLeft, useScreenSize} from '../components/Fit.js';
import {KeyHints} from '../components/KeyHints.js';
import {useCommands} from '../hooks/useCommands.js';
import {usePlanRun, type StartRun} from '../hooks/usePlanRun.js';
import {useTicker} from '../hooks/useTicker.js';
import type {WizardServices} from '../services.js';
import {useTheme} from '../theme.js';

const LAYOUTS = ['full', 'compact', 'lines'] as const;

/** Columns each cluster needs to sit side by side; below that clusters stack. */
export const MIN_COLUMN_WIDTH = 38;

export interface RunScreenProps {
	plan: Plan | TeardownPlan;
	/** A teardown: how it starts (services.removePlan) and the screen's title. */
	start?: StartRun;
	title?: string;
	services: WizardServices;
	onFinished: (view: RunView) => void;
	/** Set when the process was told to stop (SIGINT/SIGTERM): cancel without asking. */
	cancelRequested?: boolean;
	/** Restart istiod after plug-ca changed cacerts (the engine's restartIstiod). */
	restartIstiod?: boolean;
}

export function RunScreen({plan, services, onFinished, cancelRequested = false, restartIstiod = false, start, title}: RunScreenProps) {
	const theme = useTheme();
	const {view, cancel, cancelling} = usePlanRun(plan, services, start, {restartIstiod});
	const [asking, setAsking] = useState(false);
	const finished = view.outcome !== undefined;
	const tick = useTicker(!finished);

	useEffect(() => {
		if (view.outcome) onFinished(view);
	}, [view, onFinished]);
	useEffect(() => {
		if (cancelRequested) cancel();
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [cancelRequested]);

	const confirmCancel = () => {
		setAsking(false);
		cancel();
	};
	useCommands(
		asking ? 'quitConfirm' : 'run',
		asking ? {confirm: confirmCancel, deny: () => setAsking(false)} : {quit: () => !cancelling && setAsking(true), back: undefined},
		{
			isActive: !finished,
		},
	);
	// While asking, Ctrl-C again means yes.
	useCommands('run', {quit: confirmCancel, help: undefined}, {isActive: asking && !finished});

	const {columns} = useScreenSize();
	const n = view.clusters.length;
	const sideBySide = n > 1 && Math.floor(columns / n) >= MIN_COLUMN_WIDTH;
	const width = sideBySide ? Math.floor(columns / n) : undefined;
	// The clusters get the rows the title and the key hints leave (as drawn, measured), and one kept for the
	// cancelling or "Cancel the run?" line.
	const room = useRowsLeft({min: 1, reserve: cancelling || asking ? 0 : 1});
	const now = Date.now();
	return (
		<Box ref={room.screen} flexDirection="column">
			<Text bold>{title ?? `Setting up ${plan.input.meshId} on ${n} cluster${n === 1 ? '' : 's'}`}</Text>
			<Box ref={room.window} flexDirection="column">
				<Fit
					rows={room.rows}
					// Every step with its detail; short of rows, finished steps folded; shorter still, one line per cluster.
					layouts={LAYOUTS}
					render={layout =>
						layout === 'lines' ? (
							<ClusterLines view={view} rows={Math.max(1, room.rows - 1)} tick={tick} now={now} />
						) : (
							<Box flexDirection={sideBySide ? 'row' : 'column'} marginTop={1}>
								{view.clusters.map(c => (
									<ClusterProgress key={c.name} cluster={c} width={width} tick={tick} now={now} compact={layout === 'compact'} />
								))}
							</Box>
						)
					}
				/>
			</Box>
			{cancelling ? (
				<Text color={theme.tone('warn')}>
					{theme.spinner[tick % theme.spinner.length]} cancelling: waiting for the running steps to stop (istioctl is sent SIGTERM)…
				</Text>
			) : null}
			{asking ? (
				<Text bold color={theme.tone('warn')}>
					Cancel the run? Steps already done stay done; running steps are stopped. (y/N)
				</Text>
			) : null}
			<KeyHints scope={asking ? 'quitConfirm' : 'run'} />
		</Box>
	);
}

const HIDDEN_WORDS: Array<[ClusterState, string]> = [
	['failed', 'failed'],
	['running', 'running'],
	['cancelled', 'cancelled'],
	['pending', 'waiting to start'],
	['done', 'done'],
];

/** Many clusters: one row each, those needing attention first when even that does not fit, and a count of the rest. */
function ClusterLines({view, rows, tick, now}: {view: RunView; rows: number; tick: number; now: number}) {
	const theme = useTheme();
	const {shown, hidden} = clustersInRows(view.clusters, rows);
	const nameWidth = Math.max(...shown.map(c => c.name.length));
	const rest = HIDDEN_WORDS.filter(([state]) => (hidden[state] ?? 0) > 0).map(([state, word]) => `${hidden[state]} ${word}`);
	return (
		<Box flexDirection="column" marginTop={1}>
			{shown.map(c => (
				<ClusterLine key={c.name} cluster={c} nameWidth={nameWidth} tick={tick} now={now} />
			))}
			{rest.length > 0 ? (
				<Text color={theme.tone('muted')} wrap="truncate-end">
					… {view.clusters.length - shown.length} more cluster{view.clusters.length - shown.length === 1 ? '' : 's'}: {rest.join(', ')}
				</Text>
			) : null}
		</Box>
	);
}
