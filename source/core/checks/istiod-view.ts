/** istiod's own view (post-install, per primary), read through a port-forward. */
import type {ClusterSpec, MeshPlanInput} from '../model.js';
import {istiodExpectation, judgeIstiodView, type IstiodViewItem} from '../istiod-view.js';
import type {ClusterFacts} from './facts.js';
import type {Check, ClusterInput, Verdict} from './types.js';
import {DOCS, installDoc, ALL, MULTI_NETWORK, pass, fail, warn, skip, isPrimary} from './helpers.js';

export const ISTIOD_VIEW_CHECKS: readonly Check[] = [
	{
		id: 'istiod-sees-clusters',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: ALL,
		appliesTo: isPrimary,
		doc: DOCS.troubleshooting,
		claim: ({plan, cluster}) => `istiod in ${cluster.name} sees ${peerNames(plan, cluster)}: synced`,
		hint: input => istiodViewHint(input, 'peer'),
		evaluate: ({facts, plan, cluster}) => istiodViewVerdict(facts, plan, cluster, 'peer'),
	},
	{
		id: 'istiod-knows-gateways',
		scope: 'cluster',
		level: 'fail',
		phases: ['post-install'],
		topologies: MULTI_NETWORK,
		appliesTo: isPrimary,
		doc: installDoc,
		claim: ({plan, cluster}) => `istiod in ${cluster.name} knows the gateway of ${[...new Set(plan.clusters.map(c => c.network))].join(', ')}`,
		hint: input => istiodViewHint(input, 'network'),
		evaluate: ({facts, plan, cluster}) => istiodViewVerdict(facts, plan, cluster, 'network'),
	},
];

function peerNames(plan: MeshPlanInput, cluster: ClusterSpec): string {
	const names = plan.clusters.filter(c => c.name !== cluster.name).map(c => c.name);
	return names.length ? names.join(', ') : 'no other cluster';
}

/** istiod's view judged for one kind of item; an istiod that could not be read is a warning, never a failure. */
function istiodViewVerdict(facts: ClusterFacts, plan: MeshPlanInput, cluster: ClusterSpec, kind: 'peer' | 'network'): Verdict {
	if (!facts.istiodView) return skip("istiod's view was not read");
	const items = judgeIstiodView(facts.istiodView, istiodExpectation(plan, cluster));
	const unread = items.find(i => i.kind === 'unread' && i.text === 'not read');
	if (unread) return warn(`could not read istiod's view: ${unread.reason ?? 'no answer'}`);
	const mine = items.filter(i => i.kind === kind);
	if (mine.length === 0) return pass(kind === 'peer' ? 'no other cluster in the plan' : 'no gateway expected');
	const describe = (i: IstiodViewItem) => `${i.subject} ${i.text}${i.reason && i.level !== 'ok' ? ` (${i.reason})` : ''}`;
	const failed = mine.filter(i => i.level === 'fail');
	if (failed.length > 0) return fail(failed.map(describe).join('; '));
	const warned = mine.filter(i => i.level === 'warn');
	if (warned.length > 0) return warn(warned.map(describe).join('; '));
	return pass(mine.map(i => `${i.subject} ${i.text}`).join(', '));
}

function istiodViewHint({facts, plan, cluster}: ClusterInput, kind: 'peer' | 'network'): string {
	const view = facts?.istiodView;
	if (view && !view.read) {
		return (
			view.hint ??
			"eastwest reads istiod's view through a port-forward to its monitoring port (15014): check that istiod runs and that you may create pods/portforward in istio-system"
		);
	}
	const items = view ? judgeIstiodView(view, istiodExpectation(plan, cluster)) : [];
	const hints = [...new Set(items.filter(i => i.kind === kind && i.level === 'fail' && i.hint).map(i => i.hint!))];
	if (hints.length > 0) return hints.join('; ');
	return kind === 'peer'
		? 'each other cluster needs a remote secret in this one, with a server address istiod can reach: eastwest apply creates them'
		: "each network's east-west gateway Service needs the label topology.istio.io/network, port 15443 and an external address";
}
