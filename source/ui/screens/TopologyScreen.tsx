import React, {useState} from 'react';
import {Box, Text} from 'ink';
import {TOPOLOGIES, TOPOLOGY_INFO, type Topology} from '../../core/model.js';
import {KeyHints} from '../components/KeyHints.js';
import {useCommands} from '../hooks/useCommands.js';
import {useTheme} from '../theme.js';

/** Small pictures: clusters, networks, the east-west gateway and what crosses it. */
export const DIAGRAMS: Record<Topology, string[]> = {
	'primary-remote': [
		'  ── network1 (one flat network) ─────────────────────────────',
		'  ┌ primary ───────────────┐           ┌ remote ──────────────┐',
		'  │ istiod                 │  istiod   │ pods, no istiod      │',
		'  │ east-west gateway ◄────┼─ 15012 ───┤ (config and certs    │',
		'  └────────────────────────┘   15017   │  via the gateway)    │',
		'    pods ◄──────── direct pod-to-pod ──┴─► pods ──────────────┘',
	],
	'multi-network': [
		'  network1                          network2',
		'  ┌ primary ───────────────┐       ┌ primary ───────────────┐',
		'  │ istiod, pods           │ mTLS  │ istiod, pods           │',
		'  │ east-west gateway ◄────┼─15443─┼─► east-west gateway    │',
		'  └────────────────────────┘       └────────────────────────┘',
		'    services cross networks only through the gateways (15443)',
	],
	'primary-remote-multi-network': [
		'  network1                          network2',
		'  ┌ primary ───────────────┐       ┌ remote ────────────────┐',
		'  │ istiod, pods           │ 15012 │ pods, no istiod        │',
		'  │ east-west gateway ◄────┼─15017─┤                        │',
		'  │                   ◄────┼─15443─┼─► east-west gateway    │',
		'  └────────────────────────┘       └────────────────────────┘',
	],
};

export interface TopologyScreenProps {
	initial: Topology;
	onChoose: (t: Topology) => void;
	/** Saved profiles there are to remove the setup of; the last entry offers it when there is at least one. */
	savedProfiles?: number;
	onRemove?: () => void;
}

export function TopologyScreen({initial, onChoose, savedProfiles = 0, onRemove}: TopologyScreenProps) {
	const theme = useTheme();
	const [index, setIndex] = useState(Math.max(0, TOPOLOGIES.indexOf(initial)));
	const removable = savedProfiles > 0 && onRemove !== undefined;
	const count = TOPOLOGIES.length + (removable ? 1 : 0);
	const onRemoveEntry = removable && index === TOPOLOGIES.length;
	useCommands('topology', {
		up: () => setIndex(i => (i + count - 1) % count),
		down: () => setIndex(i => (i + 1) % count),
		next: () => (onRemoveEntry ? onRemove!() : onChoose(TOPOLOGIES[Math.min(index, TOPOLOGIES.length - 1)]!)),
		back: undefined,
	});
	const current = TOPOLOGIES[Math.min(index, TOPOLOGIES.length - 1)]!;
	return (
		<Box flexDirection="column">
			<Text bold>Which multicluster topology?</Text>
			<Box flexDirection="column" marginTop={1}>
				{TOPOLOGIES.map((t, i) => (
					<Box key={t} flexDirection="column">
						<Text color={i === index ? theme.tone('accent') : undefined} bold={i === index}>
							{i === index ? theme.symbols.pointer : ' '} {TOPOLOGY_INFO[t].title}
						</Text>
						<Box paddingLeft={4}>
							<Text color={theme.tone('muted')} wrap="wrap">
								{TOPOLOGY_INFO[t].when}
							</Text>
						</Box>
					</Box>
				))}
				{removable ? (
					<Text color={onRemoveEntry ? theme.tone('accent') : undefined} bold={onRemoveEntry}>
						{onRemoveEntry ? theme.symbols.pointer : ' '} Remove a saved setup{' '}
						<Text color={theme.tone('muted')}>
							({savedProfiles} saved profile{savedProfiles === 1 ? '' : 's'})
						</Text>
					</Text>
				) : null}
			</Box>
			<Box flexDirection="column" marginTop={1}>
				{onRemoveEntry ? (
					<Text wrap="wrap" color={theme.tone('muted')}>
						Take out exactly what eastwest set up for a saved profile, per context: istio-system, Istio&apos;s CRDs and control planes eastwest did not install
						stay.
					</Text>
				) : (
					DIAGRAMS[current].map((line, i) => (
						<Text key={i} wrap="truncate-end">
							{line}
						</Text>
					))
				)}
			</Box>
			<Box marginTop={1}>
				<KeyHints scope="topology" />
			</Box>
		</Box>
	);
}
