import React, {type ReactNode} from 'react';
import {Box, Text} from 'ink';
import type {ClusterView} from '../../core/run-progress.js';
import {useTheme} from '../theme.js';
import {Mark} from './Mark.js';

export interface ClusterOutcomeProps {
	cluster: ClusterView;
	/** What a cluster with no steps says instead of its outcome. */
	idle: string;
	/** The step counts after the outcome ("2 changed, 1 already in place"). */
	counts: string;
	/** Drawn under the headline, before the failures (the gateway address, what each step did). */
	children?: ReactNode;
}

/** One cluster on a Done screen: its mark, name, context and outcome with counts, then each failed step with its hint. */
export function ClusterOutcome({cluster: c, idle, counts, children}: ClusterOutcomeProps) {
	const theme = useTheme();
	const isIdle = c.steps.length === 0;
	return (
		<Box flexDirection="column">
			<Text wrap="truncate-end">
				<Mark status={isIdle ? 'idle' : (c.outcome ?? 'cancelled')} /> <Text bold>{c.name}</Text>
				<Text color={theme.tone('muted')}> ({c.context})</Text> {isIdle ? idle : `${c.outcome ?? 'unknown'}: ${counts}`}
			</Text>
			{children}
			{c.steps
				.filter(s => s.status === 'failed')
				.map(s => (
					<Box key={s.id} paddingLeft={2} flexDirection="column">
						<Text color={theme.tone('error')} wrap="wrap">
							{s.title}: {s.error}
						</Text>
						{s.hint ? <Text wrap="wrap">hint: {s.hint}</Text> : null}
					</Box>
				))}
		</Box>
	);
}
