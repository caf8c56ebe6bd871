/**
 * Gather the facts the checks catalogue judges, through the ClusterClient port only.
 * A read that fails leaves its fact undefined (the check is skipped, never passed) and notes why in `errors`.
 * Secret material never leaves this module: only key names, a sha256 of root-cert.pem and what ca/inspect.ts
 * tells of the certificates (subjects, fingerprint, expiry, whether the chain and the key hold).
 */
import {createHash} from 'node:crypto';
import {parse as parseYaml} from 'yaml';
import {
	requiredPermissions,
	type CheckPhase,
	type ClusterFacts,
	type GatewayDeploymentLike,
	type PeerSecretFact,
	type PolicyRuleFact,
	type ReaderRoleFact,
} from '../core/checks/index.js';
import {
	READER_SERVICE_ACCOUNT,
	controllingPrimary,
	injectorWebhookName,
	readPeers,
	remoteIstiodServiceName,
	remoteObserved,
	remoteSecretName,
} from '../core/remote.js';
import {CROSS_NETWORK_GATEWAY_NAME, ISTIOD_GATEWAY_NAME, istiodVirtualServiceName, type NetworkingApiVersion} from '../core/manifests.js';
import {CACERTS_SECRET, GATEWAY_NAME, ISTIO_NAMESPACE, normalRevision, type ClusterSpec, type MeshPlanInput} from '../core/model.js';
import {injectorConfigMapName, injectorValues, isIstiodDeployment, istiodFromDeployment, type IstiodDeploymentLike} from '../core/istiod.js';
import type {ClusterClient, ClusterClientFactory, KubeErrorInfo} from '../core/ports.js';
import {firstLine} from '../core/text.js';
import {fingerprint, inspectBundle, parseCertificates, subjectLine} from '../ca/inspect.js';
import {ISTIOD_DEBUG_PATHS, ISTIOD_VIEW_TIMEOUT_MS, istiodViewError, istiodViewFrom} from '../core/istiod-view.js';
import {list, rec, strings} from '../core/record.js';
import {controlPlaneVersions, type IstiodImageLike} from '../core/version.js';
import {isLoopbackHost, urlHost} from '../core/address.js';

export interface CollectOptions {
	plan: MeshPlanInput;
	cluster: ClusterSpec;
	/** Which phase's facts to read; 'all' reads both. */
	phase: CheckPhase | 'all';
	/** API server URL of the context, from the kubeconfig. */
	server?: string;
	apiVersion?: NetworkingApiVersion;
	probeTimeoutMs?: number;
	/** Deadline for asking a peer's API server whether a remote secret's identity may read it. */
	verifyTimeoutMs?: number;
	/** Deadline for reading istiod's view (post-install, primaries); ISTIOD_VIEW_TIMEOUT_MS by default. */
	istiodViewTimeoutMs?: number;
	signal?: AbortSignal;
	/** The clock the certificates' expiry is judged against (tests). */
	now?: () => Date;
}

/** How long one remote secret's credential check may take (within the cluster's own deadline). */
export const DEFAULT_VERIFY_TIMEOUT_MS = 10_000;

export interface CollectedFacts extends ClusterFacts {
	/** Reads that failed, one line each ("get secrets/cacerts: forbidden …"). */
	errors: string[];
}

export function sha256(text: string | Buffer): string {
	return createHash('sha256').update(text).digest('hex');
}

/** trustDomain from ConfigMap istio data.mesh (YAML); Istio's default is cluster.local. */
export function trustDomainOf(configMap: Record<string, unknown>): string {
	return meshTrustOf(configMap).trustDomain;
}

/** trustDomain and trustDomainAliases from ConfigMap istio data.mesh (YAML): cluster.local and none when unset or unreadable. */
export function meshTrustOf(configMap: Record<string, unknown>): {trustDomain: string; aliases: string[]} {
	const mesh = strings(rec(configMap).data).mesh;
	const none = {trustDomain: 'cluster.local', aliases: []};
	if (!mesh) return none;
	try {
		const parsed = rec(parseYaml(mesh));
		return {
			trustDomain: typeof parsed.trustDomain === 'string' && parsed.trustDomain !== '' ? parsed.trustDomain : 'cluster.local',
			aliases: list(parsed.trustDomainAliases).filter((a): a is string => typeof a === 'string' && a !== ''),
		};
	} catch {
		return none;
	}
}

const RBAC = 'rbac.authorization.k8s.io/v1';

/** A role's rules as the checks judge them. */
export function policyRules(role: Record<string, unknown>): PolicyRuleFact[] {
	const texts = (value: unknown) => list(value).filter((v): v is string => typeof v === 'string');
	return list(role.rules).map(r => {
		const rule = rec(r);
		return {apiGroups: texts(rule.apiGroups), resources: texts(rule.resources), verbs: texts(rule.verbs), resourceNames: texts(rule.resourceNames)};
	});
}

