/**
 * Post-install checks of what breaks in the field after the wiring looks right: the reader role a newer istiod
 * needs, remote secrets that point at loopback, istiod versions with known remote-secret bugs, and load
 * balancers in front of the gateway that do not pass TLS through. Each hint names the upstream issue it prevents.
 */
import {TOPOLOGY_INFO, needsGateway, normalRevision, type ClusterSpec, type MeshPlanInput} from '../model.js';
import {readPeers, remoteSecretName, READER_SERVICE_ACCOUNT} from '../remote.js';
import {serviceAddress, type ServiceLike} from '../rollout.js';
import {isLoopbackServer} from '../address.js';
import {parseIstioVersion, type IstioVersion} from '../version.js';
import type {ClusterFacts, PolicyRuleFact} from './facts.js';
import type {Check, ClusterInput} from './types.js';
import {DOCS, installDoc, ALL, PRIMARY_REMOTE, pass, fail, warn, skip, isPrimary, istiodName, plannedIstiod, sameRevision} from './helpers.js';

export const ISSUES = {
	readerConfigMaps: 'https://github.com/istio/istio/issues/59474',
	stuckAfterFix: 'https://github.com/istio/istio/issues/58047',
	rotation: ['https://github.com/istio/istio/issues/60612', 'https://github.com/istio/istio/issues/61043', 'https://github.com/istio/istio/issues/60920'],
	l7LoadBalancer: 'https://github.com/istio/istio.io/pull/17065',
	hostnameGateway: 'https://github.com/istio/istio/issues/29359',
} as const;

/** The first release without the bug: istiod reads remotes' mesh config from 1.29; #58047 fixed in 1.28; the rotation bugs in 1.30. */
export const READS_REMOTE_MESH_CONFIG: Release = {major: 1, minor: 29};
export const STUCK_SECRET_FIXED: Release = {major: 1, minor: 28};
export const ROTATION_FIXED: Release = {major: 1, minor: 30};

interface Release {
	major: number;
	minor: number;
}

const releaseText = (r: Release) => `${r.major}.${r.minor}`;

/** Whether a version comes before a release (a pre-release or dev build of that minor counts as the release). */
export function before(version: IstioVersion, release: Release): boolean {
	return version.major !== release.major ? version.major < release.major : version.minor < release.minor;
}

/** The clusters whose istiod reads this one (a remote secret for it in theirs). */
export function readersOf(plan: MeshPlanInput, cluster: ClusterSpec): ClusterSpec[] {
	return plan.clusters.filter(r => readPeers(plan, r).some(p => p.name === cluster.name));
}

/** The version of the plan's istiod on a cluster, as its image tag says; undefined when unknown. */
export function istiodVersion(facts: ClusterFacts | undefined, plan: MeshPlanInput): {text: string; version: IstioVersion} | undefined {
	const cp = facts?.istiodVersions?.find(v => sameRevision(v.revision, plan.revision));
	const version = parseIstioVersion(cp?.version);
	return cp?.version && version ? {text: cp.version, version} : undefined;
}

/** The ConfigMap istiod reads a peer's mesh config from: its own revision's (istio or istio-<rev>) in istio-system. */
export function meshConfigName(plan: MeshPlanInput): string {
	const rev = normalRevision(plan.revision);
	return rev ? `istio-${rev}` : 'istio';
}

/** Whether some rule lets `verb` on a core-group resource (optionally one object by name), as RBAC decides. */
export function rulesAllow(rules: readonly PolicyRuleFact[], verb: string, group: string, resource: string, name?: string): boolean {
	return rules.some(
		r =>
			(r.apiGroups.includes(group) || r.apiGroups.includes('*')) &&
			(r.resources.includes(resource) || r.resources.includes('*')) &&
			(r.verbs.includes(verb) || r.verbs.includes('*')) &&
			(r.resourceNames.length === 0 || (name !== undefined && r.resourceNames.includes(name))),
	);
}

/** ServiceAccount istio-system/istio-reader-service-account, as the bindings name it. */
export const READER_SUBJECT = `istio-system/${READER_SERVICE_ACCOUNT}`;

// ---------- load balancers in front of the gateway ----------

const AWS = 'service.beta.kubernetes.io/aws-load-balancer-';
const DO = 'service.beta.kubernetes.io/do-loadbalancer-';
/** The ports the east-west gateway must pass through untouched: cross-network mTLS, and istiod's xDS and webhook for remotes. */
const PASSTHROUGH_PORTS = [15443, 15012, 15017];

