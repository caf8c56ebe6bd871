import React, {useEffect, useMemo, useReducer} from 'react';
import {buildPlan, clusterManifests} from '../../core/plan.js';
import {firstLine} from '../../core/text.js';
import {canRun, describeChanges, preflightSummary, toPlanInput, type ScreenAction, type WizardState} from '../../core/wizard.js';
import {toYaml} from '../../core/yaml.js';
import {useCommands, type Handlers} from '../hooks/useCommands.js';
import type {KeyScope} from '../keys.js';
import {Fit, useRowsLeft} from '../components/Fit.js';
import {useServices} from '../services.js';
import {ConfirmView} from './review/ConfirmView.js';
import {initialReview, reviewReducer, type ReviewMode} from './review/mode.js';
import {PlanView} from './review/PlanView.js';
import {YamlView} from './review/YamlView.js';

export type {ReviewChecks} from './review/PlanView.js';

export interface ReviewScreenProps {
	state: WizardState;
	dispatch: (action: ScreenAction) => void;
}

/** Unfolded, then folded. */
const FOLDS = [false, true] as const;

const SCOPES: Record<ReviewMode, KeyScope> = {plan: 'review', yaml: 'reviewYaml', save: 'saveName', confirm: 'confirm'};

/** Review: the plan, its exact YAML, saving it as a profile, and the confirmation before the run. */
export function ReviewScreen({state, dispatch}: ReviewScreenProps) {
	const services = useServices();
	const input = useMemo(() => toPlanInput(state), [state]);
	const plan = useMemo(() => buildPlan(input), [input]);
	const [review, send] = useReducer(reviewReducer, state.profile?.name, initialReview);
	const checks = preflightSummary(state);
	const gate = canRun(state);
	const tools = services?.preflight ? state.tools : undefined;

	// istioctl is checked on each visit; the wizard's state holds the answer, and a run asked for meanwhile.
	useEffect(() => {
		if (!services?.preflight) {
			dispatch({type: 'tools-checked', ready: true, message: ''});
			return;
		}
		const controller = new AbortController();
		dispatch({type: 'tools-checking'});
		services.preflight(controller.signal).then(
			result => !controller.signal.aborted && dispatch({type: 'tools-checked', ready: result.ready, message: result.message}),
			(error: unknown) =>
				!controller.signal.aborted && dispatch({type: 'tools-checked', ready: false, message: error instanceof Error ? error.message : String(error)}),
		);
		return () => controller.abort();
	}, [services, dispatch]);

	// Saving starts when the name is submitted (the reducer says whether it may).
	useEffect(() => {
		if (!review.saving || !services?.saveProfile) return;
		const name = review.name.trim();
		services.saveProfile(name, input).then(
			() => {
				send({type: 'saved', name});
				dispatch({type: 'profile-saved', name});
			},
			(error: unknown) => send({type: 'save-failed', name, error: firstLine(error)}),
		);
		// Only a new submission saves again.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [review.saving]);

	const yamlLines = useMemo(
		() =>
			plan.clusters.flatMap(c => {
				const docs = clusterManifests(plan, c.cluster.name);
				const head = `# ${c.cluster.name} (context ${c.cluster.context}): ${docs.length === 0 ? 'nothing to install or apply' : `${docs.length} object${docs.length === 1 ? '' : 's'}`}`;
				return [head, ...(docs.length > 0 ? toYaml(docs).trimEnd().split('\n') : []), ''];
			}),
		[plan],
	);
	// What the title and the hints leave, as drawn, and a spare row: a frame that fills the terminal is redrawn whole.
	const yamlRoom = useRowsLeft({min: 5, reserve: 1});
	const pageRows = yamlRoom.rows;
	const scrollBy = (by: number) => send({type: 'scroll', by, lines: yamlLines.length, page: pageRows});
	const close = () => send({type: 'close'});

	const handlers: Record<ReviewMode, Handlers> = {
		plan: {
			yaml: () => send({type: 'yaml'}),
			save: () => send({type: 'save', available: Boolean(services?.saveProfile)}),
			next: () => send({type: 'continue', gate}),
		},
		yaml: {up: () => scrollBy(-1), down: () => scrollBy(1), pageUp: () => scrollBy(-pageRows), pageDown: () => scrollBy(pageRows), yaml: close, back: close},
		save: {erase: () => send({type: 'erase'}), next: () => send({type: 'submit-name'}), back: close},
		confirm: {
			confirm: () => dispatch({type: 'start-run'}),
			deny: () => {
				dispatch({type: 'withdraw-run'});
				close();
			},
		},
	};
	useCommands(SCOPES[review.mode], handlers[review.mode], {textEntry: review.mode === 'save', onText: text => send({type: 'type', text})});

	if (review.mode === 'yaml') return <YamlView lines={yamlLines} scroll={review.scroll} rows={pageRows} room={yamlRoom} />;
	if (review.mode === 'confirm') {
		const props = {changes: describeChanges(plan, {restartIstiod: state.restartIstiod === true}), checks, gate, asked: state.runAsked, tools};
		// Short of rows: no blank line between contexts, one row per change (the YAML view has every detail).
		return <Fit layouts={FOLDS} render={tight => <ConfirmView {...props} tight={tight} />} />;
	}
	const props = {plan, input, checks, tools, canSave: Boolean(services?.saveProfile), review, restartIstiod: state.restartIstiod === true};
	// Short of rows (three clusters at 24 rows): each cluster's steps fold into one line of short names.
	return <Fit layouts={FOLDS} render={compact => <PlanView {...props} compact={compact} />} />;
}
