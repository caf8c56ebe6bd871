/**
 * The wizard's state machine: which screen is showing and what the user has chosen so far.
 * Pure: the screens dispatch actions; probe results come in as data.
 */
import {CONTROL_PLANE_ANNOTATION, REMOTE_OPERATOR_NAME, remoteSecretName} from './remote.js';
import type {CheckResult} from './checks/index.js';
import {TOPOLOGY_INFO, type ClusterSpec, type MeshPlanInput, type Role, type Topology} from './model.js';
import {buildPlan, type Plan, type Step, type StepKind} from './plan.js';
import type {ContextInfo, KubeconfigInfo, ProbeResult} from './ports.js';
import type {RunView} from './run-progress.js';
import {validatePlan, type Problem} from './validate.js';
import {plural} from './text.js';

export const SCREENS = [
	'topology',
	'contexts',
	'ids',
	'trust',
	'checks',
	'review',
	'run',
	'done',
	'remove-profiles',
	'remove-review',
	'remove-run',
	'remove-done',
] as const;
export type Screen = (typeof SCREENS)[number];

export interface ClusterDraft {
	name: string;
	network: string;
	/** The --api-server override; empty or absent: the kubeconfig's server. */
	apiServer?: string;
}

/** A finished preflight as the wizard judges it: the plan it read (planKey) and what it found. */
export interface PreflightRun {
	key: string;
	results?: readonly CheckResult[];
}

/** Cluster access: being read, read, missing (no kubeconfig or no contexts), or the cluster libraries failed to load. */
export type Access = {state: 'loading'} | {state: 'ready'; info: KubeconfigInfo} | {state: 'missing'; reason: string} | {state: 'broken'; reason: string};

/** What a run needs besides the clusters (istioctl), checked on each visit to Review. */
export type ToolsCheck = {state: 'checking'} | {state: 'done'; ready: boolean; message: string};

/** Whether the run may start now: yes, not yet (something it needs is still being checked), or no, and why. */
export type RunGate = {state: 'ready'} | {state: 'waiting'; reason: string} | {state: 'blocked'; reason: string};

/** The plan being run (or last run), and the saved profile it is exactly, if any. */
export interface RunState {
	plan: Plan;
	profile?: string;
	/** The process was told to stop: the run is cancelled without asking. */
	interrupted: boolean;
	finished?: RunView;
	/** Restart istiod after plug-ca changed cacerts (confirmed on the Trust step). */
	restartIstiod?: boolean;
}

/** The same plan gives the same key: how a preflight or a saved profile is matched to the answers. */
export const planKey = (input: MeshPlanInput) => JSON.stringify(input);

export interface WizardState<V extends PreflightRun = PreflightRun> {
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
	access: Access;
	/** The last finished preflight, and whether the user confirmed running despite its failures. */
	preflight?: {view: V; overridden: boolean};
	tools: ToolsCheck;
	/** The run was asked for (confirmed) while istioctl was still being checked: it starts when the check passes. */
	runAsked: boolean;
	/** The saved profile the wizard opened or saved, with the key of the plan it holds. */
	profile?: {name: string; key: string};
	run?: RunState;
	/** The root CA directory whose intermediates the run plugs in (a profile saved with --ca): a path, never the key. */
	caDir?: string;
	/** Restart istiod after plug-ca changed cacerts (the Trust step's confirm). */
	restartIstiod?: boolean;
	/** Removing a saved profile's setup (the remove-* screens). */
	removal?: RemovalState;
}

/** The saved profile whose setup is being removed: its plan, whether cacerts goes too, and the run. */
export interface RemovalState {
	profile: string;
	input: MeshPlanInput;
	/** Also remove Secret istio-system/cacerts; off unless the user turns it on. */
	ca: boolean;
	interrupted: boolean;
	/** The finished removal: the run view and what it left, and why. */
	finished?: {view: RunView; left: ReadonlyArray<{cluster: string; context: string; reason: string}>};
}

export type ProbeState = {state: 'pending'} | {state: 'done'; result: ProbeResult};

