import React from 'react';
import {Box, Text} from 'ink';
import {TOPOLOGY_INFO, type MeshPlanInput} from '../../../core/model.js';
import type {Plan} from '../../../core/plan.js';
import type {ToolsCheck} from '../../../core/wizard.js';
import {KeyHints} from '../../components/KeyHints.js';
import {Mark} from '../../components/Mark.js';
import {Notice} from '../../components/Notice.js';
import {useTheme, type MarkStatus} from '../../theme.js';
import type {ReviewState} from './mode.js';
import {DEFAULT_PARALLEL} from '../../../core/slots.js';
import {STEP_SHORT} from '../../step-labels.js';
import {plural} from '../../../core/text.js';

/** What the preflight of this plan found; undefined when it has not run. */
export interface ReviewChecks {
	failed: number;
	warned: number;
	passed: number;
	/** The user confirmed running despite the failures. */
	overridden: boolean;
}

const folded = (steps: Plan['clusters'][number]['steps']) => steps.map((s, i) => `${i + 1}. ${STEP_SHORT[s.kind]}`).join(' → ');

/** The line saying what the preflight found, and whether the run goes ahead despite failures. */
export function preflightLine(checks: ReviewChecks | undefined): {status: MarkStatus; bold?: boolean; text: string} {
	if (!checks) return {status: 'warn', text: 'the preflight checks have not run for this plan (esc runs them)'};
	if (checks.failed > 0) {
		const what = checks.overridden
			? `runs despite ${plural(checks.failed, 'failed preflight check')} (you confirmed)`
			: `${plural(checks.failed, 'failed preflight check')} block the run (esc to see them)`;
		return {status: 'error', bold: true, text: `${what}${checks.warned > 0 ? `, ${plural(checks.warned, 'warning')}` : ''}`};
	}
	return {
		status: checks.warned > 0 ? 'warn' : 'ok',
		text: `preflight: ${checks.passed} passed${checks.warned > 0 ? `, ${plural(checks.warned, 'warning')} (esc to read them)` : ''}`,
	};
}

/** How many istioctl processes the run starts at once (the same default as `eastwest apply --parallel`). */
export function parallelLine(plan: Plan, parallel = DEFAULT_PARALLEL): string {
	const installs = plan.steps.filter(s => s.kind === 'install-gateway' || s.kind === 'install-remote').length;
	// One create-remote-secret per peer read by some cluster, however many clusters read it.
	const secrets = new Set(plan.steps.filter(s => s.kind === 'remote-secret').map(s => s.peer)).size;
	const calls = installs + secrets;
	const planned = [plural(installs, 'install'), ...(secrets ? [`${secrets} create-remote-secret`] : [])].join(', ');
	return `istioctl: at most ${parallel} at once (${planned} planned${calls > parallel ? '; the rest wait in line' : ''})`;
}

/** The istioctl line: being checked, or what was found. */
export function ToolsLine({tools}: {tools: ToolsCheck}) {
	const theme = useTheme();
	if (tools.state === 'checking') return <Text color={theme.tone('muted')}>checking istioctl…</Text>;
	return <Mark status={tools.ready ? 'ok' : 'error'}>{tools.message}</Mark>;
}

export interface PlanViewProps {
	plan: Plan;
	input: MeshPlanInput;
	checks: ReviewChecks | undefined;
	/** Undefined when this build has no istioctl check. */
	tools: ToolsCheck | undefined;
	canSave: boolean;
	review: ReviewState;
	/** istiod is restarted after plug-ca changed cacerts (the Trust step's confirm). */
	restartIstiod?: boolean;
}

/** The CA the run plugs in and whether istiod restarts to use it; undefined when the plan plugs in none. */
export function trustLine(input: MeshPlanInput, restartIstiod = false): string | undefined {
	if (input.caDir === undefined) return undefined;
	return `CA: intermediates of the root in ${input.caDir}; istiod ${restartIstiod ? 'restarts after cacerts changes' : 'not restarted (it keeps its old CA until it restarts)'}`;
}

/** The plan per cluster, the preflight verdict, istioctl, and (in save mode) the profile-name field. */
export function PlanView(props: PlanViewProps & {compact: boolean}) {
	const {plan, input, checks, tools, canSave, review, compact} = props;
	const theme = useTheme();
	const verdict = preflightLine(checks);
	return (
		<Box flexDirection="column">
			<Text bold>
				Review: {TOPOLOGY_INFO[input.topology].title}, mesh {input.meshId}
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
							<Text wrap="wrap">{folded(c.steps)}</Text>
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
				<Mark status={verdict.status} bold={verdict.bold}>
					{verdict.text}
				</Mark>
			</Box>
			{tools ? (
				<Box>
					<ToolsLine tools={tools} />
				</Box>
			) : null}
			<Text color={theme.tone('muted')} wrap="truncate-end">
				{parallelLine(plan)}
			</Text>
			{trustLine(input, props.restartIstiod) ? (
				<Text color={theme.tone('muted')} wrap="wrap">
					{trustLine(input, props.restartIstiod)}
				</Text>
			) : null}
			{review.mode === 'save' ? (
				<Box marginTop={1}>
					<Text>
						Profile name: <Text color={theme.tone('accent')}>{review.name}▏</Text>
						{review.saving ? <Text color={theme.tone('muted')}> saving…</Text> : null}
					</Text>
				</Box>
			) : null}
			{canSave ? null : <Text color={theme.tone('muted')}>s save profile: unavailable, this build has no profile store</Text>}
			<Box marginTop={1}>
				<Notice text={review.notice?.text} ok={review.notice?.ok} />
			</Box>
			<KeyHints scope={review.mode === 'save' ? 'saveName' : 'review'} textEntry={review.mode === 'save'} />
		</Box>
	);
}
