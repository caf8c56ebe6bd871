import React, {useEffect, useMemo, useRef, useState} from 'react';
import {Box, Text} from 'ink';
import {TOPOLOGY_INFO} from '../../core/model.js';
import type {ContextInfo, KubeconfigInfo} from '../../core/ports.js';
import {probeBlocker, roleOf, type ProbeState, type ScreenAction, type WizardState} from '../../core/wizard.js';
import {useRowsLeft, useScreenSize} from '../components/Fit.js';
import {KeyHints} from '../components/KeyHints.js';
import {Notice} from '../components/Notice.js';
import {probeDetail, probeSummary} from '../components/probe-text.js';
import {useCommands} from '../hooks/useCommands.js';
import {useTheme} from '../theme.js';

export interface ContextsScreenProps {
	kubeconfig: KubeconfigInfo;
	state: WizardState;
	probes: Record<string, ProbeState>;
	requestProbes: (contexts: readonly string[]) => void;
	dispatch: (action: ScreenAction) => void;
}

/** Each context's name, cluster and user, lower-cased once per kubeconfig (a filter never holds the separator). */
const haystacks = new WeakMap<readonly ContextInfo[], string[]>();
function haystack(contexts: readonly ContextInfo[]): string[] {
	let h = haystacks.get(contexts);
	if (!h) {
		h = contexts.map(c => `${c.name}\u0000${c.cluster}\u0000${c.user}`.toLowerCase());
		haystacks.set(contexts, h);
	}
	return h;
}

/** The contexts matching a filter, as positions in kubeconfig.contexts. */
export interface FilterResult {
	filter: string;
	indices: number[];
}

/**
 * Contexts whose name, cluster or user contains the filter (any case). When the filter extends the
 * previous one (typing), only the previous matches are searched again.
 */
export function filterContexts(kubeconfig: KubeconfigInfo, filter: string, previous?: FilterResult): {rows: ContextInfo[]; result: FilterResult} {
	const f = filter.toLowerCase();
	const contexts = kubeconfig.contexts;
	if (!f) return {rows: contexts, result: {filter: f, indices: contexts.map((_, i) => i)}};
	const h = haystack(contexts);
	const from = previous && previous.filter !== '' && f.startsWith(previous.filter) ? previous.indices : undefined;
	const indices: number[] = [];
	if (from) {
		for (const i of from) if (h[i]!.includes(f)) indices.push(i);
	} else {
		for (let i = 0; i < h.length; i++) if (h[i]!.includes(f)) indices.push(i);
	}
	return {rows: indices.map(i => contexts[i]!), result: {filter: f, indices}};
}

