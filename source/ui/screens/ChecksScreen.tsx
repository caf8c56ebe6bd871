import React, {useMemo, useState} from 'react';
import {Box, Text} from 'ink';
import {summarize, summaryText} from '../../core/checks/index.js';
import {toPlanInput, type WizardState} from '../../core/wizard.js';
import {CheckRowsView, ReadingLines, ScrollMarker} from '../components/CheckList.js';
import {KeyHints} from '../components/KeyHints.js';
import {Notice} from '../components/Notice.js';
import {useCommands} from '../hooks/useCommands.js';
import {useCheckList} from '../hooks/useCheckList.js';
import {useChecks, type CheckRunView} from '../hooks/useChecks.js';
import {useTicker} from '../hooks/useTicker.js';
import {useServices} from '../services.js';
import {useTheme} from '../theme.js';
import {plural} from '../../core/text.js';

export interface ChecksScreenProps {
	state: WizardState;
	/** The last finished preflight, shown again when it judged the same plan. */
	cached?: CheckRunView;
	/** The user already confirmed running despite this run's failures. */
	overridden: boolean;
	onResult(view: CheckRunView): void;
	/** Go on to Review; `override` when the user confirmed running despite failed checks. */
	onContinue(override: boolean): void;
}

/** Preflight: read every cluster, judge the plan against what it found, and only then allow Review. */
export function ChecksScreen({state, cached, overridden, onResult, onContinue}: ChecksScreenProps) {
	const theme = useTheme();
	const services = useServices();
	const input = useMemo(() => toPlanInput(state), [state]);
	const {view, rerun} = useChecks(services, input, 'preflight', {cached, onDone: onResult});
	const [confirming, setConfirming] = useState(false);
	const [notice, setNotice] = useState<string | undefined>();
	const running = !view?.results;
	const tick = useTicker(running);

	// The list gets what the title, the summary, the verdict and the hints leave, and a row kept for a notice.
	const {rows, offset, height, end: shownEnd, toTop, screen, window, keys: scroll} = useCheckList(input, view, {reserve: notice ? 0 : 1});
	const summary = summarize(view?.results ?? []);

	const again = () => {
		setNotice(undefined);
		toTop();
		setConfirming(false);
		rerun();
	};
	const scope = running ? 'checksRunning' : confirming ? 'forceConfirm' : summary.fail > 0 ? 'checks' : 'checksClear';
	useCommands(
		scope,
		running
			? {}
			: confirming
				? {
						confirm: () => {
							setConfirming(false);
							onContinue(true);
						},
						deny: () => setConfirming(false),
					}
				: {
						...scroll,
						rerun: again,
						// Offered only while a check fails (scope 'checks').
						force: () => {
							setNotice(undefined);
							setConfirming(true);
						},
						next: () => {
							if (summary.fail > 0 && !overridden) {
								setNotice(`the run is blocked by ${plural(summary.fail, 'failed check')}: fix and press r to check again, or ! to run anyway`);
							} else onContinue(overridden);
						},
					},
	);

	if (!view || running) {
		return (
			<Box flexDirection="column">
				<Text bold>Preflight checks: reading each cluster before anything changes</Text>
				<Box marginTop={1} flexDirection="column">
					{view ? <ReadingLines view={view} tick={tick} now={Date.now()} /> : <Text color={theme.tone('muted')}>Starting…</Text>}
				</Box>
				<Box marginTop={1}>
					<Notice text={notice} />
				</Box>
				<KeyHints scope="checksRunning" />
			</Box>
		);
	}

	const verdict =
		summary.fail > 0
			? overridden
				? {tone: 'warn' as const, text: `You chose to run despite ${plural(summary.fail, 'failed check')}. Enter continues to Review.`}
				: {
						tone: 'error' as const,
						text: `${plural(summary.fail, 'failed check')} block${summary.fail === 1 ? 's' : ''} the run: fix ${summary.fail === 1 ? 'it' : 'them'} and press r, or ! to run anyway.`,
					}
			: summary.warn > 0
				? {tone: 'warn' as const, text: `No check failed; ${plural(summary.warn, 'warning')} to read. Enter continues to Review.`}
				: {tone: 'ok' as const, text: 'Every check passed. Enter continues to Review.'};
	return (
		<Box ref={screen} flexDirection="column">
			<Text bold>
				Preflight checks{' '}
				<Text color={theme.tone('muted')}>(nothing has changed yet{rows.length > height ? `; rows ${offset + 1}–${shownEnd} of ${rows.length}` : ''})</Text>
			</Text>
			<Box ref={window} flexDirection="column">
				<CheckRowsView rows={rows} offset={offset} height={height} />
			</Box>
			<ScrollMarker total={rows.length} end={shownEnd} height={height} />
			<Text bold color={theme.tone(summary.fail > 0 ? 'error' : summary.warn > 0 ? 'warn' : 'ok')}>
				{summary.fail > 0 ? theme.symbols.error : summary.warn > 0 ? theme.symbols.warn : theme.symbols.ok} {summaryText(summary)}
			</Text>
			{confirming ? (
				<Text bold color={theme.tone('warn')} wrap="wrap">
					Run despite {plural(summary.fail, 'failed check')}? (y/N)
				</Text>
			) : (
				<Text color={theme.tone(verdict.tone)} wrap="wrap">
					{verdict.text}
				</Text>
			)}
			<Notice text={notice} />
			<KeyHints scope={scope} />
		</Box>
	);
}
