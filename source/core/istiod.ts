/** What an istiod Deployment says about itself: one reading shared by probes, checks and status. */
import {helmReleaseOf} from './helm.js';
import type {IstiodInfo} from './ports.js';
import {normalRevision} from './model.js';
import {rolloutStatus, type DeploymentLike} from './rollout.js';
import {rec} from './record.js';

export interface IstiodDeploymentLike extends DeploymentLike {
	metadata?: DeploymentLike['metadata'] & {labels?: Record<string, string>; annotations?: Record<string, string>};
	spec?: DeploymentLike['spec'] & {template?: {spec?: {containers?: Array<{name?: string; env?: Array<{name?: string; value?: string}>}>}}};
}

/** An istiod Deployment of any revision: `istiod` or `istiod-<rev>`. */
export function isIstiodDeployment(d: IstiodDeploymentLike): boolean {
	const name = d.metadata?.name ?? '';
	return name === 'istiod' || name.startsWith('istiod-');
}

/** Revision (istio.io/rev label, else the name's suffix; undefined for the default), CLUSTER_ID, EXTERNAL_ISTIOD, Helm release, readiness. */
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
	const release = helmReleaseOf(d.metadata?.annotations);
	if (release) info.helmRelease = release;
	return info;
}

/** The sidecar injector ConfigMap of a revision: istio-sidecar-injector[-<rev>]. */
export function injectorConfigMapName(revision: string | undefined): string {
	const r = normalRevision(revision);
	return r ? `istio-sidecar-injector-${r}` : 'istio-sidecar-injector';
}

/** What the control plane was installed with, from the injector ConfigMap's data.values (JSON). */
export interface InjectorValues {
	revision?: string;
	meshId?: string;
	network?: string;
	clusterName?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Parse the injector ConfigMap's data; empty when data.values is absent or not JSON. Empty strings count as unset. */
export function injectorValues(data: Record<string, unknown> | undefined): InjectorValues {
	const raw = data?.values;
	if (typeof raw !== 'string' || raw === '') return {};
	let values: Record<string, unknown>;
	try {
		values = rec(JSON.parse(raw));
	} catch {
		return {};
	}
	const global = rec(values.global);
	const found: InjectorValues = {};
	const revision = text(values.revision);
	if (revision !== undefined && revision !== 'default') found.revision = revision;
	const meshId = text(global.meshID);
	if (meshId !== undefined) found.meshId = meshId;
	const network = text(global.network);
	if (network !== undefined) found.network = network;
	const clusterName = text(rec(global.multiCluster).clusterName);
	if (clusterName !== undefined) found.clusterName = clusterName;
	return found;
}