/**
 * Why a LoadBalancer Service's annotations make its load balancer terminate TLS or speak HTTP on a port the
 * gateway passes through; empty when none does. Known: AWS (in-tree and the AWS Load Balancer Controller:
 * a certificate on the ssl ports, or an HTTP/HTTPS/SSL backend protocol; every aws-load-balancer-type value,
 * nlb, external, nlb-ip, is L4), DigitalOcean (an HTTP protocol, or a certificate without tls-passthrough),
 * GKE (app-protocols, which an L7 Ingress or Gateway in front of the Service reads). Azure's and GKE's
 * LoadBalancer Services are L4 load balancers whatever their annotations.
 */
export function l7Reasons(svc: ServiceLike): string[] {
	const a = svc.metadata?.annotations ?? {};
	const ports = (svc.spec?.ports ?? []).filter(p => p.port !== undefined && PASSTHROUGH_PORTS.includes(p.port));
	const reasons: string[] = [];
	const covered = (list: string | undefined) => {
		const names = (list ?? '*')
			.split(',')
			.map(s => s.trim())
			.filter(Boolean);
		return ports.filter(p => names.includes('*') || names.includes(String(p.port)) || (p.name !== undefined && names.includes(p.name))).map(p => p.port!);
	};
	if (a[`${AWS}ssl-cert`]) {
		const on = covered(a[`${AWS}ssl-ports`]);
		if (on.length > 0) reasons.push(`${AWS}ssl-cert: the AWS load balancer terminates TLS on ${on.join(', ')}`);
	}
	const backend = a[`${AWS}backend-protocol`]?.toLowerCase();
	if (backend === 'http' || backend === 'https') reasons.push(`${AWS}backend-protocol is ${backend}: the AWS load balancer speaks HTTP (an L7 listener)`);
	else if (backend === 'ssl' && !a[`${AWS}ssl-cert`]) reasons.push(`${AWS}backend-protocol is ssl: the AWS load balancer opens its own TLS to the gateway`);
	const passthrough = a[`${DO}tls-passthrough`] === 'true';
	const doProtocol = a[`${DO}protocol`]?.toLowerCase();
	if (doProtocol && doProtocol !== 'tcp' && doProtocol !== 'udp' && !passthrough)
		reasons.push(`${DO}protocol is ${doProtocol}: the DigitalOcean load balancer speaks HTTP`);
	else if (a[`${DO}certificate-id`] && !passthrough) reasons.push(`${DO}certificate-id without tls-passthrough: the DigitalOcean load balancer terminates TLS`);
	const appProtocols = a['cloud.google.com/app-protocols'];
	if (appProtocols) reasons.push(`cloud.google.com/app-protocols (${appProtocols}): an L7 load balancer in front of the Service speaks HTTP to it`);
	return reasons;
}

// ---------- the checks ----------

const readerNames = (plan: MeshPlanInput, cluster: ClusterSpec) => readersOf(plan, cluster).map(r => r.name);

