/**
 * Readiness rules as pure functions over plain Kubernetes objects:
 * kubectl's `rollout status` for Deployments, pod problems, and the gateway Service's external address.
 */

export interface DeploymentLike {
	metadata?: {generation?: number; name?: string};
	spec?: {replicas?: number};
	status?: {
		observedGeneration?: number;
		replicas?: number;
		updatedReplicas?: number;
		availableReplicas?: number;
		readyReplicas?: number;
		conditions?: Array<{type?: string; status?: string; reason?: string; message?: string}>;
	};
}

export type RolloutState = {state: 'done'; message: string} | {state: 'waiting'; message: string} | {state: 'failed'; message: string};

/** kubectl's DeploymentStatusViewer rules (rollout_status.go). */
export function rolloutStatus(d: DeploymentLike): RolloutState {
	const name = d.metadata?.name ?? 'deployment';
	const generation = d.metadata?.generation ?? 0;
	const status = d.status ?? {};
	if (generation > (status.observedGeneration ?? 0)) {
		return {state: 'waiting', message: `waiting for the controller to observe ${name} generation ${generation}`};
	}
	const progressing = status.conditions?.find(c => c.type === 'Progressing');
	if (progressing?.reason === 'ProgressDeadlineExceeded') {
		return {state: 'failed', message: `${name} exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}`};
	}
	const desired = d.spec?.replicas ?? 1;
	const updated = status.updatedReplicas ?? 0;
	const total = status.replicas ?? 0;
	const available = status.availableReplicas ?? 0;
	if (updated < desired) {
		return {state: 'waiting', message: `${updated} out of ${desired} new replicas have been updated`};
	}
	if (total > updated) {
		return {state: 'waiting', message: `${total - updated} old replicas are pending termination`};
	}
	if (available < updated) {
		return {state: 'waiting', message: `${available} of ${updated} updated replicas are available`};
	}
	return {state: 'done', message: `${name} successfully rolled out (${available}/${desired} available)`};
}

export interface PodLike {
	metadata?: {name?: string};
	spec?: {containers?: Array<{name?: string; image?: string}>};
	status?: {
		phase?: string;
		conditions?: Array<{type?: string; status?: string; reason?: string; message?: string}>;
		containerStatuses?: Array<{
			name?: string;
			image?: string;
			ready?: boolean;
			state?: {waiting?: {reason?: string; message?: string}; terminated?: {reason?: string; exitCode?: number}};
		}>;
	};
}

export interface PodProblem {
	pod: string;
	reason: string;
	message: string;
	/** What to do about it. */
	hint?: string;
}

const PULL_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull']);
const WAITING_REASONS = new Set([
	'ImagePullBackOff',
	'ErrImagePull',
	'CrashLoopBackOff',
	'CreateContainerConfigError',
	'CreateContainerError',
	'InvalidImageName',
]);

/** Why gateway pods are not ready, most telling first. */
export function podProblems(pods: readonly PodLike[], revision?: string): PodProblem[] {
	const problems: PodProblem[] = [];
	for (const pod of pods) {
		const name = pod.metadata?.name ?? 'pod';
		const unschedulable = pod.status?.conditions?.find(c => c.type === 'PodScheduled' && c.status === 'False');
		if (unschedulable) {
			problems.push({
				pod: name,
				reason: unschedulable.reason ?? 'Unschedulable',
				message: unschedulable.message ?? 'the pod cannot be scheduled',
			});
			continue;
		}
		for (const cs of pod.status?.containerStatuses ?? []) {
			const waiting = cs.state?.waiting;
			if (!waiting?.reason || !WAITING_REASONS.has(waiting.reason)) continue;
			const image = cs.image ?? pod.spec?.containers?.find(c => c.name === cs.name)?.image;
			if (PULL_REASONS.has(waiting.reason) && image === 'auto') {
				const webhook = revision ? `istio-sidecar-injector-${revision}` : 'istio-sidecar-injector';
				problems.push({
					pod: name,
					reason: waiting.reason,
					message: `container ${cs.name ?? ''} still has image "auto": sidecar injection did not run`,
					hint: `check that istiod${revision ? `-${revision}` : ''} is running and MutatingWebhookConfiguration ${webhook} exists, and that istio-system is not labeled istio-injection=disabled`,
				});
			} else {
				problems.push({pod: name, reason: waiting.reason, message: waiting.message ?? `container ${cs.name ?? ''} is waiting`});
			}
		}
	}
	return problems;
}

export interface ServiceLike {
	metadata?: {name?: string; labels?: Record<string, string>; annotations?: Record<string, string>};
	spec?: {type?: string; externalIPs?: string[]; ports?: Array<{name?: string; port?: number; targetPort?: number | string; nodePort?: number}>};
	status?: {loadBalancer?: {ingress?: Array<{ip?: string; hostname?: string}>}};
}

export type GatewayAddress = {kind: 'ip'; value: string} | {kind: 'hostname'; value: string};

export type AddressState = {state: 'ready'; address: GatewayAddress; source: 'loadBalancer' | 'externalIPs'} | {state: 'pending'; reason: string; hint: string};

/** The external address istiod would use for this gateway (network.go order: LB ingress, then externalIPs). */
export function serviceAddress(svc: ServiceLike): AddressState {
	for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
		if (ingress.ip) return {state: 'ready', address: {kind: 'ip', value: ingress.ip}, source: 'loadBalancer'};
		if (ingress.hostname) return {state: 'ready', address: {kind: 'hostname', value: ingress.hostname}, source: 'loadBalancer'};
	}
	const external = svc.spec?.externalIPs?.[0];
	if (external) return {state: 'ready', address: {kind: 'ip', value: external}, source: 'externalIPs'};
	const type = svc.spec?.type ?? 'ClusterIP';
	if (type === 'LoadBalancer') {
		return {
			state: 'pending',
			reason: 'the LoadBalancer Service has no ingress address yet',
			hint: 'if it stays <pending>, the cluster has no LoadBalancer controller: install one (e.g. MetalLB) or set spec.externalIPs',
		};
	}
	if (type === 'NodePort' && svc.metadata?.annotations?.['traffic.istio.io/nodeSelector']) {
		return {
			state: 'pending',
			reason: 'NodePort gateway: istiod uses node addresses selected by traffic.istio.io/nodeSelector',
			hint: 'eastwest cannot read node addresses as a gateway address; set spec.externalIPs to publish one',
		};
	}
	return {
		state: 'pending',
		reason: `the gateway Service is type ${type}, which gets no external address`,
		hint: 'make it type LoadBalancer, or NodePort with the traffic.istio.io/nodeSelector annotation, or set spec.externalIPs',
	};
}

export function formatAddress(a: GatewayAddress): string {
	return a.value;
}
