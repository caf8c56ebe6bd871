/** Scripted WizardServices for UI tests and the demo: no network, no processes. */
import type {CheckPhase, ClusterFacts} from '../../source/core/checks/index.js';
import type {Event} from '../../source/core/events.js';
import type {GatewayAddress} from '../../source/core/rollout.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {Plan} from '../../source/core/plan.js';
import type {Clock, ContextInfo, KubeconfigInfo, ProbeResult, RunOptions} from '../../source/core/ports.js';
import type {SavedProfile, WizardServices} from '../../source/ui/services.js';
import {trustOf, type ClusterTrust} from '../../source/core/trust.js';
import type {LeftItem, RemoveRunOptions, TeardownPlan} from '../../source/core/teardown.js';
import {announce, Cancelled, StepFailure, systemClock, walkOutcome, walkSteps, type StepDone, type WalkStep} from '../../source/engine/steps.js';
import {FakeClock} from './fake-clock.js';
import {healthy} from './healthy-facts.js';

/** A scripted cluster for the checks: a change to its healthy facts, or 'hang' (answers only when aborted). */
export type FactsScript = ((facts: ClusterFacts) => void) | 'hang';

export function contexts(...names: string[]): ContextInfo[] {
	return names.map(name => ({name, cluster: `${name}-cluster`, user: `${name}-admin`}));
}

export function kubeconfig(names: string[], current = names[0]): KubeconfigInfo {
	return {files: ['/home/me/.kube/config'], currentContext: current, contexts: contexts(...names), warnings: []};
}

export function okProbe(context: string, extra: Partial<ProbeResult> = {}): ProbeResult {
	return {context, reachable: true, auth: 'ok', serverVersion: 'v1.35.4', istioNamespace: false, istioCrds: false, istiod: [], elapsedMs: 12, ...extra};
}

export function unreachableProbe(context: string, message = 'connect ECONNREFUSED 127.0.0.1:6443'): ProbeResult {
	return {
		context,
		reachable: false,
		error: {kind: 'unreachable', message, hint: 'check that the API server is up and reachable'},
		istioNamespace: false,
		istioCrds: false,
		istiod: [],
		elapsedMs: 3,
	};
}

export interface StepScript {
	/** Fail this step with the error and hint. */
	fail?: {error: string; hint?: string};
	/** Emit these waiting reasons first. */
	waiting?: string[];
	/** Block until the run is cancelled. */
	hang?: boolean;
}

export interface FakeOptions {
	kubeconfig?: KubeconfigInfo | Error;
	probes?: Record<string, ProbeResult | 'hang'>;
	/** Per step id (`<cluster>/<kind>`). */
	steps?: Record<string, StepScript>;
	/** Milliseconds between events (demo); 0 in tests. */
	delayMs?: number;
	addresses?: Record<string, string>;
	saveProfile?: boolean | Error;
	/** Check facts per phase and cluster name; clusters not named get healthy facts (every check passes). */
	checks?: Partial<Record<CheckPhase, Record<string, FactsScript>>>;
	/** Deadline for reading one cluster's facts (ms). */
	checksTimeoutMs?: number;
	/** What the Review screen's tool check reports. */
	preflight?: {ready: boolean; message: string};
	/** Trust per cluster name: a change to what its healthy facts say (one shared root), or 'hang'. */
	trust?: Record<string, ((trust: ClusterTrust) => void) | 'hang'>;
	/** Root CAs: 'hold' keeps createRoot/openRoot pending until releaseCa(); an Error rejects them. */
	ca?: {create?: 'hold' | Error; open?: 'hold' | Error};
	/** Saved profiles listProfiles returns (none: the store has no profiles). */
	profiles?: SavedProfile[];
	/** Per removal step id (`<cluster>/remove/<what>`): what the scripted removePlan does; unnamed steps remove what they list. */
	removeSteps?: Record<string, RemoveStepScript>;
}