/** Actions a screen dispatches (everything but handing in a preflight run, whose type the app knows). */
export type ScreenAction =
	| {type: 'choose-topology'; topology: Topology}
	| {type: 'toggle-context'; context: string; probe?: ProbeState}
	| {type: 'set-primary'; context: string}
	| {type: 'toggle-override'; context: string; probe?: ProbeState}
	| {type: 'contexts-done'; contexts: ContextInfo[]; probes: Record<string, ProbeState>}
	| {type: 'set-field'; field: FieldId; value: string}
	| {type: 'ids-done'}
	/** Leave the preflight checks for Review; the screen decides whether failures allow it; `override`: run despite them. */
	| {type: 'checks-done'; override?: boolean}
	/** The person confirmed the run: it starts when canRun() says so, or as soon as the istioctl check passes. */
	| {type: 'start-run'}
	/** The person took the confirmation back (n/esc) before the run could start. */
	| {type: 'withdraw-run'}
	| {type: 'profile-saved'; name: string}
	| {type: 'tools-checking'}
	| {type: 'tools-checked'; ready: boolean; message: string}
	| {type: 'kubeconfig-read'; info: KubeconfigInfo}
	| {type: 'kubeconfig-failed'; reason: string}
	/** The cluster libraries could not be loaded at all. */
	| {type: 'services-failed'; reason: string}
	| {type: 'run-finished'; view: RunView}
	/** SIGINT/SIGTERM during a run: cancel it without asking. */
	| {type: 'interrupt'}
	| {type: 'back'}
	| {type: 'clear-notice'}
	/** The Trust step's choice: plug in intermediates of the root in caDir (restarting istiod when confirmed), or nothing. */
	| {type: 'trust-done'; caDir?: string; restartIstiod?: boolean}
	/** From the first screen: pick a saved profile whose setup to remove. */
	| {type: 'open-remove'}
	| {type: 'pick-remove-profile'; name: string; input: MeshPlanInput}
	| {type: 'toggle-remove-ca'}
	/** The person confirmed the removal (the screen checked that every cluster answers). */
	| {type: 'start-remove'}
	| {type: 'remove-finished'; view: RunView; left: ReadonlyArray<{cluster: string; context: string; reason: string}>};

export type WizardAction<V extends PreflightRun = PreflightRun> = ScreenAction | {type: 'preflight-done'; view: V};

/** Things that happen on their own (reads, checks, the run): they never clear the notice the last key left. */
const BACKGROUND = new Set<WizardAction['type']>([
	'tools-checking',
	'tools-checked',
	'kubeconfig-read',
	'kubeconfig-failed',
	'services-failed',
	'run-finished',
	'interrupt',
	'preflight-done',
	'remove-finished',
]);

/** An editable field on the IDs screen. */
export type FieldId = {kind: 'meshId'} | {kind: 'revision'} | {kind: 'name' | 'network' | 'apiServer'; context: string};

export function initialWizardState<V extends PreflightRun = PreflightRun>(topology: Topology = 'primary-remote'): WizardState<V> {
	return {
		screen: 'topology',
		topology,
		selected: [],
		overrides: [],
		meshId: '',
		revision: '',
		drafts: {},
		touched: [],
		access: {state: 'loading'},
		tools: {state: 'checking'},
		runAsked: false,
	};
}