export function ContextsScreen({kubeconfig, state, probes, requestProbes, dispatch}: ContextsScreenProps) {
	const theme = useTheme();
	const {columns} = useScreenSize();
	// The list gets the rows the rest of the screen leaves, as drawn (a row is kept for a notice that comes and goes).
	const room = useRowsLeft({min: 3, max: 20, reserve: state.notice ? 0 : 1});
	const listRows = room.rows;
	const [filter, setFilter] = useState('');
	const [filtering, setFiltering] = useState(false);
	const [cursor, setCursor] = useState(() =>
		Math.max(
			0,
			kubeconfig.contexts.findIndex(c => c.name === kubeconfig.currentContext),
		),
	);
	const [top, setTop] = useState(0);
	const lastFilter = useRef<{contexts: readonly ContextInfo[]; result: FilterResult} | undefined>(undefined);
	const rows = useMemo(() => {
		const previous = lastFilter.current?.contexts === kubeconfig.contexts ? lastFilter.current.result : undefined;
		const {rows, result} = filterContexts(kubeconfig, filter, previous);
		lastFilter.current = {contexts: kubeconfig.contexts, result};
		return rows;
	}, [kubeconfig, filter]);
	const at = Math.min(cursor, Math.max(0, rows.length - 1));
	// Keep the cursor inside the window.
	const first = at < top ? at : at >= top + listRows ? at - listRows + 1 : Math.min(top, Math.max(0, rows.length - listRows));
	const windowRows = rows.slice(first, first + listRows);
	const current = rows[at];
	const primaryRemote = TOPOLOGY_INFO[state.topology].primaryRemote;

	const visibleKey = windowRows.map(r => r.name).join('\n');
	// The window's top follows the cursor in this same render (no second commit, so no second frame).
	if (first !== top) setTop(first);
	useEffect(() => {
		requestProbes([...(visibleKey ? visibleKey.split('\n') : []), ...state.selected]);
	}, [visibleKey, state.selected, requestProbes]);

	const move = (delta: number) => setCursor(c => Math.max(0, Math.min(rows.length - 1, Math.min(c, rows.length - 1) + delta)));
	const endFilter = () => setFiltering(false);
	useCommands(
		filtering ? 'contextsFilter' : 'contexts',
		filtering
			? {
					up: () => move(-1),
					down: () => move(1),
					erase: () => setFilter(f => f.slice(0, -1)),
					clearField: () => {
						setFilter('');
						setCursor(0);
					},
					next: endFilter,
					back: endFilter,
				}
			: {
					up: () => move(-1),
					down: () => move(1),
					pageUp: () => move(-listRows),
					pageDown: () => move(listRows),
					toggle: () => current && dispatch({type: 'toggle-context', context: current.name, probe: probes[current.name]}),
					primary: () => current && dispatch({type: 'set-primary', context: current.name}),
					override: () => current && dispatch({type: 'toggle-override', context: current.name, probe: probes[current.name]}),
					filter: () => setFiltering(true),
					next: () => dispatch({type: 'contexts-done', contexts: kubeconfig.contexts, probes}),
					...(filter ? {back: () => setFilter('')} : {}),
				},
		{
			textEntry: filtering,
			onText: text => {
				setFilter(f => f + text);
				setCursor(0);
			},
		},
	);

	const wide = columns >= 100;
	const nameW = wide ? 30 : 20;
	const clusterW = wide ? 20 : 14;
	const userW = wide ? 16 : 12;
	const roleW = primaryRemote ? 9 : 0;
	const head = (text: string, width: number) => (
		<Box width={width} flexShrink={0}>
			<Text bold color={theme.tone('muted')}>
				{text}
			</Text>
		</Box>
	);
	const cell = (text: string, width: number, color?: string) => (
		<Box width={width} flexShrink={0} paddingRight={1}>
			<Text wrap="truncate-end" color={color}>
				{text}
			</Text>
		</Box>
	);

	return (
		<Box ref={room.screen} flexDirection="column">
			<Text bold>
				Pick the clusters: {TOPOLOGY_INFO[state.topology].title}
				<Text color={theme.tone('muted')}>
					{' '}
					({state.selected.length} selected{primaryRemote ? ', p sets the primary' : ''})
				</Text>
			</Text>
			<Text color={theme.tone('muted')} wrap="truncate-end">
				{filtering || filter ? `filter: ${filter}${filtering ? '▏' : ''}  ` : ''}
				{rows.length === kubeconfig.contexts.length ? `${rows.length} contexts` : `${rows.length} of ${kubeconfig.contexts.length} contexts`} in{' '}
				{kubeconfig.files.join(', ') || 'the kubeconfig'}
			</Text>
			{kubeconfig.warnings.length > 0 ? <Notice text={kubeconfig.warnings.join('; ')} /> : null}
			<Box marginTop={1}>
				{head('', 4)}
				{head('NAME', nameW)}
				{head('CLUSTER', clusterW)}
				{head('USER', userW)}
				{primaryRemote ? head('ROLE', roleW) : null}
				<Text bold color={theme.tone('muted')}>
					PROBE
				</Text>
			</Box>
			{rows.length === 0 ? <Text color={theme.tone('muted')}> no context matches "{filter}"</Text> : null}
			<Box ref={room.window} flexDirection="column">
				{windowRows.map((c, i) => {
					const here = first + i === at;
					const selected = state.selected.includes(c.name);
					const probe = probes[c.name];
					const summary = probeSummary(probe);
					const blocked = Boolean(probeBlocker(probe));
					const overridden = state.overrides.includes(c.name);
					const name = c.name === kubeconfig.currentContext ? `${c.name}${theme.symbols.current}` : c.name;
					return (
						<Box key={c.name}>
							<Box width={4} flexShrink={0}>
								<Text color={here ? theme.tone('accent') : undefined}>
									{here ? theme.symbols.pointer : ' '}{' '}
									{selected ? theme.symbols.checked : blocked && !overridden ? theme.symbols.error : theme.symbols.unchecked}
								</Text>
							</Box>
							{cell(name, nameW, here ? theme.tone('accent') : undefined)}
							{cell(c.cluster, clusterW)}
							{cell(c.user, userW)}
							{primaryRemote ? cell(selected ? roleOf(state, c.name) : '', roleW, roleOf(state, c.name) === 'primary' ? theme.tone('title') : undefined) : null}
							<Box flexGrow={1} flexShrink={1}>
								<Text wrap="truncate-end" color={theme.tone(summary.tone)}>
									{overridden && blocked ? 'override: ' : ''}
									{summary.text}
								</Text>
							</Box>
						</Box>
					);
				})}
			</Box>
			{rows.length > listRows ? (
				<Text color={theme.tone('muted')}>
					{'    '}rows {first + 1}–{first + windowRows.length} of {rows.length}
				</Text>
			) : null}
			<Box marginTop={1}>
				<Text
					wrap={current && probeBlocker(probes[current.name]) ? 'wrap' : 'truncate-end'}
					color={current && probeBlocker(probes[current.name]) ? theme.tone('error') : theme.tone('muted')}
				>
					{current ? `${current.name}: ${probeDetail(probes[current.name])}` : ''}
				</Text>
			</Box>
			<Notice text={state.notice} />
			<KeyHints scope={filtering ? 'contextsFilter' : 'contexts'} textEntry={filtering} />
		</Box>
	);
}
