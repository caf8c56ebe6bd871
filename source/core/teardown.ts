/**
 * Teardown: the reverse of a plan, and the ownership rules that decide what of it eastwest may remove.
 *
 * The teardown plan is derived from the apply plan (core/plan.ts): one removal step per apply step that
 * leaves something behind (the waits leave nothing), each depending on the removals of every apply step
 * that depended on it. So the cross-cluster order mirrors apply's: a remote's gateway goes before the
 * primary's remote secret for it, which goes before the remote's control plane, which goes before the
 * primary's exposed istiod.
 *
 * Ownership is judged here, from the objects as the API server returns them: an object goes only when
 * eastwest created it (field manager `eastwest`, or the istioctl owning-resource label of eastwest's own
 * IstioOperators); a namespace label or annotation goes only when eastwest set it and it still holds the
 * plan's value. istio-system itself, Istio's CRDs and a control plane are never removed.
 */
import {renderExposeIstiod, renderExposeServices, type NetworkingApiVersion} from './manifests.js';
import {
	CACERTS_SECRET,
	FIELD_MANAGER,
	GATEWAY_NAME,
	GATEWAY_OPERATOR_NAME,
	ISTIO_NAMESPACE,
	NETWORK_LABEL,
	type ClusterSpec,
	type MeshPlanInput,
} from './model.js';
import {CONTROL_PLANE_OPERATOR_NAME} from './control-plane.js';
import {buildPlan, orderSteps, type Step, type StepKind} from './plan.js';
import {CONTROL_PLANE_ANNOTATION, REMOTE_OPERATOR_NAME, remoteIstiodServiceName, remoteSecretName} from './remote.js';
import {OWNING_RESOURCE_LABEL} from './gateway.js';
import type {Event, RunOutcome} from './events.js';
import type {NamespaceKey} from './namespace-key.js';
import {rec, strings, type Obj} from './record.js';

export const TEARDOWN_KINDS = [
	'remove-expose-services',
	'remove-expose-istiod',
	'remove-remote-secret',
	'remove-gateway',
	'remove-remote',
	'remove-annotation',
	'remove-network-label',
	'remove-cacerts',
	'remove-ambient-gateway',
	'unlabel-global-services',
] as const;
export type TeardownKind = (typeof TEARDOWN_KINDS)[number];

export const COMPONENT_LABEL = 'operator.istio.io/component';

export interface ObjectRef {
	apiVersion: string;
	kind: string;
	namespace?: string;
	name: string;
}

export interface TeardownStep {
	/** `<cluster>/remove/<what>`. */
	id: string;
	kind: TeardownKind;
	cluster: string;
	context: string;
	dependsOn: string[];
	title: string;
	/** Objects eastwest applied with server-side apply (expose resources, remote secrets, cacerts). */
	objects?: ObjectRef[];
	/** Objects istioctl installed for this IstioOperator (metadata.name = owning-resource label value). */
	owner?: string;
	/** With `owner`: the object whose install record says eastwest made the install (see `installRecordVerdict`). */
	anchor?: ObjectRef;
	/** A label or annotation on istio-system. */
	key?: NamespaceKey;
	/** remove-remote-secret: the cluster the secret opened. */
	peer?: string;
	/** unlabel-global-services: the plan's `NAMESPACE/NAME` and `NAMESPACE/*` entries. */
	services?: string[];
}

export interface TeardownClusterPlan {
	cluster: ClusterSpec;
	steps: TeardownStep[];
	notes: string[];
}

export interface TeardownPlan {
	input: MeshPlanInput;
	clusters: TeardownClusterPlan[];
	/** Every step, in an order that respects dependencies. */
	steps: TeardownStep[];
}

export interface TeardownOptions {
	/** Also remove the cacerts Secret (--ca). */
	ca?: boolean;
	apiVersion?: NetworkingApiVersion;
}

/** What of an apply step a removal undoes; undefined for steps that leave nothing (the waits). */
const UNDO: Partial<Record<StepKind, TeardownKind>> = {
	'expose-services': 'remove-expose-services',
	'expose-istiod': 'remove-expose-istiod',
	'remote-secret': 'remove-remote-secret',
	'install-gateway': 'remove-gateway',
	'install-remote': 'remove-remote',
	'annotate-remote': 'remove-annotation',
	'label-network': 'remove-network-label',
	'apply-ambient-gateway': 'remove-ambient-gateway',
	'label-global-services': 'unlabel-global-services',
};

