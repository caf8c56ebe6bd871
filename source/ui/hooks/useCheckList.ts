import {useMemo, useState} from 'react';
import {useStdout} from 'ink';
import type {MeshPlanInput} from '../../core/model.js';
import {checkRows} from '../components/CheckList.js';
import type {CheckRunView} from './useChecks.js';

/**
 * A scrollable list of check results that fits the terminal: `reserved` rows are left for the rest of the
 * screen. Gives the rows, the window shown, and the key handlers that move it or expand every check.
 */
export function useCheckList(input: MeshPlanInput, view: CheckRunView | undefined, reserved: number) {
	const {stdout} = useStdout();
	const [expanded, setExpanded] = useState(false);
	const [offset, setOffset] = useState(0);
	const width = stdout.columns || 80;
	const rows = useMemo(() => (view?.results ? checkRows(input, view, width, expanded) : []), [input, view, width, expanded]);
	const height = Math.max(4, (stdout.rows || 24) - reserved);
	const scrollBy = (d: number) => setOffset(o => Math.max(0, Math.min(Math.max(0, rows.length - height), o + d)));
	return {
		rows,
		offset,
		height,
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