/** The wizard opened at Review with a saved plan (eastwest --profile NAME). Going back edits it. */
export function stateFromPlan<V extends PreflightRun = PreflightRun>(input: MeshPlanInput, profile?: string): WizardState<V> {
	const primary = TOPOLOGY_INFO[input.topology].primaryRemote ? input.clusters.find(c => c.role === 'primary')?.context : undefined;
	const drafts: Record<string, ClusterDraft> = {};
	for (const c of input.clusters) drafts[c.context] = {name: c.name, network: c.network, ...(c.apiServer ? {apiServer: c.apiServer} : {})};
	const contexts = input.clusters.map(c => c.context);
	const state: WizardState<V> = {
		...initialWizardState<V>(input.topology),
		screen: 'checks',
		selected: contexts,
		meshId: input.meshId,
		revision: input.revision ?? '',
		drafts,
		touched: ['', ...contexts],
	};
	if (primary) state.primary = primary;
	if (input.caDir !== undefined) state.caDir = input.caDir;
	if (profile !== undefined) state.profile = {name: profile, key: planKey(input)};
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
	let s = tail
		.toLowerCase()
		.replace(/[^a-z0-9-]+/g, '-')
		.replace(/-+/g, '-');
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
		...(state.drafts[context]?.apiServer?.trim() ? {apiServer: state.drafts[context]!.apiServer!.trim()} : {}),
	}));
	const input: MeshPlanInput = {topology: state.topology, meshId: state.meshId, clusters};
	if (state.revision.trim() !== '') input.revision = state.revision.trim();
	if (state.caDir !== undefined) input.caDir = state.caDir;
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
	trust: 'ids',
	checks: 'trust',
	review: 'checks',
	run: undefined,
	done: undefined,
	'remove-profiles': 'topology',
	'remove-review': 'remove-profiles',
	'remove-run': undefined,
	'remove-done': undefined,
};

/** The preflight that judged exactly the plan the answers describe, if there is one. */
export function judgedPreflight<V extends PreflightRun>(state: WizardState<V>): {view: V; overridden: boolean} | undefined {
	const p = state.preflight;
	return p && p.view.results && p.view.key === planKey(toPlanInput(state)) ? p : undefined;
}

/** What the preflight of this plan found, for the Review screen; undefined when it has not run. */
export function preflightSummary(state: WizardState): {failed: number; warned: number; passed: number; overridden: boolean} | undefined {
	const judged = judgedPreflight(state);
	if (!judged) return undefined;
	const results = judged.view.results ?? [];
	const count = (status: CheckResult['status']) => results.filter(r => r.status === status).length;
	return {failed: count('fail'), warned: count('warn'), passed: count('pass'), overridden: judged.overridden};
}

/**
 * Can the run start: the one judgement. From Review, with answers that validate, after a preflight of this
 * very plan (past its failures only when the user confirmed), and with istioctl checked and usable.
 */
export function canRun(state: WizardState): RunGate {
	if (state.screen !== 'review') return {state: 'blocked', reason: 'the run starts from the Review screen'};
	const problems = problemsOf(state);
	if (problems.length > 0)
		return {state: 'blocked', reason: `fix ${problems.length === 1 ? 'the problem' : `${problems.length} problems`} in the answers first`};
	const checks = preflightSummary(state);
	if (!checks) return {state: 'blocked', reason: 'the preflight checks have not run for this plan: press esc to run them'};
	if (checks.failed > 0 && !checks.overridden) return {state: 'blocked', reason: `${plural(checks.failed, 'preflight check')} failed: press esc to see them`};
	if (state.tools.state === 'checking') return {state: 'waiting', reason: 'still checking istioctl'};
	if (!state.tools.ready) return {state: 'blocked', reason: `cannot run: ${state.tools.message}`};
	return {state: 'ready'};
}

/** The run starts: the plan is built from the answers, and remembered with the profile it exactly is. */
function startRun<V extends PreflightRun>(s: WizardState<V>): WizardState<V> {
	const input = toPlanInput(s);
	const profile = s.profile && s.profile.key === planKey(input) ? s.profile.name : undefined;
	return {
		...s,
		screen: 'run',
		runAsked: false,
		run: {
			plan: buildPlan(input),
			interrupted: false,
			...(profile !== undefined ? {profile} : {}),
			...(input.caDir !== undefined && s.restartIstiod ? {restartIstiod: true} : {}),
		},
	};
}