const refs = (manifests: Step['manifests']): ObjectRef[] =>
	manifests.map(m => ({apiVersion: m.apiVersion, kind: m.kind, ...(m.metadata.namespace ? {namespace: m.metadata.namespace} : {}), name: m.metadata.name}));

const refText = (r: ObjectRef) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

function teardownId(step: Step): string {
	const rest = step.id.slice(step.cluster.length + 1);
	return `${step.cluster}/remove/${rest}`;
}

/** The removal of one apply step, without its dependencies. */
function undoStep(step: Step, input: MeshPlanInput, options: TeardownOptions): TeardownStep | undefined {
	const kind = UNDO[step.kind];
	if (!kind) return undefined;
	const base = {id: teardownId(step), kind, cluster: step.cluster, context: step.context, dependsOn: [] as string[]};
	const cluster = input.clusters.find(c => c.name === step.cluster)!;
	switch (kind) {
		case 'remove-expose-services':
		case 'remove-expose-istiod': {
			const manifests =
				step.manifests.length > 0 ? step.manifests : kind === 'remove-expose-istiod' ? renderExposeIstiod(options) : renderExposeServices(options);
			const objects = refs(manifests);
			const what = kind === 'remove-expose-istiod' ? 'istiod' : 'services';
			return {...base, objects, title: `Remove the ${what} exposure through the gateway (${objects.map(refText).join(', ')})`};
		}
		case 'remove-remote-secret': {
			const peer = step.peer ?? '';
			const objects = [{apiVersion: 'v1', kind: 'Secret', namespace: ISTIO_NAMESPACE, name: remoteSecretName(peer)}];
			return {...base, objects, peer, title: `Remove Secret ${ISTIO_NAMESPACE}/${remoteSecretName(peer)}: istiod stops reading ${peer}'s API server`};
		}
		case 'remove-gateway':
			return {
				...base,
				owner: GATEWAY_OPERATOR_NAME,
				anchor: installAnchor(GATEWAY_OPERATOR_NAME, input.revision),
				title: `Remove the east-west gateway eastwest installed (objects labelled ${OWNING_RESOURCE_LABEL}=${GATEWAY_OPERATOR_NAME})`,
			};
		case 'remove-remote':
			return {
				...base,
				owner: REMOTE_OPERATOR_NAME,
				anchor: installAnchor(REMOTE_OPERATOR_NAME, input.revision),
				title: `Remove the remote control plane eastwest installed (objects labelled ${OWNING_RESOURCE_LABEL}=${REMOTE_OPERATOR_NAME}; CRDs stay)`,
			};
		case 'remove-annotation': {
			const key: NamespaceKey = {field: 'annotation', name: CONTROL_PLANE_ANNOTATION, value: step.primary ?? ''};
			return {...base, key, title: `Remove annotation ${key.name}=${key.value} from namespace ${ISTIO_NAMESPACE}`};
		}
		case 'remove-network-label': {
			const key: NamespaceKey = {field: 'label', name: NETWORK_LABEL, value: step.network ?? cluster.network};
			return {...base, key, title: `Remove label ${key.name}=${key.value} from namespace ${ISTIO_NAMESPACE}`};
		}
		case 'remove-ambient-gateway': {
			const objects = refs(step.manifests);
			return {
				...base,
				objects,
				title: `Remove the ambient east-west ${objects.map(refText).join(', ')} eastwest applied (istiod's Deployment and Service for it go with it)`,
			};
		}
		case 'unlabel-global-services':
			return {...base, services: [...(step.services ?? [])], title: `Take eastwest's label istio.io/global=true off ${(step.services ?? []).join(', ')}`};
		default:
			return undefined;
	}
}

/**
 * The teardown of a valid plan input: every removal depends on the removals of the apply steps that
 * depended on what it removes (through the waits, which have no removal of their own).
 */
