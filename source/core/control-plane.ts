/**
 * A primary's control plane, made multicluster-ready: what the cluster runs (istiod's env and revision, the
 * injector's values, a Helm release), how that compares with the plan, and what the control-plane step does
 * about it (ready, install, retrofit with the user's IstioOperator, or refuse with the exact difference).
 * The IstioOperator eastwest installs, and the overlay of the multicluster values on a user's own, are here too.
 */
import {TOPOLOGY_INFO, normalRevision, type ClusterSpec, type MeshPlanInput} from './model.js';
import type {Manifest} from './manifests.js';
import type {InjectorValues} from './istiod.js';
import type {IstiodInfo} from './ports.js';
import {rec} from './record.js';

/** metadata.name of the control plane's IstioOperator: its own owner label, so neither it nor the gateway's install prunes the other. */
export const CONTROL_PLANE_OPERATOR_NAME = 'eastwest-control-plane';
export const CONTROL_PLANE_PROFILES = ['default', 'minimal'] as const;
export type ControlPlaneProfile = (typeof CONTROL_PLANE_PROFILES)[number];

/** Helm's release annotations on an object it manages. */
export const HELM_RELEASE_ANNOTATION = 'meta.helm.sh/release-name';
export const HELM_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

/** The values the plan wants a primary's control plane to run with. */
export interface ControlPlaneWant {
	cluster: string;
	network: string;
	meshId: string;
	revision?: string;
	/** values.pilot.env.EXTERNAL_ISTIOD=true: the primary of a primary-remote plan serves remotes. */
	externalIstiod: boolean;
}

export function controlPlaneWant(
	plan: Pick<MeshPlanInput, 'topology' | 'meshId' | 'revision'>,
	cluster: Pick<ClusterSpec, 'name' | 'network'>,
): ControlPlaneWant {
	const revision = normalRevision(plan.revision);
	return {
		cluster: cluster.name,
		network: cluster.network,
		meshId: plan.meshId,
		...(revision ? {revision} : {}),
		externalIstiod: TOPOLOGY_INFO[plan.topology].primaryRemote,
	};
}

/** One value that differs between the running control plane and the plan. */
export interface ValueDiff {
	/** How people know it: CLUSTER_ID, meshID, network, EXTERNAL_ISTIOD. */
	name: string;
	/** The install value that sets it (values.global.meshID …), for istioctl --set and helm --set. */
	value: string;
	have?: string;
	want: string;
}

export function diffText(diff: readonly ValueDiff[]): string {
	return diff.map(d => `${d.name} ${d.have ?? '(unset)'} → ${d.want}`).join(', ');
}

/** What a primary runs of the plan's control plane. */
export interface ControlPlaneObserved {
	/** Every istiod Deployment in istio-system (any revision). */
	istiods: IstiodInfo[];
	/** The injector values of the planned revision, when its ConfigMap was read. */
	injector?: InjectorValues;
}

const revisionName = (revision: string | undefined) => normalRevision(revision) ?? 'default';

/** The istiod of the planned revision, if any. */
export function plannedControlPlane(observed: ControlPlaneObserved, want: Pick<ControlPlaneWant, 'revision'>): IstiodInfo | undefined {
	return observed.istiods.find(i => revisionName(i.revision) === revisionName(want.revision));
}

/** Every value of the planned revision's control plane that differs from the plan, in a fixed order. */
export function controlPlaneDiff(istiod: IstiodInfo, injector: InjectorValues | undefined, want: ControlPlaneWant): ValueDiff[] {
	const diff: ValueDiff[] = [];
	const add = (name: string, value: string, have: string | undefined, wanted: string) => {
		if (have !== wanted) diff.push({name, value, ...(have !== undefined ? {have} : {}), want: wanted});
	};
	add('CLUSTER_ID', 'values.global.multiCluster.clusterName', istiod.clusterId, want.cluster);
	add('meshID', 'values.global.meshID', injector?.meshId ?? istiod.meshId, want.meshId);
	add('network', 'values.global.network', injector?.network ?? istiod.network, want.network);
	if (want.externalIstiod)
		add('EXTERNAL_ISTIOD', 'values.pilot.env.EXTERNAL_ISTIOD', istiod.externalIstiod === undefined ? undefined : String(istiod.externalIstiod), 'true');
	return diff;
}

