import React, {Suspense, lazy, useCallback, useEffect, useMemo, useReducer, useRef, useState} from 'react';
import {Box, Text, useApp} from 'ink';
import type {MeshPlanInput, Topology} from './core/model.js';
import {buildPlan, type Plan} from './core/plan.js';
import type {KubeconfigInfo} from './core/ports.js';
import type {RunView} from './core/run-progress.js';
import {initialWizardState, stateFromPlan, toPlanInput, wizardReducer} from './core/wizard.js';
import {Header} from './ui/components/Header.js';
import {Help} from './ui/components/Help.js';
import {NavContext, type Nav} from './ui/hooks/useCommands.js';
import {useProbes} from './ui/hooks/useProbes.js';
import type {KeyScope} from './ui/keys.js';
import {planKey, type CheckRunView} from './ui/hooks/useChecks.js';
import {ChecksScreen} from './ui/screens/ChecksScreen.js';
import {ContextsScreen} from './ui/screens/ContextsScreen.js';
import {DoneScreen} from './ui/screens/DoneScreen.js';
import {IdsScreen} from './ui/screens/IdsScreen.js';
import {NoKubeconfigScreen} from './ui/screens/NoKubeconfigScreen.js';
import {RunScreen} from './ui/screens/RunScreen.js';
import {TopologyScreen} from './ui/screens/TopologyScreen.js';
import {ServicesContext, type WizardServices} from './ui/services.js';
import {ThemeContext, createTheme} from './ui/theme.js';
import {firstLine} from './core/text.js';

// Review renders YAML (the yaml library, a fifth of the wizard's code): it loads when first needed, not before the first frame.
const ReviewScreen = lazy(async () => ({default: (await import('./ui/screens/ReviewScreen.js')).ReviewScreen}));

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

type Kube = {state: 'loading'} | {state: 'ready'; info: KubeconfigInfo} | {state: 'missing'; reason: string};