export function wizardReducer<V extends PreflightRun>(state: WizardState<V>, action: WizardAction<V>): WizardState<V> {
	const s = state.notice && !BACKGROUND.has(action.type) ? {...state, notice: undefined} : state;
	switch (action.type) {
		case 'clear-notice':
			return s;
		case 'choose-topology': {
			const primaryRemote = TOPOLOGY_INFO[action.topology].primaryRemote;
			return {
				...s,
				topology: action.topology,
				screen: 'contexts',
				primary: primaryRemote ? s.primary : undefined,
				touched: action.topology === state.topology ? s.touched : [],
			};
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
			if (!TOPOLOGY_INFO[s.topology].primaryRemote)
				return {...s, notice: `${TOPOLOGY_INFO[s.topology].title} runs istiod in every cluster: every cluster is a primary`};
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
			return {...s, screen: 'trust'};
		}
		case 'checks-done': {
			if (s.screen !== 'checks' || problemsOf(s).length > 0) return s;
			const preflight = action.override && s.preflight ? {...s.preflight, overridden: true} : s.preflight;
			return {...s, screen: 'review', ...(preflight ? {preflight} : {})};
		}
		case 'preflight-done':
			return s.preflight?.view === action.view ? s : {...s, preflight: {view: action.view, overridden: false}};
		case 'start-run': {
			const gate = canRun(s);
			if (gate.state === 'ready') return startRun(s);
			// istioctl is still being checked: remember that the run was asked for; the check's answer decides.
			return gate.state === 'waiting' ? {...s, runAsked: true} : s;
		}
		case 'withdraw-run':
			return s.runAsked ? {...s, runAsked: false} : s;
		case 'tools-checking':
			return {...s, tools: {state: 'checking'}};
		case 'tools-checked': {
			const next: WizardState<V> = {...s, tools: {state: 'done', ready: action.ready, message: action.message}};
			if (!next.runAsked) return next;
			// The run was asked for while this check ran: it starts now, or the intent ends with the reason on screen.
			return canRun(next).state === 'ready' ? startRun(next) : {...next, runAsked: false};
		}
		case 'profile-saved':
			return {...s, profile: {name: action.name, key: planKey(toPlanInput(s))}};
		case 'kubeconfig-read':
			if (action.info.contexts.length === 0) {
				return {...s, access: {state: 'missing', reason: `the kubeconfig (${action.info.files.join(', ') || 'none found'}) has no contexts`}};
			}
			return {...s, access: {state: 'ready', info: action.info}};
		case 'kubeconfig-failed':
			return {...s, access: {state: 'missing', reason: action.reason}};
		case 'services-failed':
			return {...s, access: {state: 'broken', reason: action.reason}};
		case 'run-finished':
			return s.screen === 'run' && s.run ? {...s, screen: 'done', run: {...s.run, finished: action.view}} : s;
		case 'interrupt':
			if (s.screen === 'remove-run' && s.removal) return {...s, removal: {...s.removal, interrupted: true}};
			return s.screen === 'run' && s.run ? {...s, run: {...s.run, interrupted: true}} : s;
		case 'back': {
			const prev = PREVIOUS[s.screen];
			return prev ? {...s, screen: prev, runAsked: false} : s;
		}
		case 'trust-done': {
			if (s.screen !== 'trust') return s;
			const {caDir: _dir, restartIstiod: _restart, ...rest} = s;
			return action.caDir === undefined
				? {...rest, screen: 'checks'}
				: {...rest, screen: 'checks', caDir: action.caDir, restartIstiod: action.restartIstiod === true};
		}
		case 'open-remove':
			return s.screen === 'topology' ? {...s, screen: 'remove-profiles'} : s;
		case 'pick-remove-profile': {
			if (s.screen !== 'remove-profiles') return s;
			const problems = validatePlan(action.input);
			if (problems.length > 0)
				return {
					...s,
					notice: `profile "${action.name}" is not a valid plan (${problems[0]!.message}): fix it with eastwest profiles save ${action.name} … --overwrite`,
				};
			const ca = s.removal?.profile === action.name ? s.removal.ca : false;
			return {...s, screen: 'remove-review', removal: {profile: action.name, input: action.input, ca, interrupted: false}};
		}
		case 'toggle-remove-ca':
			return s.screen === 'remove-review' && s.removal ? {...s, removal: {...s.removal, ca: !s.removal.ca}} : s;
		case 'start-remove':
			return s.screen === 'remove-review' && s.removal ? {...s, screen: 'remove-run', removal: {...s.removal, interrupted: false}} : s;
		case 'remove-finished':
			return s.screen === 'remove-run' && s.removal
				? {...s, screen: 'remove-done', removal: {...s.removal, finished: {view: action.view, left: action.left}}}
				: s;
	}
}

