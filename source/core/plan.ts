import {renderEastWestGateway, renderExposeIstiod, renderExposeServices, type Manifest, type NetworkingApiVersion} from './manifests.js';
import {controlPlaneWant, overlayControlPlane, renderControlPlane} from './control-plane.js';
import {TOPOLOGY_INFO, needsGateway, normalRevision, planDataplane, type ClusterSpec, type MeshPlanInput} from './model.js';
import {GLOBAL_SERVICE_LABEL, renderAmbientEastWestGateway, type GatewayApiVersion} from './ambient.js';
import {CONTROL_PLANE_ANNOTATION, DISCOVERY_ADDRESS_PLACEHOLDER, remoteSecretName, renderRemoteControlPlane} from './remote.js';

export const STEP_KINDS = [
	'control-plane',
	'label-network',
	'annotate-remote',
	'install-remote',
	'install-gateway',
	'wait-rollout',
	'wait-address',
	'expose-istiod',
	'expose-services',
	'remote-secret',
	'plug-ca',
	'apply-ambient-gateway',
	'wait-programmed',
	'label-global-services',
] as const;
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
	/** remote-secret: the cluster whose API server the secret opens (its name), and its context. */
	peer?: string;
	peerContext?: string;
	/** annotate-remote, install-remote: the primary that controls this remote. */
	primary?: string;
	/** control-plane: the user's IstioOperator file the manifest overlays (--control-plane-iop), when given. */
	iopFile?: string;
	/** label-global-services: the plan's `NAMESPACE/NAME` and `NAMESPACE/*` entries. */
	services?: string[];
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
	/** The parsed IstioOperator of each --control-plane-iop file, by context (checked with iopFileProblem). */
	controlPlaneFiles?: Record<string, Record<string, unknown>>;
	/** Ambient: the Gateway API version of the east-west Gateway (v1beta1 before Istio 1.29). */
	gatewayApiVersion?: GatewayApiVersion;
}

const stepId = (cluster: string, kind: StepKind) => `${cluster}/${kind}`;
/** A remote secret step: applied on `cluster`, giving its istiod access to `peer`. */
export const remoteSecretStepId = (cluster: string, peer: string) => `${cluster}/remote-secret/${peer}`;

