/**
 * Turning client-node and network failures into one-line KubeErrorInfo (what went wrong + what to do).
 */
import type {KubeErrorInfo} from '../core/ports.js';

/** An error from a cluster, already described for a person. */
export class KubeError extends Error {
	readonly info: KubeErrorInfo;

	constructor(info: KubeErrorInfo, options?: {cause?: unknown}) {
		super(info.message, options);
		this.name = 'KubeError';
		this.info = info;
	}
}

/** What the failed request was doing, so messages can name it. */
export interface KubeErrorContext {
	context?: string;
	/** e.g. "get", "list", "patch", "watch". */
	verb?: string;
	/** e.g. "deployments", "gateways.networking.istio.io". */
	resource?: string;
	namespace?: string;
	name?: string;
	/** User name from the kubeconfig context, for 403 messages. */
	user?: string;
}

interface StatusLike {
	kind?: string;
	message?: string;
	reason?: string;
	code?: number;
	details?: {name?: string; kind?: string; causes?: Array<{type?: string; message?: string; field?: string}>};
}

function parseStatus(body: unknown): StatusLike | undefined {
	let value = body;
	if (typeof body === 'string') {
		try {
			value = JSON.parse(body);
		} catch {
			return body.trim() ? {message: body.trim()} : undefined;
		}
	}
	if (value && typeof value === 'object') return value as StatusLike;
	return undefined;
}

function oneLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

function what(ctx: KubeErrorContext): string {
	const target = ctx.resource ? `${ctx.resource}${ctx.name ? ` ${ctx.name}` : ''}` : 'the resource';
	return ctx.namespace ? `${target} in namespace ${ctx.namespace}` : target;
}

function rawCheck(ctx: KubeErrorContext): string {
	return ctx.context ? `kubectl --context ${ctx.context} get --raw /version` : 'kubectl get --raw /version';
}

/** Field managers named in a server-side apply conflict message (`conflict with "m" using v: .f`). */
export function conflictManagers(message: string): string[] {
	const found: string[] = [];
	for (const match of message.matchAll(/conflicts? with "([^"]+)"/g)) {
		if (match[1] && !found.includes(match[1])) found.push(match[1]);
	}
	return found;
}

/** The conflict lines of an SSA 409 Status: `conflict with "kubectl-client-side-apply" using networking.istio.io/v1: .spec.servers`. */
function conflictDetail(status: StatusLike): string[] {
	const causes = status.details?.causes ?? [];
	// Group the fields per manager: conflict with "m" using v: .spec.a, .spec.b
	const grouped = new Map<string, string[]>();
	for (const cause of causes) {
		if (cause.type !== 'FieldManagerConflict' || !cause.message) continue;
		const fields = grouped.get(oneLine(cause.message)) ?? [];
		if (cause.field) fields.push(cause.field);
		grouped.set(oneLine(cause.message), fields);
	}
	const lines = [...grouped].map(([message, fields]) => (fields.length > 0 ? `${message}: ${fields.join(', ')}` : message));
	if (lines.length > 0) return lines;
	const message = status.message ?? '';
	const at = message.indexOf('conflict');
	return at >= 0 ? [oneLine(message.slice(at))] : [];
}

function fromStatus(code: number, status: StatusLike | undefined, ctx: KubeErrorContext): KubeErrorInfo {
	const serverMessage = status?.message ? oneLine(status.message) : undefined;
	const on = ctx.context ? ` on ${ctx.context}` : '';
	switch (code) {
		case 401:
			return {
				kind: 'unauthorized',
				httpStatus: 401,
				message: `credentials rejected by the API server${on} (401 Unauthorized)`,
				hint: "refresh them (e.g. re-run your cloud's get-credentials) and check the user in your kubeconfig",
			};
		case 403: {
			const who = ctx.user ? `user ${ctx.user}` : 'this user';
			const verb = ctx.verb ?? 'access';
			return {
				kind: 'forbidden',
				httpStatus: 403,
				message: serverMessage ? `forbidden${on}: ${serverMessage}` : `${who} may not ${verb} ${what(ctx)}${on}`,
				hint: `ask for RBAC that lets ${who} ${verb} ${ctx.resource ?? 'it'}${ctx.namespace ? ` in ${ctx.namespace}` : ''} (check with kubectl auth can-i)`,
			};
		}
		case 404:
			return {
				kind: 'not-found',
				httpStatus: 404,
				message: serverMessage ? `${serverMessage}${on}` : `${what(ctx)} not found${on}`,
				hint: ctx.resource && ctx.resource.includes('.') ? `is the CRD for ${ctx.resource} installed? check kubectl get crd` : undefined,
			};
		case 409: {
			const lines = status ? conflictDetail(status) : [];
			const managers = conflictManagers(lines.join(' ') || serverMessage || '');
			if (managers.length > 0) {
				return {
					kind: 'conflict',
					httpStatus: 409,
					manager: managers[0],
					message: `${what(ctx)}${on}: ${lines.join('; ')}`,
					hint: `another field manager (${managers.join(', ')}) owns these fields: re-run with --force to take them over, or change them with that tool`,
				};
			}
			return {
				kind: 'conflict',
				httpStatus: 409,
				message: serverMessage ? `${serverMessage}${on}` : `conflict on ${what(ctx)}${on}`,
				hint: 'the object changed or already exists: re-run to retry',
			};
		}
		case 410:
			return {kind: 'other', httpStatus: 410, message: serverMessage ?? 'resource version too old (410 Gone)', hint: 're-list and watch again'};
		case 422:
		case 400:
			return {
				kind: 'invalid',
				httpStatus: code,
				message: `${what(ctx)} rejected${on}: ${serverMessage ?? `HTTP ${code}`}`,
				hint: 'the API server refused the object: check the Istio version matches the manifests (e.g. --api-version v1beta1 for Istio < 1.22)',
			};
		case 429:
		case 500:
		case 502:
		case 503:
		case 504:
			return {
				kind: code === 504 ? 'timeout' : 'other',
				httpStatus: code,
				message: `API server${on} failed: ${serverMessage ?? `HTTP ${code}`}`,
				hint: `the server is overloaded or unhealthy: retry, and check ${rawCheck(ctx)}`,
			};
		default:
			return {kind: 'other', httpStatus: code, message: `${what(ctx)}${on}: ${serverMessage ?? `HTTP ${code}`}`};
	}
}

