import React from 'react';
import {Text} from 'ink';
import {SCREEN_COMMANDS, hintLine, type Command, type KeyScope} from '../keys.js';
import {useTheme} from '../theme.js';

/** The hint line, generated from the keymap for the keys the screen offers (less those that would do nothing now). */
export function KeyHints({scope, textEntry = false, without = []}: {scope: KeyScope; textEntry?: boolean; without?: readonly Command[]}) {
	const theme = useTheme();
	const commands: readonly Command[] = SCREEN_COMMANDS[scope];
	return (
		<Text color={theme.tone('muted')} wrap="wrap">
			{hintLine(
				commands.filter(c => !without.includes(c)),
				textEntry,
			)}
		</Text>
	);
}
