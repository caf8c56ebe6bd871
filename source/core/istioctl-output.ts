/**
 * Reading `istioctl install` output (Istio doc §6.1–6.2): ANSI stripping, carriage-return redraws,
 * progress lines and the one-line failure summary. Pure: no I/O.
 */
import type {IstioctlProgress} from './ports.js';

// CSI sequences (colours, cursor moves, erase line) and OSC sequences.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
	return text.replace(ANSI, '');
}

/**
 * Splits a growing stream of output into finished lines. A `\r` without `\n` redraws the current
 * line in place, so only the text after the last `\r` counts.
 */
export class LineSplitter {
	private pending = '';

	/** Feed a chunk; returns the lines it completed (ANSI stripped, trailing whitespace trimmed, empty lines dropped). */
	push(chunk: string): string[] {
		this.pending += chunk;
		const parts = this.pending.split('\n');
		this.pending = parts.pop() ?? '';
		return parts.map(cleanLine).filter(l => l.length > 0);
	}

	/** The unfinished last line, if any (call at end of stream). */
	flush(): string[] {
		const rest = cleanLine(this.pending);
		this.pending = '';
		return rest ? [rest] : [];
	}
}

function cleanLine(raw: string): string {
	const segments = raw.split('\r').filter(s => stripAnsi(s).trim().length > 0);
	const last = segments.at(-1) ?? '';
	return stripAnsi(last).trimEnd();
}

/** What one line of `istioctl install` output means, or undefined when it is not a progress line. */
/** A line with no letters or digits (istioctl's ASCII-art banner, rules): decoration, not output. */
export function isDecoration(line: string): boolean {
	return line.trim() === '' || !/[\p{L}\p{N}]/u.test(line);
}

export function parseIstioctlLine(line: string): IstioctlProgress | undefined {
	const text = stripAnsi(line).trim();
	if (/^✔\s+Installation complete\b/.test(text)) return {type: 'complete'};
	const done = /^✔\s+(.+?)\s+installed\b/.exec(text);
	if (done) return {type: 'component-done', component: done[1]!};
	const failed = /^✘\s+(.+?)\s+encountered an error:\s*(.*)$/.exec(text);
	if (failed) return {type: 'component-error', component: failed[1]!, error: failed[2]!};
	if (/^-\s+Pruning removed resources\b/.test(text)) return {type: 'pruning'};
	const processing = /^-\s+Processing resources for (.+?)\.(?:\s+Waiting for (.+?))?\s*$/.exec(text);
	if (processing) {
		const components = processing[1]!
			.split(',')
			.map(s => s.trim())
			.filter(Boolean);
		// A TTY-width truncation ends with "...": drop the cut-off item.
		const waitingFor = (processing[2] ?? '')
			.split(',')
			.map(s => s.trim())
			.filter(s => s.length > 0 && !s.endsWith('...'));
		return {type: 'waiting', components, waitingFor};
	}
	return undefined;
}

/** A reason for a "waiting" line, from istioctl progress. */
export function describeProgress(progress: IstioctlProgress): string | undefined {
	switch (progress.type) {
		case 'waiting':
			return progress.waitingFor.length > 0
				? `istioctl is waiting for ${progress.waitingFor.join(', ')} to become ready`
				: `istioctl is applying resources for ${progress.components.join(', ')}`;
		case 'component-done':
			return `istioctl: ${progress.component} installed`;
		case 'pruning':
			return 'istioctl is pruning removed resources';
		case 'complete':
			return 'istioctl: installation complete';
		case 'component-error':
			return `istioctl: ${progress.component} failed: ${progress.error}`;
	}
}

export interface IstioctlFailure {
	message: string;
	hint?: string;
	timedOut: boolean;
}

const INSTALL_DOCS = 'https://istio.io/latest/docs/setup/additional-setup/download-istio-release/';

/** One-line cause and hint for a failed `istioctl install`, from its last output lines. */
export function summarizeIstioctlFailure(lines: readonly string[], exitCode: number | undefined): IstioctlFailure {
	const clean = lines.map(l => stripAnsi(l).trim()).filter(Boolean);
	const errorLine = [...clean].reverse().find(l => /^Error:\s/.test(l));
	const componentError = clean.find(l => l.startsWith('✘'));
	const timedOut = clean.some(l => /resources not ready after|context deadline exceeded|timed out waiting for the condition/.test(l));
	const last = clean.at(-1);
	let message: string;
	if (errorLine ?? componentError) message = (errorLine ?? componentError)!.replace(/^Error:\s*/, '');
	else if (last) message = `istioctl exited with code ${exitCode ?? 'unknown'}: ${last}`;
	else message = `istioctl exited with code ${exitCode ?? 'unknown'}`;

	let hint: string | undefined;
	const unknownFlag = /unknown (?:shorthand )?flag:?\s*'?(-{1,2}[\w-]+)/.exec(clean.join('\n'));
	const unsupported = clean.find(l => /is not supported by Istio/.test(l));
	if (unknownFlag) {
		hint = `this istioctl does not know ${unknownFlag[1]}: install the istioctl matching your control plane (${INSTALL_DOCS}) or pass --istioctl PATH`;
	} else if (unsupported) {
		hint = unsupported;
	} else if (timedOut) {
		// Lines like "  Deployment/istio-system/istio-eastwestgateway (container failed to start: ImagePullBackOff: ...)".
		const waiting = clean.find(l => /^(Deployment|DaemonSet|StatefulSet|Namespace)\/\S+/.test(l));
		if (waiting) {
			const m = /^(\S+)\s*(?:\((.*)\))?$/.exec(waiting);
			const what = m?.[1] ?? waiting;
			const why = m?.[2];
			hint = why ? `${what} did not become ready: ${why}` : `${what} did not become ready before the readiness timeout`;
			if (why && /ImagePull|ErrImagePull/.test(why) && /\bauto\b/.test(why)) {
				hint += ' (image "auto" means sidecar injection did not run: check that istiod and its injection webhook are running)';
			}
		} else {
			hint = 'the gateway did not become ready before the readiness timeout: raise --timeout or look at the gateway pods';
		}
	} else if (/connection refused|no such host|i\/o timeout|Unable to connect/.test(clean.join('\n'))) {
		hint = 'istioctl could not reach the cluster: check the context and that its API server is reachable';
	} else if (/forbidden|Unauthorized/.test(clean.join('\n'))) {
		hint = "the context's user may not install these resources: check its RBAC";
	}
	return hint ? {message, hint, timedOut} : {message, timedOut};
}