/** The wizard's screen router: which screen shows, and the state that outlives a screen. */
export default function App({services: given, color = true, initialTopology, initialPlan, onExit, signal}: AppProps) {
	const {exit} = useApp();
	const theme = useMemo(() => createTheme(color), [color]);
	const [services, setServices] = useState<WizardServices | undefined>(typeof given === 'function' ? undefined : given);
	const [loadError, setLoadError] = useState<string | undefined>();
	const [kube, setKube] = useState<Kube>({state: 'loading'});
	const [state, dispatch] = useReducer(wizardReducer, undefined, () => (initialPlan ? stateFromPlan(initialPlan.input) : initialWizardState(initialTopology)));
	const {probes, request} = useProbes(services);
	const [help, setHelp] = useState<KeyScope | undefined>();
	const [plan, setPlan] = useState<Plan | undefined>();
	const [finished, setFinished] = useState<RunView | undefined>();
	const [profile, setProfile] = useState<string | undefined>(initialPlan?.profile);
	const [profileKey, setProfileKey] = useState<string | undefined>(initialPlan ? planKey(initialPlan.input) : undefined);
	const [interrupted, setInterrupted] = useState(false);
	// The last finished preflight, and whether the user confirmed running despite its failures.
	const [preflight, setPreflight] = useState<{view: CheckRunView; overridden: boolean} | undefined>();
	const screen = useRef(state.screen);
	screen.current = state.screen;

	useEffect(() => {
		if (typeof given !== 'function') return;
		let live = true;
		given().then(
			s => live && setServices(s),
			(error: unknown) => live && setLoadError(firstLine(error)),
		);
		return () => {
			live = false;
		};
	}, [given]);

	useEffect(() => {
		if (!services) return;
		try {
			const info = services.loadKubeconfig();
			if (info.contexts.length === 0) {
				setKube({state: 'missing', reason: `the kubeconfig (${info.files.join(', ') || 'none found'}) has no contexts`});
			} else setKube({state: 'ready', info});
		} catch (error) {
			setKube({state: 'missing', reason: firstLine(error)});
		}
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
			if (screen.current === 'run') setInterrupted(true);
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
	// The profile the running plan is saved as, if it is exactly that plan (not edited since).
	const ranProfile = useRef<string | undefined>(undefined);
	const onFinished = useCallback(
		(view: RunView) => {
			setFinished(view);
			dispatch({type: 'run-finished'});
			const name = ranProfile.current;
			if (name && services?.recordRun && view.outcome) {
				const result = view.outcome.cancelled ? 'cancelled' : view.outcome.ok ? 'succeeded' : 'failed';
				// Best effort, as for apply: the run's result stands whether or not the profile could be updated.
				services.recordRun(name, result).catch(() => undefined);
			}
		},
		[services],
	);
	const onPreflight = useCallback((view: CheckRunView) => setPreflight(p => (p?.view === view ? p : {view, overridden: false})), []);
	const currentKey = planKey(toPlanInput(state));
	const judged = preflight && preflight.view.key === currentKey ? preflight : undefined;
	const startRun = () => {
		// The run starts only after a preflight of this very plan, and past its failures only when the user confirmed.
		const results = judged?.view.results;
		if (!results || (results.some(r => r.status === 'fail') && !judged?.overridden)) return;
		const input = toPlanInput(state);
		ranProfile.current = profile !== undefined && profileKey === planKey(input) ? profile : undefined;
		setPlan(buildPlan(input));
		dispatch({type: 'start-run'});
	};

	let body: React.ReactNode;
	if (loadError) {
		body = <NoKubeconfigScreen reason={`could not load cluster access: ${loadError}`} searched={[]} onExit={() => finish(1)} />;
	} else if (state.screen === 'topology') {
		body = <TopologyScreen initial={state.topology} onChoose={topology => dispatch({type: 'choose-topology', topology})} />;
	} else if (kube.state === 'missing') {
		body = <NoKubeconfigScreen reason={kube.reason} searched={services?.kubeconfigSearched ?? []} onExit={finish} />;
	} else if (kube.state === 'loading') {
		body = <Text color={theme.tone('muted')}>Reading the kubeconfig…</Text>;
	} else if (state.screen === 'contexts') {
		body = <ContextsScreen kubeconfig={kube.info} state={state} probes={probes} requestProbes={request} dispatch={dispatch} />;
	} else if (state.screen === 'ids') {
		body = <IdsScreen state={state} dispatch={dispatch} />;
	} else if (state.screen === 'checks') {
		body = (
			<ChecksScreen
				state={state}
				cached={judged?.view}
				overridden={judged?.overridden ?? false}
				onResult={onPreflight}
				onContinue={override => {
					if (override) setPreflight(p => p && {...p, overridden: true});
					dispatch({type: 'checks-done'});
				}}
			/>
		);
	} else if (state.screen === 'review') {
		const results = judged?.view.results ?? [];
		const checks = judged ? {failed: results.filter(r => r.status === 'fail').length, warned: results.filter(r => r.status === 'warn').length, passed: results.filter(r => r.status === 'pass').length, overridden: judged.overridden} : undefined;
		body = (
			<Suspense fallback={<Text color={theme.tone('muted')}>Preparing the review…</Text>}>
				<ReviewScreen state={state} savedProfile={profile} onSaved={name => {
					setProfile(name);
					setProfileKey(currentKey);
				}} onRun={startRun} checks={checks} />
			</Suspense>
		);
	} else if (state.screen === 'run' && plan && services) {
		body = <RunScreen plan={plan} services={services} onFinished={onFinished} cancelRequested={interrupted} />;
	} else if (state.screen === 'done' && finished && plan) {
		body = <DoneScreen view={finished} input={plan.input} profile={profile} onExit={finish} />;
	}

	return (
		<ThemeContext.Provider value={theme}>
			<ServicesContext.Provider value={services}>
				<NavContext.Provider value={nav}>
					<Box flexDirection="column">
						<Header screen={state.screen} />
						{help ? <Help scope={help} onClose={() => setHelp(undefined)} /> : null}
						<Box display={help ? 'none' : 'flex'} flexDirection="column">
							{body}
						</Box>
					</Box>
				</NavContext.Provider>
			</ServicesContext.Provider>
		</ThemeContext.Provider>
	);
}
