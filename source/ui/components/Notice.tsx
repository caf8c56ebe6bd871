import React from 'react';
import {Text} from 'ink';
import {useTheme} from '../theme.js';

/** One line saying why the last key did nothing. */
export function Notice({text, ok = false}: {text?: string; ok?: boolean}) {
	const theme = useTheme();
	if (!text) return null;
	return (
		<Text color={theme.tone(ok ? 'ok' : 'warn')} wrap="wrap">
			{ok ? theme.symbols.ok : theme.symbols.warn} {text}
		</Text>
	);
}
