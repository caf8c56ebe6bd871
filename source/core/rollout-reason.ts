/**
 * Why a Deployment's rollout is not done, as `kubectl describe` would show it: the ReplicaSet's
 * ReplicaFailure condition (pods that cannot even be created, e.g. an unreachable sidecar injector),
 * the pods' own state, then the Warning events of the ReplicaSet and its pods. Pure: the engine hands
 * in what its watches hold and shows the answer in its waiting line and in a deadline failure.
 */
import {podProblems, type PodLike} from './rollout.js';
import {firstLine} from './text.js';

export interface ReplicaSetLike {
	metadata?: {
		name?: string;
		annotations?: Record<string, string>;
		ownerReferences?: Array<{kind?: string; name?: string}>;
	};
	spec?: {replicas?: number};
	status?: {conditions?: Array<{type?: string; status?: string; reason?: string; message?: string}>};
}

export interface EventLike {
	metadata?: {creationTimestamp?: string};
	type?: string;
	reason?: string;
	message?: string;
	involvedObject?: {kind?: string; name?: string};
	lastTimestamp?: string;
	eventTime?: string;
	series?: {lastObservedTime?: string};
}

/** Where a cluster's sidecar injector lives: its own istiod, or (a remote) the primary's, through the primary's gateway. */
export interface RolloutContext {
	/** The cluster being rolled out. */
	cluster: string;
	/** The Deployment waited for. */
	deployment: string;
	namespace: string;
	/** The pods' label selector (for the `kubectl describe` hint). */
	selector: string;
	/** The plan's revision (istiod-<rev>), undefined for the default. */
	revision?: string;
	/** Set when the cluster is a remote: its injector is the primary's istiod, reached through the primary's gateway. */
	remoteOf?: {primary: string; gatewayAddress?: string};
}

export interface RolloutBlocker {
	/** One line: what stops the rollout. */
	reason: string;
	/** What to do about it. */
	hint: string;
}

/** Istio's injector and validation ports as the east-west gateway passes them through to istiod (expose-istiod). */
const WEBHOOK_PORT = 15017;
const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

function ownedBy(rs: ReplicaSetLike, deployment: string): boolean {
	const owners = rs.metadata?.ownerReferences;
	if (owners && owners.length > 0) return owners.some(o => o.kind === 'Deployment' && o.name === deployment);
	return (rs.metadata?.name ?? '').startsWith(`${deployment}-`);
}

/** The ReplicaSets of the Deployment that should have pods, newest revision first. */
function liveReplicaSets(replicaSets: readonly ReplicaSetLike[], deployment: string): ReplicaSetLike[] {
	const revision = (rs: ReplicaSetLike) => Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
	return replicaSets.filter(rs => ownedBy(rs, deployment) && (rs.spec?.replicas ?? 1) > 0).sort((a, b) => revision(b) - revision(a));
}

function eventTime(e: EventLike): string {
	return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
}

/** The newest Warning event about one of `names` (objects of `kind`), optionally of one reason. */
function newestWarning(events: readonly EventLike[], kind: string, names: ReadonlySet<string>, reason?: string): EventLike | undefined {
	let newest: EventLike | undefined;
	for (const e of events) {
		if (e.type !== 'Warning' || e.involvedObject?.kind !== kind || !names.has(e.involvedObject.name ?? '')) continue;
		if (reason && e.reason !== reason) continue;
		if (!newest || eventTime(e) >= eventTime(newest)) newest = e;
	}
	return newest;
}

const WEBHOOK_CALL = /failed calling webhook "([^"]+)":\s*(?:failed to call webhook:\s*)?(?:Post|POST)\s+"?([^"\s]+)"?:\s*(.*)$/;
const WEBHOOK_DENIED = /admission webhook "([^"]+)" denied the request:?\s*(.*)$/;

/** How a webhook call failed, in the words of the waiting line. */
function callFailure(cause: string): string {
	if (/x509|certificate/i.test(cause)) return 'presents a certificate the API server does not trust';
	if (/context deadline exceeded|Client\.Timeout|timeout awaiting|i\/o timeout/i.test(cause)) return 'does not answer in time';
	if (/connection refused|network is unreachable|no route to host|no such host|connection reset|EOF|no endpoints|unreachable/i.test(cause))
		return 'is unreachable';
	return 'fails';
}

/** host:port of a webhook URL, without its path and query. */
function endpointOf(url: string): string {
	const m = /^https?:\/\/([^/?]+)/.exec(url);
	return m?.[1] ?? url;
}

