/** What the catalogue's declarations share: docs, topology sets, verdicts, and readings of the plan and facts. */
import {TOPOLOGY_INFO, needsGateway, normalRevision, type ClusterSpec, type MeshPlanInput, type Topology} from '../model.js';
import {gatewayReasons, planReasons, type GatewayReason} from '../gateway.js';
import {serviceAddress} from '../rollout.js';
import type {CredentialVerdict, IstiodInfo} from '../ports.js';
import {controllingPrimary, remoteReasons, type RemoteField} from '../remote.js';
import type {ClusterFacts, PermissionFact} from './facts.js';
import type {ClusterInput, Resolution, Verdict} from './types.js';
import {list, rec} from '../record.js';
import {urlHost} from '../address.js';

export const DOCS = {
	beforeYouBegin: 'https://istio.io/latest/docs/setup/install/multicluster/before-you-begin/',
	pluginCa: 'https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/',
	troubleshooting: 'https://istio.io/latest/docs/ops/diagnostic-tools/multicluster/',
	verify: 'https://istio.io/latest/docs/setup/install/multicluster/verify/',
} as const;

const INSTALL_DOC: Record<Topology, string> = {
	'primary-remote': 'https://istio.io/latest/docs/setup/install/multicluster/primary-remote/',
	'multi-network': 'https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/',
	'primary-remote-multi-network': 'https://istio.io/latest/docs/setup/install/multicluster/primary-remote_multi-network/',
};
export const installDoc = (plan: MeshPlanInput) => INSTALL_DOC[plan.topology];

export const ALL: readonly Topology[] = ['primary-remote', 'multi-network', 'primary-remote-multi-network'];
export const MULTI_NETWORK: readonly Topology[] = ['multi-network', 'primary-remote-multi-network'];
export const PRIMARY_REMOTE: readonly Topology[] = ['primary-remote', 'primary-remote-multi-network'];

export const MIN_KUBERNETES_MINOR = 32;

/** The checks of the clusters' cacerts, which a run with --ca --force replaces everywhere. */
export const REPLACED_BY_CA: Resolution = {
	flags: ['--ca', '--force'],
	applies: plan => plan.caDir !== undefined,
	does: plan => `the run replaces cacerts with an intermediate of the root in ${plan.caDir ?? 'DIR'}`,
};

export const pass = (reason?: string): Verdict => (reason ? {status: 'pass', reason} : {status: 'pass'});
export const fail = (reason: string): Verdict => ({status: 'fail', reason});
export const warn = (reason: string): Verdict => ({status: 'warn', reason});
export const skip = (reason: string): Verdict => ({status: 'skip', reason});

export const isPrimary = (c: ClusterSpec) => c.role === 'primary';
export const isRemote = (c: ClusterSpec) => c.role === 'remote';
export const primaryOf = (plan: MeshPlanInput) => plan.clusters.find(isPrimary);
export const revisionText = (plan: MeshPlanInput) => (normalRevision(plan.revision) ? `revision ${normalRevision(plan.revision)}` : 'the default revision');
export const istiodName = (plan: MeshPlanInput) => (normalRevision(plan.revision) ? `istiod-${normalRevision(plan.revision)}` : 'istiod');

export function sameRevision(a: string | undefined, b: string | undefined): boolean {
	return (normalRevision(a) ?? 'default') === (normalRevision(b) ?? 'default');
}

export function plannedIstiod(facts: ClusterFacts, plan: MeshPlanInput): IstiodInfo | undefined | 'not-collected' {
	if (!facts.istiod) return 'not-collected';
	return facts.istiod.find(i => sameRevision(i.revision, plan.revision));
}

/** The one gateway judgement (core/gateway.ts) over the collected gateway objects; who installed it is the engine's concern. */
export function gatewayOf(facts: ClusterFacts, plan: MeshPlanInput, cluster: ClusterSpec): GatewayReason[] {
	const g = facts.gateway;
	return planReasons(
		gatewayReasons(g?.deployment ?? undefined, g?.service ?? undefined, {network: cluster.network, ...(plan.revision ? {revision: plan.revision} : {})}),
	);
}

/** The API server URL a peer's remote secret must carry: the plan's override, else the peer's kubeconfig server. */
export function peerServer(peer: ClusterSpec, factsOf: ClusterInput['factsOf']): string | undefined {
	return peer.apiServer ?? factsOf(peer.name)?.apiServer;
}

/**
 * Whether an advertised API server address is worth suggesting over a loopback kubeconfig server: not the
 * same host, and not the one address every machine has (an API server advertises its node address).
 */
