/** What the wizard needs from the outside world, handed in through one React context. */
import {createContext, useContext} from 'react';
import type {CheckPhase, ClusterFacts} from '../core/checks/index.js';
import type {ClusterSpec, MeshPlanInput} from '../core/model.js';
import type {KubeconfigInfo, ProbeResult, RunPlan} from '../core/ports.js';
import type {ClusterTrust} from '../core/trust.js';
import type {RunRemovePlan} from '../core/teardown.js';

export interface WizardServices {
	/** Read the kubeconfig; throws an Error with a one-line message when there is none or it is unreadable. */
	loadKubeconfig(): KubeconfigInfo;
	/** Probe one context; must settle by itself (own deadline) and when `signal` aborts. */
	probe(context: string, signal: AbortSignal): Promise<ProbeResult>;
	runPlan: RunPlan;
	/** Save the plan as a named profile; absent until a profile store is available. */
	saveProfile?(name: string, input: MeshPlanInput): Promise<void>;
	/** Remember how a run of a saved profile ended (as `eastwest apply --profile` does). */
	recordRun?(name: string, result: 'succeeded' | 'failed' | 'cancelled'): Promise<void>;
	/** Where the kubeconfig was looked for, for the "no kubeconfig" screen. */
	kubeconfigSearched: string[];
	/** Deadline for every wait of a run (ms). */
	runTimeoutMs?: number;
	/**
	 * Read one planned cluster's facts for a check phase (the checks catalogue judges them). Never rejects for a
	 * cluster problem: an unreachable cluster comes back reachable=false. `errors` lists reads that failed.
	 */
	collectFacts(request: {plan: MeshPlanInput; cluster: ClusterSpec; phase: CheckPhase; signal: AbortSignal}): Promise<ClusterFacts & {errors?: string[]}>;
	/** Deadline for reading one cluster's facts for the checks (ms); 30 s when absent. */
	checksTimeoutMs?: number;
	/** What a run needs besides the clusters (istioctl): checked on the Review screen before anything can start. */
	preflight?(signal: AbortSignal): Promise<{ready: boolean; message: string}>;
	/** Read one planned cluster's trust (cacerts, istio-ca-secret, istio-ca-root-cert); never rejects for a cluster problem. */
	readTrust?(request: {plan: MeshPlanInput; cluster: ClusterSpec; signal: AbortSignal}): Promise<ClusterTrust>;
	/** Make a new root CA in `dir` (key mode 0600, nothing replaced); rejects with a one-line reason. Resolves to how the root is named. */
	createRoot?(dir: string): Promise<{root: string}>;
	/** Open the root in `dir` (root-cert.pem, root-key.pem private to its owner); rejects with a one-line reason. */
	openRoot?(dir: string): Promise<{root: string}>;
	/** Every saved profile, sorted by name (for "remove a saved setup"); absent until a profile store is available. */
	listProfiles?(): Promise<SavedProfile[]>;
	/** Run a teardown plan (engine/remove.ts): the same events as runPlan, and what it left and why. */
	removePlan?: RunRemovePlan;
	/** Remember how a remove of a saved profile's setup ended (as `eastwest remove --profile` does). */
	recordRemove?(name: string, result: 'succeeded' | 'failed' | 'cancelled'): Promise<void>;
}

/** How a run of a profile last ended. */
export interface SavedRunRecord {
	/** ISO 8601 time the run ended. */
	at: string;
	result: 'succeeded' | 'failed' | 'cancelled';
	dryRun?: boolean;
}

/** A saved profile as the wizard lists it: its plan and its last apply and remove. */
export interface SavedProfile {
	name: string;
	input: MeshPlanInput;
	lastApplied?: SavedRunRecord;
	lastRemoved?: SavedRunRecord;
}

export const ServicesContext = createContext<WizardServices | undefined>(undefined);

/** The services, or undefined while they are still loading. */
export function useServices(): WizardServices | undefined {
	return useContext(ServicesContext);
}