const TITLES: Record<StepKind, (c: ClusterSpec, step: Pick<Step, 'peer' | 'primary' | 'iopFile'>, plan: MeshPlanInput) => string> = {
	'control-plane': (c, s, plan) =>
		s.iopFile !== undefined
			? `Make ${c.name}'s control plane multicluster-ready: install, or retrofit with ${s.iopFile} (istioctl, revision ${normalRevision(plan.revision) ?? 'default'}, ${plan.meshId}/${c.name}/${c.network})`
			: `Install Istio's control plane on ${c.name} unless it runs as planned (istioctl, revision ${normalRevision(plan.revision) ?? 'default'}, ${plan.meshId}/${c.name}/${c.network})`,
	'label-network': c => `Label namespace istio-system with topology.istio.io/network=${c.network}`,
	'annotate-remote': (_c, s) => `Annotate istio-system with ${CONTROL_PLANE_ANNOTATION}=${s.primary ?? ''}`,
	'install-remote': (_c, s) => `Install the remote control plane, pointed at ${s.primary ?? 'the primary'}'s istiod (istioctl install, profile remote)`,
	'remote-secret': (_c, s) => `Give istiod read access to ${s.peer ?? 'the peer'}'s API server (Secret ${remoteSecretName(s.peer ?? '')})`,
	'install-gateway': c => `Install the east-west gateway for network ${c.network} (istioctl install)`,
	'wait-rollout': () => 'Wait for the gateway Deployment to roll out',
	'wait-address': () => 'Wait for the gateway Service to get an external address',
	'expose-istiod': () => 'Expose istiod (15012, 15017) through the gateway',
	'expose-services': () => 'Expose services (15443, AUTO_PASSTHROUGH) through the gateway',
	'plug-ca': c => `Plug in an intermediate CA for ${c.name} (Secret istio-system/cacerts) from the shared root`,
	'apply-ambient-gateway': c => `Apply the ambient east-west Gateway for network ${c.network} (gatewayClassName istio-east-west, HBONE 15008)`,
	'wait-programmed': () => 'Wait for istiod to program the Gateway (its Deployment and Service, condition Programmed)',
	'label-global-services': () => `Label the global services ${GLOBAL_SERVICE_LABEL}=true`,
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
		const make = (
			kind: StepKind,
			dependsOn: string[],
			manifests: Manifest[] = [],
			extra: Pick<Step, 'peer' | 'peerContext' | 'primary' | 'iopFile'> = {},
		): Step => {
			const step: Step = {
				id: kind === 'remote-secret' ? remoteSecretStepId(cluster.name, extra.peer ?? '') : stepId(cluster.name, kind),
				kind,
				cluster: cluster.name,
				context: cluster.context,
				dependsOn,
				title: TITLES[kind](cluster, extra, input),
				manifests,
				...extra,
			};
			if (kind === 'label-network') step.network = cluster.network;
			steps.push(step);
			return step;
		};

		const isPrimary = cluster.role === 'primary';
		const gateway = needsGateway(cluster, input);
		if (!gateway) {
			notes.push(
				`No east-west gateway: ${cluster.name} shares network ${cluster.network} with the primary, so its pods reach the primary's istiod through the primary's gateway.`,
			);
		}

		let last: Step | undefined;
		// Trust first: the plugged-in CA (its key material is handed to the engine at run time, never put in the plan).
		if (input.caDir !== undefined) last = make('plug-ca', []);
		// Then the control plane: istiod reads cacerts when it starts, so the CA goes in before an install.
		if (isPrimary && input.controlPlane) last = make('control-plane', last ? [last.id] : [], ...controlPlaneManifest(input, cluster, options));
		if (info.multiNetwork) last = make('label-network', last ? [last.id] : []);
		if (!isPrimary && primary) {
			// The documented order for a remote: annotate → install the remote profile (needs the primary's
			// exposed istiod and its gateway address) → the primary reads this cluster (remote secret) → only
			// then this cluster's own gateway, whose pods the primary's istiod injects.
			const annotate = make('annotate-remote', last ? [last.id] : [], [], {primary: primary.name});
			const remote = make(
				'install-remote',
				[annotate.id, stepId(primary.name, 'expose-istiod')],
				[
					renderRemoteControlPlane({
						cluster: cluster.name,
						network: cluster.network,
						meshId: input.meshId,
						...(revision ? {revision} : {}),
						discoveryAddress: DISCOVERY_ADDRESS_PLACEHOLDER,
					}),
				],
				{primary: primary.name},
			);
			last = remote;
		}
		if (gateway && planDataplane(input) === 'ambient') {
			// Ambient: a Gateway API object that istiod's gateway controller turns into a Deployment and a
			// LoadBalancer Service; services are shared by a label, not through a cross-network Gateway.
			const apply = make('apply-ambient-gateway', last ? [last.id] : [], [
				renderAmbientEastWestGateway({network: cluster.network, revision, ...(options.gatewayApiVersion ? {apiVersion: options.gatewayApiVersion} : {})}),
			]);
			const programmed = make('wait-programmed', [apply.id]);
			last = make('wait-address', [programmed.id]);
			if ((input.globalServices ?? []).length > 0) {
				const label = make('label-global-services', [last.id]);
				label.services = [...input.globalServices!];
			}
		} else if (gateway) {
			const installDeps = last ? [last.id] : [];
			if (!isPrimary && primary) installDeps.push(remoteSecretStepId(primary.name, cluster.name));
			const install = make('install-gateway', installDeps, [renderEastWestGateway({network: cluster.network, revision})]);
			const rollout = make('wait-rollout', [install.id]);
			const address = make('wait-address', [rollout.id]);
			last = address;
			if (info.primaryRemote && isPrimary) last = make('expose-istiod', [address.id], renderExposeIstiod(exposeOpts));
			if (info.multiNetwork && isPrimary) make('expose-services', [last.id], renderExposeServices(exposeOpts));
		}
		return {cluster, steps, notes};
	});

	// Remote secrets, on the cluster whose istiod reads the peer.
	const planOf = new Map(clusters.map(cp => [cp.cluster.name, cp]));
	const addSecret = (reader: ClusterSpec, peer: ClusterSpec, dependsOn: string[]) => {
		const cp = planOf.get(reader.name)!;
		cp.steps.push({
			id: remoteSecretStepId(reader.name, peer.name),
			kind: 'remote-secret',
			cluster: reader.name,
			context: reader.context,
			dependsOn,
			title: TITLES['remote-secret'](reader, {peer: peer.name}, input),
			manifests: [],
			peer: peer.name,
			peerContext: peer.context,
		});
	};
	if (primary) {
		for (const remote of input.clusters.filter(c => c.role !== 'primary')) addSecret(primary, remote, [stepId(remote.name, 'install-remote')]);
	} else {
		// Every cluster a primary: each reads every other. Both namespaces must exist first.
		for (const reader of input.clusters) {
			for (const peer of input.clusters) {
				if (peer.name === reader.name) continue;
				const deps = info.multiNetwork ? [stepId(reader.name, 'label-network'), stepId(peer.name, 'label-network')] : [];
				addSecret(reader, peer, deps);
			}
		}
	}

	return {input, clusters, steps: orderSteps(clusters.flatMap(c => c.steps))};
}

