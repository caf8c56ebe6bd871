import React, {useMemo, useState} from 'react';
import {Box, Text} from 'ink';
import {TOPOLOGY_INFO} from '../../core/model.js';
import {orderedSelection, problemsOf, roleOf, type FieldId, type ProbeState, type ScreenAction, type WizardState} from '../../core/wizard.js';
import {isLoopbackServer} from '../../core/address.js';
import {KeyHints} from '../components/KeyHints.js';
import {Notice} from '../components/Notice.js';
import {useCommands} from '../hooks/useCommands.js';
import {useTheme} from '../theme.js';

interface Field {
	id: FieldId;
	/** validatePlan path of the field. */
	path: string;
	value: string;
}

export function fieldsOf(state: WizardState): Field[] {
	const fields: Field[] = [
		{id: {kind: 'meshId'}, path: 'meshId', value: state.meshId},
		{id: {kind: 'revision'}, path: 'revision', value: state.revision},
	];
	orderedSelection(state).forEach((context, i) => {
		const d = state.drafts[context] ?? {name: '', network: ''};
		fields.push({id: {kind: 'name', context}, path: `clusters[${i}].name`, value: d.name});
		fields.push({id: {kind: 'network', context}, path: `clusters[${i}].network`, value: d.network});
		// Only a cluster that another cluster's istiod reads has its API server written into a remote secret.
		if (isReadByOthers(state, context)) fields.push({id: {kind: 'apiServer', context}, path: `clusters[${i}].apiServer`, value: d.apiServer ?? ''});
	});
	return fields;
}

/** Every cluster is read by the others in multi-network; in primary-remote only the remotes are (by the primary). */
function isReadByOthers(state: WizardState, context: string): boolean {
	return !TOPOLOGY_INFO[state.topology].primaryRemote || roleOf(state, context) === 'remote';
}

/** The kubeconfig's server of a context, and whether other clusters could use it. */
function kubeconfigServer(state: WizardState, context: string): {server?: string; loopback: boolean} {
	const server = state.access.state === 'ready' ? state.access.info.contexts.find(c => c.name === context)?.server : undefined;
	return {...(server ? {server} : {}), loopback: isLoopbackServer(server)};
}

