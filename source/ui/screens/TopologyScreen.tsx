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

export function TopologyScreen({initial, onChoose}: {initial: Topology; onChoose: (t: Topology) => void}) {
	const theme = useTheme();
	const [index, setIndex] = useState(Math.max(0, TOPOLOGIES.indexOf(initial)));
	useCommands('topology', {
		up: () => setIndex(i => (i + TOPOLOGIES.length - 1) % TOPOLOGIES.length),
		down: () => setIndex(i => (i + 1) % TOPOLOGIES.length),
		next: () => onChoose(TOPOLOGIES[index]!),
		back: undefined,
	});
	const current = TOPOLOGIES[index]!;
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
			</Box>
			<Box flexDirection="column" marginTop={1}>
				{DIAGRAMS[current].map((line, i) => (
					<Text key={i} wrap="truncate-end">
						{line}
					</Text>
				))}
			</Box>
			<Box marginTop={1}>
				<KeyHints scope="topology" />
			</Box>
		</Box>
	);
}
