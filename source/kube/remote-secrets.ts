/**
 * Remote secrets on client-node: read them without letting their credentials out, check that the
 * identity inside one may read what istiod reads on the server it names, and apply the Secret that
 * `istioctl create-remote-secret` printed. Kubeconfigs found inside secrets are loaded in memory only,
 * and only their inline server, CA, token or client certificate are used: a command (`exec`), an auth
 * provider or a file path in a secret is never run or read.
 */
import {AuthorizationV1Api, KubeConfig, loadYaml} from '@kubernetes/client-node';
import type {CredentialVerdict, RemoteAuth, RemoteSecretEntry, RemoteSecretInfo} from '../core/ports.js';
import {ISTIOD_PEER_READS} from '../core/ports.js';
import {CLUSTER_ANNOTATION, MULTICLUSTER_LABEL} from '../core/remote.js';
import {ISTIO_NAMESPACE} from '../core/model.js';
import {describeKubeError, KubeError} from './errors.js';
import {makeApi} from './api.js';
import {currentSignal} from './signal.js';
import {list, rec} from '../core/record.js';

type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A Secret as read from the API (data base64-encoded). */
export interface SecretLike {
	metadata?: {
		name?: string;
		namespace?: string;
		resourceVersion?: string;
		labels?: Record<string, string>;
		annotations?: Record<string, string>;
		managedFields?: Array<{manager?: string}>;
	};
	data?: Record<string, string>;
}

/** What a usable kubeconfig inside a secret comes down to. */
interface InlineCredentials {
	server: string;
	caData?: string;
	skipTLSVerify: boolean;
	tlsServerName?: string;
	token?: string;
	certData?: string;
	keyData?: string;
}

interface ParsedEntry {
	entry: RemoteSecretEntry;
	credentials?: InlineCredentials;
}

/** Read the kubeconfig text of one data key: its current context's server and how its user authenticates. */
function parseKubeconfig(cluster: string, text: string): ParsedEntry {
	let doc: Raw;
	try {
		doc = rec(loadYaml(text));
	} catch {
		return {entry: {cluster, auth: 'none', inlineCa: false, problem: `the kubeconfig under key ${cluster} is not valid YAML`}};
	}
	const named = (items: unknown, name: string | undefined) =>
		list(items)
			.map(rec)
			.find(i => i.name === name) ?? rec(list(items)[0]);
	const contextName = str(doc['current-context']);
	const context = rec(named(doc.contexts, contextName).context);
	const clusterEntry = rec(named(doc.clusters, str(context.cluster)).cluster);
	const user = rec(named(doc.users, str(context.user)).user);
	const server = str(clusterEntry.server);
	const caData = str(clusterEntry['certificate-authority-data']);
	const skipTLSVerify = clusterEntry['insecure-skip-tls-verify'] === true;
	const entry: RemoteSecretEntry = {cluster, auth: 'none', inlineCa: caData !== undefined, ...(server ? {server} : {})};
	let auth: RemoteAuth = 'none';
	if (user.exec !== undefined) auth = 'exec';
	else if (user['auth-provider'] !== undefined) auth = 'auth-provider';
	else if (user['token-file'] !== undefined || user['client-certificate'] !== undefined || user['client-key'] !== undefined) auth = 'file';
	else if (str(user.token)) auth = 'token';
	else if (str(user['client-certificate-data']) && str(user['client-key-data'])) auth = 'client-certificate';
	entry.auth = auth;
	if (!server) return {entry: {...entry, problem: `the kubeconfig under key ${cluster} names no server`}};
	if (clusterEntry['certificate-authority'] !== undefined && !caData) {
		return {
			entry: {...entry, problem: `the kubeconfig under key ${cluster} points at a CA file, which istiod cannot read (it needs certificate-authority-data)`},
		};
	}
	if (auth !== 'token' && auth !== 'client-certificate') return {entry};
	const credentials: InlineCredentials = {
		server,
		skipTLSVerify,
		...(caData ? {caData} : {}),
		...(str(clusterEntry['tls-server-name']) ? {tlsServerName: str(clusterEntry['tls-server-name'])} : {}),
		...(auth === 'token' ? {token: str(user.token)} : {certData: str(user['client-certificate-data']), keyData: str(user['client-key-data'])}),
	};
	return {entry, credentials};
}

function decode(value: string): string {
	return Buffer.from(value, 'base64').toString('utf8');
}