export function IdsScreen({state, dispatch, probes = {}}: {state: WizardState; dispatch: (a: ScreenAction) => void; probes?: Record<string, ProbeState>}) {
	const theme = useTheme();
	const fields = fieldsOf(state);
	const [focus, setFocus] = useState(0);
	const f = Math.min(focus, fields.length - 1);
	const field = fields[f]!;
	const problems = useMemo(() => problemsOf(state), [state]);
	const set = (value: string) => dispatch({type: 'set-field', field: field.id, value});
	const suggestionFor = (context: string): string | undefined => {
		const p = probes[context];
		return p?.state === 'done' ? p.result.advertisedApiServer : undefined;
	};
	// ctrl-y has something to put in only on an API server field whose cluster advertises an address.
	const suggestion = field.id.kind === 'apiServer' ? suggestionFor(field.id.context) : undefined;
	useCommands(
		'ids',
		{
			nextField: () => setFocus(i => (i + 1) % fields.length),
			prevField: () => setFocus(i => (i + fields.length - 1) % fields.length),
			erase: () => set(field.value.slice(0, -1)),
			clearField: () => set(''),
			suggest: () => {
				if (suggestion) set(suggestion);
			},
			next: () => {
				// Enter moves on through the fields; on the last one it tries to leave the screen.
				if (f < fields.length - 1 && problems.length > 0) {
					const firstBad = fields.findIndex(x => problems.some(p => p.path === x.path));
					setFocus(firstBad >= 0 ? firstBad : f + 1);
				}
				dispatch({type: 'ids-done'});
			},
		},
		{textEntry: true, onText: text => set(field.value + text)},
	);

	const problemFor = (path: string) => problems.filter(p => p.path === path || (path.endsWith('.name') && p.path === path.replace(/\.name$/, '.context')));
	const general = problems.filter(p => !fields.some(x => x.path === p.path) && !/\.context$/.test(p.path));
	const primaryRemote = TOPOLOGY_INFO[state.topology].primaryRemote;

	const input = (fld: Field, width: number, placeholder = '') => {
		const focused = fld === field;
		const bad = problemFor(fld.path).length > 0;
		return (
			<Box width={width} flexShrink={0} paddingRight={1}>
				<Text wrap="truncate-start" color={bad ? theme.tone('error') : focused ? theme.tone('accent') : undefined} underline={focused}>
					{fld.value || (focused ? '' : placeholder)}
					{focused ? '▏' : ''}
				</Text>
			</Box>
		);
	};
	const label = (text: string, focused: boolean, width: number) => (
		<Box width={width} flexShrink={0}>
			<Text color={focused ? theme.tone('accent') : undefined}>
				{focused ? theme.symbols.pointer : ' '} {text}
			</Text>
		</Box>
	);
	const errorLines = (path: string) =>
		problemFor(path).map((p, i) => (
			<Box key={`${path}-${i}`} paddingLeft={4}>
				<Text color={theme.tone('error')} wrap="wrap">
					{theme.symbols.error} {p.message}
				</Text>
			</Box>
		));

	const clusterFields = fields.slice(2);
	return (
		<Box flexDirection="column">
			<Text bold>
				Mesh and cluster IDs <Text color={theme.tone('muted')}>({TOPOLOGY_INFO[state.topology].title}; prefilled from what the clusters report)</Text>
			</Text>
			<Box marginTop={1}>
				{label('Mesh ID', f === 0, 14)}
				{input(fields[0]!, 30)}
			</Box>
			{errorLines('meshId')}
			<Box>
				{label('Revision', f === 1, 14)}
				{input(fields[1]!, 30, '(default revision)')}
				<Text color={theme.tone('muted')}>optional</Text>
			</Box>
			{errorLines('revision')}
			<Box marginTop={1}>
				<Box width={24} flexShrink={0}>
					<Text bold color={theme.tone('muted')}>
						{'  '}CONTEXT
					</Text>
				</Box>
				{primaryRemote ? (
					<Box width={9} flexShrink={0}>
						<Text bold color={theme.tone('muted')}>
							ROLE
						</Text>
					</Box>
				) : null}
				<Box width={24} flexShrink={0}>
					<Text bold color={theme.tone('muted')}>
						CLUSTER NAME
					</Text>
				</Box>
				<Text bold color={theme.tone('muted')}>
					NETWORK
				</Text>
			</Box>
			{orderedSelection(state).map(context => {
				const mine = clusterFields.filter(x => 'context' in x.id && x.id.context === context);
				const nameField = mine[0]!;
				const netField = mine[1]!;
				const apiField = mine[2];
				const here = mine.includes(field);
				const kc = kubeconfigServer(state, context);
				const advertised = suggestionFor(context);
				const overridden = apiField ? apiField.value.trim() !== '' : false;
				const note =
					!apiField || overridden
						? undefined
						: kc.loopback
							? advertised
								? `‼ loopback: other clusters cannot use it; ctrl-y: ${advertised}`
								: '‼ loopback: other clusters cannot use it; type an address they can reach'
							: undefined;
				return (
					<Box key={context} flexDirection="column">
						<Box>
							<Box width={24} flexShrink={0} paddingRight={1}>
								<Text wrap="truncate-end" color={here ? theme.tone('accent') : undefined}>
									{here ? theme.symbols.pointer : ' '} {context}
								</Text>
							</Box>
							{primaryRemote ? (
								<Box width={9} flexShrink={0}>
									<Text>{roleOf(state, context)}</Text>
								</Box>
							) : null}
							{input(nameField, 24)}
							{input(netField, 22)}
						</Box>
						{apiField ? (
							<Box>
								{label('API server', apiField === field, 14)}
								{input(apiField, 40, kc.server ?? '(kubeconfig server)')}
							</Box>
						) : null}
						{note ? (
							<Box paddingLeft={4}>
								<Text color={theme.tone('warn')} wrap="wrap">
									{note}
								</Text>
							</Box>
						) : null}
						{errorLines(nameField.path)}
						{errorLines(netField.path)}
						{apiField ? errorLines(apiField.path) : null}
					</Box>
				);
			})}
			{general.map((p, i) => (
				<Text key={`g${i}`} color={theme.tone('error')} wrap="wrap">
					{theme.symbols.error} {p.message}
				</Text>
			))}
			<Box marginTop={1}>
				{problems.length === 0 ? (
					<Text color={theme.tone('ok')}>{theme.symbols.ok} valid: enter runs the preflight checks</Text>
				) : (
					<Text color={theme.tone('muted')}>{problems.length} to fix before the review</Text>
				)}
			</Box>
			<Notice text={state.notice} />
			<KeyHints scope="ids" textEntry without={suggestion ? [] : ['suggest']} />
		</Box>
	);
}