/** What the control-plane step does on one primary. */
export type ControlPlaneVerdict =
	| {action: 'ready'; istiod: IstiodInfo; detail: string}
	| {action: 'install'; detail: string}
	| {action: 'retrofit'; istiod: IstiodInfo; diff: ValueDiff[]; detail: string}
	| {action: 'needs-file'; istiod: IstiodInfo; diff: ValueDiff[]; message: string; hint: string}
	| {action: 'helm'; istiod: IstiodInfo; diff: ValueDiff[]; release: string; message: string; hint: string}
	| {action: 'refused'; message: string; hint: string};

export interface ControlPlaneContext {
	/** The cluster's kube context (for the command lines the hints give). */
	context: string;
	/** The user's IstioOperator file for this cluster (--control-plane-iop), when given. */
	iopFile?: string;
}

/** The install values the plan sets, as istioctl's --set flags (and Helm's, without the `values.` prefix). */
export function planSets(want: ControlPlaneWant, diff?: readonly ValueDiff[]): string[] {
	const all: ValueDiff[] = [
		{name: 'meshID', value: 'values.global.meshID', want: want.meshId},
		{name: 'CLUSTER_ID', value: 'values.global.multiCluster.clusterName', want: want.cluster},
		{name: 'network', value: 'values.global.network', want: want.network},
		...(want.externalIstiod ? [{name: 'EXTERNAL_ISTIOD', value: 'values.pilot.env.EXTERNAL_ISTIOD', want: 'true'}] : []),
	];
	const names = diff ? new Set(diff.map(d => d.name)) : undefined;
	return all.filter(d => !names || names.has(d.name)).map(d => `${d.value}=${d.want}`);
}

/**
 * Decide the control-plane step of one primary from what it runs. A Helm-managed istiod is never touched; an
 * istiod whose values differ is retrofitted only with the user's own IstioOperator (istioctl keeps no copy of
 * what it installed, so the values alone would reset the user's customisations).
 */
export function judgeControlPlane(observed: ControlPlaneObserved, want: ControlPlaneWant, ctx: ControlPlaneContext): ControlPlaneVerdict {
	const istiod = plannedControlPlane(observed, want);
	const rev = revisionName(want.revision);
	if (!istiod) {
		if (observed.istiods.length > 0) {
			const others = observed.istiods.map(i => `${i.name} (revision ${revisionName(i.revision)})`).join(', ');
			return {
				action: 'refused',
				message: `${want.cluster} runs istiod of another revision only (${others}), not revision ${rev}`,
				hint: `plan that revision (--revision ${observed.istiods[0]!.revision ?? '""'}) or install revision ${rev} yourself; eastwest never adds a second control plane next to another`,
			};
		}
		return {action: 'install', detail: `no istiod of revision ${rev}`};
	}
	const diff = controlPlaneDiff(istiod, observed.injector, want);
	if (diff.length === 0) return {action: 'ready', istiod, detail: `${istiod.name} runs with ${want.meshId}/${want.cluster}/${want.network}`};
	if (istiod.helmRelease) {
		const ns = istiod.helmRelease.namespace;
		const sets = planSets(want, diff).map(s => `--set ${s.replace(/^values\./, '')}`);
		return {
			action: 'helm',
			istiod,
			diff,
			release: istiod.helmRelease.name,
			message: `${istiod.name} on ${want.cluster} is managed by Helm (release ${ns}/${istiod.helmRelease.name}), which eastwest never changes with istioctl: ${diffText(diff)}`,
			hint: `helm upgrade ${istiod.helmRelease.name} istio/istiod -n ${ns} --kube-context ${ctx.context} --reuse-values ${sets.join(' ')}`,
		};
	}
	if (ctx.iopFile !== undefined) return {action: 'retrofit', istiod, diff, detail: `${diffText(diff)} (overlaid on ${ctx.iopFile})`};
	const sets = planSets(want, diff).map(s => `--set ${s}`);
	return {
		action: 'needs-file',
		istiod,
		diff,
		message: `${istiod.name} on ${want.cluster} runs with other values than the plan: ${diffText(diff)}; istioctl keeps no copy of what it installed, so eastwest retrofits it only from your IstioOperator`,
		hint: `pass --control-plane-iop ${ctx.context}=FILE (the IstioOperator you installed with), or run: istioctl install --context ${ctx.context} -f FILE ${sets.join(' ')}`,
	};
}

