import React, {useEffect, useMemo, useState} from 'react';
import {Box, Text} from 'ink';
import {CACERTS_SECRET, TOPOLOGY_INFO} from '../../../core/model.js';
import type {ProbeResult} from '../../../core/ports.js';
import {buildTeardown, type ObjectRef, type TeardownStep} from '../../../core/teardown.js';
import {firstLine} from '../../../core/text.js';
import {probeBlocker, type RemovalState} from '../../../core/wizard.js';
import {Fit} from '../../components/Fit.js';
import {KeyHints} from '../../components/KeyHints.js';
import {Mark} from '../../components/Mark.js';
import {Notice} from '../../components/Notice.js';
import {useCommands} from '../../hooks/useCommands.js';
import {useServices} from '../../services.js';
import {useTheme} from '../../theme.js';

/** Whether a context answers: being asked, answers, or may not be removed from (and why). */
export type Reach = {state: 'probing'} | {state: 'ok'; version?: string} | {state: 'blocked'; reason: string};

export const NEVER_TOUCHED = "Never touched: namespace istio-system, Istio's CRDs, istiod control planes.";

const refText = (o: ObjectRef) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

/** A removal in a few words (one row at 80 columns), for a Review that cannot show every full title. */
export function shortRemoval(step: TeardownStep): string {
	const objects = (step.objects ?? []).map(refText).join(', ');
	switch (step.kind) {
		case 'remove-expose-services':
			return `${objects} (services exposure)`;
		case 'remove-expose-istiod':
			return `${objects} (istiod exposure)`;
		case 'remove-remote-secret':
			return `${objects} (istiod stops reading ${step.peer ?? 'the peer'})`;
		case 'remove-gateway':
		case 'remove-remote':
			return `${step.kind === 'remove-gateway' ? 'the east-west gateway' : 'the remote control plane'}: what istioctl installed for ${step.owner ?? ''}`;
		case 'remove-annotation':
		case 'remove-network-label':
			return `${step.key?.field ?? 'label'} ${step.key?.name ?? ''}=${step.key?.value ?? ''} on namespace istio-system`;
		case 'remove-cacerts':
			return `${objects} (the plugged-in CA)`;
		case 'remove-ambient-gateway':
			return `${objects} (the ambient east-west gateway)`;
		case 'unlabel-global-services':
			return `label istio.io/global on ${(step.services ?? []).join(', ')}`;
	}
}

export function confirmQuestion(contexts: readonly string[]): string {
	return `Remove eastwest's setup from context${contexts.length === 1 ? '' : 's'} ${contexts.join(', ')}? (y/N)`;
}

function reachOf(result: ProbeResult): Reach {
	const blocker = probeBlocker({state: 'done', result});
	return blocker ? {state: 'blocked', reason: blocker} : {state: 'ok', ...(result.serverVersion ? {version: result.serverVersion} : {})};
}

export interface RemoveReviewScreenProps {
	removal: RemovalState;
	/** Contexts the kubeconfig has: a plan's context missing from it blocks the removal. */
	known: readonly string[];
	onToggleCa: () => void;
	onConfirm: () => void;
}