export const FIELD_CHECKS: readonly Check[] = [
	{
		id: 'reader-role-configmaps',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: (cluster, plan) => readersOf(plan, cluster).length > 0,
		doc: DOCS.troubleshooting,
		claim: ({plan, cluster}) =>
			`the istio-reader service account may list and watch ConfigMap istio-system/${meshConfigName(plan)} (istiod 1.29+ in ${readerNames(plan, cluster).join(', ')} reads this cluster's trust domain there)`,
		hint: ({cluster}) =>
			`upgrade ${cluster.name}'s istio-reader ClusterRole with its control plane (the 1.29+ base and istiod charts grant configmaps get, list and watch), or add that rule to the role bound to ${READER_SUBJECT}; without it istiod gets no trust domain for this cluster and mTLS to it fails during upgrades (${ISSUES.readerConfigMaps})`,
		evaluate: ({facts, plan, cluster, factsOf}) => {
			const rbac = facts.readerRbac;
			if (!rbac) return skip('the istio-reader bindings were not read');
			if (rbac.roles.length === 0) return fail(`no ClusterRoleBinding (nor RoleBinding in istio-system) names ServiceAccount ${rbac.serviceAccount}`);
			const name = meshConfigName(plan);
			const rules = rbac.roles.flatMap(r => r.rules ?? []);
			const missingVerbs = ['list', 'watch'].filter(v => !rulesAllow(rules, v, '', 'configmaps', name));
			const roles = rbac.roles.map(r => `${r.role}${r.rules === null ? ' (missing)' : ''}`).join(', ');
			if (missingVerbs.length === 0) return pass(roles);
			const denied = `${roles} ${rbac.roles.length === 1 ? 'does' : 'do'} not let it ${missingVerbs.join(' or ')} configmaps`;
			// An istiod before 1.29 does not read the ConfigMap yet: only an upgrade would break.
			const readers = readersOf(plan, cluster).map(r => ({name: r.name, v: istiodVersion(factsOf(r.name), plan)}));
			if (readers.every(r => r.v && before(r.v.version, READS_REMOTE_MESH_CONFIG))) {
				return warn(
					`${denied}: ${readers.map(r => `istiod ${r.v!.text} in ${r.name}`).join(', ')} does not read it yet, ${releaseText(READS_REMOTE_MESH_CONFIG)} and later will`,
				);
			}
			const reading = readers.filter(r => !r.v || !before(r.v.version, READS_REMOTE_MESH_CONFIG));
			return fail(`${denied}: ${reading.map(r => `istiod${r.v ? ` ${r.v.text}` : ''} in ${r.name}`).join(', ')} cannot read this cluster's trust domain`);
		},
	},
	{
		id: 'remote-secret-loopback',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: (cluster, plan) => readPeers(plan, cluster).length > 0,
		doc: DOCS.troubleshooting,
		claim: ({plan, cluster}) =>
			`the remote secrets for ${readPeers(plan, cluster)
				.map(p => p.name)
				.join(', ')} give istiod an API server address other than loopback, and istiod is not stuck on an old one`,
		hint: input => loopbackHint(input, 'cli'),
		wizardHint: input => loopbackHint(input, 'wizard'),
		evaluate: ({facts, plan, cluster}) => {
			if (!facts.remoteSecrets) return skip('remote secrets were not read');
			const loopback = loopbackSecrets(facts, plan, cluster);
			const view = facts.istiodView?.read ? facts.istiodView : undefined;
			const status = (peer: string) => view?.clusters.find(c => c.id === peer)?.syncStatus;
			if (loopback.length > 0) {
				const istiod = plannedIstiod(facts, plan);
				if (istiod === 'not-collected') return skip('istiod Deployments were not listed');
				const list = loopback.map(l => `${l.secret} points at ${l.server}`).join('; ');
				if (!istiod) return pass(`${list}: no istiod runs in this cluster to dial it from a pod`);
				// istiod's own verdict wins: one that shares the API server's host (host network, a lab) reaches loopback.
				if (loopback.every(l => status(l.peer) === 'synced'))
					return pass(`${list}, a loopback address, yet istiod reports ${loopback.map(l => l.peer).join(', ')} synced: it shares the API server's host`);
				if (!view)
					return warn(`${list}, a loopback address: an istiod in a pod dials itself there, and istiod's view was not read to tell whether it reaches it`);
				const seen = loopback.filter(l => status(l.peer)).map(l => `istiod reports ${l.peer} ${status(l.peer)}`);
				return fail(`${list}, a loopback address: istiod in its pod dials itself there${seen.length ? ` (${seen.join(', ')})` : ''}`);
			}
			const v = istiodVersion(facts, plan);
			const stuck = readPeers(plan, cluster).filter(p => status(p.name) && status(p.name) !== 'synced');
			if (v && before(v.version, STUCK_SECRET_FIXED) && stuck.length > 0) {
				return warn(
					`istiod ${v.text} reports ${stuck.map(p => `${p.name} ${status(p.name)}`).join(', ')}; before ${releaseText(STUCK_SECRET_FIXED)} it stays stuck after a remote secret's server is fixed`,
				);
			}
			return pass();
		},
	},
	{
		id: 'istiod-secret-rotation',
		scope: 'cluster',
		level: 'warn',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: (cluster, plan) => isPrimary(cluster) && readPeers(plan, cluster).length > 0,
		doc: DOCS.troubleshooting,
		claim: ({plan}) => `${istiodName(plan)} follows rotated remote secrets (Istio ${releaseText(ROTATION_FIXED)} or later)`,
		hint: ({plan, cluster}) =>
			`upgrade istiod to ${releaseText(ROTATION_FIXED)} or later; until then restart it whenever a remote secret changes (its token or server): kubectl --context ${cluster.context} -n istio-system rollout restart deployment/${istiodName(plan)} (${ISSUES.rotation.join(', ')})`,
		evaluate: ({facts, plan}) => {
			if (!facts.istiodVersions) return skip('istiod Deployments were not listed');
			const v = istiodVersion(facts, plan);
			if (!v) return skip(`the version of ${istiodName(plan)} is unknown (its image tag is not a version)`);
			if (!before(v.version, ROTATION_FIXED)) return pass(`istiod ${v.text}`);
			return warn(
				`istiod ${v.text} has remote-secret rotation bugs fixed in ${releaseText(ROTATION_FIXED)}: it keeps a rotated secret's old credentials until it restarts (#60612), and a rotation can drop the peer's endpoints (#61043) and its network gateway (#60920)`,
			);
		},
	},
	{
		id: 'gateway-load-balancer',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: needsGateway,
		doc: installDoc,
		claim: () => 'the load balancer in front of the gateway passes TLS through (L4): nothing terminates TLS or speaks HTTP on 15443, 15012, 15017',
		hint: ({facts, plan, cluster}) => {
			const svc = facts?.gateway?.service;
			if (svc && l7Reasons(svc).length > 0) {
				return `remove those annotations from Service istio-system/istio-eastwestgateway (on AWS an NLB without a certificate: aws-load-balancer-type nlb or external); a load balancer that terminates TLS breaks AUTO_PASSTHROUGH, and cross-cluster calls fail their mTLS handshake (${ISSUES.l7LoadBalancer})`;
			}
			return hostnameHint(plan, cluster);
		},
		evaluate: ({facts, plan, cluster}) => {
			if (!facts.gateway) return skip('the gateway was not read');
			const svc = facts.gateway.service;
			if (!svc) return skip('the Service does not exist');
			const reasons = l7Reasons(svc);
			if (reasons.length > 0) return fail(reasons.join('; '));
			const state = serviceAddress(svc);
			if (state.state === 'ready' && state.address.kind === 'hostname') {
				const host = state.address.value;
				if (isPrimary(cluster) && TOPOLOGY_INFO[plan.topology].primaryRemote) {
					return warn(
						`the address is a hostname only (${host}): eastwest gives it to the remotes as remotePilotAddress, so their istiod Service is ExternalName ${host}, which they must resolve`,
					);
				}
				return pass(`hostname ${host}: istiod resolves it for the network gateway (RESOLVE_HOSTNAME_GATEWAYS)`);
			}
			return pass();
		},
	},
];

