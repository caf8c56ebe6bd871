import {parseClusterFlag} from '../core/cluster-flag.js';
import {
	DATAPLANES,
	TOPOLOGIES,
	TOPOLOGY_INFO,
	isDataplane,
	isTopology,
	type ClusterSpec,
	type ControlPlaneInput,
	type MeshPlanInput,
	type Topology,
} from '../core/model.js';
import {CONTROL_PLANE_PROFILES} from '../core/control-plane.js';
import {formatProblem, validatePlan} from '../core/validate.js';
import {PLAN_FLAGS} from './spec.js';
import {UsageError} from '../core/exit-codes.js';

/** The values of the plan flags (spec.ts PLAN_FLAGS) as a command's parser reads them. */
export interface PlanFlagValues {
	topology?: string;
	mesh?: string;
	cluster?: string[];
	revision?: string;
	dataplane?: string;
	'global-service'?: string[];
	'api-server'?: string[];
	'control-plane'?: string;
	'control-plane-iop'?: string[];
}

/** The refusal of --profile together with plan flags, naming the plan flags of the spec. */
export const PROFILE_OR_PLAN_FLAGS = `give either --profile or the plan flags (${Object.keys(PLAN_FLAGS)
	.map(name => `--${name}`)
	.join(', ')}), not both`;

/** True when any plan flag was given (commands that also take --profile refuse both at once). */
export function hasPlanFlags(values: PlanFlagValues): boolean {
	return (Object.keys(PLAN_FLAGS) as Array<keyof PlanFlagValues>).some(name => {
		const value = values[name];
		return Array.isArray(value) ? value.length > 0 : value !== undefined;
	});
}

/**
 * Read --topology, --mesh, --cluster (repeatable) and --revision, collecting every problem at once
 * (flag syntax first; the plan's own validation only when the flags themselves are sound).
 * Multi-network clusters default to primary; primary-remote topologies need the role spelled out.
 */
export function readPlanFlags(values: PlanFlagValues): {input: MeshPlanInput; problems: string[]} {
	const problems: string[] = [];
	let topology: Topology | undefined;
	if (values.topology === undefined) problems.push(`--topology is required: one of ${TOPOLOGIES.join(', ')}`);
	else if (!isTopology(values.topology)) problems.push(`--topology "${values.topology}" is not one of ${TOPOLOGIES.join(', ')}`);
	else topology = values.topology;
	if (values.mesh === undefined) problems.push('--mesh is required: the mesh ID every primary shares, e.g. --mesh mesh1');
	const flags = values.cluster ?? [];
	if (flags.length === 0) problems.push('--cluster is required, once per cluster: --cluster CONTEXT=NAME:NETWORK[:primary|remote]');
	const info = topology ? TOPOLOGY_INFO[topology] : undefined;
	const clusters: ClusterSpec[] = [];
	for (const text of flags) {
		const parsed = parseClusterFlag(text, info && !info.primaryRemote ? 'primary' : undefined);
		if ('error' in parsed) {
			problems.push(parsed.error);
			continue;
		}
		if (!parsed.spec.role) {
			if (info) problems.push(`--cluster "${text}": ${info.title} needs a role; append :primary or :remote, e.g. ${text}:remote`);
			continue;
		}
		clusters.push({context: parsed.spec.context, name: parsed.spec.name, network: parsed.spec.network, role: parsed.spec.role});
	}
	for (const text of values['api-server'] ?? []) {
		const eq = text.indexOf('=');
		const context = eq > 0 ? text.slice(0, eq) : '';
		const url = eq > 0 ? text.slice(eq + 1) : '';
		if (!context || !url) {
			problems.push(`--api-server "${text}" is not CONTEXT=URL, e.g. --api-server kind-west=https://172.18.0.3:6443`);
			continue;
		}
		const cluster = clusters.find(c => c.context === context);
		if (!cluster) {
			if (flags.length > 0)
				problems.push(`--api-server ${text}: context ${context} is not one of the plan's --cluster contexts (${clusters.map(c => c.context).join(', ')})`);
			continue;
		}
		if (cluster.apiServer !== undefined) problems.push(`--api-server is given twice for context ${context}; give it once`);
		cluster.apiServer = url;
	}
	const input: MeshPlanInput = {topology: topology ?? 'multi-network', meshId: values.mesh ?? '', clusters};
	if (values.revision !== undefined && values.revision !== '') input.revision = values.revision;
	const controlPlane = readControlPlaneFlags(values, clusters, flags.length > 0, problems);
	if (controlPlane) input.controlPlane = controlPlane;
	if (values.dataplane !== undefined) {
		if (isDataplane(values.dataplane)) input.dataplane = values.dataplane;
		else problems.push(`--dataplane "${values.dataplane}" is not one of ${DATAPLANES.join(', ')}`);
	}
	if ((values['global-service'] ?? []).length > 0) input.globalServices = [...values['global-service']!];
	if (problems.length === 0) problems.push(...validatePlan(input).map(formatProblem));
	return {input, problems};
}

