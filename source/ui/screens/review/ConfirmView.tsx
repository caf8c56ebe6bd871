import React from 'react';
import {Box, Text} from 'ink';
import type {RunGate, ToolsCheck} from '../../../core/wizard.js';
import {KeyHints} from '../../components/KeyHints.js';
import {Mark} from '../../components/Mark.js';
import {useTheme} from '../../theme.js';
import {ToolsLine, type ReviewChecks} from './PlanView.js';
import {plural} from '../../../core/text.js';

export type Changes = Array<{context: string; cluster: string; changes: string[]}>;

export interface ConfirmViewProps {
	changes: Changes;
	checks: ReviewChecks | undefined;
	gate: RunGate;
	/** The run was confirmed and waits for the istioctl check. */
	asked: boolean;
	tools: ToolsCheck | undefined;
}

function prompt(checks: ReviewChecks | undefined): string {
	return checks && checks.failed > 0 ? `Proceed despite ${plural(checks.failed, 'failed preflight check')}? (y/N)` : 'Proceed? (y/N)';
}

/** What the run changes per context, then the question; while istioctl is checked or unusable, that too. */
export function ConfirmView(props: ConfirmViewProps & {tight: boolean}) {
	const {changes, checks, gate, asked, tools, tight} = props;
	const theme = useTheme();
	return (
		<Box flexDirection="column">
			<Text bold>This will change:</Text>
			{changes.map(c => (
				<Box key={c.context} flexDirection="column" marginTop={tight ? 0 : 1}>
					<Text bold wrap={tight ? 'truncate-end' : 'wrap'}>
						context {c.context} <Text color={theme.tone('muted')}>(cluster {c.cluster})</Text>
					</Text>
					{c.changes.length === 0 ? <Text color={theme.tone('muted')}> nothing changes on this cluster</Text> : null}
					{c.changes.map((line, i) => (
						<Box key={i} paddingLeft={2}>
							<Box width={2} flexShrink={0}>
								<Text>•</Text>
							</Box>
							<Text wrap={tight ? 'truncate-end' : 'wrap'}>{line}</Text>
						</Box>
					))}
				</Box>
			))}
			<Box marginTop={1} flexDirection="column">
				{gate.state === 'blocked' ? (
					<Mark status="error" bold>
						{gate.reason}
					</Mark>
				) : asked && gate.state === 'waiting' ? (
					<Mark status="warn" bold>
						{gate.reason}: the run starts as soon as istioctl answers (n takes it back)
					</Mark>
				) : (
					<Text bold color={theme.tone('warn')} wrap="wrap">
						{prompt(checks)}
					</Text>
				)}
				{gate.state === 'waiting' && !asked && tools ? <ToolsLine tools={tools} /> : null}
			</Box>
			<KeyHints scope="confirm" />
		</Box>
	);
}