function hostnameHint(plan: MeshPlanInput, cluster: ClusterSpec): string {
	return PRIMARY_REMOTE.includes(plan.topology) && isPrimary(cluster)
		? `a hostname-only gateway (an AWS ELB) reaches the remotes as an ExternalName Service: their DNS must resolve it, and istiod must keep RESOLVE_HOSTNAME_GATEWAYS on; an IP address (an NLB with Elastic IPs) avoids both (${ISSUES.hostnameGateway})`
		: `istiod resolves a gateway hostname unless RESOLVE_HOSTNAME_GATEWAYS is false (${ISSUES.hostnameGateway})`;
}

/** The peers whose remote secret here gives istiod a loopback server. */
function loopbackSecrets(facts: ClusterFacts, plan: MeshPlanInput, cluster: ClusterSpec): Array<{peer: string; secret: string; server: string}> {
	return readPeers(plan, cluster).flatMap(peer => {
		const secret = facts.remoteSecrets?.byPeer[peer.name]?.secret;
		const entry = secret?.entries.find(e => e.cluster === peer.name);
		return entry?.server && isLoopbackServer(entry.server)
			? [{peer: peer.name, secret: secret?.name ?? remoteSecretName(peer.name), server: entry.server}]
			: [];
	});
}

function loopbackHint({facts, plan, cluster}: ClusterInput, voice: 'cli' | 'wizard'): string {
	const peers = facts ? loopbackSecrets(facts, plan, cluster) : [];
	const peer = plan.clusters.find(c => c.name === peers[0]?.peer) ?? readPeers(plan, cluster)[0];
	const restart = `kubectl --context ${cluster.context} -n istio-system rollout restart deployment/${istiodName(plan)}`;
	const v = istiodVersion(facts, plan);
	const old = !v || before(v.version, STUCK_SECRET_FIXED);
	const stuck = old
		? `; istiod before ${releaseText(STUCK_SECRET_FIXED)} stays stuck after the secret is fixed (${ISSUES.stuckAfterFix}): then run ${restart}`
		: '';
	if (peers.length === 0) return `restart istiod so it reads the fixed secret again: ${restart} (${ISSUES.stuckAfterFix})`;
	const fix =
		voice === 'wizard'
			? `set ${peer?.name ?? 'the peer'}'s API server on the IDs screen to an address istiod can reach and run the wizard again`
			: `rerun eastwest apply with --api-server ${peer?.context ?? 'CONTEXT'}=https://HOST:PORT, an address istiod can reach (kind: the control-plane container's IP, port 6443)`;
	return `${fix}${stuck}`;
}