/** One line and a hint for a ReplicaSet that cannot create its pods, from the controller's message. */
export function describeCreateFailure(message: string, ctx: RolloutContext): RolloutBlocker {
	// An event's words: "Error creating: …", "(combined from similar events): Error creating: …".
	const text = firstLine(message)
		.replace(/^\(combined from similar events\):\s*/, '')
		.replace(/^Error creating:\s*/, '');
	const describe = `kubectl describe replicaset -n ${ctx.namespace} -l ${ctx.selector}`;
	const call = WEBHOOK_CALL.exec(text);
	if (call) {
		const [, webhook = '', url = '', cause = ''] = call;
		const how = callFailure(cause);
		const injector = /sidecar-injector/.test(webhook);
		const what = injector ? 'the sidecar injector' : `admission webhook "${webhook}"`;
		let reason = `pods cannot be created: ${what} at ${endpointOf(url)} ${how}${cause ? ` (${cause.trim()})` : ''}`;
		const istiod = ctx.revision ? `istiod-${ctx.revision}` : 'istiod';
		let hint: string;
		if (how === 'presents a certificate the API server does not trust') {
			hint = `the webhook's caBundle does not match the certificate ${istiod} serves; istiod rewrites it when it starts: restart ${istiod}${ctx.remoteOf ? ` on ${ctx.remoteOf.primary}` : ''}`;
		} else if (injector && ctx.remoteOf) {
			const {primary, gatewayAddress} = ctx.remoteOf;
			const at = gatewayAddress ? `${gatewayAddress}:${WEBHOOK_PORT}` : `port ${WEBHOOK_PORT}`;
			reason += `; on a remote that is ${primary}'s istiod through ${primary}'s gateway ${at}`;
			hint = `check that ${primary}'s ${istiod} is running, that ${primary}'s gateway passes ${WEBHOOK_PORT} through to it (Gateway istiod-gateway, the expose-istiod step), and that ${ctx.cluster}'s API server can reach ${at}`;
		} else if (injector) {
			hint = `check that ${istiod} is running in ${ctx.namespace} and that its Service has endpoints the API server can reach on ${WEBHOOK_PORT}`;
		} else {
			hint = `check the service behind webhook "${webhook}" (kubectl get mutatingwebhookconfigurations,validatingwebhookconfigurations)`;
		}
		return {reason, hint};
	}
	const denied = WEBHOOK_DENIED.exec(text);
	if (denied) {
		return {
			reason: `pods cannot be created: admission webhook "${denied[1]}" denied them${denied[2] ? `: ${denied[2]}` : ''}`,
			hint: `see what the webhook's owner requires of pods in ${ctx.namespace}; ${describe}`,
		};
	}
	if (/exceeded quota/i.test(text)) {
		return {reason: `pods cannot be created: ${text}`, hint: `raise the ResourceQuota in ${ctx.namespace}, or lower the gateway's resource requests`};
	}
	if (/serviceaccount .* not found|service account/i.test(text)) {
		return {reason: `pods cannot be created: ${text}`, hint: `the install should have created the ServiceAccount; reinstall (--reinstall) or ${describe}`};
	}
	return {reason: `pods cannot be created: ${text}`, hint: `see ${describe}`};
}

/**
 * The first thing that keeps the Deployment's pods from becoming ready, or undefined when nothing is known
 * to be wrong (the rollout is just in progress). Order: pods that cannot be created (ReplicaFailure, in the
 * words of its newest FailedCreate event: the condition keeps the first error), the
 * pods' own problems, then Warning events (pods', then the ReplicaSets' FailedCreate).
 */
export function rolloutBlocker(
	input: {replicaSets: readonly ReplicaSetLike[]; pods: readonly PodLike[]; events: readonly EventLike[]},
	ctx: RolloutContext,
): RolloutBlocker | undefined {
	const live = liveReplicaSets(input.replicaSets, ctx.deployment);
	for (const rs of live) {
		const failure = rs.status?.conditions?.find(c => c.type === 'ReplicaFailure' && c.status === 'True');
		if (!failure?.message) continue;
		// The condition keeps the first error until a creation succeeds; each new attempt's error is an event.
		const latest = newestWarning(input.events, 'ReplicaSet', new Set([rs.metadata?.name ?? '']), 'FailedCreate');
		return describeCreateFailure(latest?.message ?? failure.message, ctx);
	}
	const problem = podProblems(input.pods, ctx.revision)[0];
	if (problem) {
		return {
			reason: `pod ${problem.pod}: ${problem.reason}: ${problem.message}`,
			hint: problem.hint ?? `see kubectl describe pod -n ${ctx.namespace} ${problem.pod}`,
		};
	}
	const podNames = new Set(input.pods.map(p => p.metadata?.name ?? '').filter(Boolean));
	const podEvent = newestWarning(input.events, 'Pod', podNames);
	if (podEvent) {
		const pod = podEvent.involvedObject?.name ?? 'pod';
		return {
			reason: `pod ${pod}: ${podEvent.reason ?? 'Warning'}: ${firstLine(podEvent.message ?? '')}`,
			hint: `see kubectl describe pod -n ${ctx.namespace} ${pod}`,
		};
	}
	// A FailedCreate event without the condition: the controller has not written its status yet.
	const rsNames = new Set(live.map(rs => rs.metadata?.name ?? '').filter(Boolean));
	if (input.pods.length === 0) {
		const created = newestWarning(input.events, 'ReplicaSet', rsNames, 'FailedCreate');
		if (created?.message) return describeCreateFailure(created.message, ctx);
	}
	return undefined;
}
