import {parseClusterFlag} from '../core/cluster-flag.js';
import {TOPOLOGIES, TOPOLOGY_INFO, isTopology, type ClusterSpec, type MeshPlanInput} from '../core/model.js';
import type {ContextInfo, KubeconfigInfo} from '../core/ports.js';
import {formatProblem, validatePlan} from '../core/validate.js';
import type {OptionSpec} from './args.js';
import {UsageError} from './errors.js';

/** The flags that describe a mesh plan; shared by every command that takes a plan (apply, check, profiles save). */
export const PLAN_FLAG_OPTIONS = {
	topology: {type: 'string'},
	mesh: {type: 'string'},
	cluster: {type: 'string', multiple: true},
	revision: {type: 'string'},
} as const satisfies OptionSpec;

export interface PlanFlagValues {
	topology?: string;
	mesh?: string;
	cluster?: string[];
	revision?: string;
}

/** True when any plan flag was given (commands that also take --profile refuse both at once). */
export function hasPlanFlags(values: PlanFlagValues): boolean {
	return values.topology !== undefined || values.mesh !== undefined || (values.cluster?.length ?? 0) > 0 || values.revision !== undefined;
}

/**
 * Turn --topology, --mesh, --cluster (repeatable) and --revision into a plan input.
 * Multi-network clusters default to primary; primary-remote topologies need the role spelled out.
 * Throws a UsageError naming the flag and what to do. Does not validate names: see assertValidPlan.
 */
export function planFromFlags(values: PlanFlagValues): MeshPlanInput {
	if (values.topology === undefined) {
		throw new UsageError(`--topology is required: one of ${TOPOLOGIES.join(', ')}`);
	}
	if (!isTopology(values.topology)) {
		throw new UsageError(`--topology "${values.topology}" is not one of ${TOPOLOGIES.join(', ')}`);
	}
	const topology = values.topology;
	if (values.mesh === undefined) throw new UsageError('--mesh is required: the mesh ID every primary shares, e.g. --mesh mesh1');
	const flags = values.cluster ?? [];
	if (flags.length === 0) {
		throw new UsageError('--cluster is required, once per cluster: --cluster CONTEXT=NAME:NETWORK[:primary|remote]');
	}
	const info = TOPOLOGY_INFO[topology];
	const clusters: ClusterSpec[] = flags.map(text => {
		const parsed = parseClusterFlag(text, info.primaryRemote ? undefined : 'primary');
		if ('error' in parsed) throw new UsageError(parsed.error);
		const {spec} = parsed;
		if (!spec.role) {
			throw new UsageError(`--cluster "${text}": ${info.title} needs a role; append :primary or :remote, e.g. ${text}:remote`);
		}
		return {context: spec.context, name: spec.name, network: spec.network, role: spec.role};
	});
	const input: MeshPlanInput = {topology, meshId: values.mesh, clusters};
	if (values.revision !== undefined && values.revision !== '') input.revision = values.revision;
	return input;
}

/** Throw a one-line UsageError for the first problem of the plan (and how many more there are). */
export function assertValidPlan(input: MeshPlanInput): void {
	const problems = validatePlan(input);
	if (problems.length === 0) return;
	const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
	throw new UsageError(`${formatProblem(problems[0]!)}${more}`);
}

/** The plan's contexts missing from the kubeconfig; empty when all are present. */
export function missingContexts(input: MeshPlanInput, kubeconfig: KubeconfigInfo): string[] {
	const known = new Set(kubeconfig.contexts.map((c: ContextInfo) => c.name));
	return input.clusters.map(c => c.context).filter(name => !known.has(name));
}

/** Throw a one-line UsageError naming the first missing context and the kubeconfig files searched. */
export function assertContextsExist(input: MeshPlanInput, kubeconfig: KubeconfigInfo): void {
	const missing = missingContexts(input, kubeconfig);
	if (missing.length === 0) return;
	const files = kubeconfig.files.length > 0 ? kubeconfig.files.join(', ') : '(no kubeconfig file found)';
	const names = missing.map(m => `"${m}"`).join(', ');
	throw new UsageError(`context${missing.length > 1 ? 's' : ''} ${names} not found in kubeconfig ${files}; run 'kubectl config get-contexts' to list the contexts, or pass --kubeconfig`);
}