/** Whether a binding names the istio-reader service account among its subjects. */
function bindsReader(binding: Record<string, unknown>): boolean {
	return list(binding.subjects).some(s => {
		const subject = rec(s);
		return subject.kind === 'ServiceAccount' && subject.name === READER_SERVICE_ACCOUNT && subject.namespace === ISTIO_NAMESPACE;
	});
}

/** Collect one cluster's facts for a phase. Never throws for a cluster problem: unreachable clusters come back reachable=false. */
export async function collectFacts(client: ClusterClient, options: CollectOptions): Promise<CollectedFacts> {
	const {plan, cluster, phase, signal} = options;
	const facts: CollectedFacts = {context: client.context, reachable: false, errors: []};
	const host = urlHost(options.server);
	if (host !== undefined) facts.apiServerHost = host;
	if (options.server) facts.apiServer = options.server;

	const probe = await client.probe({timeoutMs: options.probeTimeoutMs, signal});
	facts.reachable = probe.reachable && probe.auth !== 'unauthorized';
	if (probe.serverVersion) facts.serverVersion = probe.serverVersion;
	if (!facts.reachable) {
		facts.error = probe.error ? `${probe.error.message}${probe.error.hint ? ` (${probe.error.hint})` : ''}` : 'the API server did not answer';
		return facts;
	}

	/** Run a read; on failure note it and leave the fact unset. */
	const read = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
		try {
			return await fn();
		} catch (error) {
			facts.errors.push(`${what}: ${firstLine(error)}`);
			return undefined;
		}
	};
	const get = (apiVersion: string, kind: string, namespace: string | undefined, name: string) =>
		read(`get ${kind} ${namespace ? `${namespace}/` : ''}${name}`, async () => (await client.getObject(apiVersion, kind, namespace, name, signal)) ?? null);
	const revision = normalRevision(plan.revision);
	const networking = `networking.istio.io/${options.apiVersion ?? 'v1'}`;

	// Read once, judged by several checks.
	const namespaceRead = get('v1', 'Namespace', undefined, ISTIO_NAMESPACE);
	const istiodsRead = read('list istiod Deployments', () => client.listObjects('apps/v1', 'Deployment', ISTIO_NAMESPACE, 'app=istiod', signal));
	const tasks: Array<Promise<void>> = [];
	tasks.push(
		(async () => {
			const ns = await namespaceRead;
			if (ns === undefined) return;
			const meta = rec(ns?.metadata);
			facts.namespace = {present: ns !== null, labels: strings(meta.labels), annotations: strings(meta.annotations)};
		})(),
		(async () => {
			const deployments = await istiodsRead;
			if (!deployments) return;
			facts.istiod = (deployments as IstiodDeploymentLike[]).filter(isIstiodDeployment).map(istiodFromDeployment);
			facts.istiodVersions = controlPlaneVersions(deployments as IstiodImageLike[]);
		})(),
		(async () => {
			const cm = await get('v1', 'ConfigMap', ISTIO_NAMESPACE, revision ? `istio-${revision}` : 'istio');
			if (cm === undefined) return;
			const trust = cm ? meshTrustOf(cm) : {trustDomain: 'cluster.local', aliases: []};
			facts.trustDomain = trust.trustDomain;
			facts.trustDomainAliases = trust.aliases;
		})(),
		(async () => {
			const secret = await get('v1', 'Secret', ISTIO_NAMESPACE, CACERTS_SECRET);
			if (secret === undefined) return;
			const data = strings(secret?.data);
			const root = data['root-cert.pem'];
			facts.cacerts = {present: secret !== null, keys: Object.keys(data).sort(), ...(root ? {rootCertSha256: sha256(Buffer.from(root, 'base64'))} : {})};
			if (secret === null) return;
			// Decoded here and judged by ca/inspect.ts; only its non-secret verdicts are kept.
			const text = (name: string) => (data[name] === undefined ? undefined : Buffer.from(data[name], 'base64').toString('utf8'));
			const files = Object.fromEntries(['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'].flatMap(f => (text(f) ? [[f, text(f)!]] : [])));
			facts.caBundle = {...inspectBundle(files), readAt: (options.now?.() ?? new Date()).toISOString()};
		})(),
		(async () => {
			const cm = await get('v1', 'ConfigMap', ISTIO_NAMESPACE, 'istio-ca-root-cert');
			if (cm === undefined) return;
			const pem = cm ? strings(cm.data)['root-cert.pem'] : undefined;
			facts.caRootCertSha256 = pem ? sha256(pem) : null;
			// The certificate itself, so that it compares with cacerts' root (the same root however its PEM is wrapped).
			if (!pem) facts.caRootCert = null;
			else {
				try {
					const cert = parseCertificates(pem, 'istio-ca-root-cert root-cert.pem')[0]!;
					facts.caRootCert = {subject: subjectLine(cert), fingerprint: fingerprint(cert)};
				} catch {
					// Unparsed: judged by the sha256 of its text alone.
				}
			}
		})(),
	);

	if (phase === 'preflight' || phase === 'all') {
		tasks.push(
			(async () => {
				const checks = requiredPermissions(cluster, plan);
				const answers = await Promise.all(checks.map(c => read(`access review ${c.verb} ${c.resource}`, () => client.canI(c, signal))));
				if (answers.every(a => a !== undefined)) facts.permissions = checks.map((c, i) => ({...c, allowed: answers[i]!}));
			})(),
			(async () => {
				if (cluster.role !== 'primary') return;
				const cm = await get('v1', 'ConfigMap', ISTIO_NAMESPACE, injectorConfigMapName(revision));
				if (cm === undefined) return;
				facts.injectors = cm ? [{...injectorValues(rec(cm.data)), ...(revision ? {revision} : {})}] : [];
			})(),
			(async () => {
				const secret = await get('v1', 'Secret', ISTIO_NAMESPACE, 'istio-ca-secret');
				if (secret !== undefined) facts.istioCaSecret = secret !== null;
			})(),
			(async () => {
				const services = await read('list Services', () => client.listObjects('v1', 'Service', undefined, undefined, signal));
				if (!services) return;
				const lbs = services.filter(s => rec(s.spec).type === 'LoadBalancer');
				const withAddress = lbs.filter(s => {
					const ingress = rec(rec(s.status).loadBalancer).ingress;
					return Array.isArray(ingress) && ingress.some(i => rec(i).ip || rec(i).hostname);
				});
				facts.loadBalancer = {services: lbs.length, withAddress: withAddress.length};
			})(),
			(async () => {
				// Only a loopback kubeconfig server needs a suggestion; the advertised address is read, never dialled.
				if (host === undefined || !isLoopbackHost(host) || cluster.apiServer !== undefined) return;
				const advertised = await read('list EndpointSlices default/kubernetes', () => client.advertisedApiServer(signal));
				if (advertised) facts.advertisedApiServer = advertised;
			})(),
		);
	}
	if (phase === 'post-install' || phase === 'all') {
		tasks.push(
			(async () => {
				const [deployment, service, pods] = await Promise.all([
					read(`get Deployment ${ISTIO_NAMESPACE}/${GATEWAY_NAME}`, async () => (await client.getDeployment(ISTIO_NAMESPACE, GATEWAY_NAME, signal)) ?? null),
					read(`get Service ${ISTIO_NAMESPACE}/${GATEWAY_NAME}`, async () => (await client.getService(ISTIO_NAMESPACE, GATEWAY_NAME, signal)) ?? null),
					read('list gateway pods', () => client.listPods(ISTIO_NAMESPACE, `app=${GATEWAY_NAME}`, signal)),
				]);
				if (deployment === undefined || service === undefined) return;
				facts.gateway = {deployment: deployment as GatewayDeploymentLike | null, service, pods: pods ?? []};
			})(),
			(async () => {
				const [istiodGateway, istiodVirtualService, crossNetworkGateway] = await Promise.all([
					get(networking, 'Gateway', ISTIO_NAMESPACE, ISTIOD_GATEWAY_NAME),
					get(networking, 'VirtualService', ISTIO_NAMESPACE, istiodVirtualServiceName(revision)),
					get(networking, 'Gateway', ISTIO_NAMESPACE, CROSS_NETWORK_GATEWAY_NAME),
				]);
				if (istiodGateway === undefined || istiodVirtualService === undefined || crossNetworkGateway === undefined) return;
				facts.expose = {istiodGateway, istiodVirtualService, crossNetworkGateway};
			})(),
			(async () => {
				const peers = readPeers(plan, cluster);
				if (peers.length === 0) return;
				const listed = await read('list remote secrets', () => client.listRemoteSecrets(signal));
				if (!listed) return;
				const byPeer: Record<string, PeerSecretFact> = {};
				const answers = await Promise.all(
					peers.map(async peer => {
						const name = remoteSecretName(peer.name);
						const secret =
							listed.find(s => s.name === name) ??
							(await read(`get Secret ${ISTIO_NAMESPACE}/${name}`, async () => (await client.getRemoteSecret(name, signal)) ?? null));
						if (secret === undefined) return false;
						const fact: PeerSecretFact = {secret};
						if (secret && secret.entries.some(e => e.cluster === peer.name)) {
							const credentials = await read(`verify the credentials in ${name}`, () =>
								client.verifyRemoteSecret(name, peer.name, {timeoutMs: options.verifyTimeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS, ...(signal ? {signal} : {})}),
							);
							if (credentials) fact.credentials = credentials;
						}
						byPeer[peer.name] = fact;
						return true;
					}),
				);
				if (answers.every(Boolean)) facts.remoteSecrets = {listed, byPeer};
			})(),
			(async () => {
				// The roles of the identity other clusters' istiods read this one with (istioctl create-remote-secret's service account).
				if (!plan.clusters.some(r => readPeers(plan, r).some(p => p.name === cluster.name))) return;
				const [clusterBindings, bindings] = await Promise.all([
					read('list ClusterRoleBindings', () => client.listObjects(RBAC, 'ClusterRoleBinding', undefined, undefined, signal)),
					read(`list RoleBindings in ${ISTIO_NAMESPACE}`, () => client.listObjects(RBAC, 'RoleBinding', ISTIO_NAMESPACE, undefined, signal)),
				]);
				if (!clusterBindings || !bindings) return;
				const bound = [...clusterBindings.map(b => ({b, namespaced: false})), ...bindings.map(b => ({b, namespaced: true}))].filter(x => bindsReader(x.b));
				const roles = await Promise.all(
					bound.map(async ({b, namespaced}): Promise<ReaderRoleFact | undefined> => {
						const ref = rec(b.roleRef);
						const name = String(ref.name ?? '');
						const kind = ref.kind === 'Role' ? 'Role' : 'ClusterRole';
						const role = await get(RBAC, kind, kind === 'Role' ? ISTIO_NAMESPACE : undefined, name);
						if (role === undefined) return undefined;
						const bindingName = String(rec(b.metadata).name ?? '');
						return {
							binding: namespaced ? `RoleBinding ${ISTIO_NAMESPACE}/${bindingName}` : `ClusterRoleBinding ${bindingName}`,
							role: kind === 'Role' ? `Role ${ISTIO_NAMESPACE}/${name}` : `ClusterRole ${name}`,
							namespaced,
							rules: role ? policyRules(role) : null,
						};
					}),
				);
				if (roles.every(r => r !== undefined)) facts.readerRbac = {serviceAccount: `${ISTIO_NAMESPACE}/${READER_SERVICE_ACCOUNT}`, roles};
			})(),
			(async () => {
				if (!controllingPrimary(plan, cluster)) return;
				const svcName = remoteIstiodServiceName(revision);
				const [namespace, istiods, service, slices, webhook] = await Promise.all([
					namespaceRead,
					istiodsRead,
					get('v1', 'Service', ISTIO_NAMESPACE, svcName),
					read(`list EndpointSlices of ${svcName}`, () =>
						client.listObjects('discovery.k8s.io/v1', 'EndpointSlice', ISTIO_NAMESPACE, `kubernetes.io/service-name=${svcName}`, signal),
					),
					get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', undefined, injectorWebhookName(revision)),
				]);
				if (namespace === undefined || istiods === undefined || service === undefined || slices === undefined || webhook === undefined) return;
				facts.remote = remoteObserved({...(namespace ? {namespace} : {}), istiods, ...(service ? {service} : {}), slices, ...(webhook ? {webhook} : {})});
			})(),
			(async () => {
				// istiod's own view; an istiod that cannot be read is a fact too (the checks warn on it).
				if (cluster.role !== 'primary' || !client.readIstiodDebug) return;
				try {
					const answer = await client.readIstiodDebug({
						paths: ISTIOD_DEBUG_PATHS,
						timeoutMs: options.istiodViewTimeoutMs ?? ISTIOD_VIEW_TIMEOUT_MS,
						...(revision ? {revision} : {}),
						...(signal ? {signal} : {}),
					});
					facts.istiodView = istiodViewFrom(answer);
				} catch (error) {
					const info = (error as {info?: KubeErrorInfo}).info;
					facts.istiodView = istiodViewError(info ?? {kind: 'other', message: firstLine(error)});
				}
			})(),
		);
	}
	await Promise.all(tasks);
	return facts;
}

/** Collect the facts of one planned cluster through the factory, with its API server address from the kubeconfig. */
export async function collectClusterFacts(
	factory: ClusterClientFactory,
	options: {
		plan: MeshPlanInput;
		cluster: ClusterSpec;
		phase: CheckPhase | 'all';
		signal?: AbortSignal;
		probeTimeoutMs?: number;
		istiodViewTimeoutMs?: number;
		now?: () => Date;
	},
): Promise<CollectedFacts> {
	const server = factory.kubeconfig.contexts.find(c => c.name === options.cluster.context)?.server;
	return collectFacts(factory.client(options.cluster.context), {...options, ...(server ? {server} : {})});
}