export function suggestion(advertised: string | undefined, kubeconfigHost: string | undefined): string | undefined {
	const host = urlHost(advertised)?.replace(/^\[|\]$/g, '');
	if (!advertised || !host || host === kubeconfigHost?.replace(/^\[|\]$/g, '')) return undefined;
	// Only the addresses every machine has: a node address in 127/8 is still worth naming (one host's container network).
	return ['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(host) ? undefined : advertised;
}

export const CREDENTIAL_FAILS: ReadonlySet<CredentialVerdict['kind']> = new Set(['unauthorized', 'forbidden', 'invalid']);

/** The primary's gateway address as its facts show it, for a remote's istiod endpoints. */
function primaryAddress(input: ClusterInput) {
	const primary = controllingPrimary(input.plan, input.cluster);
	const svc = primary ? input.factsOf(primary.name)?.gateway?.service : undefined;
	const state = svc ? serviceAddress(svc) : undefined;
	return state?.state === 'ready' ? state.address : undefined;
}

/** The one remote judgement (core/remote.ts) over a remote's facts, limited to some fields. */
export function remoteWiring(input: ClusterInput & {facts: ClusterFacts}, fields: readonly RemoteField[]) {
	const primary = controllingPrimary(input.plan, input.cluster)?.name ?? '';
	const address = primaryAddress(input);
	const reasons = remoteReasons(input.facts.remote!, {
		cluster: input.cluster.name,
		network: input.cluster.network,
		primary,
		...(input.plan.revision ? {revision: input.plan.revision} : {}),
		...(address ? {address} : {}),
	});
	return {reasons: reasons.filter(r => fields.includes(r.field)), address};
}

/** Kubernetes version from a gitVersion like v1.35.4-eks-abc; undefined when unreadable. */
export function kubernetesMinor(gitVersion: string | undefined): {major: number; minor: number} | undefined {
	const m = /^v?(\d+)\.(\d+)/.exec(gitVersion ?? '');
	return m ? {major: Number(m[1]), minor: Number(m[2])} : undefined;
}

/** Permissions the plan needs on a cluster (SelfSubjectAccessReview). The collector asks for exactly these. */
export function requiredPermissions(cluster: ClusterSpec, plan: MeshPlanInput): Array<Omit<PermissionFact, 'allowed'>> {
	const ns = 'istio-system';
	const needed: Array<Omit<PermissionFact, 'allowed'>> = [{verb: 'get', group: '', resource: 'secrets', namespace: ns}];
	const info = TOPOLOGY_INFO[plan.topology];
	if (info.multiNetwork) {
		needed.push({verb: 'create', group: '', resource: 'namespaces'}, {verb: 'patch', group: '', resource: 'namespaces'});
	}
	if (needsGateway(cluster, plan)) {
		needed.push(
			{verb: 'create', group: 'apps', resource: 'deployments', namespace: ns},
			{verb: 'create', group: '', resource: 'services', namespace: ns},
			{verb: 'create', group: '', resource: 'serviceaccounts', namespace: ns},
			{verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'roles', namespace: ns},
			{verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: ns},
			{verb: 'create', group: 'policy', resource: 'poddisruptionbudgets', namespace: ns},
			{verb: 'create', group: 'autoscaling', resource: 'horizontalpodautoscalers', namespace: ns},
		);
	}
	const exposes = isPrimary(cluster) && (info.primaryRemote || info.multiNetwork);
	if (exposes) needed.push({verb: 'create', group: 'networking.istio.io', resource: 'gateways', namespace: ns});
	if (isPrimary(cluster) && info.primaryRemote) needed.push({verb: 'create', group: 'networking.istio.io', resource: 'virtualservices', namespace: ns});
	return needed;
}

export function formatPermission(p: Omit<PermissionFact, 'allowed'>): string {
	const resource = p.group ? `${p.resource}.${p.group}` : p.resource;
	return `${p.verb} ${resource}${p.namespace ? ` in ${p.namespace}` : ''}`;
}

/** Servers of an Istio Gateway as {port number, tls mode, hosts}. */
export function gatewayServers(gw: Record<string, unknown>): Array<{port?: number; mode?: string; hosts: string[]}> {
	return list(rec(gw.spec).servers).map(s => {
		const server = rec(s);
		return {
			port: rec(server.port).number as number | undefined,
			mode: rec(server.tls).mode as string | undefined,
			hosts: list(server.hosts).filter((h): h is string => typeof h === 'string'),
		};
	});
}

export function selectsEastWest(gw: Record<string, unknown>): boolean {
	return rec(rec(gw.spec).selector).istio === 'eastwestgateway';
}
