import type {StepKind} from '../core/plan.js';

/** Short step names: Review's folded view and the run screen's one line per cluster. */
export const STEP_SHORT: Record<StepKind, string> = {
	'label-network': 'label network',
	'install-gateway': 'install gateway',
	'wait-rollout': 'wait for rollout',
	'wait-address': 'wait for address',
	'expose-istiod': 'expose istiod',
	'expose-services': 'expose services',
	'annotate-remote': 'annotate remote',
	'install-remote': 'install remote',
	'remote-secret': 'remote secret',
};
