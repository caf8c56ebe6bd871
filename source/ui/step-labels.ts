import type {StepKind} from '../core/plan.js';
import type {TeardownKind} from '../core/teardown.js';

/** Short step names: Review's folded view and the run screen's one line per cluster. */
export const STEP_SHORT: Record<StepKind | TeardownKind, string> = {
	'control-plane': 'control plane',
	'label-network': 'label network',
	'install-gateway': 'install gateway',
	'wait-rollout': 'wait for rollout',
	'wait-address': 'wait for address',
	'expose-istiod': 'expose istiod',
	'expose-services': 'expose services',
	'annotate-remote': 'annotate remote',
	'install-remote': 'install remote',
	'remote-secret': 'remote secret',
	'plug-ca': 'plug in CA',
	'apply-ambient-gateway': 'apply ambient gateway',
	'wait-programmed': 'wait for programmed',
	'label-global-services': 'label global services',
	'remove-expose-services': 'remove expose services',
	'remove-expose-istiod': 'remove expose istiod',
	'remove-remote-secret': 'remove remote secret',
	'remove-gateway': 'remove gateway',
	'remove-remote': 'remove remote control plane',
	'remove-annotation': 'remove annotation',
	'remove-network-label': 'remove network label',
	'remove-cacerts': 'remove cacerts',
	'remove-ambient-gateway': 'remove ambient gateway',
	'unlabel-global-services': 'unlabel global services',
};