/** --control-plane P and --control-plane-iop CONTEXT=FILE (either plans the control-plane step); problems are added to `problems`. */
function readControlPlaneFlags(values: PlanFlagValues, clusters: ClusterSpec[], anyCluster: boolean, problems: string[]): ControlPlaneInput | undefined {
	const profile = values['control-plane'];
	const texts = values['control-plane-iop'] ?? [];
	if (profile === undefined && texts.length === 0) return undefined;
	const input: ControlPlaneInput = {};
	if (profile !== undefined) {
		if (!(CONTROL_PLANE_PROFILES as readonly string[]).includes(profile))
			problems.push(`--control-plane "${profile}" is not one of ${CONTROL_PLANE_PROFILES.join(', ')}`);
		else input.profile = profile as ControlPlaneInput['profile'];
	}
	for (const text of texts) {
		const eq = text.indexOf('=');
		const context = eq > 0 ? text.slice(0, eq) : '';
		const file = eq > 0 ? text.slice(eq + 1) : '';
		if (!context || !file) {
			problems.push(`--control-plane-iop "${text}" is not CONTEXT=FILE, e.g. --control-plane-iop kind-east=east-iop.yaml`);
			continue;
		}
		const cluster = clusters.find(c => c.context === context);
		if (!cluster) {
			if (anyCluster)
				problems.push(
					`--control-plane-iop ${text}: context ${context} is not one of the plan's --cluster contexts (${clusters.map(c => c.context).join(', ')})`,
				);
			continue;
		}
		if (cluster.role !== 'primary') {
			problems.push(`--control-plane-iop ${text}: ${cluster.name} is a remote; only a primary runs its own control plane`);
			continue;
		}
		input.iops ??= {};
		if (input.iops[context] !== undefined) problems.push(`--control-plane-iop is given twice for context ${context}; give it once`);
		input.iops[context] = file;
	}
	return input;
}

/** --profile NAME or the plan flags, never both: the plan input when the flags give it, and every problem. */
export function readPlanOrProfile(values: PlanFlagValues & {profile?: string}): {input?: MeshPlanInput; problems: string[]} {
	if (values.profile !== undefined) {
		return {problems: hasPlanFlags(values) ? [PROFILE_OR_PLAN_FLAGS] : []};
	}
	return readPlanFlags(values);
}

/** A plan from the flags, validated; every problem in one UsageError, one line each. */
export function planFromFlags(values: PlanFlagValues): MeshPlanInput {
	const {input, problems} = readPlanFlags(values);
	if (problems.length > 0) throw new UsageError(problems.join('\neastwest: '));
	return input;
}

/** Every validation problem of a plan in one UsageError, one line each. */
export function assertValidPlan(input: MeshPlanInput): void {
	const problems = validatePlan(input);
	if (problems.length > 0) throw new UsageError(problems.map(formatProblem).join('\neastwest: '));
}
