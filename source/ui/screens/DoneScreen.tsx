import React from 'react';
import {Box, Text} from 'ink';
import {formatClusterFlag} from '../../core/cluster-flag.js';
import type {MeshPlanInput} from '../../core/model.js';
import {runExitCode, type RunView} from '../../core/run-progress.js';
import {formatAddress} from '../../core/rollout.js';
import {KeyHints} from '../components/KeyHints.js';
import {useCommands} from '../hooks/useCommands.js';
import {useTheme} from '../theme.js';

/** Quote a shell word only when it needs it. */
function sh(word: string): string {
	return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `eastwest apply` command line that runs the same plan headless. */
export function applyCommand(input: MeshPlanInput, profile?: string): string {
	if (profile) return `eastwest apply --profile ${sh(profile)}`;
	const parts = ['eastwest apply', `--topology ${input.topology}`, `--mesh ${sh(input.meshId)}`];
	for (const c of input.clusters) parts.push(`--cluster ${sh(formatClusterFlag(c))}`);
	if (input.revision) parts.push(`--revision ${sh(input.revision)}`);
	return parts.join(' ');
}

export function statusCommand(input: MeshPlanInput, profile?: string): string {
	if (profile) return `eastwest status --profile ${sh(profile)}`;
	return `eastwest status ${input.clusters.map(c => `--context ${sh(c.context)}`).join(' ')}`;
}

export function DoneScreen({view, input, profile, onExit}: {view: RunView; input: MeshPlanInput; profile?: string; onExit: (code: number) => void}) {
	const theme = useTheme();
	const code = runExitCode(view.outcome);
	useCommands('done', {finish: () => onExit(code), quit: () => onExit(code)});
	const outcome = view.outcome;
	const headline = outcome?.cancelled
		? {tone: 'warn' as const, text: 'Cancelled: the run was stopped; finished steps stay in place.'}
		: outcome?.ok
			? {tone: 'ok' as const, text: `East-west gateways are set up for mesh ${input.meshId}.`}
			: {tone: 'error' as const, text: 'The run failed on at least one cluster.'};
	return (
		<Box flexDirection="column">
			<Text bold color={theme.tone(headline.tone)}>
				{headline.tone === 'ok' ? theme.symbols.ok : headline.tone === 'error' ? theme.symbols.error : theme.symbols.warn} {headline.text}
			</Text>
			{view.error ? (
				<Box marginTop={1}>
					<Text color={theme.tone('error')} wrap="wrap">
						{view.error}
					</Text>
				</Box>
			) : null}
			<Box flexDirection="column" marginTop={1}>
				{view.clusters.map(c => {
					const failed = c.steps.filter(s => s.status === 'failed');
					const changed = c.steps.filter(s => s.status === 'changed').length;
					const unchanged = c.steps.filter(s => s.status === 'unchanged').length;
					const idle = c.steps.length === 0;
					const sym = idle ? theme.symbols.skipped : c.outcome === 'succeeded' ? theme.symbols.ok : c.outcome === 'failed' ? theme.symbols.error : theme.symbols.warn;
					const tone = idle ? 'muted' : c.outcome === 'succeeded' ? 'ok' : c.outcome === 'failed' ? 'error' : 'warn';
					return (
						<Box key={c.name} flexDirection="column">
							<Text wrap="truncate-end">
								<Text color={theme.tone(tone)}>{sym}</Text> <Text bold>{c.name}</Text>
								<Text color={theme.tone('muted')}> ({c.context})</Text>{' '}
								{idle ? 'nothing to do on this cluster' : `${c.outcome ?? 'unknown'}: ${changed} changed, ${unchanged} already in place`}
							</Text>
							{c.address ? (
								<Text>
									{'  '}gateway address <Text color={theme.tone('ok')}>{formatAddress(c.address)}</Text>
								</Text>
							) : null}
							{failed.map(s => (
								<Box key={s.id} paddingLeft={2} flexDirection="column">
									<Text color={theme.tone('error')} wrap="wrap">
										{s.title}: {s.error}
									</Text>
									{s.hint ? <Text wrap="wrap">hint: {s.hint}</Text> : null}
								</Box>
							))}
						</Box>
					);
				})}
			</Box>
			<Box flexDirection="column" marginTop={1}>
				<Text bold>Next</Text>
				<Box paddingLeft={2} flexDirection="column">
					<Text wrap="wrap">watch the gateways:</Text>
					<Box paddingLeft={2}>
						<Text wrap="wrap" color={theme.tone('accent')}>
							{statusCommand(input, profile)}
						</Text>
					</Box>
					<Text wrap="wrap">{outcome?.ok ? 'run the same plan again, headless (safe to rerun):' : 'retry headless once the problem is fixed (steps already in place report unchanged):'}</Text>
					<Box paddingLeft={2}>
						<Text wrap="wrap" color={theme.tone('accent')}>
							{applyCommand(input, profile)}
						</Text>
					</Box>
				</Box>
				{view.clusters.some(c => c.notes.some(n => n.startsWith('Remote wiring'))) ? (
					<Text wrap="wrap" color={theme.tone('muted')}>
						{'  '}remote clusters still need their control-plane wiring (see the notes on the Review screen)
					</Text>
				) : null}
			</Box>
			<Box marginTop={1}>
				<Text color={theme.tone('muted')}>exit code {code}</Text>
			</Box>
			<KeyHints scope="done" />
		</Box>
	);
}