export function buildTeardown(input: MeshPlanInput, options: TeardownOptions = {}): TeardownPlan {
	const plan = buildPlan(input, options.apiVersion ? {apiVersion: options.apiVersion} : {});
	const dependents = new Map<string, Step[]>();
	for (const s of plan.steps) for (const d of s.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), s]);
	const undone = new Map<string, TeardownStep>();
	for (const s of plan.steps) {
		const t = undoStep(s, input, options);
		if (t) undone.set(s.id, t);
	}
	/** The nearest dependents of an apply step that have a removal (walking through the waits). */
	const removalsAfter = (id: string, seen = new Set<string>()): string[] => {
		const out: string[] = [];
		for (const d of dependents.get(id) ?? []) {
			if (seen.has(d.id)) continue;
			seen.add(d.id);
			const t = undone.get(d.id);
			if (t) out.push(t.id);
			else out.push(...removalsAfter(d.id, seen));
		}
		return out;
	};
	for (const [id, t] of undone) t.dependsOn = [...new Set(removalsAfter(id))];

	const clusters: TeardownClusterPlan[] = plan.clusters.map(cp => {
		const steps = cp.steps.map(s => undone.get(s.id)).filter((t): t is TeardownStep => t !== undefined);
		// Removals run in reverse of the order apply listed them in (the display order; dependencies decide the run order).
		steps.reverse();
		if (options.ca) {
			steps.push({
				id: `${cp.cluster.name}/remove/cacerts`,
				kind: 'remove-cacerts',
				cluster: cp.cluster.name,
				context: cp.cluster.context,
				// Last on its cluster: istiod keeps signing with it until everything that used it is gone.
				dependsOn: steps.map(s => s.id),
				title: `Remove Secret ${ISTIO_NAMESPACE}/${CACERTS_SECRET} (the plugged-in CA, --ca)`,
				objects: [{apiVersion: 'v1', kind: 'Secret', namespace: ISTIO_NAMESPACE, name: CACERTS_SECRET}],
			});
		}
		const notes = [`Namespace ${ISTIO_NAMESPACE}, Istio's CRDs and every control plane not installed by eastwest stay.`];
		if (!options.ca) notes.push(`Secret ${ISTIO_NAMESPACE}/${CACERTS_SECRET} stays (pass --ca to remove it when eastwest plugged it in).`);
		return {cluster: cp.cluster, steps, notes};
	});
	return {input, clusters, steps: orderSteps(clusters.flatMap(c => c.steps))};
}

// ---------- ownership ----------

/** What to do with one thing a removal step finds. */
export type Verdict =
	| {action: 'remove'}
	| {action: 'gone'}
	| {action: 'leave'; reason: string; /** Left by design (Base objects), not because someone else owns it. */ kept?: true};

export interface ManagedEntry {
	manager: string;
	operation?: string;
	fields: Obj;
}

/** The managedFields entries of an object: who holds which fields, by which operation. */
export function managedEntries(obj: Obj): ManagedEntry[] {
	const list = rec(obj.metadata).managedFields;
	if (!Array.isArray(list)) return [];
	return list
		.map(rec)
		.map(m => ({manager: String(m.manager ?? ''), ...(typeof m.operation === 'string' ? {operation: m.operation} : {}), fields: rec(m.fieldsV1)}));
}

/** Field managers that hold fields of the object, in the order the server lists them, without duplicates. */
export function fieldManagers(obj: Obj): string[] {
	return [
		...new Set(
			managedEntries(obj)
				.map(m => m.manager)
				.filter(Boolean),
		),
	];
}

/**
 * Managers the API server and controllers record on objects eastwest created, that say nothing about
 * who created the object (status writers on Services, the token controller on Secrets).
 */
const INCIDENTAL_MANAGERS = new Set(['kube-controller-manager', 'cloud-controller-manager', 'service-controller']);

export function describeRef(ref: ObjectRef): string {
	return refText(ref);
}

/** An object eastwest server-side applied: removed only when the field manager eastwest alone created and holds it. */
export function appliedVerdict(obj: Obj | undefined, ref: ObjectRef): Verdict {
	if (!obj) return {action: 'gone'};
	const managers = fieldManagers(obj);
	const others = managers.filter(m => m !== FIELD_MANAGER && !INCIDENTAL_MANAGERS.has(m));
	if (!managers.includes(FIELD_MANAGER)) {
		return {
			action: 'leave',
			reason: `${refText(ref)} was not created by eastwest (field manager${others.length === 1 ? '' : 's'}: ${others.join(', ') || 'none recorded'})`,
		};
	}
	if (others.length > 0) {
		return {
			action: 'leave',
			reason: `${refText(ref)} is also managed by ${others.join(', ')}: eastwest adopted or shares it, so it is not eastwest's to delete`,
		};
	}
	return {action: 'remove'};
}

