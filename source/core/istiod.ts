/** What an istiod Deployment says about itself: one reading shared by probes, checks and status. */
import type {IstiodInfo} from './ports.js';
import {rolloutStatus, type DeploymentLike} from './rollout.js';

export interface IstiodDeploymentLike extends DeploymentLike {
	metadata?: DeploymentLike['metadata'] & {labels?: Record<string, string>};
	spec?: DeploymentLike['spec'] & {template?: {spec?: {containers?: Array<{name?: string; env?: Array<{name?: string; value?: string}>}>}}};
}

/** An istiod Deployment of any revision: `istiod` or `istiod-<rev>`. */
export function isIstiodDeployment(d: IstiodDeploymentLike): boolean {
	const name = d.metadata?.name ?? '';
	return name === 'istiod' || name.startsWith('istiod-');
}

/** Revision (istio.io/rev label, else the name's suffix; undefined for the default), CLUSTER_ID, EXTERNAL_ISTIOD, readiness. */
export function istiodFromDeployment(d: IstiodDeploymentLike): IstiodInfo {
	const name = d.metadata?.name ?? 'istiod';
	const label = d.metadata?.labels?.['istio.io/rev'];
	const revision = label && label !== 'default' ? label : !label && name.startsWith('istiod-') ? name.slice('istiod-'.length) : undefined;
	const containers = d.spec?.template?.spec?.containers ?? [];
	const container = containers.find(c => c.name === 'discovery') ?? containers[0];
	const env = new Map((container?.env ?? []).map(e => [e.name, e.value]));
	const info: IstiodInfo = {name, ready: rolloutStatus(d).state === 'done'};
	if (revision) info.revision = revision;
	const clusterId = env.get('CLUSTER_ID');
	if (clusterId !== undefined) info.clusterId = clusterId;
	if (env.has('EXTERNAL_ISTIOD')) info.externalIstiod = env.get('EXTERNAL_ISTIOD') === 'true';
	return info;
}
