/** Plain-text and JSON renderings of gateway health (core/status), shared by the status command's modes. */
import {SYMBOL, TRUST_SYMBOL, clusterHeading, rowKey, topologyPicture, trustLine, type ClusterHealth, type StatusRow} from '../core/status.js';
import type {MeshTrust} from '../core/trust.js';

/** Every cluster healthy, and their roots not different (converging is not a failure). */
export function meshHealthy(health: readonly ClusterHealth[], trust?: MeshTrust): boolean {
	return health.every(c => c.healthy) && trust?.level !== 'fail';
}

export function rowLine(r: StatusRow, labelWidth = 16): string {
	return `${SYMBOL[r.level]} ${r.label.padEnd(labelWidth)} ${r.text}`;
}

/** A full snapshot as text: topology picture, then each cluster's rows with indented reasons. */
export function renderStatusText(health: readonly ClusterHealth[], trust?: MeshTrust): string {
	const lines: string[] = [...topologyPicture(health), ''];
	for (const c of health) {
		lines.push(clusterHeading(c));
		if (c.error) lines.push(`  ✘ ${c.error}`);
		for (const r of c.rows) {
			lines.push(`  ${rowLine(r)}`);
			if (r.reason) lines.push(`      ${r.reason}`);
		}
		lines.push('');
	}
	if (trust) {
		lines.push(trustLine(trust));
		if (trust.level !== 'pass' && trust.hint) lines.push(`      ${trust.hint}`);
		lines.push('');
	}
	const bad = health.filter(c => !c.healthy).length;
	lines.push(bad === 0 ? `All ${health.length} clusters healthy.` : `${bad} of ${health.length} clusters not healthy.`);
	if (trust?.level === 'fail') lines.push('The clusters do not trust one root.');
	return `${lines.join('\n')}\n`;
}

export function statusJson(health: readonly ClusterHealth[], generatedAt: Date, trust?: MeshTrust): string {
	return `${JSON.stringify(
		{
			generatedAt: generatedAt.toISOString(),
			healthy: meshHealthy(health, trust),
			topology: topologyPicture(health),
			...(trust ? {trust} : {}),
			clusters: health.map(c => ({
				context: c.context,
				name: c.name,
				network: c.network,
				role: c.role,
				reachable: c.reachable,
				stale: c.stale,
				healthy: c.healthy,
				address: c.address,
				error: c.error,
				checks: c.rows.map(r => ({id: r.id, ...(r.peer ? {peer: r.peer} : {}), level: r.level, text: r.text, reason: r.reason})),
				wiring: c.wiring,
				istiodView: c.istiodView,
			})),
		},
		null,
		2,
	)}\n`;
}

/**
 * One plain line per change for `--watch` without a terminal. Remembers what it printed last,
 * so a row is printed again only when its level, text or reason changes.
 */
export class ChangePrinter {
	private last = new Map<string, string>();

	lines(health: readonly ClusterHealth[], now: Date, trust?: MeshTrust): string[] {
		const time = now.toISOString().slice(11, 19);
		const entries: Array<[string, string]> = [];
		for (const c of health) {
			const state = !c.reachable
				? `unreachable${c.error ? `: ${c.error}` : ''}`
				: c.stale
					? 'stale: watch reconnecting'
					: c.healthy
						? 'healthy'
						: 'not healthy';
			entries.push([`${c.context}`, `${time} ${c.context} ${state}`]);
			for (const r of c.rows)
				entries.push([`${c.context}/${rowKey(r)}`, `${time} ${c.context} ${SYMBOL[r.level]} ${r.label}: ${r.text}${r.reason ? ` (${r.reason})` : ''}`]);
		}
		// The mesh's trust after the clusters, once more each time its verdict or line changes.
		if (trust)
			entries.push([
				'trust',
				`${time} mesh ${TRUST_SYMBOL[trust.level]} trust: ${trust.line}${trust.level !== 'pass' && trust.hint ? ` (${trust.hint})` : ''}`,
			]);
		const out: string[] = [];
		for (const [key, line] of entries) {
			const body = line.slice(time.length + 1);
			if (this.last.get(key) === body) continue;
			this.last.set(key, body);
			out.push(line);
		}
		return out;
	}
}
