import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import React, {useEffect, useState} from 'react';
import {Box, Text} from 'ink';
import {Fit, useRowsLeft} from '../../source/ui/components/Fit.js';
import {waitForFrame} from '../support/ink.js';
import {renderAt} from '../support/render-at.js';

const rowsOf = (frame: string) => frame.split('\n').length;
const sentence = (i: number) =>
	`step ${i}: a detail long enough to wrap at eighty columns, as istioctl's lines and the hints do on a narrow terminal, and at one hundred and twenty too`;

/** Content that grows (or shrinks) when told: n items. */
function useCount(feed: EventEmitter, initial: number) {
	const [n, setN] = useState(initial);
	useEffect(() => {
		feed.on('n', setN);
		return () => void feed.off('n', setN);
	}, [feed]);
	return n;
}

function Growing({feed}: {feed: EventEmitter}) {
	const n = useCount(feed, 2);
	return (
		<Box flexDirection="column">
			<Text>title</Text>
			<Fit
				layouts={['full', 'folded', 'count'] as const}
				render={layout =>
					layout === 'count' ? (
						<Text>{n} steps</Text>
					) : (
						<Box flexDirection="column">
							{Array.from({length: n}, (_, i) => (
								<Text key={i}>{layout === 'full' ? sentence(i) : `step ${i}.`}</Text>
							))}
						</Box>
					)
				}
			/>
			<Text>hints</Text>
		</Box>
	);
}

function Window({feed}: {feed: EventEmitter}) {
	const notes = useCount(feed, 0);
	const room = useRowsLeft({min: 2});
	return (
		<Box ref={room.screen} flexDirection="column">
			<Text>title</Text>
			<Box ref={room.window} flexDirection="column">
				{Array.from({length: room.rows}, (_, i) => (
					<Text key={i}>row {i}</Text>
				))}
			</Box>
			{Array.from({length: notes}, (_, i) => (
				<Text key={i}>{sentence(i)}</Text>
			))}
		</Box>
	);
}

describe('Fit: the richest layout whose drawing fits, measured', () => {
	for (const [columns, rows] of [
		[80, 24],
		[120, 40],
	] as const) {
		it(`at ${columns}×${rows}: as the content grows the layout folds, always within the rows, and unfolds when it shrinks`, async () => {
			const feed = new EventEmitter();
			const r = renderAt(<Growing feed={feed} />, columns, rows);
			try {
				// Under a header of one row (no app here): the screen has rows - 1.
				let frame = await waitForFrame(r, f => f.includes('step 1: a detail'), 3000, 'the full layout');
				assert.ok(rowsOf(frame) <= rows - 1);
				for (const n of [5, 8, 12, 20, 40]) {
					feed.emit('n', n);
					frame = await waitForFrame(
						r,
						f => f.includes(`step ${n - 1}: a detail`) || f.includes(`step ${n - 1}.`) || f.includes(`${n} steps`),
						3000,
						`${n} steps`,
					);
					assert.ok(rowsOf(frame) <= rows - 1, `${n} steps: ${rowsOf(frame)} rows:\n${frame}`);
					// The richest whose drawing fits: a full step wraps to two rows at 80 and 120 columns, a folded one takes one.
					const expected = 2 + n * 2 <= rows - 1 ? `step ${n - 1}: a detail` : 2 + n <= rows - 1 ? `step ${n - 1}.` : `${n} steps`;
					assert.ok(frame.includes(expected), `${n} steps, expected "${expected}":\n${frame}`);
				}
				assert.match(frame, /^40 steps$/m, 'none fits but the last');
				feed.emit('n', 2);
				frame = await waitForFrame(r, f => f.includes('step 1: a detail'), 3000, 'the full layout again');
				assert.ok(rowsOf(frame) <= rows - 1);
			} finally {
				r.unmount();
			}
		});
	}
});

describe('useRowsLeft: a window gets the rows the rest of the screen leaves', () => {
	it('at 80×24 the window shrinks as the lines under it grow and wrap, and grows back', async () => {
		const feed = new EventEmitter();
		const r = renderAt(<Window feed={feed} />, 80, 24);
		try {
			// 23 rows under the header: the title and 22 window rows.
			let frame = await waitForFrame(r, f => f.includes('row 21'), 3000, 'the full window');
			assert.equal(rowsOf(frame), 23);
			feed.emit('n', 3);
			// Three notes of two rows each: the window keeps 16.
			frame = await waitForFrame(r, f => f.includes('step 2') && !f.includes('row 16'), 3000, 'a smaller window');
			assert.match(frame, /row 15/);
			assert.equal(rowsOf(frame), 23);
			feed.emit('n', 20);
			frame = await waitForFrame(r, f => f.includes('step 19'), 3000, 'the notes');
			assert.match(frame, /row 1\n/, 'never fewer than the minimum');
			assert.doesNotMatch(frame, /row 2/);
			feed.emit('n', 0);
			frame = await waitForFrame(r, f => f.includes('row 21'), 3000, 'the window again');
			assert.equal(rowsOf(frame), 23);
		} finally {
			r.unmount();
		}
	});
});
