import React from 'react';
import {Box, Text} from 'ink';
import {KeyHints} from '../components/KeyHints.js';
import {useCommands} from '../hooks/useCommands.js';
import {useTheme} from '../theme.js';

/** No kubeconfig, an unreadable one, or one without contexts: where eastwest looked and how to point it elsewhere. */
export function NoKubeconfigScreen({reason, searched, onExit}: {reason: string; searched: string[]; onExit: (code: number) => void}) {
	const theme = useTheme();
	useCommands('noKubeconfig', {quit: () => onExit(2)});
	return (
		<Box flexDirection="column">
			<Text bold color={theme.tone('error')}>
				{theme.symbols.error} {reason}
			</Text>
			<Box flexDirection="column" marginTop={1}>
				<Text>Looked in:</Text>
				{searched.length === 0 ? <Text color={theme.tone('muted')}> (nowhere: no KUBECONFIG and no home directory)</Text> : null}
				{searched.map(p => (
					<Text key={p} wrap="truncate-start">
						{'  '}
						{p}
					</Text>
				))}
			</Box>
			<Box flexDirection="column" marginTop={1}>
				<Text>Point eastwest at your clusters with one of:</Text>
				<Text>{'  '}eastwest --kubeconfig /path/to/kubeconfig</Text>
				<Text>{'  '}KUBECONFIG=/path/a:/path/b eastwest</Text>
				<Text color={theme.tone('muted')}>{'  '}(each context you pick must reach its cluster's API server)</Text>
			</Box>
			<Box marginTop={1}>
				<KeyHints scope="noKubeconfig" />
			</Box>
		</Box>
	);
}
