/**
 * Does an observed east-west gateway (Deployment + Service) match the plan? One judgement, used by the
 * engine (install or leave unchanged), the checks catalogue (gateway-labels, gateway-service) and the
 * status view, so that none of them can call a gateway fine that another flags.
 */
import {GATEWAY_PORTS} from './manifests.js';
import {GATEWAY_NAME, GATEWAY_OPERATOR_NAME, ISTIO_NAMESPACE, NETWORK_LABEL, normalRevision} from './model.js';
import type {DeploymentLike, ServiceLike} from './rollout.js';

export const OWNING_RESOURCE_LABEL = 'install.operator.istio.io/owning-resource';
export const REVISION_LABEL = 'istio.io/rev';
export const NETWORK_VIEW_ENV = 'ISTIO_META_REQUESTED_NETWORK_VIEW';

/** The gateway Deployment with the fields the judgement reads. */
export interface GatewayDeploymentLike extends DeploymentLike {
	metadata?: DeploymentLike['metadata'] & {labels?: Record<string, string>};
	spec?: DeploymentLike['spec'] & {
		template?: {
			metadata?: {labels?: Record<string, string>};
			spec?: {containers?: Array<{name?: string; env?: Array<{name?: string; value?: string}>}>};
		};
	};
}

/** What the plan wants of this cluster's gateway. */
export interface GatewayPlan {
	network: string;
	/** The plan's revision; undefined (or empty) for the default revision. */
	revision?: string;
}

export type GatewayField =
	| 'deployment'
	| 'service'
	| 'owner'
	| 'pod-label:istio'
	| 'pod-label:app'
	| `pod-label:${typeof NETWORK_LABEL}`
	| `pod-label:${typeof REVISION_LABEL}`
	| `env:${typeof NETWORK_VIEW_ENV}`
	| `service-label:${typeof NETWORK_LABEL}`
	| `port:${(typeof GATEWAY_PORTS)[number]['name']}`
	| 'service-type';

export interface GatewayReason {
	field: GatewayField;
	/** Which object the field is on. */
	object: 'Deployment' | 'Service';
	/** The field in words, e.g. "pod label topology.istio.io/network". */
	what: string;
	/** What the cluster has; undefined when the field is missing. */
	have?: string;
	want: string;
	/** One line for a person. */
	text: string;
}

function reason(field: GatewayField, object: GatewayReason['object'], what: string, have: string | undefined, want: string, text?: string): GatewayReason {
	return {field, object, what, ...(have !== undefined ? {have} : {}), want, text: text ?? `${what} is ${have ?? 'missing'} (want ${want})`};
}

/**
 * Every reason the gateway differs from the plan, in a fixed order; empty when it matches.
 * `undefined` objects are absent. Ownership (an `owner` reason) does not make a gateway unfit for the
 * plan (see `servesPlan`); whether eastwest made the install is its record's to say (core/teardown.ts
 * `madeByEastwest`), not the label's, which the docs' IstioOperator of the same name produces too.
 */
export function gatewayReasons(deployment: GatewayDeploymentLike | undefined, service: ServiceLike | undefined, plan: GatewayPlan): GatewayReason[] {
	const reasons: GatewayReason[] = [];
	const wantRev = normalRevision(plan.revision) ?? 'default';
	if (!deployment) {
		reasons.push(
			reason(
				'deployment',
				'Deployment',
				`Deployment ${ISTIO_NAMESPACE}/${GATEWAY_NAME}`,
				undefined,
				'present',
				`Deployment ${ISTIO_NAMESPACE}/${GATEWAY_NAME} does not exist`,
			),
		);
	} else {
		const owner = deployment.metadata?.labels?.[OWNING_RESOURCE_LABEL];
		if (owner !== GATEWAY_OPERATOR_NAME) {
			reasons.push(
				reason(
					'owner',
					'Deployment',
					`label ${OWNING_RESOURCE_LABEL}`,
					owner,
					GATEWAY_OPERATOR_NAME,
					`the gateway was not installed by eastwest (${OWNING_RESOURCE_LABEL} is ${owner ?? 'missing'})`,
				),
			);
		}
		const labels = deployment.spec?.template?.metadata?.labels ?? {};
		const want: Array<[GatewayField, string, string]> = [
			['pod-label:istio', 'istio', 'eastwestgateway'],
			['pod-label:app', 'app', GATEWAY_NAME],
			[`pod-label:${NETWORK_LABEL}`, NETWORK_LABEL, plan.network],
		];
		for (const [field, key, value] of want) {
			if (labels[key] !== value) reasons.push(reason(field, 'Deployment', `pod label ${key}`, labels[key], value));
		}
		const rev = labels[REVISION_LABEL];
		if ((normalRevision(rev) ?? 'default') !== wantRev)
			reasons.push(reason(`pod-label:${REVISION_LABEL}`, 'Deployment', `pod label ${REVISION_LABEL}`, rev, wantRev));
		const env = deployment.spec?.template?.spec?.containers?.flatMap(c => c.env ?? []) ?? [];
		const view = env.find(e => e.name === NETWORK_VIEW_ENV)?.value;
		if (view !== plan.network) reasons.push(reason(`env:${NETWORK_VIEW_ENV}`, 'Deployment', `env ${NETWORK_VIEW_ENV}`, view, plan.network));
	}
	if (!service) {
		reasons.push(
			reason(
				'service',
				'Service',
				`Service ${ISTIO_NAMESPACE}/${GATEWAY_NAME}`,
				undefined,
				'present',
				`Service ${ISTIO_NAMESPACE}/${GATEWAY_NAME} does not exist`,
			),
		);
	} else {
		const label = service.metadata?.labels?.[NETWORK_LABEL];
		if (label !== plan.network) reasons.push(reason(`service-label:${NETWORK_LABEL}`, 'Service', `Service label ${NETWORK_LABEL}`, label, plan.network));
		const ports = service.spec?.ports ?? [];
		for (const p of GATEWAY_PORTS) {
			if (ports.some(q => q.port === p.port && q.name === p.name)) continue;
			const same = ports.find(q => q.port === p.port);
			const have = same ? `${same.name ?? 'unnamed'} ${p.port}` : undefined;
			reasons.push(reason(`port:${p.name}`, 'Service', `port ${p.name} ${p.port}`, have, `${p.name} ${p.port}`));
		}
		const type = service.spec?.type ?? 'ClusterIP';
		if (type !== 'LoadBalancer' && !service.spec?.externalIPs?.length) {
			reasons.push(
				reason(
					'service-type',
					'Service',
					'Service type',
					type,
					'LoadBalancer',
					`Service type is ${type}, which gets no external address (want LoadBalancer, or externalIPs)`,
				),
			);
		}
	}
	return reasons;
}

/** The reasons that keep the gateway from doing what the plan needs: all but ownership. */
export function planReasons(reasons: readonly GatewayReason[]): GatewayReason[] {
	return reasons.filter(r => r.field !== 'owner');
}

/** The gateway does what the plan needs (whoever installed it): status and checks call it fine. */
export function servesPlan(reasons: readonly GatewayReason[]): boolean {
	return planReasons(reasons).length === 0;
}

/** The reasons as one line ("a; b"), or undefined when there are none. */
export function reasonsText(reasons: readonly GatewayReason[]): string | undefined {
	return reasons.length > 0 ? reasons.map(r => r.text).join('; ') : undefined;
}
