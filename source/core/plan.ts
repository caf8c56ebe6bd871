import {
	renderEastWestGateway,
	renderExposeIstiod,
	renderExposeServices,
	type Manifest,
	type NetworkingApiVersion,
} from './manifests.js';
import {TOPOLOGY_INFO, normalRevision, type ClusterSpec, type MeshPlanInput} from './model.js';

export const STEP_KINDS = ['label-network', 'install-gateway', 'wait-rollout', 'wait-address', 'expose-istiod', 'expose-services', 'plug-ca'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface Step {
	/** Unique within a plan: `<cluster name>/<kind>`. */
	id: string;
	kind: StepKind;
	/** Cluster name (ClusterSpec.name). */
	cluster: string;
	context: string;
	/** Step ids that must finish first; steps whose dependencies are done may run in parallel. */
	dependsOn: string[];
	/** A sentence for people: what the step does. */
	title: string;
	/** The manifests this step applies (the IstioOperator for install-gateway). */
	manifests: Manifest[];
	/** Network for label-network. */
	network?: string;
}

export interface ClusterPlan {
	cluster: ClusterSpec;
	steps: Step[];
	/** What eastwest leaves to the user on this cluster (truthful scope notes). */
	notes: string[];
}

export interface Plan {
	input: MeshPlanInput;
	clusters: ClusterPlan[];
	/** Every step, in an order that respects dependencies. */
	steps: Step[];
}

export interface PlanOptions {
	apiVersion?: NetworkingApiVersion;
}

const stepId = (cluster: string, kind: StepKind) => `${cluster}/${kind}`;

const TITLES: Record<StepKind, (c: ClusterSpec) => string> = {
	'label-network': c => `Label namespace istio-system with topology.istio.io/network=${c.network}`,
	'install-gateway': c => `Install the east-west gateway for network ${c.network} (istioctl install)`,
	'wait-rollout': () => 'Wait for the gateway Deployment to roll out',
	'wait-address': () => 'Wait for the gateway Service to get an external address',
	'expose-istiod': () => 'Expose istiod (15012, 15017) through the gateway',
	'expose-services': () => 'Expose services (15443, AUTO_PASSTHROUGH) through the gateway',
	'plug-ca': c => `Plug in an intermediate CA for ${c.name} (Secret istio-system/cacerts) from the shared root`,
};

/**
 * Turn a valid plan input into per-cluster steps (see DESIGN "The plan").
 * The caller validates first; buildPlan assumes validatePlan returned no problems.
 */
export function buildPlan(input: MeshPlanInput, options: PlanOptions = {}): Plan {
	const info = TOPOLOGY_INFO[input.topology];
	const revision = normalRevision(input.revision);
	const primary = info.primaryRemote ? input.clusters.find(c => c.role === 'primary') : undefined;
	const exposeOpts = {revision, apiVersion: options.apiVersion};

	const clusters: ClusterPlan[] = input.clusters.map(cluster => {
		const steps: Step[] = [];
		const notes: string[] = [];
		const make = (kind: StepKind, dependsOn: string[], manifests: Manifest[] = []): Step => {
			const step: Step = {
				id: stepId(cluster.name, kind),
				kind,
				cluster: cluster.name,
				context: cluster.context,
				dependsOn,
				title: TITLES[kind](cluster),
				manifests,
			};
			if (kind === 'label-network') step.network = cluster.network;
			steps.push(step);
			return step;
		};

		const isPrimary = cluster.role === 'primary';
		const needsGateway = info.multiNetwork || isPrimary;
		if (!needsGateway) {
			notes.push(
				`No east-west gateway: ${cluster.name} shares network ${cluster.network} with the primary, so its pods reach the primary's istiod through the primary's gateway.`,
			);
		}

		let last: Step | undefined;
		// Trust first: the plugged-in CA (its key material is handed to the engine at run time, never put in the plan).
		if (input.caDir !== undefined) last = make('plug-ca', []);
		if (info.multiNetwork) last = make('label-network', last ? [last.id] : []);
		if (needsGateway) {
			const installDeps = last ? [last.id] : [];
			// A remote's gateway pods are injected by the primary's istiod, reached through the primary's gateway.
			if (!isPrimary && primary) installDeps.push(stepId(primary.name, 'expose-istiod'));
			const install = make('install-gateway', installDeps, [renderEastWestGateway({network: cluster.network, revision})]);
			const rollout = make('wait-rollout', [install.id]);
			const address = make('wait-address', [rollout.id]);
			last = address;
			if (info.primaryRemote && isPrimary) last = make('expose-istiod', [address.id], renderExposeIstiod(exposeOpts));
			if (info.multiNetwork && isPrimary) make('expose-services', [last.id], renderExposeServices(exposeOpts));
		}
		if (!isPrimary && primary) {
			notes.push(
				`Remote wiring is yours to run: annotate istio-system with topology.istio.io/controlPlaneClusters=${primary.name}, ` +
					`install Istio with profile remote (injectionPath /inject/cluster/${cluster.name}/net/${cluster.network}, remotePilotAddress = ${primary.name}'s gateway address), ` +
					`and apply \`istioctl create-remote-secret --context ${cluster.context} --name ${cluster.name}\` on ${primary.name}.`,
			);
		}
		return {cluster, steps, notes};
	});

	return {input, clusters, steps: orderSteps(clusters.flatMap(c => c.steps))};
}

/** A dependency-respecting order (stable: keeps cluster order where free). Throws on a cycle or a dangling dependency. */
export function orderSteps(steps: Step[]): Step[] {
	const byId = new Map(steps.map(s => [s.id, s]));
	for (const s of steps) {
		for (const d of s.dependsOn) {
			if (!byId.has(d)) throw new Error(`step ${s.id} depends on unknown step ${d}`);
		}
	}
	const done = new Set<string>();
	const ordered: Step[] = [];
	while (ordered.length < steps.length) {
		const next = steps.find(s => !done.has(s.id) && s.dependsOn.every(d => done.has(d)));
		if (!next) throw new Error('plan has a dependency cycle');
		done.add(next.id);
		ordered.push(next);
	}
	return ordered;
}

/** Every manifest the plan applies on one cluster, in step order. */
export function clusterManifests(plan: Plan, clusterName: string): Manifest[] {
	return plan.steps.filter(s => s.cluster === clusterName).flatMap(s => s.manifests);
}
