import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import type {MeshPlanInput} from '../../source/core/model.js';
import {initialRunView} from '../../source/core/run-progress.js';
import {buildTeardown} from '../../source/core/teardown.js';
import {initialWizardState, wizardReducer, type WizardAction, type WizardState} from '../../source/core/wizard.js';

const input: MeshPlanInput = {
	topology: 'multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'east', name: 'e', network: 'n1', role: 'primary'},
		{context: 'west', name: 'w', network: 'n2', role: 'primary'},
	],
};

const run = (state: WizardState, ...actions: WizardAction[]) => actions.reduce(wizardReducer, state);

describe('wizard state: removing a saved setup', () => {
	it('opens from the first screen only; esc walks back from Review to the picker to the first screen', () => {
		const start = initialWizardState();
		assert.equal(run(start, {type: 'open-remove'}).screen, 'remove-profiles');
		const contexts = run(start, {type: 'choose-topology', topology: 'multi-network'});
		assert.equal(run(contexts, {type: 'open-remove'}).screen, 'contexts', 'not from the middle of a setup');
		const review = run(start, {type: 'open-remove'}, {type: 'pick-remove-profile', name: 'prod', input});
		assert.equal(review.screen, 'remove-review');
		assert.deepEqual(review.removal, {profile: 'prod', input, ca: false, interrupted: false});
		assert.equal(run(review, {type: 'back'}).screen, 'remove-profiles');
		assert.equal(run(review, {type: 'back'}, {type: 'back'}).screen, 'topology');
	});

	it('a profile that is not a valid plan stays on the picker with a notice naming it', () => {
		const broken = {...input, meshId: 'Not A Label!'};
		const s = run(initialWizardState(), {type: 'open-remove'}, {type: 'pick-remove-profile', name: 'old', input: broken});
		assert.equal(s.screen, 'remove-profiles');
		assert.match(s.notice ?? '', /^profile "old" is not a valid plan \(.+\): fix it with eastwest profiles save old … --overwrite$/);
		assert.equal(s.removal, undefined);
	});

	it('cacerts is off by default and toggles on Review only; the run starts from Review and finishes on Done', () => {
		const review = run(initialWizardState(), {type: 'open-remove'}, {type: 'pick-remove-profile', name: 'prod', input});
		assert.equal(run(review, {type: 'toggle-remove-ca'}).removal?.ca, true);
		assert.equal(run(review, {type: 'toggle-remove-ca'}, {type: 'toggle-remove-ca'}).removal?.ca, false);
		const running = run(review, {type: 'toggle-remove-ca'}, {type: 'start-remove'});
		assert.equal(running.screen, 'remove-run');
		assert.equal(run(running, {type: 'toggle-remove-ca'}).removal?.ca, true, 'no toggling once running');
		assert.equal(run(running, {type: 'back'}).screen, 'remove-run', 'no going back during a removal');
		const interrupted = run(running, {type: 'interrupt'});
		assert.equal(interrupted.removal?.interrupted, true);
		const view = initialRunView(buildTeardown(input, {ca: true}));
		const left = [{cluster: 'w', context: 'west', reason: 'istio-system label topology.istio.io/network set by someone else'}];
		const done = run(interrupted, {type: 'remove-finished', view, left});
		assert.equal(done.screen, 'remove-done');
		assert.deepEqual(done.removal?.finished, {view, left});
		assert.equal(run(review, {type: 'remove-finished', view, left}).screen, 'remove-review', 'a result arrives only for a running removal');
	});
});
