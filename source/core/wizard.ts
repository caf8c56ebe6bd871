/**
 * The wizard's state machine: which screen is showing and what the user has chosen so far.
 * Pure: the screens dispatch actions; probe results come in as data.
 */
import {TOPOLOGY_INFO, type ClusterSpec, type MeshPlanInput, type Role, type Topology} from './model.js';
import type {Plan} from './plan.js';
import type {ContextInfo, ProbeResult} from './ports.js';
import {validatePlan, type Problem} from './validate.js';

export const SCREENS = ['topology', 'contexts', 'ids', 'checks', 'review', 'run', 'done'] as const;
export type Screen = (typeof SCREENS)[number];

export interface ClusterDraft {
	name: string;
	network: string;
}

export interface WizardState {
	screen: Screen;
	topology: Topology;
	/** Chosen contexts, in the order they were picked. */
	selected: string[];
	/** The primary's context (primary-remote topologies). */
	primary?: string;
	/** Contexts whose failed probe the user explicitly chose to ignore. */
	overrides: string[];
	meshId: string;
	revision: string;
	/** Cluster name and network per chosen context. */
	drafts: Record<string, ClusterDraft>;
	/** Set once the ID fields were filled from probes; edits survive going back and forth. */
	touched: string[];
	/** One line for the status area: why the last action did nothing. */
	notice?: string;
}

export type ProbeState = {state: 'pending'} | {state: 'done'; result: ProbeResult};

export type WizardAction =
	| {type: 'choose-topology'; topology: Topology}
	| {type: 'toggle-context'; context: string; probe?: ProbeState}
	| {type: 'set-primary'; context: string}
	| {type: 'toggle-override'; context: string; probe?: ProbeState}
	| {type: 'contexts-done'; contexts: ContextInfo[]; probes: Record<string, ProbeState>}
	| {type: 'set-field'; field: FieldId; value: string}
	| {type: 'ids-done'}
	/** Leave the preflight checks for Review; the screen decides whether failures allow it. */
	| {type: 'checks-done'}
	| {type: 'start-run'}
	| {type: 'run-finished'}
	| {type: 'back'}
	| {type: 'clear-notice'};

/** An editable field on the IDs screen. */
export type FieldId = {kind: 'meshId'} | {kind: 'revision'} | {kind: 'name' | 'network'; context: string};

export function initialWizardState(topology: Topology = 'primary-remote'): WizardState {
	return {screen: 'topology', topology, selected: [], overrides: [], meshId: '', revision: '', drafts: {}, touched: []};
}

/** The wizard opened at Review with a saved plan (eastwest --profile NAME). Going back edits it. */
export function stateFromPlan(input: MeshPlanInput): WizardState {
	const primary = TOPOLOGY_INFO[input.topology].primaryRemote ? input.clusters.find(c => c.role === 'primary')?.context : undefined;
	const drafts: Record<string, ClusterDraft> = {};
	for (const c of input.clusters) drafts[c.context] = {name: c.name, network: c.network};
	const contexts = input.clusters.map(c => c.context);
	const state: WizardState = {
		screen: 'checks',
		topology: input.topology,
		selected: contexts,
		overrides: [],
		meshId: input.meshId,
		revision: input.revision ?? '',
		drafts,
		touched: ['', ...contexts],
	};
	if (primary) state.primary = primary;
	// A saved plan is checked against the clusters before Review; one that no longer validates opens where it can be fixed.
	state.screen = validatePlan(input).length > 0 ? 'ids' : 'checks';
	return state;
}

/** Why a probed context may not be installed to, or undefined when it may. */
export function probeBlocker(probe: ProbeState | undefined): string | undefined {
	if (!probe || probe.state === 'pending') return undefined;
	const r = probe.result;
	if (!r.reachable) return r.error?.message ?? 'the API server did not answer';
	if (r.auth && r.auth !== 'ok') return r.error?.message ?? `requests are ${r.auth}`;
	return undefined;
}

/** A context name turned into a DNS-1123 label (lowercase, '-' for anything else, at most 63 chars). */
export function sanitizeLabel(text: string): string {
	// EKS ARNs and GKE names carry the useful part last: arn:aws:eks:region:acct:cluster/NAME.
	const tail = text.includes('/') ? text.slice(text.lastIndexOf('/') + 1) : text;
	let s = tail.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
	s = s.replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
	return s || 'cluster';
}

export function roleOf(state: WizardState, context: string): Role {
	if (!TOPOLOGY_INFO[state.topology].primaryRemote) return 'primary';
	return (state.primary ?? state.selected[0]) === context ? 'primary' : 'remote';
}

