import {useMemo, useState} from 'react';
import type {MeshPlanInput} from '../../core/model.js';
import {checkRows} from '../components/CheckList.js';
import {useRowsLeft, useScreenSize} from '../components/Fit.js';
import type {CheckRunView} from './useChecks.js';

/**
 * A scrollable list of check results that fits the terminal: the list gets the rows the rest of the screen
 * leaves, as drawn (attach `screen` to the screen's box and `window` to the list's), less `reserve` rows kept
 * for a line that comes and goes. Gives the rows, the window shown, and the keys that move it or expand every check.
 */
export function useCheckList(input: MeshPlanInput, view: CheckRunView | undefined, {reserve = 0}: {reserve?: number} = {}) {
	const {columns: width} = useScreenSize();
	const [expanded, setExpanded] = useState(false);
	const [offset, setOffset] = useState(0);
	const rows = useMemo(() => (view?.results ? checkRows(input, view, width, expanded) : []), [input, view, width, expanded]);
	const room = useRowsLeft({min: 4, reserve});
	const height = room.rows;
	const scrollBy = (d: number) => setOffset(o => Math.max(0, Math.min(Math.max(0, rows.length - height), o + d)));
	return {
		rows,
		offset,
		height,
		screen: room.screen,
		window: room.window,
		/** One past the last row shown. */
		end: Math.min(rows.length, offset + height),
		toTop: () => setOffset(0),
		keys: {
			up: () => scrollBy(-1),
			down: () => scrollBy(1),
			pageUp: () => scrollBy(-height),
			pageDown: () => scrollBy(height),
			expand: () => {
				setExpanded(e => !e);
				setOffset(0);
			},
		},
	};
}