const isClusterScoped = (obj: Obj) => rec(obj.metadata).namespace === undefined || rec(obj.metadata).namespace === '';

/**
 * One object found by its istioctl owning-resource label. Removed unless it is a control plane (an istiod
 * Deployment) or a cluster-wide Base object: the remote profile installs Istio's CRDs and cluster roles
 * through its Base component, and `istioctl uninstall` without --purge keeps them too — deleting a CRD
 * deletes every Istio resource of that kind in the cluster (the user's own configuration), and a control
 * plane the user installs later needs them. Namespaced Base objects (the istio-reader service account in
 * istio-system) stay too: they often predate the remote install, which only relabelled them.
 */
export function installedVerdict(obj: Obj, owner: string): Verdict {
	const meta = rec(obj.metadata);
	const labels = strings(meta.labels);
	const ref: ObjectRef = {
		apiVersion: String(obj.apiVersion ?? ''),
		kind: String(obj.kind ?? ''),
		...(typeof meta.namespace === 'string' && meta.namespace ? {namespace: meta.namespace} : {}),
		name: String(meta.name ?? ''),
	};
	if (labels[OWNING_RESOURCE_LABEL] !== owner)
		return {action: 'leave', reason: `${refText(ref)} belongs to ${labels[OWNING_RESOURCE_LABEL] ?? 'no IstioOperator'}, not ${owner}`};
	if (ref.kind === 'CustomResourceDefinition') return {action: 'leave', reason: `${refText(ref)} is one of Istio's CRDs: eastwest never deletes them`};
	if (ref.kind === 'Deployment' && (labels.app === 'istiod' || /^istiod(-|$)/.test(ref.name))) {
		return {action: 'leave', reason: `${refText(ref)} is a control plane: eastwest never deletes one`};
	}
	// istioctl install of the gateway's IstioOperator also re-applies the control plane's default revision
	// tag (Service, webhook istiod-revision-tag-default), relabelling it as the gateway install's: only the
	// gateway component is the gateway's.
	if (owner === GATEWAY_OPERATOR_NAME && labels[COMPONENT_LABEL] !== 'IngressGateways') {
		return {
			action: 'leave',
			kept: true,
			reason: `${refText(ref)} is ${labels[COMPONENT_LABEL] ? `Istio's ${labels[COMPONENT_LABEL]} component` : 'not the gateway component'}, which istioctl re-applied with the gateway: it belongs to the control plane, so it is kept`,
		};
	}
	// Base objects (CRDs, cluster roles, the istio-reader service account) are often there before the remote
	// install, which relabels them as its own; a control plane needs them either way: kept.
	if (labels[COMPONENT_LABEL] === 'Base') {
		return {
			action: 'leave',
			kept: true,
			reason: `${refText(ref)} is a ${isClusterScoped(obj) ? 'cluster-wide ' : ''}Base object of ${owner} (kept, as istioctl uninstall keeps Base: a control plane needs it)`,
		};
	}
	return {action: 'remove'};
}

// ---------- who made an istioctl install ----------

/**
 * The annotation eastwest sets, by server-side apply with its field manager, on the anchor object of an
 * install it ran itself (value: the IstioOperator's name), right after istioctl created it. An install
 * found in place carries the same owning-resource label when it was made from an IstioOperator of the
 * same name (the docs' gateway IstioOperator is named `eastwest` too), but never this record.
 */
export const INSTALLED_BY_ANNOTATION = 'eastwest/installed-by';

/** The object of an install that holds its record: the gateway's Deployment, the remote's istiod Service, the control plane's istiod Deployment. */
export function installAnchor(owner: string, revision?: string): ObjectRef {
	if (owner === REMOTE_OPERATOR_NAME) return {apiVersion: 'v1', kind: 'Service', namespace: ISTIO_NAMESPACE, name: remoteIstiodServiceName(revision)};
	if (owner === CONTROL_PLANE_OPERATOR_NAME)
		return {apiVersion: 'apps/v1', kind: 'Deployment', namespace: ISTIO_NAMESPACE, name: remoteIstiodServiceName(revision)};
	return {apiVersion: 'apps/v1', kind: 'Deployment', namespace: ISTIO_NAMESPACE, name: GATEWAY_NAME};
}

