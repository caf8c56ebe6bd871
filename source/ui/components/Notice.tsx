import React from 'react';
import {Text} from 'ink';
import {useTheme} from '../theme.js';

/** One line saying why the last key did nothing. */
export function Notice({text}: {text?: string}) {
	const theme = useTheme();
	if (!text) return null;
	return (
		<Text color={theme.tone('warn')} wrap="wrap">
			{theme.symbols.warn} {text}
		</Text>
	);
}
