/** What a check is: its declaration, its verdict and its result. */
import type {ClusterSpec, MeshPlanInput, Topology} from '../model.js';
import type {ClusterFacts} from './facts.js';

export type CheckPhase = 'preflight' | 'post-install';
export type CheckLevel = 'fail' | 'warn' | 'info';
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';
/** The front-end whose voice a hint speaks in: the command line names flags, the wizard names its screens and fields. */
export type Voice = 'cli' | 'wizard';

export interface CheckResult {
	id: string;
	/** Cluster name, or undefined for checks across the mesh. */
	cluster?: string;
	context?: string;
	claim: string;
	level: CheckLevel;
	status: CheckStatus;
	/** Why it did not pass (or was skipped). */
	reason?: string;
	/** What to do, when it did not pass. */
	hint?: string;
	/** The Istio doc section behind the check. */
	doc?: string;
}

export type Verdict = {status: 'pass'; reason?: string} | {status: 'fail' | 'warn' | 'skip'; reason: string};

export interface ClusterInput {
	plan: MeshPlanInput;
	cluster: ClusterSpec;
	facts: ClusterFacts | undefined;
	/** Another cluster's facts, by cluster name (e.g. the primary's gateway address, a peer's API server). */
	factsOf: (name: string) => ClusterFacts | undefined;
	/** The phase being run (a preflight check may pass what the plan is about to fix; after the run it may not). */
	phase?: CheckPhase;
}

export interface MeshInput {
	plan: MeshPlanInput;
	facts: Array<{cluster: ClusterSpec; facts: ClusterFacts | undefined}>;
}

/** A flag of apply that can make a run fix by itself what a check found. */
export type ResolvingFlag = '--force' | '--ca';

/** What resolves a failed check: apply given all these flags replaces or relabels what the check judged. */
export interface Resolution {
	flags: readonly ResolvingFlag[];
	/** Whether the flags resolve it for this plan (e.g. only multi-network plans relabel); always when absent. */
	applies?: (plan: MeshPlanInput) => boolean;
	/** What the run then does, e.g. "the run relabels istio-system with the planned network". */
	does: (plan: MeshPlanInput) => string;
}

export interface CheckBase {
	id: string;
	level: CheckLevel;
	phases: CheckPhase[];
	topologies: readonly Topology[];
	doc: string | ((plan: MeshPlanInput) => string);
	/** What resolves it when it fails; a check without one blocks apply until the cluster or the plan changes. */
	resolvedBy?: Resolution;
}

export interface ClusterCheck extends CheckBase {
	scope: 'cluster';
	/** Whether the check concerns this cluster at all (e.g. primaries only). */
	appliesTo?: (cluster: ClusterSpec, plan: MeshPlanInput) => boolean;
	/** Clusters whose facts are missing are skipped unless this is set (reachability itself). */
	needsReachable?: false;
	claim: (input: ClusterInput) => string;
	hint: string | ((input: ClusterInput) => string);
	/** The hint inside the wizard, where `hint` names a command-line flag; `hint` when absent. */
	wizardHint?: (input: ClusterInput) => string;
	evaluate: (input: ClusterInput & {facts: ClusterFacts}) => Verdict;
}

export interface MeshCheck extends CheckBase {
	scope: 'mesh';
	claim: (input: MeshInput) => string;
	hint: string | ((input: MeshInput) => string);
	/** The hint inside the wizard, where `hint` names a command-line flag; `hint` when absent. */
	wizardHint?: (input: MeshInput) => string;
	evaluate: (input: MeshInput) => Verdict;
}

export type Check = ClusterCheck | MeshCheck;
