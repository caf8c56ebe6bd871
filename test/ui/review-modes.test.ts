import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {initialReview, reviewReducer} from '../../source/ui/screens/review/mode.js';

describe('the Review modes', () => {
	const ready = {state: 'ready'} as const;
	it('Enter opens the confirmation unless the run is blocked; waiting for istioctl does not block it', () => {
		const s = initialReview();
		assert.equal(reviewReducer(s, {type: 'continue', gate: ready}).mode, 'confirm');
		assert.equal(reviewReducer(s, {type: 'continue', gate: {state: 'waiting', reason: 'still checking istioctl'}}).mode, 'confirm');
		const blocked = reviewReducer(s, {type: 'continue', gate: {state: 'blocked', reason: 'cannot run: istioctl not found'}});
		assert.equal(blocked.mode, 'plan');
		assert.equal(blocked.notice?.text, 'cannot run: istioctl not found');
		assert.equal(reviewReducer(blocked, {type: 'yaml'}).notice, undefined, 'a new mode clears the notice');
	});

	it('y toggles the YAML; scrolling stays inside the lines', () => {
		let s = reviewReducer(initialReview(), {type: 'yaml'});
		assert.equal(s.mode, 'yaml');
		s = reviewReducer(s, {type: 'scroll', by: -3, lines: 100, page: 20});
		assert.equal(s.scroll, 0);
		s = reviewReducer(s, {type: 'scroll', by: 500, lines: 100, page: 20});
		assert.equal(s.scroll, 80);
		assert.equal(reviewReducer(s, {type: 'yaml'}).mode, 'plan');
	});

	it('saving: unavailable without a store, an empty name says so, a save returns to the plan', () => {
		assert.match(reviewReducer(initialReview(), {type: 'save', available: false}).notice?.text ?? '', /unavailable/);
		let s = reviewReducer(initialReview(), {type: 'save', available: true});
		assert.equal(s.mode, 'save');
		s = reviewReducer(s, {type: 'submit-name'});
		assert.equal(s.saving, false);
		assert.match(s.notice?.text ?? '', /profile name is empty/);
		s = reviewReducer(reviewReducer(reviewReducer(s, {type: 'type', text: 'prodd'}), {type: 'erase'}), {type: 'submit-name'});
		assert.equal(s.name, 'prod');
		assert.equal(s.saving, true);
		assert.equal(reviewReducer(s, {type: 'submit-name'}), s, 'one save at a time');
		const failed = reviewReducer(s, {type: 'save-failed', name: 'prod', error: 'exists'});
		assert.deepEqual([failed.mode, failed.saving, failed.notice?.text], ['save', false, 'could not save profile "prod": exists']);
		const saved = reviewReducer(s, {type: 'saved', name: 'prod'});
		assert.deepEqual([saved.mode, saved.notice?.ok], ['plan', true]);
		assert.equal(initialReview('kept').name, 'kept');
	});
});