function errorCode(err: unknown): string | undefined {
	let current: unknown = err;
	for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
		const record = current as {code?: unknown; errno?: unknown; cause?: unknown};
		if (typeof record.code === 'string') return record.code;
		if (typeof record.errno === 'string') return record.errno;
		current = record.cause;
	}
	return undefined;
}

function errorText(err: unknown): string {
	const parts: string[] = [];
	let current: unknown = err;
	for (let depth = 0; current && depth < 5; depth++) {
		if (current instanceof Error) {
			parts.push(current.message);
			current = (current as {cause?: unknown}).cause;
		} else {
			parts.push(String(current));
			break;
		}
	}
	return oneLine(parts.join(': '));
}

const TLS_CODES = new Set([
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'CERT_NOT_YET_VALID',
	'EPROTO',
]);

/** Any error from client-node, fetch or our own code → KubeErrorInfo with a one-line message and hint. */
export function describeKubeError(err: unknown, ctx: KubeErrorContext = {}): KubeErrorInfo {
	if (err instanceof KubeError) return err.info;
	const on = ctx.context ? ` ${ctx.context}` : '';
	const record = (err && typeof err === 'object' ? err : {}) as {code?: unknown; body?: unknown; statusCode?: unknown; name?: unknown; type?: unknown};
	// client-node ApiException: numeric code + body (Status JSON, as text or object).
	if (typeof record.code === 'number' && record.code >= 300) {
		return fromStatus(record.code, parseStatus(record.body), ctx);
	}
	// Watch errors carry statusCode.
	if (typeof record.statusCode === 'number' && record.statusCode >= 300) {
		return fromStatus(record.statusCode, undefined, ctx);
	}
	if (record.name === 'AbortError' || record.type === 'aborted') {
		return {kind: 'cancelled', message: `request to${on || ' the cluster'} cancelled`};
	}
	if (record.name === 'TimeoutError') {
		return {kind: 'timeout', message: `API server${on} did not answer in time`, hint: `is the API server up and reachable? check ${rawCheck(ctx)}`};
	}
	const code = errorCode(err);
	const text = errorText(err);
	if (
		code === 'ECONNREFUSED' ||
		code === 'ECONNRESET' ||
		code === 'EHOSTUNREACH' ||
		code === 'ENETUNREACH' ||
		code === 'EPIPE' ||
		code === 'ETIMEDOUT' ||
		code === 'ENOTFOUND' ||
		code === 'EAI_AGAIN'
	) {
		const why =
			code === 'ENOTFOUND' || code === 'EAI_AGAIN'
				? 'its host name does not resolve'
				: code === 'ECONNREFUSED'
					? 'connection refused'
					: code === 'ETIMEDOUT'
						? 'connection timed out'
						: `connection failed (${code})`;
		return {
			kind: code === 'ETIMEDOUT' ? 'timeout' : 'unreachable',
			message: `cannot reach the API server${on}: ${why}`,
			hint: `is the API server up? check ${rawCheck(ctx)}`,
		};
	}
	if ((code && TLS_CODES.has(code)) || /certificate|self.signed|TLS|SSL/i.test(text)) {
		return {
			kind: 'unreachable',
			message: `TLS failed talking to the API server${on}: ${text}`,
			hint: "the server certificate does not match the kubeconfig's certificate-authority: refresh the kubeconfig",
		};
	}
	if (code === 'ERR_STREAM_PREMATURE_CLOSE' || /premature close/i.test(text)) {
		return {kind: 'unreachable', message: `the connection to the API server${on} was cut`, hint: `is the API server up? check ${rawCheck(ctx)}`};
	}
	if (/ECONNREFUSED|socket hang up|network|fetch failed/i.test(text)) {
		return {kind: 'unreachable', message: `cannot reach the API server${on}: ${text}`, hint: `is the API server up? check ${rawCheck(ctx)}`};
	}
	return {kind: 'other', message: text || 'unknown error'};
}

/** A KubeError for err, described in ctx. */
export function toKubeError(err: unknown, ctx: KubeErrorContext = {}): KubeError {
	if (err instanceof KubeError) return err;
	return new KubeError(describeKubeError(err, ctx), {cause: err});
}
