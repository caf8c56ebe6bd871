import React, {Suspense, lazy, useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState} from 'react';
import {Box, Text, measureElement, useApp, useStdout, type DOMElement} from 'ink';
import type {MeshPlanInput, Topology} from './core/model.js';
import type {RunView} from './core/run-progress.js';
import {initialWizardState, judgedPreflight, stateFromPlan, wizardReducer} from './core/wizard.js';
import {ScreenRowsContext} from './ui/components/Fit.js';
import {Header} from './ui/components/Header.js';
import {Help} from './ui/components/Help.js';
import {NavContext, type Nav} from './ui/hooks/useCommands.js';
import {useProbes} from './ui/hooks/useProbes.js';
import type {KeyScope} from './ui/keys.js';
import type {CheckRunView} from './ui/hooks/useChecks.js';
import {TopologyScreen} from './ui/screens/TopologyScreen.js';
import {ServicesContext, type SavedProfile, type WizardServices} from './ui/services.js';
import type {LeftItem, RemoveRunOptions} from './core/teardown.js';
import type * as Later from './ui/screens/later.js';
import {ThemeContext, createTheme} from './ui/theme.js';
import {firstLine} from './core/text.js';
import {DEFAULT_REMOVE_TIMEOUT_MS} from './core/timeouts.js';

// Review renders YAML (the yaml library, a fifth of the wizard's code): it loads when first needed, not before the first frame.
const ReviewScreen = lazy(async () => ({default: (await import('./ui/screens/ReviewScreen.js')).ReviewScreen}));
// The run screen (its layouts, the event batching, the istioctl bound's labels) is needed only after Review.
const RunScreen = lazy(async () => ({default: (await import('./ui/screens/RunScreen.js')).RunScreen}));

// Only the topology screen is drawn first; every other screen (and the checks catalogue, the trust rules and the
// teardown planner they use) loads right after that frame, while the cluster libraries load too.
type LaterScreens = typeof Later;
let laterScreens: LaterScreens | undefined;
/** Load the screens after the first (once per process; the App calls it after its first frame). */
export async function loadScreens(): Promise<LaterScreens> {
	laterScreens ??= await import('./ui/screens/later.js');
	return laterScreens;
}

export interface AppProps {
	/** The services, or a loader called after the first frame (cluster libraries load lazily). */
	services: WizardServices | (() => Promise<WizardServices>);
	color?: boolean;
	initialTopology?: Topology;
	/** Open at Review with this plan (eastwest --profile NAME). */
	initialPlan?: {input: MeshPlanInput; profile: string};
	/** Called once with the process exit code when the wizard ends. */
	onExit?: (code: number) => void;
	/** Aborted when the process is told to stop: a run is cancelled, otherwise the wizard ends with 130. */
	signal?: AbortSignal;
}