/** The plan input the wizard's answers describe. */
export function toPlanInput(state: WizardState): MeshPlanInput {
	const clusters: ClusterSpec[] = orderedSelection(state).map(context => ({
		context,
		name: state.drafts[context]?.name ?? '',
		network: state.drafts[context]?.network ?? '',
		role: roleOf(state, context),
	}));
	const input: MeshPlanInput = {topology: state.topology, meshId: state.meshId, clusters};
	if (state.revision.trim() !== '') input.revision = state.revision.trim();
	return input;
}

/** Selected contexts with the primary first (primary-remote topologies), otherwise in pick order. */
export function orderedSelection(state: WizardState): string[] {
	if (!TOPOLOGY_INFO[state.topology].primaryRemote) return state.selected;
	const primary = state.primary ?? state.selected[0];
	return primary && state.selected.includes(primary) ? [primary, ...state.selected.filter(c => c !== primary)] : state.selected;
}

export function problemsOf(state: WizardState): Problem[] {
	return validatePlan(toPlanInput(state));
}

/** What the cluster already says about itself, used to prefill the IDs screen. */
export function prefill(
	topology: Topology,
	contexts: string[],
	probes: Record<string, ProbeState>,
	primary: string | undefined,
): {meshId: string; revision: string; drafts: Record<string, ClusterDraft>} {
	const info = TOPOLOGY_INFO[topology];
	const results = contexts.map(c => {
		const p = probes[c];
		return p?.state === 'done' ? p.result : undefined;
	});
	const istiodOf = (r: ProbeResult | undefined) => r?.istiod.find(i => i.ready) ?? r?.istiod[0];
	const primaryResult = results[Math.max(0, primary ? contexts.indexOf(primary) : 0)];
	const meshId = results.map(r => istiodOf(r)?.meshId).find(Boolean) ?? 'mesh1';
	const revision = istiodOf(primaryResult)?.revision ?? results.map(r => istiodOf(r)?.revision).find(Boolean) ?? '';
	const drafts: Record<string, ClusterDraft> = {};
	const usedNames = new Set<string>();
	const usedNetworks = new Set<string>();
	contexts.forEach((context, i) => {
		const r = results[i];
		const istiod = istiodOf(r);
		let name = istiod?.clusterId && istiod.clusterId !== 'Kubernetes' ? istiod.clusterId : sanitizeLabel(context);
		if (usedNames.has(name)) name = `${name}-${i + 1}`;
		usedNames.add(name);
		let network = r?.networkLabel ?? istiod?.network;
		if (!network) {
			if (info.multiNetwork) {
				let n = usedNetworks.size + 1;
				while (usedNetworks.has(`network${n}`)) n += 1;
				network = `network${n}`;
			} else network = 'network1';
		}
		usedNetworks.add(network);
		drafts[context] = {name, network};
	});
	if (!info.multiNetwork) {
		// One flat network: everyone takes the primary's (first found) network.
		const shared = drafts[primary ?? contexts[0] ?? '']?.network ?? 'network1';
		for (const c of contexts) drafts[c] = {...drafts[c]!, network: shared};
	}
	return {meshId, revision, drafts};
}

