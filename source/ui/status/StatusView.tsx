import React, {useEffect, useState} from 'react';
import {Box, Text, useApp, useStdout} from 'ink';
import {formatElapsed} from '../../core/events.js';
import {clusterHeading, rowKey, topologyPicture, type ClusterHealth, type Level} from '../../core/status.js';
import type {MeshTrustLevel} from '../../core/trust.js';
import type {StatusMonitor} from '../../engine/status-monitor.js';
import {EXIT} from '../../core/exit-codes.js';
import {Fit, ScreenRowsContext} from '../components/Fit.js';
import {Mark} from '../components/Mark.js';
import {useKeypress} from '../hooks/useKeypress.js';
import {SCREEN_COMMANDS, hintLine, matchCommand} from '../keys.js';
import {useTheme, type MarkStatus, type Tone} from '../theme.js';

/** A row's level as the wizard marks it. */
const MARK: Record<Level, MarkStatus> = {ok: 'ok', warn: 'warn', fail: 'fail'};
/** The mesh's trust verdict as the wizard marks it. */
const TRUST_MARK: Record<MeshTrustLevel, MarkStatus> = {pass: 'ok', warn: 'warn', fail: 'fail', unknown: 'skip'};

export interface StatusViewProps {
	monitor: StatusMonitor;
	onQuit?: (code: number) => void;
	/** Injected clock for tests. */
	now?: () => number;
}

/** Live gateway health across clusters, redrawn from watch events; it has the whole terminal (no header). */
export default function StatusView(props: StatusViewProps) {
	const {stdout} = useStdout();
	return (
		<ScreenRowsContext.Provider value={stdout.rows || 24}>
			<Status {...props} />
		</ScreenRowsContext.Provider>
	);
}

function Status({monitor, onQuit, now = Date.now}: StatusViewProps) {
	const {exit} = useApp();
	const theme = useTheme();
	const [health, setHealth] = useState<ClusterHealth[]>(() => monitor.snapshot());
	const [updatedAt, setUpdatedAt] = useState<number | undefined>();
	const [startedAt] = useState(now);
	const [, setTick] = useState(0);

	useEffect(() => {
		const unsubscribe = monitor.subscribe(h => {
			setHealth(h);
			setUpdatedAt(now());
		});
		monitor.start();
		// A one-second tick keeps "waiting for …" and "updated … ago" honest; it reads no cluster.
		const timer = setInterval(() => setTick(t => t + 1), 1000);
		return () => {
			clearInterval(timer);
			unsubscribe();
			monitor.stop();
		};
	}, [monitor, now]);

	useKeypress(({input, key}) => {
		const command = matchCommand(SCREEN_COMMANDS.status, input, key, false);
		if (!command) return false;
		// q and Esc leave with 0; Ctrl-C with the interrupted code.
		onQuit?.(key.ctrl ? EXIT.interrupted : EXIT.ok);
		exit();
		return true;
	});

	const waiting = monitor.waitingFor;
	const picture = topologyPicture(health);
	const tone = (c: ClusterHealth): Tone => (!c.reachable ? 'error' : c.stale ? 'warn' : c.healthy ? 'ok' : 'error');
	const keys = hintLine(SCREEN_COMMANDS.status);
	// Whether the clusters trust one root (absent for a single cluster), from what the watches hold now.
	const trust = monitor.trust();
	const trustHint = trust && trust.level !== 'pass' ? trust.hint : undefined;
	// Everything, or, when that is taller than the terminal, passing rows folded into one line per cluster.
	const view = (compact: boolean) => (
		<Box flexDirection="column">
			<Text bold>
				eastwest status · {health.length} cluster{health.length === 1 ? '' : 's'}
				<Text color={theme.tone('muted')}>
					{updatedAt === undefined ? ` · connecting (${formatElapsed(now() - startedAt)})` : ` · updated ${formatElapsed(now() - updatedAt)} ago`}
				</Text>
			</Text>
			{waiting.length > 0 ? (
				<Text color={theme.tone('warn')}>
					… waiting for the first answer from {waiting.join(', ')} ({formatElapsed(now() - startedAt)})
				</Text>
			) : null}
			<Box flexDirection="column" marginY={compact ? 0 : 1}>
				{picture.map((line, i) => (
					<Text key={i}>{line}</Text>
				))}
			</Box>
			{health.map(c => (
				<Box key={c.context} flexDirection="column" marginBottom={compact ? 0 : 1}>
					<Text bold color={theme.tone(tone(c))}>
						{clusterHeading(c)}
					</Text>
					{c.error ? (
						<Text color={theme.tone('error')}>
							{'  '}
							{theme.symbols.error} {c.error}
						</Text>
					) : null}
					{compact && c.rows.some(r => r.level === 'ok') ? (
						<Text>
							{'  '}
							<Mark status="ok" />{' '}
							{c.rows
								.filter(r => r.level === 'ok')
								.map(r => r.label)
								.join(', ')}
						</Text>
					) : null}
					{c.rows
						.filter(r => !compact || r.level !== 'ok')
						.map(r => (
							<Box key={rowKey(r)} flexDirection="column">
								<Text>
									{'  '}
									<Mark status={MARK[r.level]} /> {r.label.padEnd(16)} {r.text}
								</Text>
								{r.reason ? (
									<Text color={theme.tone('muted')}>
										{'      '}
										{r.reason}
									</Text>
								) : null}
							</Box>
						))}
				</Box>
			))}
			{trust ? (
				<Box flexDirection="column" marginBottom={compact ? 0 : 1}>
					<Text>
						<Mark status={TRUST_MARK[trust.level]} /> {'trust'.padEnd(16)} {trust.line}
					</Text>
					{trustHint ? (
						<Text color={theme.tone('muted')}>
							{'      '}
							{trustHint}
						</Text>
					) : null}
				</Box>
			) : null}
			<Text color={theme.tone('muted')}>
				{compact ? `${keys} · live from watches` : `${keys} · updates arrive from watches; a dropped watch reconnects and marks the cluster stale`}
			</Text>
		</Box>
	);
	return <Fit layouts={[false, true]} render={view} />;
}