/** The wizard's screen router: which screen shows; the state that outlives a screen is the wizard reducer's. */
export default function App({services: given, color = true, initialTopology, initialPlan, onExit, signal}: AppProps) {
	const {exit} = useApp();
	const theme = useMemo(() => createTheme(color), [color]);
	const [services, setServices] = useState<WizardServices | undefined>(typeof given === 'function' ? undefined : given);
	const [state, dispatch] = useReducer(wizardReducer<CheckRunView>, undefined, () =>
		initialPlan ? stateFromPlan<CheckRunView>(initialPlan.input, initialPlan.profile) : initialWizardState<CheckRunView>(initialTopology),
	);
	const {probes, request} = useProbes(services);
	// Which help overlay is open: a view concern (key scopes are the UI's), not the wizard's.
	const [help, setHelp] = useState<KeyScope | undefined>();
	const latest = useRef(state);
	latest.current = state;
	// Saved profiles, for "remove a saved setup" (read once the services are there).
	const [saved, setSaved] = useState<SavedProfile[] | undefined>();
	const [screens, setScreens] = useState(laterScreens);

	useEffect(() => {
		if (screens) return;
		let live = true;
		loadScreens().then(
			m => live && setScreens(m),
			(error: unknown) => live && dispatch({type: 'services-failed', reason: firstLine(error)}),
		);
		return () => {
			live = false;
		};
	}, [screens]);

	useEffect(() => {
		if (typeof given !== 'function') return;
		let live = true;
		given().then(
			s => live && setServices(s),
			(error: unknown) => live && dispatch({type: 'services-failed', reason: firstLine(error)}),
		);
		return () => {
			live = false;
		};
	}, [given]);

	useEffect(() => {
		if (!services) return;
		try {
			dispatch({type: 'kubeconfig-read', info: services.loadKubeconfig()});
		} catch (error) {
			dispatch({type: 'kubeconfig-failed', reason: firstLine(error)});
		}
	}, [services]);

	useEffect(() => {
		if (!services?.listProfiles) return;
		let live = true;
		// An unreadable profile store only hides the entry; eastwest profiles list says what is wrong with it.
		services.listProfiles().then(
			list => live && setSaved(list),
			() => undefined,
		);
		return () => {
			live = false;
		};
	}, [services]);

	const finish = useCallback(
		(code: number) => {
			onExit?.(code);
			exit();
		},
		[onExit, exit],
	);
	useEffect(() => {
		if (!signal) return;
		const onAbort = () => {
			if (latest.current.screen === 'run' || latest.current.screen === 'remove-run') dispatch({type: 'interrupt'});
			else finish(130);
		};
		if (signal.aborted) onAbort();
		signal.addEventListener('abort', onAbort, {once: true});
		return () => signal.removeEventListener('abort', onAbort);
	}, [signal, finish]);

	const nav: Nav = useMemo(
		() => ({
			helpOpen: help !== undefined,
			openHelp: scope => setHelp(scope),
			quit: () => finish(0),
			back: () => dispatch({type: 'back'}),
		}),
		[help, finish],
	);
	const onFinished = useCallback(
		(view: RunView) => {
			const name = latest.current.run?.profile;
			dispatch({type: 'run-finished', view});
			if (name && services?.recordRun && view.outcome) {
				const result = view.outcome.cancelled ? 'cancelled' : view.outcome.ok ? 'succeeded' : 'failed';
				// Best effort, as for apply: the run's result stands whether or not the profile could be updated.
				services.recordRun(name, result).catch(() => undefined);
			}
		},
		[services],
	);
	// A removal: its teardown plan (cacerts only when asked), how it starts, and what it left.
	const removalInput = state.removal?.input;
	const removalCa = state.removal?.ca ?? false;
	const buildTeardown = screens?.buildTeardown;
	const teardown = useMemo(
		() => (removalInput && buildTeardown ? buildTeardown(removalInput, {ca: removalCa}) : undefined),
		[removalInput, removalCa, buildTeardown],
	);
	const removalLeft = useRef<LeftItem[]>([]);
	const startRemoval = useCallback(
		async (options: RemoveRunOptions) => {
			removalLeft.current = [];
			if (!teardown || !services?.removePlan) throw new Error('removing is unavailable: this build has no cluster access for it');
			const outcome = await services.removePlan(teardown, {...options, timeoutMs: services.runTimeoutMs ?? DEFAULT_REMOVE_TIMEOUT_MS});
			removalLeft.current = outcome.left;
			return outcome;
		},
		[teardown, services],
	);
	const onRemoved = useCallback(
		(view: RunView) => {
			const name = latest.current.removal?.profile;
			dispatch({type: 'remove-finished', view, left: removalLeft.current});
			if (name && services?.recordRemove && view.outcome) {
				const result = view.outcome.cancelled ? 'cancelled' : view.outcome.ok ? 'succeeded' : 'failed';
				// Best effort, as for eastwest remove: the removal's result stands whether or not the profile could be updated.
				services.recordRemove(name, result).catch(() => undefined);
			}
		},
		[services],
	);
	const onPreflight = useCallback((view: CheckRunView) => dispatch({type: 'preflight-done', view}), []);
	// The rows a screen has: the terminal's, less the header as drawn (measured, so a narrow terminal's wrap counts).
	const {stdout} = useStdout();
	const header = useRef<DOMElement>(null);
	const [headerRows, setHeaderRows] = useState(1);
	// After every layout: the header wraps differently as the screen or the terminal changes.
	// eslint-disable-next-line react-hooks/exhaustive-deps
	useLayoutEffect(() => {
		const rows = header.current ? measureElement(header.current).height : 1;
		if (rows !== headerRows) setHeaderRows(rows);
	});
	const judged = judgedPreflight(state);
	const access = state.access;

	let body: React.ReactNode;
	if (!screens && (state.screen !== 'topology' || access.state === 'broken')) {
		body = <Text color={theme.tone('muted')}>Loading…</Text>;
	} else if (!screens) {
		body = (
			<TopologyScreen
				initial={state.topology}
				onChoose={topology => dispatch({type: 'choose-topology', topology})}
				savedProfiles={saved?.length ?? 0}
				onRemove={() => dispatch({type: 'open-remove'})}
			/>
		);
	} else if (access.state === 'broken') {
		body = <screens.NoKubeconfigScreen reason={`could not load cluster access: ${access.reason}`} searched={[]} onExit={() => finish(1)} />;
	} else if (state.screen === 'topology') {
		body = (
			<TopologyScreen
				initial={state.topology}
				onChoose={topology => dispatch({type: 'choose-topology', topology})}
				savedProfiles={saved?.length ?? 0}
				onRemove={() => dispatch({type: 'open-remove'})}
			/>
		);
	} else if (access.state === 'missing') {
		body = <screens.NoKubeconfigScreen reason={access.reason} searched={services?.kubeconfigSearched ?? []} onExit={finish} />;
	} else if (access.state === 'loading') {
		body = <Text color={theme.tone('muted')}>Reading the kubeconfig…</Text>;
	} else if (state.screen === 'contexts') {
		body = <screens.ContextsScreen kubeconfig={access.info} state={state} probes={probes} requestProbes={request} dispatch={dispatch} />;
	} else if (state.screen === 'ids') {
		body = <screens.IdsScreen state={state} dispatch={dispatch} probes={probes} />;
	} else if (state.screen === 'trust') {
		body = <screens.TrustScreen state={state} onDone={choice => dispatch({type: 'trust-done', ...choice})} />;
	} else if (state.screen === 'checks') {
		body = (
			<screens.ChecksScreen
				state={state}
				cached={judged?.view}
				overridden={judged?.overridden ?? false}
				onResult={onPreflight}
				onContinue={override => dispatch({type: 'checks-done', override})}
			/>
		);
	} else if (state.screen === 'review') {
		body = (
			<Suspense fallback={<Text color={theme.tone('muted')}>Preparing the review…</Text>}>
				<ReviewScreen state={state} dispatch={dispatch} />
			</Suspense>
		);
	} else if (state.screen === 'run' && state.run && services) {
		body = (
			<Suspense fallback={<Text color={theme.tone('muted')}>Starting the run…</Text>}>
				<RunScreen
					plan={state.run.plan}
					services={services}
					onFinished={onFinished}
					cancelRequested={state.run.interrupted}
					restartIstiod={state.run.restartIstiod}
				/>
			</Suspense>
		);
	} else if (state.screen === 'done' && state.run?.finished) {
		body = <screens.DoneScreen view={state.run.finished} input={state.run.plan.input} profile={state.profile?.name} onExit={finish} />;
	} else if (state.screen === 'remove-profiles') {
		body = (
			<screens.RemoveProfilesScreen
				profiles={saved ?? []}
				notice={state.notice}
				onPick={p => dispatch({type: 'pick-remove-profile', name: p.name, input: p.input})}
			/>
		);
	} else if (state.screen === 'remove-review' && state.removal) {
		body = (
			<screens.RemoveReviewScreen
				removal={state.removal}
				known={access.info.contexts.map(c => c.name)}
				onToggleCa={() => dispatch({type: 'toggle-remove-ca'})}
				onConfirm={() => dispatch({type: 'start-remove'})}
			/>
		);
	} else if (state.screen === 'remove-run' && state.removal && teardown && services) {
		const n = teardown.clusters.length;
		body = (
			<Suspense fallback={<Text color={theme.tone('muted')}>Starting the removal…</Text>}>
				<RunScreen
					plan={teardown}
					services={services}
					start={startRemoval}
					title={`Removing profile ${state.removal.profile}'s setup from ${n} cluster${n === 1 ? '' : 's'}`}
					onFinished={onRemoved}
					cancelRequested={state.removal.interrupted}
				/>
			</Suspense>
		);
	} else if (state.screen === 'remove-done' && state.removal?.finished) {
		body = <screens.RemoveDoneScreen removal={{...state.removal, finished: state.removal.finished}} onExit={finish} />;
	}

	return (
		<ThemeContext.Provider value={theme}>
			<ServicesContext.Provider value={services}>
				<NavContext.Provider value={nav}>
					<ScreenRowsContext.Provider value={(stdout.rows || 24) - headerRows}>
						<Box flexDirection="column">
							<Box ref={header}>
								<Header screen={state.screen} />
							</Box>
							{help ? <Help scope={help} onClose={() => setHelp(undefined)} /> : null}
							<Box display={help ? 'none' : 'flex'} flexDirection="column">
								{body}
							</Box>
						</Box>
					</ScreenRowsContext.Provider>
				</NavContext.Provider>
			</ServicesContext.Provider>
		</ThemeContext.Provider>
	);
}
