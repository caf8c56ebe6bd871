import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {firstFit, rowsOf, spareRows, wrappedRows, type Line} from '../../source/ui/layout.js';
import {initialReview, reviewReducer} from '../../source/ui/screens/review/mode.js';

const small = {columns: 80, rows: 24};
const large = {columns: 120, rows: 40};
const command = 'eastwest apply --topology multi-network --mesh mesh1 --cluster arn:aws:eks:eu-central-1:123456789012:cluster/payments-production=payments-production:network1:primary';

describe('the row budget', () => {
	it('wraps words like Ink: a word wider than the row fills the rest of it and breaks', () => {
		assert.equal(wrappedRows('short line', 80), 1);
		assert.equal(wrappedRows('a'.repeat(80), 80), 1);
		assert.equal(wrappedRows(`${'a'.repeat(40)} ${'b'.repeat(40)}`, 80), 2);
		assert.equal(wrappedRows(command, 76), 3);
		assert.equal(wrappedRows(command, 116), 2);
	});

	it('counts fixed rows, indented text and truncated lines', () => {
		const lines: Line[] = [{rows: 2}, {text: command, indent: 4}, {text: command, truncate: true}, 'done'];
		assert.equal(rowsOf(lines, small.columns), 2 + 3 + 1 + 1);
		assert.equal(rowsOf(lines, large.columns), 2 + 2 + 1 + 1);
	});

	it('picks the richest layout that fits: at 80×24 the folded one, at 120×40 the full one', () => {
		const full: Line[] = [{rows: 28}];
		const folded: Line[] = [{rows: 16}];
		assert.equal(firstFit(small, [['full', full], ['folded', folded]]), 'folded');
		assert.equal(firstFit(large, [['full', full], ['folded', folded]]), 'full');
		assert.equal(firstFit(small, [['full', [{rows: 30}]], ['folded', [{rows: 25}]]]), 'folded', 'the last layout when none fits');
	});

	it('leaves the rest of the rows to a scrolling window, never fewer than the minimum', () => {
		assert.equal(spareRows(small, [{rows: 3}, 'hints'], 5), 20);
		assert.equal(spareRows(large, [{rows: 3}, 'hints'], 5), 36);
		assert.equal(spareRows({columns: 80, rows: 6}, [{rows: 3}, 'hints'], 5), 5);
	});
});

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