/** The control-plane step's IstioOperator: the user's file overlaid with the plan's values, else eastwest's own. */
function controlPlaneManifest(input: MeshPlanInput, cluster: ClusterSpec, options: PlanOptions): [Manifest[], Pick<Step, 'iopFile'>] {
	const want = controlPlaneWant(input, cluster);
	const iopFile = input.controlPlane?.iops?.[cluster.context];
	if (iopFile === undefined) return [[renderControlPlane({...want, profile: input.controlPlane?.profile ?? 'default'})], {}];
	const parsed = options.controlPlaneFiles?.[cluster.context];
	// A file named but not read (a caller that did not load it) installs nothing: the engine refuses an empty step.
	return [parsed ? [overlayControlPlane(parsed, want)] : [], {iopFile}];
}

/**
 * A dependency-respecting order, stable: steps keep their input order (cluster order) where they are
 * free, and a step held by a dependency that comes later follows as soon as its last dependency is
 * placed. Linear in steps + dependencies. Throws on a cycle or a dangling dependency.
 */
export function orderSteps<S extends Pick<Step, 'id' | 'dependsOn'>>(steps: S[]): S[] {
	const byId = new Map(steps.map(s => [s.id, s]));
	for (const s of steps) {
		for (const d of s.dependsOn) {
			if (!byId.has(d)) throw new Error(`step ${s.id} depends on unknown step ${d}`);
		}
	}
	const done = new Set<string>();
	// Steps already reached in input order that wait for a dependency, by that dependency's id.
	const waiters = new Map<string, S[]>();
	const pending = new Map<S, number>();
	const ordered: S[] = [];
	const place = (first: S) => {
		const stack = [first];
		while (stack.length > 0) {
			const step = stack.pop()!;
			done.add(step.id);
			ordered.push(step);
			const released: S[] = [];
			for (const w of waiters.get(step.id) ?? []) {
				const left = pending.get(w)! - 1;
				pending.set(w, left);
				if (left === 0) released.push(w);
			}
			waiters.delete(step.id);
			// Released steps were reached in input order; the stack pops the first of them first.
			for (let i = released.length - 1; i >= 0; i--) stack.push(released[i]!);
		}
	};
	for (const s of steps) {
		const open = s.dependsOn.filter(d => !done.has(d));
		if (open.length === 0) {
			place(s);
			continue;
		}
		pending.set(s, open.length);
		for (const d of open) {
			const list = waiters.get(d);
			if (list) list.push(s);
			else waiters.set(d, [s]);
		}
	}
	if (ordered.length < steps.length) throw new Error('plan has a dependency cycle');
	return ordered;
}

/** Every manifest the plan applies on one cluster, in step order. */
export function clusterManifests(plan: Plan, clusterName: string): Manifest[] {
	return plan.steps.filter(s => s.cluster === clusterName).flatMap(s => s.manifests);
}