function parseSecret(secret: SecretLike): {info: RemoteSecretInfo; credentials: Map<string, InlineCredentials>} {
	const metadata = secret.metadata ?? {};
	const credentials = new Map<string, InlineCredentials>();
	const entries = Object.entries(secret.data ?? {}).map(([key, value]) => {
		const parsed = parseKubeconfig(key, decode(value));
		if (parsed.credentials) credentials.set(key, parsed.credentials);
		return parsed.entry;
	});
	const managers = [...new Set((metadata.managedFields ?? []).map(m => m.manager).filter((m): m is string => typeof m === 'string'))];
	const clusterAnnotation = metadata.annotations?.[CLUSTER_ANNOTATION];
	const info: RemoteSecretInfo = {
		namespace: metadata.namespace ?? ISTIO_NAMESPACE,
		name: metadata.name ?? '',
		multiClusterLabel: metadata.labels?.[MULTICLUSTER_LABEL] === 'true',
		...(clusterAnnotation ? {clusterAnnotation} : {}),
		entries,
		managers,
	};
	return {info, credentials};
}

/** The secret without its credentials. */
export function describeRemoteSecret(secret: SecretLike): RemoteSecretInfo {
	return parseSecret(secret).info;
}

function kubeConfigFor(c: InlineCredentials): KubeConfig {
	const kc = new KubeConfig();
	// Built from the inline fields only: nothing here can read a file or start a process.
	kc.loadFromOptions({
		clusters: [
			{
				name: 'peer',
				server: c.server,
				skipTLSVerify: c.skipTLSVerify,
				...(c.caData ? {caData: c.caData} : {}),
				...(c.tlsServerName ? {tlsServerName: c.tlsServerName} : {}),
			},
		],
		users: [{name: 'peer', ...(c.token ? {token: c.token} : {}), ...(c.certData ? {certData: c.certData, keyData: c.keyData} : {})}],
		contexts: [{name: 'peer', cluster: 'peer', user: 'peer'}],
		currentContext: 'peer',
	});
	return kc;
}

/**
 * Ask the server named in the secret, as the secret's identity, whether istiod may list and watch
 * what it reads. `where` names the secret for messages (never its content).
 */