function addOnce(list: string[], item: string): string[] {
	return list.includes(item) ? list : [...list, item];
}

/**
 * What a step changes, for the Review screen's "This will change:" list; none for a step that only waits.
 * A record over every step kind, so a new kind cannot be left out of the list.
 */
const CHANGES: Record<StepKind, (s: Step, cluster: ClusterSpec, plan: Plan, options: {restartIstiod?: boolean}) => string[]> = {
	'control-plane': (s, c, plan) => [
		s.iopFile !== undefined
			? `istioctl install ${s.iopFile} overlaid with meshID ${plan.input.meshId}, clusterName ${c.name}, network ${c.network} (retrofit), or install it where no istiod runs; nothing when istiod already runs as planned`
			: `istioctl install Istio's control plane (IstioOperator "${s.manifests[0]?.metadata.name ?? 'eastwest-control-plane'}", revision ${plan.input.revision || 'default'}, ${plan.input.meshId}/${c.name}/${c.network}) where no istiod runs; nothing when it already runs as planned`,
	],
	'label-network': (s, c) => [`label namespace istio-system topology.istio.io/network=${s.network ?? c.network} (creating the namespace if absent)`],
	'install-gateway': s => [
		`istioctl install the east-west gateway (IstioOperator "${s.manifests[0]?.metadata.name ?? 'eastwest'}", Deployment and Service istio-eastwestgateway in istio-system)`,
	],
	'wait-rollout': () => [],
	'wait-address': () => [],
	'expose-istiod': s => [`server-side apply ${s.manifests.map(m => `${m.kind} ${m.metadata.name}`).join(', ')} in istio-system`],
	'expose-services': s => [`server-side apply ${s.manifests.map(m => `${m.kind} ${m.metadata.name}`).join(', ')} in istio-system`],
	'annotate-remote': s => [`annotate namespace istio-system ${CONTROL_PLANE_ANNOTATION}=${s.primary ?? ''} (creating the namespace if absent)`],
	'install-remote': s => [
		`istioctl install the remote control plane (IstioOperator "${REMOTE_OPERATOR_NAME}", profile remote, pointed at ${s.primary ?? 'the primary'}'s gateway)`,
	],
	'remote-secret': s => [
		`server-side apply Secret ${remoteSecretName(s.peer ?? '')} in istio-system (made by istioctl create-remote-secret --context ${s.peerContext ?? ''}, which creates the istio-reader service account there if missing)`,
	],
	'apply-ambient-gateway': s => [
		`server-side apply ${s.manifests.map(m => `${m.kind} ${m.metadata.name}`).join(', ')} in istio-system (class istio-east-west: istiod makes its Deployment and LoadBalancer Service)`,
	],
	'wait-programmed': () => [],
	'label-global-services': s => [`label the Services ${(s.services ?? []).join(', ')} istio.io/global=true where they exist`],
	'plug-ca': (_s, c, plan, options) => [
		`server-side apply Secret istio-system/cacerts: an intermediate CA for ${c.name} from the shared root${plan.input.caDir !== undefined ? ` in ${plan.input.caDir}` : ''}`,
		options.restartIstiod
			? 'restart istiod (rollout restart of its Deployments) so it signs with the new CA; workloads keep their certificates until they restart'
			: 'istiod is not restarted by the run: it keeps signing with its old CA until it restarts',
	],
};

/** What running the plan changes on each context, in words, for the confirm step (restarting istiod when asked). */
export function describeChanges(plan: Plan, options: {restartIstiod?: boolean} = {}): Array<{context: string; cluster: string; changes: string[]}> {
	return plan.clusters.map(c => ({
		context: c.cluster.context,
		cluster: c.cluster.name,
		changes: c.steps.flatMap(s => CHANGES[s.kind](s, c.cluster, plan, options)),
	}));
}
