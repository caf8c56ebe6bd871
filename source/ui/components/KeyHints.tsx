import React from 'react';
import {Text} from 'ink';
import {SCREEN_COMMANDS, hintLine, type KeyScope} from '../keys.js';
import {useTheme} from '../theme.js';

/** The hint line, generated from the keymap for the keys the screen offers. */
export function KeyHints({scope, textEntry = false}: {scope: KeyScope; textEntry?: boolean}) {
	const theme = useTheme();
	return (
		<Text color={theme.tone('muted')} wrap="wrap">
			{hintLine(SCREEN_COMMANDS[scope], textEntry)}
		</Text>
	);
}
