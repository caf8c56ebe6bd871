/**
 * `-v` lines: what eastwest asks of Kubernetes and istioctl, formatted and with every secret redacted.
 * Pure: the callers measure the time and own the sink.
 */

export const REDACTED = '[redacted]';

/** Flag and parameter names whose values are secrets (--token, --client-secret, password=, ...). */
const SECRET_NAME = /token|secret|password|passwd|credential|bearer|api-?key|private-?key|^key$|-key$/i;

/** Secrets recognisable by shape: bearer/basic values, JWTs, EKS tokens. */
const SECRET_SHAPES: Array<[RegExp, string]> = [
	[/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
	[/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, REDACTED],
	[/\bk8s-aws-v1\.[\w-]+/g, REDACTED],
	// PEM private keys (a CA's ca-key.pem), and the same base64-encoded as a Secret's data holds them.
	[/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
	[/\bLS0tLS1CRUdJTi(?:BQUklWQVRFIEtFWS|BSU0EgUFJJVkFURSBLRVkt|BFQyBQUklWQVRFIEtFWS)[A-Za-z0-9+/=]*/g, REDACTED],
	[/([?&;\s]|^)((?:[\w.-]*(?:token|secret|password|passwd|credential)[\w.-]*)=)[^\s&;"']+/gi, `$1$2${REDACTED}`],
];

/** Remove known secrets (exact strings) and anything shaped like one. */
export function redactText(text: string, secrets: Iterable<string> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length >= 4) out = out.split(secret).join(REDACTED);
	}
	for (const [pattern, replacement] of SECRET_SHAPES) out = out.replace(pattern, replacement);
	return out;
}

/** Command-line arguments with the value of every secret-named flag redacted (`--token X`, `--token=X`, `--set a.token=X`). */
export function redactArgs(args: readonly string[]): string[] {
	const out: string[] = [];
	let hideNext = false;
	for (const arg of args) {
		if (hideNext) {
			out.push(REDACTED);
			hideNext = false;
			continue;
		}
		const flag = /^(--?[\w.-]+)(=(.*))?$/.exec(arg);
		if (flag && SECRET_NAME.test(flag[1]!.replace(/^-+/, ''))) {
			if (flag[2] === undefined) hideNext = true;
			out.push(flag[2] === undefined ? arg : `${flag[1]}=${REDACTED}`);
			continue;
		}
		const assignment = /^([\w.[\]-]+)=(.*)$/.exec(arg);
		if (assignment && SECRET_NAME.test(assignment[1]!.split('.').pop() ?? '')) {
			out.push(`${assignment[1]}=${REDACTED}`);
			continue;
		}
		out.push(redactText(arg));
	}
	return out;
}

/** A command line as a person would type it back: quoted where needed, secrets redacted. */
export function formatCommandLine(command: string, args: readonly string[]): string {
	return [command, ...redactArgs(args)].map(quote).join(' ');
}

function quote(word: string): string {
	return /^[\w@%+=:,./[\]-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A request path with the values of secret-named query parameters redacted. */
export function redactPath(pathAndQuery: string): string {
	const at = pathAndQuery.indexOf('?');
	if (at < 0) return redactText(pathAndQuery);
	const query = pathAndQuery
		.slice(at + 1)
		.split('&')
		.map(pair => {
			const eq = pair.indexOf('=');
			const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
			return eq >= 0 && SECRET_NAME.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
		})
		.join('&');
	return redactText(`${pathAndQuery.slice(0, at)}?${query}`);
}

export function formatMs(ms: number): string {
	const rounded = Math.max(0, Math.round(ms));
	return rounded < 10_000 ? `${rounded}ms` : `${(rounded / 1000).toFixed(1)}s`;
}

/** `[kube east] GET /api/v1/namespaces/istio-system 200 12ms` (status, or `failed: why`). */
export function formatKubeRequest(r: {context: string; method: string; path: string; status?: number; ms: number; error?: string}): string {
	const outcome = r.status !== undefined ? `${r.status} ${formatMs(r.ms)}` : `failed after ${formatMs(r.ms)}: ${r.error ?? 'no answer'}`;
	return `[kube ${r.context}] ${r.method.toUpperCase()} ${redactPath(r.path)} ${outcome}`;
}

/** A watch opening (`WATCH path 200 3ms, open`) or closing (`WATCH path closed after 1m2s, 4 events`). */
export function formatWatch(w: {
	context: string;
	path: string;
	phase: 'open' | 'closed';
	ms: number;
	events?: number;
	status?: number;
	error?: string;
}): string {
	const head = `[kube ${w.context}] WATCH ${redactPath(w.path)}`;
	if (w.phase === 'open') return `${head} ${w.status ?? 200} ${formatMs(w.ms)}, open`;
	const events = w.events === undefined ? '' : `, ${w.events} event${w.events === 1 ? '' : 's'}`;
	return `${head} closed after ${formatMs(w.ms)}${events}${w.error ? `: ${w.error}` : ''}`;
}

/** `[istioctl] /usr/local/bin/istioctl install -y -f - --context east`. */
export function formatIstioctlStart(command: string, args: readonly string[]): string {
	return `[istioctl] ${formatCommandLine(command, args)}`;
}

/** `[istioctl] exit 0 after 1.2s: install --context east`. */
export function formatIstioctlEnd(args: readonly string[], exit: number | string | undefined, ms: number): string {
	return `[istioctl] ${typeof exit === 'number' ? `exit ${exit}` : (exit ?? 'ended')} after ${formatMs(ms)}: ${redactArgs(args).join(' ')}`;
}

/** `[exec east] aws eks get-token --cluster-name prod: exit 0 after 812ms` (a credential plugin run). */
export function formatPluginRun(context: string, command: string, args: readonly string[], exit: number | string | undefined, ms: number): string {
	return `[exec ${context}] ${formatCommandLine(command, args)}: ${typeof exit === 'number' ? `exit ${exit}` : (exit ?? 'ended')} after ${formatMs(ms)}`;
}