/** The manifest that records an install as eastwest's (server-side applied onto the anchor). */
export function installRecordManifest(anchor: ObjectRef, owner: string) {
	return {
		apiVersion: anchor.apiVersion,
		kind: anchor.kind,
		metadata: {name: anchor.name, ...(anchor.namespace ? {namespace: anchor.namespace} : {}), annotations: {[INSTALLED_BY_ANNOTATION]: owner}},
	};
}

/** eastwest made this install: its anchor carries eastwest's record for this IstioOperator, held by eastwest's field manager. */
export function madeByEastwest(anchor: Obj | undefined, owner: string): boolean {
	if (!anchor) return false;
	if (strings(rec(anchor.metadata).annotations)[INSTALLED_BY_ANNOTATION] !== owner) return false;
	return managedEntries(anchor).some(m => m.manager === FIELD_MANAGER && `f:${INSTALLED_BY_ANNOTATION}` in rec(rec(m.fields['f:metadata'])['f:annotations']));
}

/** Why an install is not eastwest's to remove, or undefined when eastwest made it. */
export function installRecordVerdict(anchor: Obj | undefined, anchorRef: ObjectRef, owner: string): Verdict {
	if (madeByEastwest(anchor, owner)) return {action: 'remove'};
	if (!anchor) return {action: 'gone'};
	const label = strings(rec(anchor.metadata).labels)[OWNING_RESOURCE_LABEL];
	const by = label ? `IstioOperator ${label}` : 'someone else';
	return {
		action: 'leave',
		reason: `${refText(anchorRef)} and the rest of its install were found in place (installed before eastwest, by ${by}): eastwest did not install them, so it leaves them`,
	};
}

// ---------- what the removal of an istioctl install lists ----------

/**
 * The kinds `istioctl install` creates for a gateway or the remote profile, as istioctl's own uninstall
 * lists them (namespaced in istio-system, then cluster-wide), plus the remote's selectorless istiod
 * endpoints. CRDs are not listed: they are never removed.
 */
export const INSTALLED_KINDS: ReadonlyArray<{apiVersion: string; kind: string; namespaced: boolean}> = [
	{apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true},
	{apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true},
	{apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespaced: true},
	{apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespaced: true},
	{apiVersion: 'v1', kind: 'Service', namespaced: true},
	{apiVersion: 'v1', kind: 'Endpoints', namespaced: true},
	{apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespaced: true},
	{apiVersion: 'v1', kind: 'ConfigMap', namespaced: true},
	{apiVersion: 'v1', kind: 'Secret', namespaced: true},
	{apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespaced: true},
	{apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespaced: true},
	{apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true},
	{apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', namespaced: true},
	{apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespaced: true},
	{apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', namespaced: false},
	{apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', namespaced: false},
	{apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespaced: false},
	{apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false},
];

/** The label selector of everything one of eastwest's IstioOperators installed. */
export function ownerSelector(owner: string): string {
	return `${OWNING_RESOURCE_LABEL}=${owner}`;
}

/** The state istioctl releases before 1.24 keep of an install (an IstioOperator named after it). */
export function installedStateName(owner: string): string {
	return `installed-state-${owner}`;
}

// ---------- outcome ----------

/** Something a removal found and did not remove, and why. */
export interface LeftItem {
	cluster: string;
	context: string;
	stepId: string;
	reason: string;
}

export interface TeardownOutcome extends RunOutcome {
	left: LeftItem[];
}

export interface RemoveRunOptions {
	/** Deadline of every step. */
	timeoutMs: number;
	/** Server-side dry run: nothing changes; the output says what would go. */
	dryRun: boolean;
	signal?: AbortSignal;
	onEvent: (event: Event) => void;
}

/** The teardown engine's entry point (engine/remove.ts), as the front-ends see it. */
export type RunRemovePlan = (plan: TeardownPlan, options: RemoveRunOptions) => Promise<TeardownOutcome>;