// ---------- the IstioOperator ----------

export interface ControlPlaneRender extends ControlPlaneWant {
	profile: ControlPlaneProfile;
}

/** The planned multicluster values as an IstioOperator spec.values fragment. */
function multiclusterValues(want: ControlPlaneWant): Record<string, unknown> {
	return {
		global: {meshID: want.meshId, multiCluster: {clusterName: want.cluster}, network: want.network},
		...(want.externalIstiod ? {pilot: {env: {EXTERNAL_ISTIOD: true}}} : {}),
	};
}

/** The IstioOperator eastwest installs where no control plane runs ("Configure cluster1 as a primary"). */
export function renderControlPlane(options: ControlPlaneRender): Manifest {
	return {
		apiVersion: 'install.istio.io/v1alpha1',
		kind: 'IstioOperator',
		metadata: {name: CONTROL_PLANE_OPERATOR_NAME},
		spec: {revision: normalRevision(options.revision) ?? '', profile: options.profile, values: multiclusterValues(options)},
	};
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {...base};
	for (const [k, v] of Object.entries(over)) out[k] = isRecord(v) && isRecord(out[k]) ? merge(out[k], v) : v;
	return out;
}

/**
 * Why a parsed file is not an IstioOperator the plan can use (one line), or undefined when it is one.
 * `documents` is every YAML document of the file.
 */
export function iopFileProblem(file: string, documents: unknown[], revision: string | undefined): string | undefined {
	const docs = documents.filter(d => d !== null && d !== undefined);
	if (docs.length !== 1) return `--control-plane-iop ${file}: holds ${docs.length} YAML documents; give a file with exactly one IstioOperator`;
	const doc = docs[0];
	if (!isRecord(doc)) return `--control-plane-iop ${file}: is not an IstioOperator (not a YAML mapping)`;
	const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
	if (doc.kind !== 'IstioOperator' || !apiVersion.startsWith('install.istio.io/')) {
		return `--control-plane-iop ${file}: is not an IstioOperator (kind ${String(doc.kind ?? '(none)')}, apiVersion ${apiVersion || '(none)'})`;
	}
	if (doc.spec !== undefined && !isRecord(doc.spec)) return `--control-plane-iop ${file}: spec is not a mapping`;
	const spec = rec(doc.spec);
	if (spec.revision !== undefined && typeof spec.revision !== 'string') return `--control-plane-iop ${file}: spec.revision is not a string`;
	const fileRev = revisionName(typeof spec.revision === 'string' ? spec.revision : undefined);
	if (fileRev !== revisionName(revision)) {
		return `--control-plane-iop ${file}: sets revision ${fileRev}, the plan says ${revisionName(revision)}; use the same revision in both`;
	}
	if (spec.profile === 'remote' || spec.profile === 'empty')
		return `--control-plane-iop ${file}: profile ${String(spec.profile)} installs no primary control plane`;
	return undefined;
}

/**
 * The user's IstioOperator with the plan's multicluster values laid over it: every other setting is kept,
 * and so is its metadata: istioctl labels and prunes by the IstioOperator's name, so a retrofit keeps the user's.
 */
export function overlayControlPlane(iop: Record<string, unknown>, want: ControlPlaneWant): Manifest {
	const spec = rec(iop.spec);
	return {
		...iop,
		spec: {...spec, revision: normalRevision(want.revision) ?? '', values: merge(rec(spec.values), multiclusterValues(want))},
	} as Manifest;
}
