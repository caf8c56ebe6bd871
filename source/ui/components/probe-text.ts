import type {ProbeState} from '../../core/wizard.js';
import {probeBlocker} from '../../core/wizard.js';

/** What a probe found, in a few words: "v1.31.2 · istiod 1-30" or the reason it failed. */
export function probeSummary(probe: ProbeState | undefined): {tone: 'ok' | 'error' | 'muted' | 'warn'; text: string} {
	if (!probe) return {tone: 'muted', text: ''};
	if (probe.state === 'pending') return {tone: 'muted', text: 'probing…'};
	const r = probe.result;
	const blocker = probeBlocker(probe);
	if (blocker) return {tone: 'error', text: blocker};
	const parts = [r.serverVersion ?? 'reachable'];
	if (r.istiod.length === 0) parts.push(r.istioNamespace ? 'istio-system, no istiod' : 'no Istio');
	else {
		const i = r.istiod[0]!;
		parts.push(`istiod${i.revision ? ` ${i.revision}` : ''}${i.ready ? '' : ' (not ready)'}${r.istiod.length > 1 ? ` +${r.istiod.length - 1}` : ''}`);
	}
	if (r.networkLabel) parts.push(`net ${r.networkLabel}`);
	const notReady = r.istiod.some(i => !i.ready);
	return {tone: notReady ? 'warn' : 'ok', text: parts.join(' · ')};
}

/** The longer line under the list for the highlighted context. */
export function probeDetail(probe: ProbeState | undefined): string {
	if (!probe) return 'not probed yet';
	if (probe.state === 'pending') return 'probing: reading /version, istio-system and istiod…';
	const r = probe.result;
	if (probeBlocker(probe)) return `${r.error?.message ?? 'probe failed'}${r.error?.hint ? ` (${r.error.hint})` : ''}`;
	const bits = [`API ${r.serverVersion ?? '?'}`, r.istioCrds ? 'Istio CRDs present' : 'no Istio CRDs'];
	for (const i of r.istiod) {
		bits.push(
			`${i.name}${i.revision ? ` rev ${i.revision}` : ''}${i.clusterId ? ` cluster ${i.clusterId}` : ''}${i.meshId ? ` mesh ${i.meshId}` : ''}${i.network ? ` network ${i.network}` : ''}${i.ready ? '' : ' not ready'}`,
		);
	}
	if (r.networkLabel) bits.push(`istio-system network label ${r.networkLabel}`);
	bits.push(`${r.elapsedMs} ms`);
	return bits.join(' · ');
}
