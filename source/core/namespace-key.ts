/**
 * A label or annotation eastwest keeps on istio-system (the network label, the remote's controlPlaneClusters
 * annotation): the decisions and their wording, for setting one (apply) and for removing one (remove). The
 * engine reads the namespace, asks here, and writes through the port's one namespace-key operation.
 */
import {FIELD_MANAGER, ISTIO_NAMESPACE, NETWORK_LABEL} from './model.js';
import {CONTROL_PLANE_ANNOTATION, controlPlaneIncludes} from './remote.js';
import {rec, strings, type Obj} from './record.js';
import {managedEntries, type Verdict} from './teardown.js';

export interface NamespaceKey {
	field: 'label' | 'annotation';
	name: string;
	/** The value the plan set; a different value now means someone else changed it. */
	value: string;
}

/** What setting a key comes to: nothing to do, one write (creating istio-system when absent), or a refusal. */
export type SetVerdict =
	{action: 'keep'; detail: string} | {action: 'write'; create: boolean; detail: string} | {action: 'refuse'; message: string; hint: string};

export interface SetOptions {
	/** Replace a value another hand set. */
	force: boolean;
	dryRun: boolean;
	/** The kube context, for the refusal's wording. */
	context: string;
}

/** The key's value on istio-system as read; undefined when the namespace or the key is absent. */
function valueOf(namespace: Obj | undefined, key: Pick<NamespaceKey, 'field' | 'name'>): string | undefined {
	const meta = rec(namespace?.metadata);
	return strings(key.field === 'label' ? meta.labels : meta.annotations)[key.name];
}

/** istio-system labelled topology.istio.io/network=<network>; another network is refused unless --force. */
export function networkLabelVerdict(namespace: Obj | undefined, network: string, options: SetOptions): SetVerdict {
	const current = valueOf(namespace, {field: 'label', name: NETWORK_LABEL});
	const dry = options.dryRun ? ' (dry run)' : '';
	if (!namespace) return {action: 'write', create: true, detail: `created istio-system with ${NETWORK_LABEL}=${network}${dry}`};
	if (current === network) return {action: 'keep', detail: `istio-system already has ${NETWORK_LABEL}=${network}`};
	if (current === undefined || current === '') return {action: 'write', create: false, detail: `labeled istio-system ${NETWORK_LABEL}=${network}${dry}`};
	if (!options.force) {
		return {
			action: 'refuse',
			message: `namespace ${ISTIO_NAMESPACE} on ${options.context} is labelled ${NETWORK_LABEL}=${current}, but the plan says ${network}`,
			hint: `check the network of ${options.context}; re-run with --force to relabel it ${network} (workloads on ${current} will move networks)`,
		};
	}
	return {action: 'write', create: false, detail: `overwrote the network label on istio-system with ${network} (--force)${dry}`};
}

/** istio-system's controlPlaneClusters naming <primary>; a value naming only other clusters is refused unless --force. */
export function controlPlaneVerdict(namespace: Obj | undefined, primary: string, options: SetOptions): SetVerdict {
	const current = valueOf(namespace, {field: 'annotation', name: CONTROL_PLANE_ANNOTATION});
	const dry = options.dryRun ? ' (dry run)' : '';
	const what = `${CONTROL_PLANE_ANNOTATION}=${primary}`;
	if (!namespace) return {action: 'write', create: true, detail: `created istio-system with ${what}${dry}`};
	if (controlPlaneIncludes(current, primary)) return {action: 'keep', detail: `istio-system already names ${primary} in ${CONTROL_PLANE_ANNOTATION}`};
	if (!current) return {action: 'write', create: false, detail: `annotated istio-system ${what}${dry}`};
	if (!options.force) {
		return {
			action: 'refuse',
			message: `namespace ${ISTIO_NAMESPACE} on ${options.context} is annotated ${CONTROL_PLANE_ANNOTATION}=${current}, which does not name ${primary}`,
			hint: `another primary controls ${options.context}; re-run with --force to hand it to ${primary}`,
		};
	}
	return {action: 'write', create: false, detail: `replaced the control-plane annotation on istio-system with ${primary} (--force)${dry}`};
}

/** The field path of a label or annotation in managedFields (FieldsV1). */
function ownsKey(fields: Obj, key: NamespaceKey): boolean {
	const group = key.field === 'label' ? 'f:labels' : 'f:annotations';
	return `f:${key.name}` in rec(rec(rec(fields)['f:metadata'])[group]);
}

/** A label or annotation on istio-system: removed only when eastwest set it and it still holds the plan's value. */
export function namespaceKeyVerdict(namespace: Obj | undefined, key: NamespaceKey): Verdict {
	if (!namespace) return {action: 'gone'};
	const value = valueOf(namespace, key);
	const what = `${ISTIO_NAMESPACE} ${key.field} ${key.name}`;
	if (value === undefined) return {action: 'gone'};
	if (value !== key.value) return {action: 'leave', reason: `${what} is ${value}, not the plan's ${key.value}: someone changed it since, so it is left`};
	const holders = managedEntries(namespace)
		.filter(m => ownsKey(m.fields, key))
		.map(m => m.manager);
	const others = [...new Set(holders.filter(m => m !== FIELD_MANAGER))];
	if (!holders.includes(FIELD_MANAGER))
		return {action: 'leave', reason: `${what} set by someone else (${others.join(', ') || 'no field manager recorded'}), not eastwest`};
	if (others.length > 0) return {action: 'leave', reason: `${what} is also set by ${others.join(', ')}, so it is left`};
	return {action: 'remove'};
}
