import React from 'react';
import {Box, Text} from 'ink';
import {PRIORITY, useKeypress} from '../hooks/useKeypress.js';
import {KEYMAP, SCOPE_TITLES, SCREEN_COMMANDS, type KeyScope} from '../keys.js';
import {useTheme} from '../theme.js';

/** Every key of the current screen, then the rest of the wizard's keys; any key closes it. */
export function Help({scope, onClose}: {scope: KeyScope; onClose: () => void}) {
	const theme = useTheme();
	useKeypress(
		() => {
			onClose();
			return true;
		},
		{priority: PRIORITY.overlay},
	);
	const commands = SCREEN_COMMANDS[scope];
	const others = [...new Set(Object.values(SCREEN_COMMANDS).flat())].filter(c => !(commands as readonly string[]).includes(c));
	const row = (c: keyof typeof KEYMAP) => (
		<Box key={c}>
			<Box width={12}>
				<Text color={theme.tone('accent')}>{KEYMAP[c].keys}</Text>
			</Box>
			<Text wrap="truncate-end">{KEYMAP[c].description}</Text>
		</Box>
	);
	return (
		<Box flexDirection="column">
			<Text bold>Keys: {SCOPE_TITLES[scope]}</Text>
			{commands.map(row)}
			{others.length > 0 ? <Text bold>Elsewhere in the wizard</Text> : null}
			{others.map(row)}
			<Text color={theme.tone('muted')}>any key closes this help</Text>
		</Box>
	);
}
