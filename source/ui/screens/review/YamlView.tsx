import React from 'react';
import {Box, Text} from 'ink';
import {KeyHints} from '../../components/KeyHints.js';
import {useTheme} from '../../theme.js';

/** A window of the exact YAML per cluster, `rows` lines from `scroll`. */
export function YamlView({lines, scroll, rows}: {lines: readonly string[]; scroll: number; rows: number}) {
	const theme = useTheme();
	const shown = lines.slice(scroll, scroll + rows);
	return (
		<Box flexDirection="column">
			<Text bold>
				Exact YAML per cluster{' '}
				<Text color={theme.tone('muted')}>
					(lines {scroll + 1}–{scroll + shown.length} of {lines.length})
				</Text>
			</Text>
			{shown.map((line, i) => (
				<Text key={scroll + i} wrap="truncate-end" color={line.startsWith('# ') ? theme.tone('title') : undefined}>
					{line || ' '}
				</Text>
			))}
			<KeyHints scope="reviewYaml" />
		</Box>
	);
}
