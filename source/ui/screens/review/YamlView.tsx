import React, {type RefObject} from 'react';
import {Box, Text, type DOMElement} from 'ink';
import {KeyHints} from '../../components/KeyHints.js';
import {useTheme} from '../../theme.js';

/** A window of the exact YAML per cluster, `rows` lines from `scroll`; `room` is measured for the rows (useRowsLeft). */
export function YamlView({
	lines,
	scroll,
	rows,
	room,
}: {
	lines: readonly string[];
	scroll: number;
	rows: number;
	room?: {screen: RefObject<DOMElement | null>; window: RefObject<DOMElement | null>};
}) {
	const theme = useTheme();
	const shown = lines.slice(scroll, scroll + rows);
	return (
		<Box ref={room?.screen} flexDirection="column">
			<Text bold>
				Exact YAML per cluster{' '}
				<Text color={theme.tone('muted')}>
					(lines {scroll + 1}–{scroll + shown.length} of {lines.length})
				</Text>
			</Text>
			<Box ref={room?.window} flexDirection="column">
				{shown.map((line, i) => (
					<Text key={scroll + i} wrap="truncate-end" color={line.startsWith('# ') ? theme.tone('title') : undefined}>
						{line || ' '}
					</Text>
				))}
			</Box>
			<KeyHints scope="reviewYaml" />
		</Box>
	);
}