export interface RemoveStepScript extends StepScript {
	/** Nothing of eastwest's was there any more. */
	gone?: boolean;
	/** Found something not eastwest's and left it, with this reason (or one per thing left). */
	left?: string | string[];
}

export interface FakeServices extends WizardServices {
	probed: string[];
	runs: Array<{plan: Plan; options: RunOptions}>;
	/** Every fact read, as "phase cluster". */
	factReads: string[];
	saved: Array<{name: string; input: MeshPlanInput}>;
	events: Event[];
	/** Every trust read, by cluster name. */
	trustReads: string[];
	/** Every root CA asked for: "create DIR" or "open DIR". */
	caCalls: string[];
	/** Let a held createRoot/openRoot finish. */
	releaseCa(): void;
	removals: Array<{plan: TeardownPlan; options: RemoveRunOptions}>;
	/** Every recordRemove call, as "name result". */
	removeRecords: string[];
}

/** Tests (no delay) see every step take 0ms; the demo sees real time. */
const clockFor = (delay: number): Clock => (delay > 0 ? systemClock : new FakeClock());

const sleep = (ms: number, signal?: AbortSignal) =>
	new Promise<void>(resolve => {
		const stop = () => {
			clearTimeout(t);
			resolve();
		};
		const t = setTimeout(() => {
			signal?.removeEventListener('abort', stop);
			resolve();
		}, ms);
		signal?.addEventListener('abort', stop, {once: true});
	});

/**
 * A scripted step on the engine's own walk (engine/steps.ts): waits `delay`, says its scripted waiting
 * reasons, then hangs until cancelled, fails as scripted, or ends as `done` says.
 */
async function scriptedStep(
	step: WalkStep,
	started: number,
	script: StepScript,
	run: {delay: number; clock: Clock; signal: AbortSignal | undefined; emit: (e: Event) => void},
	done: () => StepDone,
): Promise<StepDone> {
	const {delay, clock, signal, emit} = run;
	await sleep(delay, signal);
	for (const reason of script.waiting ?? []) {
		emit({type: 'waiting', stepId: step.id, cluster: step.cluster, elapsedMs: clock.now() - started, reason});
		await sleep(delay, signal);
	}
	if (script.hang && !signal?.aborted) await new Promise<void>(resolve => signal?.addEventListener('abort', () => resolve()));
	if (signal?.aborted) throw new Cancelled();
	if (script.fail) throw new StepFailure(script.fail.error, script.fail.hint);
	return done();
}