export async function verifyCredentials(
	secret: SecretLike,
	cluster: string,
	where: string,
	options: {timeoutMs: number; signal?: AbortSignal},
): Promise<CredentialVerdict> {
	const {info, credentials} = parseSecret(secret);
	const entry = info.entries.find(e => e.cluster === cluster);
	if (!entry)
		return {
			kind: 'invalid',
			message: `${where} has no kubeconfig under key ${cluster}`,
			hint: `the key must equal the peer's cluster name; recreate it with istioctl create-remote-secret --name ${cluster}`,
		};
	if (entry.problem) return {kind: 'invalid', message: `${where}: ${entry.problem}`};
	const c = credentials.get(cluster);
	if (!c) {
		return {
			kind: 'invalid',
			message: `${where} authenticates with ${entry.auth}, which istiod cannot use`,
			hint: 'istiod needs an inline token: recreate the secret with istioctl create-remote-secret (eastwest apply does)',
		};
	}
	const deadline = AbortSignal.timeout(options.timeoutMs);
	const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
	const authz = makeApi(kubeConfigFor(c), AuthorizationV1Api);
	const reviews = ISTIOD_PEER_READS.flatMap(r => (['list', 'watch'] as const).map(verb => ({verb, ...r})));
	try {
		const answers = await Promise.all(
			reviews.map(async r => {
				const review = await currentSignal.run(signal, () =>
					authz.createSelfSubjectAccessReview({
						body: {
							apiVersion: 'authorization.k8s.io/v1',
							kind: 'SelfSubjectAccessReview',
							spec: {resourceAttributes: {verb: r.verb, group: r.group, resource: r.resource}},
						},
					}),
				);
				return {r, allowed: review.status?.allowed === true};
			}),
		);
		const denied = answers.filter(a => !a.allowed).map(a => `${a.r.verb} ${a.r.resource}`);
		if (denied.length > 0) {
			return {
				kind: 'forbidden',
				message: `the identity in ${where} may not ${denied.join(', ')} on ${c.server}`,
				hint: 'recreate the secret with istioctl create-remote-secret, which binds the istio-reader service account',
				denied,
			};
		}
		return {kind: 'ok', message: `the identity in ${where} may list and watch ${ISTIOD_PEER_READS.map(r => r.resource).join(', ')} on ${c.server}`};
	} catch (error) {
		if (deadline.aborted && !options.signal?.aborted) {
			return {
				kind: 'timeout',
				message: `${c.server} (from ${where}) did not answer within ${Math.round(options.timeoutMs / 1000)}s`,
				hint: "is the secret's server an address this machine and istiod can reach? pass --api-server CONTEXT=URL",
			};
		}
		const d = describeKubeError(error, {verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io'});
		if (d.kind === 'unauthorized') {
			return {
				kind: 'unauthorized',
				message: `${c.server} does not accept the token in ${where} (revoked or expired?)`,
				hint: 'run eastwest apply again to refresh it',
			};
		}
		if (d.kind === 'cancelled') throw new KubeError(d);
		return {
			kind: 'unreachable',
			message: `cannot reach ${c.server} (from ${where}): ${d.message}`,
			hint: "check the secret's server address; pass --api-server CONTEXT=URL with one istiod can reach",
		};
	}
}

/**
 * The one Secret in `istioctl create-remote-secret` output, as a manifest ready for server-side apply:
 * stringData moved into data (base64), so ownership is plain fields. Errors never quote the content.
 */
export function secretFromIstioctlOutput(
	output: string,
	expectName: string,
): {apiVersion: string; kind: string; metadata: Raw; data: Record<string, string>; type?: string} {
	let docs: unknown[];
	try {
		// Split by hand: istioctl ends its output with `---`, an empty document client-node's loadAllYaml cannot take.
		docs = output
			.split(/^---[ \t]*$/m)
			.filter(text => text.split('\n').some(line => line.trim() !== '' && !line.trim().startsWith('#')))
			.map(text => loadYaml<unknown>(text));
	} catch {
		throw new KubeError({
			kind: 'invalid',
			message: 'istioctl create-remote-secret printed something that is not YAML',
			hint: 'run it by hand to see what it prints',
		});
	}
	const secrets = docs.map(rec).filter(d => d.kind === 'Secret');
	if (docs.length !== 1 || secrets.length !== 1) {
		throw new KubeError({
			kind: 'invalid',
			message: `istioctl create-remote-secret printed ${docs.length} objects (${secrets.length} Secret); expected one Secret`,
			hint: 'run it by hand to see what it prints',
		});
	}
	const s = secrets[0]!;
	const metadata = rec(s.metadata);
	if (metadata.name !== expectName) {
		throw new KubeError({kind: 'invalid', message: `istioctl create-remote-secret made Secret ${String(metadata.name)}, expected ${expectName}`});
	}
	const data: Record<string, string> = {};
	for (const [k, v] of Object.entries(rec(s.data))) if (typeof v === 'string') data[k] = v;
	for (const [k, v] of Object.entries(rec(s.stringData))) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
	// Only what istiod can use is applied: an inline token or client certificate, never a command or a file path.
	for (const [key, value] of Object.entries(data)) {
		const {entry, credentials} = parseKubeconfig(key, decode(value));
		if (entry.problem)
			throw new KubeError({
				kind: 'invalid',
				message: `istioctl create-remote-secret printed a Secret whose ${entry.problem.replace(/^the /, '')}`,
				hint: 'run it by hand to see what it prints',
			});
		if (!credentials) {
			throw new KubeError({
				kind: 'invalid',
				message: `istioctl create-remote-secret printed a kubeconfig (key ${key}) that authenticates with ${entry.auth}, which istiod cannot use`,
				hint: 'eastwest applies only remote secrets with an inline token; check the istio-reader service account and its token on the peer',
			});
		}
	}
	const labels = rec(metadata.labels) as Record<string, string>;
	const annotations = rec(metadata.annotations) as Record<string, string>;
	return {
		apiVersion: 'v1',
		kind: 'Secret',
		metadata: {
			name: expectName,
			namespace: ISTIO_NAMESPACE,
			...(Object.keys(labels).length ? {labels} : {}),
			...(Object.keys(annotations).length ? {annotations} : {}),
		},
		...(typeof s.type === 'string' ? {type: s.type} : {}),
		data,
	};
}

/** The address the API server advertises in-cluster (EndpointSlice default/kubernetes) as a URL. */
export function advertisedServer(slices: Array<Record<string, unknown>>): string | undefined {
	for (const slice of slices) {
		const address = list(slice.endpoints)
			.map(rec)
			.flatMap(e => list(e.addresses))
			.find((a): a is string => typeof a === 'string');
		const ports = list(slice.ports).map(rec);
		const port = (ports.find(p => p.name === 'https') ?? ports[0])?.port;
		if (address && typeof port === 'number') return `https://${address.includes(':') ? `[${address}]` : address}:${port}`;
	}
	return undefined;
}
