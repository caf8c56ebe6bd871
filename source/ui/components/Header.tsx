import React from 'react';
import {Box, Text} from 'ink';
import type {Screen} from '../../core/wizard.js';
import {useTheme} from '../theme.js';

const STEPS: Array<[Screen, string]> = [
	['topology', 'Topology'],
	['contexts', 'Contexts'],
	['ids', 'IDs'],
	['trust', 'Trust'],
	['checks', 'Checks'],
	['review', 'Review'],
	['run', 'Run'],
	['done', 'Done'],
];

/** Removing a saved setup has its own steps. */
const REMOVE_STEPS: Array<[Screen, string]> = [
	['remove-profiles', 'Profile'],
	['remove-review', 'Review'],
	['remove-run', 'Remove'],
	['remove-done', 'Done'],
];

/** "eastwest  Topology › Contexts › IDs › …" with the current step highlighted. */
export function Header({screen}: {screen: Screen}) {
	const theme = useTheme();
	const removing = REMOVE_STEPS.some(([id]) => id === screen);
	return (
		<Box>
			<Text bold color={theme.tone('title')}>
				{removing ? 'eastwest remove' : 'eastwest'}
				{'  '}
			</Text>
			{(removing ? REMOVE_STEPS : STEPS).map(([id, label], i) => (
				<Text key={id} bold={id === screen} color={id === screen ? theme.tone('accent') : theme.tone('muted')}>
					{i > 0 ? ' › ' : ''}
					{id === screen ? `[${label}]` : label}
				</Text>
			))}
		</Box>
	);
}
