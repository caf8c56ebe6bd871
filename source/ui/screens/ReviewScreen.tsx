import React, {useEffect, useMemo, useState} from 'react';
import {Box, Text, useStdout} from 'ink';
import {TOPOLOGY_INFO} from '../../core/model.js';
import {buildPlan, clusterManifests, type StepKind} from '../../core/plan.js';
import {describeChanges, toPlanInput, type WizardState} from '../../core/wizard.js';
import {toYaml} from '../../core/yaml.js';
import {KeyHints} from '../components/KeyHints.js';
import {Notice} from '../components/Notice.js';
import {useCommands} from '../hooks/useCommands.js';
import {useServices} from '../services.js';
import {useTheme} from '../theme.js';
import {firstLine} from '../../core/text.js';

type Mode = 'plan' | 'yaml' | 'save' | 'confirm';

export interface ReviewScreenProps {
	state: WizardState;
	savedProfile?: string;
	onSaved: (name: string) => void;
	onRun: () => void;
	/** The preflight of this plan; undefined when it has not run. */
	checks?: ReviewChecks;
}

export interface ReviewChecks {
	failed: number;
	warned: number;
	passed: number;
	/** The user confirmed running despite the failures. */
	overridden: boolean;
}

/** Step names for the folded view, when the full titles do not fit the rows. */
const STEP_SHORT: Record<StepKind, string> = {
	'label-network': 'label network',
	'install-gateway': 'install gateway',
	'wait-rollout': 'wait for rollout',
	'wait-address': 'wait for address',
	'expose-istiod': 'expose istiod',
	'expose-services': 'expose services',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function ReviewScreen({state, savedProfile, onSaved, onRun, checks}: ReviewScreenProps) {
	const theme = useTheme();
	const services = useServices();
	const {stdout} = useStdout();
	const input = useMemo(() => toPlanInput(state), [state]);
	const plan = useMemo(() => buildPlan(input), [input]);
	const [mode, setMode] = useState<Mode>('plan');
	const [notice, setNotice] = useState<string | undefined>();
	const [name, setName] = useState(savedProfile ?? '');
	const [saving, setSaving] = useState(false);
	const [scroll, setScroll] = useState(0);
	const [tools, setTools] = useState<{ready: boolean; message: string} | undefined>(services?.preflight ? undefined : {ready: true, message: ''});

	useEffect(() => {
		if (!services?.preflight) return;
		const controller = new AbortController();
		services.preflight(controller.signal).then(
			result => !controller.signal.aborted && setTools(result),
			(error: unknown) => !controller.signal.aborted && setTools({ready: false, message: error instanceof Error ? error.message : String(error)}),
		);
		return () => controller.abort();
	}, [services]);

	const yamlLines = useMemo(
		() =>
			plan.clusters.flatMap(c => {
				const docs = clusterManifests(plan, c.cluster.name);
				const head = `# ${c.cluster.name} (context ${c.cluster.context}): ${docs.length === 0 ? 'nothing to install or apply' : `${docs.length} object${docs.length === 1 ? '' : 's'}`}`;
				return [head, ...(docs.length > 0 ? toYaml(docs).trimEnd().split('\n') : []), ''];
			}),
		[plan],
	);
	const pageRows = Math.max(5, (stdout.rows || 24) - 6);
	const scrollBy = (d: number) => setScroll(s => Math.max(0, Math.min(Math.max(0, yamlLines.length - pageRows), s + d)));

	const save = () => {
		if (name.trim() === '') {
			setNotice('profile name is empty: type a name such as prod-mesh');
			return;
		}
		if (!services?.saveProfile) return;
		setSaving(true);
		services.saveProfile(name.trim(), input).then(
			() => {
				setSaving(false);
				setMode('plan');
				setNotice(`saved as profile "${name.trim()}": rerun it with eastwest apply --profile ${name.trim()}`);
				onSaved(name.trim());
			},
			(error: unknown) => {
				setSaving(false);
				setNotice(`could not save profile "${name.trim()}": ${firstLine(error)}`);
			},
		);
	};

	const scope = mode === 'plan' ? 'review' : mode === 'yaml' ? 'reviewYaml' : mode === 'save' ? 'saveName' : 'confirm';
	useCommands(
		scope,
		mode === 'plan'
			? {
					yaml: () => {
						setNotice(undefined);
						setMode('yaml');
					},
					save: () => {
						if (!services?.saveProfile) setNotice('saving profiles is unavailable: this build has no profile store');
						else {
							setNotice(undefined);
							setMode('save');
						}
					},
					next: () => {
						if (!checks) setNotice('the preflight checks have not run for this plan: press esc to run them');
						else if (checks.failed > 0 && !checks.overridden) setNotice(`${plural(checks.failed, 'preflight check')} failed: press esc to see them`);
						else if (!tools) setNotice('still checking istioctl; a moment');
						else if (!tools.ready) setNotice(`cannot run: ${tools.message}`);
						else {
							setNotice(undefined);
							setMode('confirm');
						}
					},
				}
			: mode === 'yaml'
				? {up: () => scrollBy(-1), down: () => scrollBy(1), pageUp: () => scrollBy(-pageRows), pageDown: () => scrollBy(pageRows), yaml: () => setMode('plan'), back: () => setMode('plan')}
				: mode === 'save'
					? {erase: () => setName(n => n.slice(0, -1)), next: () => !saving && save(), back: () => setMode('plan')}
					: {confirm: onRun, deny: () => setMode('plan')},
		{textEntry: mode === 'save', onText: text => setName(n => n + text)},
	);

	if (mode === 'yaml') {
		const shown = yamlLines.slice(scroll, scroll + pageRows);
		return (
			<Box flexDirection="column">
				<Text bold>
					Exact YAML per cluster{' '}
					<Text color={theme.tone('muted')}>
						(lines {scroll + 1}–{scroll + shown.length} of {yamlLines.length})
					</Text>
				</Text>
				{shown.map((line, i) => (
					<Text key={scroll + i} wrap="truncate-end" color={line.startsWith('# ') ? theme.tone('title') : undefined}>
						{line || ' '}
					</Text>
				))}
				<KeyHints scope="reviewYaml" />
			</Box>
		);
	}

	if (mode === 'confirm') {
		const changes = describeChanges(plan);
		const cols = stdout.columns || 80;
		const rowsOf = (text: string, indent: number) => Math.max(1, Math.ceil((text.length + indent) / cols));
		const needed = 6 + changes.reduce((n, c) => n + 1 + rowsOf(`context ${c.context} (cluster ${c.cluster})`, 0) + Math.max(1, c.changes.reduce((m, line) => m + rowsOf(line, 4), 0)), 0);
		// Short of rows: no blank line between contexts, one row per change (the YAML view has every detail).
		const tight = needed > (stdout.rows || 24);
		return (
			<Box flexDirection="column">
				<Text bold>This will change:</Text>
				{changes.map(c => (
					<Box key={c.context} flexDirection="column" marginTop={tight ? 0 : 1}>
						<Text bold wrap={tight ? 'truncate-end' : 'wrap'}>
							context {c.context} <Text color={theme.tone('muted')}>(cluster {c.cluster})</Text>
						</Text>
						{c.changes.length === 0 ? <Text color={theme.tone('muted')}>  nothing: no gateway on this cluster</Text> : null}
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
				<Box marginTop={1}>
					<Text bold color={theme.tone('warn')} wrap="wrap">
						{checks && checks.failed > 0 ? `Proceed despite ${plural(checks.failed, 'failed preflight check')}? (y/N)` : 'Proceed? (y/N)'}
					</Text>
				</Box>
				<KeyHints scope="confirm" />
			</Box>
		);
	}

	const info = TOPOLOGY_INFO[state.topology];
	// Short of rows (three clusters at 24 rows): each cluster's steps fold into one line of short names.
	const fullRows = 8 + plan.clusters.reduce((n, c) => n + 2 + c.steps.length + c.notes.length * 2, 0);
	const compact = fullRows > (stdout.rows || 24);
	return (
		<Box flexDirection="column">
			<Text bold>
				Review: {info.title}, mesh {input.meshId}
				{input.revision ? `, revision ${input.revision}` : ', default revision'}
			</Text>
			{plan.clusters.map(c => (
				<Box key={c.cluster.context} flexDirection="column" marginTop={1}>
					<Text wrap="truncate-end">
						<Text bold color={theme.tone('accent')}>
							{c.cluster.name}
						</Text>
						<Text color={theme.tone('muted')}>
							{' '}
							context {c.cluster.context} · network {c.cluster.network} · {c.cluster.role}
						</Text>
					</Text>
					{compact ? (
						<Box paddingLeft={2}>
							<Text wrap="wrap">{c.steps.map((s, i) => `${i + 1}. ${STEP_SHORT[s.kind]}`).join(' → ')}</Text>
						</Box>
					) : (
						c.steps.map((s, i) => (
							<Text key={s.id} wrap="truncate-end">
								{'  '}
								{i + 1}. {s.title}
							</Text>
						))
					)}
					{c.notes.map((n, i) => (
						<Box key={i} paddingLeft={2}>
							<Text color={theme.tone('muted')} wrap="wrap">
								note: {n}
							</Text>
						</Box>
					))}
				</Box>
			))}
			<Box marginTop={1}>
				<PreflightLine checks={checks} />
			</Box>
			{services?.preflight ? (
				<Box>
					<Text wrap="wrap" color={!tools ? theme.tone('muted') : tools.ready ? theme.tone('ok') : theme.tone('error')}>
						{!tools ? 'checking istioctl…' : `${tools.ready ? theme.symbols.ok : theme.symbols.error} ${tools.message}`}
					</Text>
				</Box>
			) : null}
			{mode === 'save' ? (
				<Box marginTop={1}>
					<Text>
						Profile name: <Text color={theme.tone('accent')}>{name}▏</Text>
						{saving ? <Text color={theme.tone('muted')}> saving…</Text> : null}
					</Text>
				</Box>
			) : null}
			{!services?.saveProfile ? <Text color={theme.tone('muted')}>s save profile: unavailable, this build has no profile store</Text> : null}
			<Box marginTop={1}>
				<Notice text={notice} ok={notice?.startsWith('saved as profile')} />
			</Box>
			<KeyHints scope={mode === 'save' ? 'saveName' : 'review'} textEntry={mode === 'save'} />
		</Box>
	);
}

/** One line on the Review screen: what the preflight found, and whether the run goes ahead despite failures. */
function PreflightLine({checks}: {checks: ReviewChecks | undefined}) {
	const theme = useTheme();
	if (!checks) return <Text color={theme.tone('warn')}>{theme.symbols.warn} the preflight checks have not run for this plan (esc runs them)</Text>;
	if (checks.failed > 0) {
		return (
			<Text bold color={theme.tone('error')} wrap="wrap">
				{theme.symbols.error} {checks.overridden ? `runs despite ${plural(checks.failed, 'failed preflight check')} (you confirmed)` : `${plural(checks.failed, 'failed preflight check')} block the run (esc to see them)`}
				{checks.warned > 0 ? `, ${plural(checks.warned, 'warning')}` : ''}
			</Text>
		);
	}
	return (
		<Text color={theme.tone(checks.warned > 0 ? 'warn' : 'ok')} wrap="wrap">
			{checks.warned > 0 ? theme.symbols.warn : theme.symbols.ok} preflight: {checks.passed} passed{checks.warned > 0 ? `, ${plural(checks.warned, 'warning')} (esc to read them)` : ''}
		</Text>
	);
}
