/** The Review screen's modes: the plan, the exact YAML, the profile-name field, the confirmation. Pure. */
import type {RunGate} from '../../../core/wizard.js';

export type ReviewMode = 'plan' | 'yaml' | 'save' | 'confirm';

export interface ReviewState {
	mode: ReviewMode;
	/** Why the last key did nothing, or what it did (ok). */
	notice?: {text: string; ok?: boolean};
	/** The profile name being typed, and whether it is being saved. */
	name: string;
	saving: boolean;
	/** First YAML line shown. */
	scroll: number;
}

export type ReviewAction =
	| {type: 'yaml'}
	| {type: 'save'; available: boolean}
	/** Enter on the plan: the confirmation opens unless the run is blocked (waiting for istioctl is not blocked). */
	| {type: 'continue'; gate: RunGate}
	| {type: 'close'}
	| {type: 'scroll'; by: number; lines: number; page: number}
	| {type: 'type'; text: string}
	| {type: 'erase'}
	| {type: 'submit-name'}
	| {type: 'saved'; name: string}
	| {type: 'save-failed'; name: string; error: string};

export function initialReview(savedProfile?: string): ReviewState {
	return {mode: 'plan', name: savedProfile ?? '', saving: false, scroll: 0};
}

export function reviewReducer(state: ReviewState, action: ReviewAction): ReviewState {
	switch (action.type) {
		case 'yaml':
			return state.mode === 'yaml' ? {...state, mode: 'plan'} : {...state, mode: 'yaml', notice: undefined};
		case 'save':
			if (!action.available) return {...state, notice: {text: 'saving profiles is unavailable: this build has no profile store'}};
			return {...state, mode: 'save', notice: undefined};
		case 'continue':
			if (action.gate.state === 'blocked') return {...state, notice: {text: action.gate.reason}};
			return {...state, mode: 'confirm', notice: undefined};
		case 'close':
			return {...state, mode: 'plan'};
		case 'scroll': {
			const max = Math.max(0, action.lines - action.page);
			return {...state, scroll: Math.max(0, Math.min(max, state.scroll + action.by))};
		}
		case 'type':
			return {...state, name: state.name + action.text};
		case 'erase':
			return {...state, name: state.name.slice(0, -1)};
		case 'submit-name':
			if (state.saving) return state;
			if (state.name.trim() === '') return {...state, notice: {text: 'profile name is empty: type a name such as prod-mesh'}};
			return {...state, saving: true, notice: undefined};
		case 'saved':
			return {
				...state,
				saving: false,
				mode: 'plan',
				notice: {text: `saved as profile "${action.name}": rerun it with eastwest apply --profile ${action.name}`, ok: true},
			};
		case 'save-failed':
			return {...state, saving: false, notice: {text: `could not save profile "${action.name}": ${action.error}`}};
	}
}