const PREVIOUS: Record<Screen, Screen | undefined> = {
	topology: undefined,
	contexts: 'topology',
	ids: 'contexts',
	checks: 'ids',
	review: 'checks',
	run: undefined,
	done: undefined,
};

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
	const s = state.notice ? {...state, notice: undefined} : state;
	switch (action.type) {
		case 'clear-notice':
			return s;
		case 'choose-topology': {
			const primaryRemote = TOPOLOGY_INFO[action.topology].primaryRemote;
			return {...s, topology: action.topology, screen: 'contexts', primary: primaryRemote ? s.primary : undefined, touched: action.topology === state.topology ? s.touched : []};
		}
		case 'toggle-context': {
			const {context} = action;
			if (s.selected.includes(context)) {
				const selected = s.selected.filter(c => c !== context);
				return {...s, selected, primary: s.primary === context ? undefined : s.primary};
			}
			const blocker = probeBlocker(action.probe);
			if (blocker && !s.overrides.includes(context)) {
				return {...s, notice: `${context} cannot be selected: ${blocker}. Press o to include it anyway.`};
			}
			// A context already running istiod is the natural primary unless the user picked one.
			const hasIstiod = action.probe?.state === 'done' && action.probe.result.istiod.some(i => i.ready && !i.externalIstiod);
			const primary = s.primary === undefined && hasIstiod && TOPOLOGY_INFO[s.topology].primaryRemote ? context : s.primary;
			return {...s, selected: [...s.selected, context], primary};
		}
		case 'toggle-override': {
			const {context} = action;
			if (s.overrides.includes(context)) {
				return {...s, overrides: s.overrides.filter(c => c !== context), selected: s.selected.filter(c => c !== context || !probeBlocker(action.probe))};
			}
			if (!probeBlocker(action.probe)) return {...s, notice: `${context} passed its probe; no override needed`};
			return {...s, overrides: [...s.overrides, context], selected: s.selected.includes(context) ? s.selected : [...s.selected, context]};
		}
		case 'set-primary': {
			if (!TOPOLOGY_INFO[s.topology].primaryRemote) return {...s, notice: `${TOPOLOGY_INFO[s.topology].title} runs istiod in every cluster: every cluster is a primary`};
			if (!s.selected.includes(action.context)) return {...s, notice: `select ${action.context} (space) before making it the primary`};
			return {...s, primary: action.context};
		}
		case 'contexts-done': {
			if (s.selected.length < 2) {
				return {...s, notice: `select at least 2 contexts (space); ${s.selected.length} selected`};
			}
			const pending = s.selected.filter(c => action.probes[c]?.state !== 'done');
			const ordered = orderedSelection(s);
			const fill = prefill(s.topology, ordered, action.probes, TOPOLOGY_INFO[s.topology].primaryRemote ? ordered[0] : undefined);
			const drafts: Record<string, ClusterDraft> = {};
			for (const c of ordered) drafts[c] = s.touched.includes(c) && s.drafts[c] ? s.drafts[c]! : fill.drafts[c]!;
			const touchedGlobal = s.touched.includes('');
			return {
				...s,
				screen: 'ids',
				primary: TOPOLOGY_INFO[s.topology].primaryRemote ? ordered[0] : undefined,
				meshId: touchedGlobal ? s.meshId : fill.meshId,
				revision: touchedGlobal ? s.revision : fill.revision,
				drafts,
				notice: pending.length > 0 ? `still probing ${pending.join(', ')}: fields use the context names until probes answer` : undefined,
			};
		}
		case 'set-field': {
			const f = action.field;
			if (f.kind === 'meshId') return {...s, meshId: action.value, touched: addOnce(s.touched, '')};
			if (f.kind === 'revision') return {...s, revision: action.value, touched: addOnce(s.touched, '')};
			const draft = s.drafts[f.context] ?? {name: '', network: ''};
			return {...s, drafts: {...s.drafts, [f.context]: {...draft, [f.kind]: action.value}}, touched: addOnce(s.touched, f.context)};
		}
		case 'ids-done': {
			const problems = problemsOf(s);
			if (problems.length > 0) {
				return {...s, notice: `fix ${problems.length === 1 ? 'the problem' : `${problems.length} problems`} above before going on`};
			}
			return {...s, screen: 'checks'};
		}
		case 'checks-done':
			if (s.screen !== 'checks' || problemsOf(s).length > 0) return s;
			return {...s, screen: 'review'};
		case 'start-run':
			if (s.screen !== 'review' || problemsOf(s).length > 0) return s;
			return {...s, screen: 'run'};
		case 'run-finished':
			return s.screen === 'run' ? {...s, screen: 'done'} : s;
		case 'back': {
			const prev = PREVIOUS[s.screen];
			return prev ? {...s, screen: prev} : s;
		}
	}
}

function addOnce(list: string[], item: string): string[] {
	return list.includes(item) ? list : [...list, item];
}

/** What running the plan changes on each context, in words, for the confirm step. */
export function describeChanges(plan: Plan): Array<{context: string; cluster: string; changes: string[]}> {
	return plan.clusters.map(c => ({
		context: c.cluster.context,
		cluster: c.cluster.name,
		changes: c.steps.flatMap(s => {
			switch (s.kind) {
				case 'label-network':
					return [`label namespace istio-system topology.istio.io/network=${s.network ?? c.cluster.network} (creating the namespace if absent)`];
				case 'install-gateway':
					return [`istioctl install the east-west gateway (IstioOperator "${s.manifests[0]?.metadata.name ?? 'eastwest'}", Deployment and Service istio-eastwestgateway in istio-system)`];
				case 'expose-istiod':
				case 'expose-services':
					return [`server-side apply ${s.manifests.map(m => `${m.kind} ${m.metadata.name}`).join(', ')} in istio-system`];
				default:
					return [];
			}
		}),
	}));
}
