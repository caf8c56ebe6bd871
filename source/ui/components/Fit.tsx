/**
 * The one layout mechanism: what is drawn is measured (Ink's measureElement, after Yoga laid it out), never
 * counted by hand. A screen offers its layouts, richest first; each is also drawn unseen (in a box of no height
 * that clips it) at the same width, measured, and the richest whose height fits the rows is the one shown.
 */
import React, {createContext, useContext, useLayoutEffect, useRef, useState, type ReactNode} from 'react';
import {Box, measureElement, useStdout, type DOMElement} from 'ink';

/** Rows the screen may use: the terminal's, less what the app draws above every screen (its header). */
export const ScreenRowsContext = createContext<number | undefined>(undefined);

/**
 * The terminal's size, with the 80×24 a terminal reports when it says nothing, less the app's header rows
 * (as measured by the app; a screen drawn on its own is given the rows under a header of one row).
 */
export function useScreenSize(): {columns: number; rows: number} {
	const {stdout} = useStdout();
	const given = useContext(ScreenRowsContext);
	return {columns: stdout.columns || 80, rows: given ?? (stdout.rows || 24) - 1};
}

export interface FitProps<T> {
	/** The layouts, richest first. */
	layouts: readonly T[];
	/** Draws one layout. Drawing only (no input hooks): every layout is also drawn unseen, to be measured. */
	render: (layout: T) => ReactNode;
	/** Rows the drawing may take; the screen's rows (useScreenSize) unless given. */
	rows?: number;
	/** Told which layout is shown, once measured. */
	onFit?: (layout: T) => void;
}

/** Shows the richest layout that fits the rows (the last one when none does), as measured after layout. */
export function Fit<T>({layouts, render, rows, onFit}: FitProps<T>) {
	const size = useScreenSize();
	const budget = rows ?? size.rows;
	const probes = useRef<Array<DOMElement | null>>([]);
	// The leanest until measured: a first frame may be poorer than it could be, never taller than the terminal.
	const [shown, setShown] = useState(layouts.length - 1);
	const at = Math.min(shown, layouts.length - 1);

	// After every layout: what is drawn may have grown or shrunk whatever changed.
	// eslint-disable-next-line react-hooks/exhaustive-deps
	useLayoutEffect(() => {
		let fit = layouts.length - 1;
		for (let i = 0; i < layouts.length; i++) {
			const probe = probes.current[i];
			if (probe && measureElement(probe).height <= budget) {
				fit = i;
				break;
			}
		}
		if (fit !== at) setShown(fit);
		else onFit?.(layouts[fit]!);
	});

	return (
		<Box flexDirection="column">
			{render(layouts[at]!)}
			<Box height={0} overflow="hidden" flexDirection="column">
				{layouts.map((layout, i) => (
					<Box
						// Layouts are a fixed list: the position is the identity.
						key={i}
						ref={el => {
							probes.current[i] = el;
						}}
						position="absolute"
						width="100%"
						flexDirection="column"
					>
						{render(layout)}
					</Box>
				))}
			</Box>
		</Box>
	);
}

/**
 * Rows left for a scrolling window once the rest of the screen is drawn: the screen and the window are
 * measured after each layout, and the window gets the rows the rest leaves (within min and max), less `reserve`
 * rows kept for a line that comes and goes (so the window does not jump when it shows).
 */
export function useRowsLeft({min, max = Number.POSITIVE_INFINITY, rows, reserve = 0}: {min: number; max?: number; rows?: number; reserve?: number}) {
	const size = useScreenSize();
	const budget = rows ?? size.rows;
	const screen = useRef<DOMElement>(null);
	const window = useRef<DOMElement>(null);
	const [left, setLeft] = useState(min);
	// After every layout: what is drawn may have grown or shrunk whatever changed.
	// eslint-disable-next-line react-hooks/exhaustive-deps
	useLayoutEffect(() => {
		if (!screen.current || !window.current) return;
		const rest = measureElement(screen.current).height - measureElement(window.current).height;
		const next = Math.max(min, Math.min(max, budget - reserve - rest));
		if (next !== left) setLeft(next);
	});
	return {screen, window, rows: left};
}
