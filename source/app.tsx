import React, {useState} from 'react';
import {Box, Text, useApp, useInput} from 'ink';
import {TOPOLOGIES, TOPOLOGY_INFO, type Topology} from './core/model.js';

export interface AppProps {
	onExit?: (code: number) => void;
}

/** The wizard's screen router. */
export default function App({onExit}: AppProps) {
	const {exit} = useApp();
	const [index, setIndex] = useState(0);
	const [chosen, setChosen] = useState<Topology | undefined>();
	useInput((input, key) => {
		if (key.upArrow || input === 'k') setIndex(i => Math.max(0, i - 1));
		else if (key.downArrow || input === 'j') setIndex(i => Math.min(TOPOLOGIES.length - 1, i + 1));
		else if (key.return) setChosen(TOPOLOGIES[index]);
		else if (input === 'q' || (key.ctrl && input === 'c')) {
			onExit?.(0);
			exit();
		}
	});
	return (
		<Box flexDirection="column">
			<Text bold>Which topology?</Text>
			{TOPOLOGIES.map((t, i) => (
				<Box key={t} flexDirection="column">
					<Text color={i === index ? 'cyan' : undefined}>
						{i === index ? '❯ ' : '  '}
						{TOPOLOGY_INFO[t].title}
					</Text>
					<Text dimColor>{'    '}{TOPOLOGY_INFO[t].when}</Text>
				</Box>
			))}
			{chosen ? <Text>Chosen: {TOPOLOGY_INFO[chosen].title}</Text> : null}
			<Text dimColor>↑/↓ move · enter choose · q quit</Text>
		</Box>
	);
}