/** Review of a removal: per context what goes and whether the cluster answers; then the confirm that names the contexts. */
export function RemoveReviewScreen({removal, known, onToggleCa, onConfirm}: RemoveReviewScreenProps) {
	const theme = useTheme();
	const services = useServices();
	const {input, ca, profile} = removal;
	const plan = useMemo(() => buildTeardown(input, {ca}), [input, ca]);
	const removals = useMemo(
		() =>
			plan.clusters.map(cp => ({context: cp.cluster.context, cluster: cp.cluster.name, lines: cp.steps.map(s => s.title), short: cp.steps.map(shortRemoval)})),
		[plan],
	);
	const contexts = input.clusters.map(c => c.context);
	const [reach, setReach] = useState<Record<string, Reach>>({});
	const [round, setRound] = useState(0);
	const [confirming, setConfirming] = useState(false);
	const [notice, setNotice] = useState<string | undefined>();

	// Before anything is removed, every cluster must answer (as eastwest remove probes first).
	useEffect(() => {
		const controller = new AbortController();
		const set = (context: string, value: Reach) => !controller.signal.aborted && setReach(r => ({...r, [context]: value}));
		const knownSet = new Set(known);
		for (const c of input.clusters) {
			if (!knownSet.has(c.context)) {
				set(c.context, {state: 'blocked', reason: 'not in the kubeconfig (list contexts with kubectl config get-contexts)'});
				continue;
			}
			if (!services) continue;
			set(c.context, {state: 'probing'});
			services.probe(c.context, controller.signal).then(
				result => set(c.context, reachOf(result)),
				(error: unknown) => set(c.context, {state: 'blocked', reason: firstLine(error)}),
			);
		}
		return () => controller.abort();
	}, [input, known, services, round]);

	const blocked = contexts.filter(c => reach[c]?.state === 'blocked');
	const waiting = contexts.filter(c => !reach[c] || reach[c]!.state === 'probing');
	const proceed = () => {
		if (!services?.removePlan) return setNotice('removing is unavailable: this build has no cluster access for it');
		if (blocked.length > 0) {
			const first = blocked[0]!;
			const why = reach[first]!.state === 'blocked' ? (reach[first] as {reason: string}).reason : '';
			return setNotice(
				`nothing can be removed while ${blocked.join(', ')} ${blocked.length === 1 ? 'does' : 'do'} not answer (${first}: ${why}); fix the access, then r checks again`,
			);
		}
		if (waiting.length > 0)
			return setNotice(`still checking that ${waiting.join(', ')} ${waiting.length === 1 ? 'answers' : 'answer'}; Enter again once every context shows ✔`);
		setNotice(undefined);
		setConfirming(true);
	};
	useCommands(
		confirming ? 'removeConfirm' : 'removeReview',
		confirming
			? {
					confirm: onConfirm,
					deny: () => {
						setConfirming(false);
						setNotice('nothing removed');
					},
				}
			: {
					removeCa: () => {
						setNotice(undefined);
						onToggleCa();
					},
					rerun: () => {
						setNotice(undefined);
						setReach({});
						setRound(r => r + 1);
					},
					next: proceed,
				},
	);

	const cacertsLine = ca
		? `Secret istio-system/${CACERTS_SECRET} goes too, when eastwest created it (c keeps it).`
		: `Secret istio-system/${CACERTS_SECRET} stays (c removes it too, when eastwest created it).`;
	const title = `Remove profile ${profile}'s setup (${TOPOLOGY_INFO[input.topology].title}, mesh ${input.meshId})`;
	// Roomy: full titles, wrapped, a blank row between contexts; short of rows, a few words per removal, then one row each.
	const draw = ([wrap, gaps, short]: Layout) => (
		<Box flexDirection="column">
			<Text bold wrap="wrap">
				{title}
			</Text>
			<Text color={theme.tone('muted')} wrap="wrap">
				Only what eastwest created goes; each object is checked before it is deleted.
			</Text>
			{removals.map(r => {
				const state = reach[r.context];
				return (
					<Box key={r.context} flexDirection="column" marginTop={gaps ? 1 : 0}>
						<Text wrap="truncate-end">
							<Text bold>context {r.context}</Text>
							<Text color={theme.tone('muted')}> (cluster {r.cluster}) </Text>
							{!state || state.state === 'probing' ? (
								<Text color={theme.tone('muted')}>probing…</Text>
							) : state.state === 'ok' ? (
								<Mark status="ok">answers{state.version ? ` (${state.version})` : ''}</Mark>
							) : (
								<Mark status="error">{state.reason}</Mark>
							)}
						</Text>
						{r.lines.length === 0 ? <Text color={theme.tone('muted')}> nothing eastwest set up here</Text> : null}
						{(short ? r.short : r.lines).map((line, i) => (
							<Box key={i} paddingLeft={2}>
								<Box width={2} flexShrink={0}>
									<Text>•</Text>
								</Box>
								<Text wrap={wrap ? 'wrap' : 'truncate-end'}>{line}</Text>
							</Box>
						))}
					</Box>
				);
			})}
			<Box flexDirection="column" marginTop={1}>
				<Text wrap="wrap">{NEVER_TOUCHED}</Text>
				<Text wrap="wrap" color={ca ? theme.tone('warn') : theme.tone('muted')}>
					{cacertsLine}
				</Text>
				{confirming ? (
					<Text bold color={theme.tone('warn')} wrap="wrap">
						{confirmQuestion(contexts)}
					</Text>
				) : (
					<Notice text={notice} ok={notice === 'nothing removed'} />
				)}
			</Box>
			<KeyHints scope={confirming ? 'removeConfirm' : 'removeReview'} />
		</Box>
	);
	return <Fit layouts={LAYOUTS} render={draw} />;
}

type Layout = readonly [wrap: boolean, gaps: boolean, short: boolean];
const LAYOUTS: readonly Layout[] = [
	[true, true, false],
	[true, false, false],
	[true, true, true],
	[true, false, true],
	[false, false, true],
];
