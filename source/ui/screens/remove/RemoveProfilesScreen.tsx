import React, {useState} from 'react';
import {Box, Text} from 'ink';
import {TOPOLOGY_INFO, type MeshPlanInput} from '../../../core/model.js';
import {useRowsLeft} from '../../components/Fit.js';
import {KeyHints} from '../../components/KeyHints.js';
import {Notice} from '../../components/Notice.js';
import {useCommands} from '../../hooks/useCommands.js';
import type {SavedProfile, SavedRunRecord} from '../../services.js';
import {useTheme} from '../../theme.js';

/** "2026-12-01 10:02 succeeded" (profiles record ISO 8601 times in UTC), or "never". */
export function runRecordText(record: SavedRunRecord | undefined): string {
	if (!record) return 'never';
	const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(record.at) ? `${record.at.slice(0, 10)} ${record.at.slice(11, 16)}` : record.at;
	return `${at} ${record.result}${record.dryRun ? ' (dry run)' : ''}`;
}

/** A profile's last apply and remove, in one row at 80 columns: "applied … · removed … (UTC)". */
export function historyText(p: SavedProfile): string {
	const utc = p.lastApplied || p.lastRemoved ? ' (UTC)' : '';
	return `applied ${runRecordText(p.lastApplied)} · removed ${runRecordText(p.lastRemoved)}${utc}`;
}

export function clustersText(input: MeshPlanInput): string {
	return input.clusters.map(c => c.context).join(', ');
}

export interface RemoveProfilesScreenProps {
	profiles: readonly SavedProfile[];
	notice?: string;
	onPick: (profile: SavedProfile) => void;
}

/** Which saved profile's setup to remove: each with its topology, contexts, and its last apply and remove. */
export function RemoveProfilesScreen({profiles, notice, onPick}: RemoveProfilesScreenProps) {
	const theme = useTheme();
	// The list gets the rows the rest of the screen leaves, as drawn (a row kept for a notice), two a profile.
	const room = useRowsLeft({min: 2, reserve: notice ? 0 : 1});
	const [index, setIndex] = useState(0);
	const n = profiles.length;
	useCommands('removeProfiles', {
		up: () => setIndex(i => (i + n - 1) % Math.max(1, n)),
		down: () => setIndex(i => (i + 1) % Math.max(1, n)),
		next: () => (n > 0 ? onPick(profiles[index]!) : undefined),
	});
	const window = Math.max(1, Math.floor(room.rows / 2));
	const first = Math.min(Math.max(0, index - window + 1), Math.max(0, n - window));
	const shown = profiles.slice(first, first + window);
	return (
		<Box ref={room.screen} flexDirection="column">
			<Text bold>Remove a saved setup: which profile?</Text>
			<Text color={theme.tone('muted')} wrap="truncate-end">
				Review shows per context what goes; nothing changes until you confirm.
			</Text>
			<Box flexDirection="column" marginTop={1}>
				{n === 0 ? <Text color={theme.tone('muted')}>No saved profiles.</Text> : null}
				<Box ref={room.window} flexDirection="column">
					{shown.map((p, i) => {
						const at = first + i === index;
						return (
							<Box key={p.name} flexDirection="column">
								<Text wrap="truncate-end" color={at ? theme.tone('accent') : undefined} bold={at}>
									{at ? theme.symbols.pointer : ' '} {p.name}
									<Text color={theme.tone('muted')}>
										{'  '}
										{TOPOLOGY_INFO[p.input.topology]?.title ?? p.input.topology} · mesh {p.input.meshId} · {clustersText(p.input)}
									</Text>
								</Text>
								<Text wrap="truncate-end" color={theme.tone('muted')}>
									{'  '}
									{historyText(p)}
								</Text>
							</Box>
						);
					})}
				</Box>
				{n > shown.length ? (
					<Text color={theme.tone('muted')}>
						{'  '}profiles {first + 1}–{first + shown.length} of {n}
					</Text>
				) : null}
			</Box>
			{notice ? <Notice text={notice} /> : null}
			<KeyHints scope="removeProfiles" />
		</Box>
	);
}