export function fakeServices(options: FakeOptions = {}): FakeServices {
	const probed: string[] = [];
	const runs: FakeServices['runs'] = [];
	const saved: FakeServices['saved'] = [];
	const events: Event[] = [];
	const factReads: string[] = [];
	const trustReads: string[] = [];
	const caCalls: string[] = [];
	const held: Array<() => void> = [];
	const delay = options.delayMs ?? 0;
	const rootCa = async (kind: 'create' | 'open', dir: string) => {
		caCalls.push(`${kind} ${dir}`);
		const script = options.ca?.[kind];
		if (script === 'hold') await new Promise<void>(resolve => held.push(resolve));
		else if (script instanceof Error) throw script;
		return {root: 'O=Istio, CN=Root CA (sha256 5A:11:7E:00:…)'};
	};
	const services: FakeServices = {
		probed,
		runs,
		factReads,
		trustReads,
		caCalls,
		releaseCa: () => {
			for (const release of held.splice(0)) release();
		},
		async readTrust({plan, cluster, signal}) {
			trustReads.push(cluster.name);
			const script = options.trust?.[cluster.name];
			if (script === 'hang') {
				await new Promise<void>(resolve => signal.addEventListener('abort', () => resolve()));
				throw new Error('read aborted');
			}
			if (delay) await sleep(delay * 2, signal);
			const trust = trustOf(cluster.name, healthy(plan, cluster));
			script?.(trust);
			return trust;
		},
		createRoot: dir => rootCa('create', dir),
		openRoot: dir => rootCa('open', dir),
		...(options.checksTimeoutMs ? {checksTimeoutMs: options.checksTimeoutMs} : {}),
		async collectFacts({plan, cluster, phase, signal}) {
			factReads.push(`${phase} ${cluster.name}`);
			const script = options.checks?.[phase]?.[cluster.name];
			if (script === 'hang') {
				await new Promise<void>(resolve => signal.addEventListener('abort', () => resolve()));
				throw new Error('read aborted');
			}
			if (delay) await sleep(delay * 2, signal);
			const facts = {...healthy(plan, cluster), errors: [] as string[]};
			script?.(facts);
			return facts;
		},
		saved,
		events,
		removals: [],
		removeRecords: [],
		kubeconfigSearched: ['/home/me/.kube/config'],
		loadKubeconfig() {
			const k = options.kubeconfig ?? kubeconfig(['east', 'west']);
			if (k instanceof Error) throw k;
			return k;
		},
		async probe(context, signal) {
			probed.push(context);
			const scripted = options.probes?.[context];
			if (scripted === 'hang') {
				await new Promise<void>(resolve => signal.addEventListener('abort', () => resolve()));
				throw new Error('probe aborted');
			}
			if (delay) await sleep(delay * 3, signal);
			return scripted ?? okProbe(context);
		},
		async runPlan(plan, runOptions) {
			runs.push({plan, options: runOptions});
			const emit = (e: Event) => {
				events.push(e);
				runOptions.onEvent(e);
			};
			const {signal} = runOptions;
			const run = {delay, clock: clockFor(delay), signal, emit};
			const addresses = new Map<string, GatewayAddress>();
			const records = await walkSteps(plan.steps, {
				signal,
				onEvent: emit,
				clock: run.clock,
				perform: (step, started) =>
					scriptedStep(step, started, options.steps?.[step.id] ?? {}, run, () => {
						if (step.kind === 'wait-address') {
							const value = options.addresses?.[step.cluster] ?? `192.0.2.${10 + plan.clusters.findIndex(c => c.cluster.name === step.cluster)}`;
							addresses.set(step.cluster, {kind: 'ip', value});
							emit({type: 'address', cluster: step.cluster, address: {kind: 'ip', value}});
						}
						return {result: 'changed'};
					}),
			});
			return announce(
				emit,
				walkOutcome(plan, records, signal, cluster => addresses.get(cluster)),
			);
		},
	};
	services.listProfiles = async () => options.profiles ?? [];
	services.recordRemove = async (name, result) => {
		services.removeRecords.push(`${name} ${result}`);
	};
	services.removePlan = async (plan, runOptions) => {
		services.removals.push({plan, options: runOptions});
		const emit = (e: Event) => {
			events.push(e);
			runOptions.onEvent(e);
		};
		const {signal} = runOptions;
		const run = {delay, clock: clockFor(delay), signal, emit};
		const left: LeftItem[] = [];
		const records = await walkSteps(plan.steps, {
			signal,
			onEvent: emit,
			clock: run.clock,
			perform: (step, started) => {
				const script = options.removeSteps?.[step.id] ?? {};
				return scriptedStep(step, started, script, run, () => {
					for (const reason of [script.left ?? []].flat()) left.push({cluster: step.cluster, context: step.context, stepId: step.id, reason});
					const what = step.objects?.map(o => `${o.kind} ${o.name}`).join(', ') ?? step.key?.name ?? step.owner ?? step.kind;
					const detail = script.left ? `left: ${[script.left].flat().join('; ')}` : script.gone ? 'already gone' : `removed ${what}`;
					return {result: script.left ? 'skipped' : script.gone ? 'unchanged' : 'changed', detail};
				});
			},
		});
		return announce(emit, {...walkOutcome(plan, records, signal), left});
	};
	if (options.preflight) {
		const result = options.preflight;
		services.preflight = async () => result;
	}
	if (options.saveProfile) {
		const result = options.saveProfile;
		services.saveProfile = async (name, input) => {
			if (result instanceof Error) throw result;
			saved.push({name, input});
		};
	}
	return services;
}
