import React, {useEffect, useState} from 'react';
import {Box, Text, useApp, useInput, useStdout} from 'ink';
import {formatElapsed} from '../../core/events.js';
import {SYMBOL, TRUST_SYMBOL, clusterHeading, rowKey, topologyPicture, type ClusterHealth, type Level} from '../../core/status.js';
import type {MeshTrustLevel} from '../../core/trust.js';
import type {StatusMonitor} from '../../engine/status-monitor.js';
import {EXIT} from '../../core/exit-codes.js';

const COLOR: Record<Level, string> = {ok: 'green', warn: 'yellow', fail: 'red'};
const TRUST_COLOR: Record<MeshTrustLevel, string> = {pass: 'green', warn: 'yellow', fail: 'red', unknown: 'gray'};

export interface StatusViewProps {
	monitor: StatusMonitor;
	onQuit?: (code: number) => void;
	/** Injected clock for tests. */
	now?: () => number;
}

/** Live gateway health across clusters, redrawn from watch events. */
export default function StatusView({monitor, onQuit, now = Date.now}: StatusViewProps) {
	const {exit} = useApp();
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

	useInput((input, key) => {
		if (input === 'q' || key.escape || (key.ctrl && input === 'c')) {
			onQuit?.(key.ctrl ? EXIT.interrupted : EXIT.ok);
			exit();
		}
	});

	const waiting = monitor.waitingFor;
	const {stdout} = useStdout();
	const picture = topologyPicture(health);
	// Whether the clusters trust one root (absent for a single cluster), from what the watches hold now.
	const trust = monitor.trust();
	const trustHint = trust && trust.level !== 'pass' ? trust.hint : undefined;
	// Everything, or, when that is taller than the terminal, passing rows folded into one line per cluster.
	const fullHeight =
		(trust ? 2 + (trustHint ? 1 : 0) : 0) +
		3 + picture.length + 2 + (waiting.length > 0 ? 1 : 0) + health.reduce((n, c) => n + 2 + (c.error ? 1 : 0) + c.rows.length + c.rows.filter(r => r.reason).length, 0);
	const compact = fullHeight > (stdout.rows || 40);
	return (
		<Box flexDirection="column">
			<Text bold>
				eastwest status · {health.length} cluster{health.length === 1 ? '' : 's'}
				<Text dimColor>
					{updatedAt === undefined ? ` · connecting (${formatElapsed(now() - startedAt)})` : ` · updated ${formatElapsed(now() - updatedAt)} ago`}
				</Text>
			</Text>
			{waiting.length > 0 ? (
				<Text color="yellow">… waiting for the first answer from {waiting.join(', ')} ({formatElapsed(now() - startedAt)})</Text>
			) : null}
			<Box flexDirection="column" marginY={compact ? 0 : 1}>
				{picture.map((line, i) => (
					<Text key={i}>{line}</Text>
				))}
			</Box>
			{health.map(c => (
				<Box key={c.context} flexDirection="column" marginBottom={compact ? 0 : 1}>
					<Text bold color={!c.reachable ? 'red' : c.stale ? 'yellow' : c.healthy ? 'green' : 'red'}>
						{clusterHeading(c)}
					</Text>
					{c.error ? <Text color="red">  ✘ {c.error}</Text> : null}
					{compact && c.rows.some(r => r.level === 'ok') ? (
						<Text>
							{'  '}
							<Text color={COLOR.ok}>{SYMBOL.ok}</Text> {c.rows.filter(r => r.level === 'ok').map(r => r.label).join(', ')}
						</Text>
					) : null}
					{c.rows.filter(r => !compact || r.level !== 'ok').map(r => (
						<Box key={rowKey(r)} flexDirection="column">
							<Text>
								{'  '}
								<Text color={COLOR[r.level]}>{SYMBOL[r.level]}</Text> {r.label.padEnd(16)} {r.text}
							</Text>
							{r.reason ? <Text dimColor>{'      '}{r.reason}</Text> : null}
						</Box>
					))}
				</Box>
			))}
			{trust ? (
				<Box flexDirection="column" marginBottom={compact ? 0 : 1}>
					<Text>
						<Text color={TRUST_COLOR[trust.level]}>{TRUST_SYMBOL[trust.level]}</Text> {'trust'.padEnd(16)} {trust.line}
					</Text>
					{trustHint ? <Text dimColor>{'      '}{trustHint}</Text> : null}
				</Box>
			) : null}
			<Text dimColor>{compact ? 'q quit · live from watches' : 'q quit · updates arrive from watches; a dropped watch reconnects and marks the cluster stale'}</Text>
		</Box>
	);
}
