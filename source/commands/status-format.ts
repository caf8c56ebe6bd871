/** Plain-text and JSON renderings of gateway health (core/status), shared by the status command's modes. */
import {SYMBOL, clusterHeading, rowKey, topologyPicture, type ClusterHealth, type StatusRow} from '../core/status.js';

export function rowLine(r: StatusRow, labelWidth = 16): string {
	return `${SYMBOL[r.level]} ${r.label.padEnd(labelWidth)} ${r.text}`;
}

/** A full snapshot as text: topology picture, then each cluster's rows with indented reasons. */
export function renderStatusText(health: readonly ClusterHealth[]): string {
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
	const bad = health.filter(c => !c.healthy).length;
	lines.push(bad === 0 ? `All ${health.length} clusters healthy.` : `${bad} of ${health.length} clusters not healthy.`);
	return `${lines.join('\n')}\n`;
}

export function statusJson(health: readonly ClusterHealth[], generatedAt: Date): string {
	return `${JSON.stringify(
		{
			generatedAt: generatedAt.toISOString(),
			healthy: health.every(c => c.healthy),
			topology: topologyPicture(health),
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

	lines(health: readonly ClusterHealth[], now: Date): string[] {
		const out: string[] = [];
		const time = now.toISOString().slice(11, 19);
		for (const c of health) {
			const state = !c.reachable ? `unreachable${c.error ? `: ${c.error}` : ''}` : c.stale ? 'stale: watch reconnecting' : c.healthy ? 'healthy' : 'not healthy';
			const entries: Array<[string, string]> = [[`${c.context}`, `${time} ${c.context} ${state}`]];
			for (const r of c.rows) entries.push([`${c.context}/${rowKey(r)}`, `${time} ${c.context} ${SYMBOL[r.level]} ${r.label}: ${r.text}${r.reason ? ` (${r.reason})` : ''}`]);
			for (const [key, line] of entries) {
				const body = line.slice(time.length + 1);
				if (this.last.get(key) === body) continue;
				this.last.set(key, body);
				out.push(line);
			}
		}
		return out;
	}
}
