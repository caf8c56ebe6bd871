import {useEffect, useReducer, useRef, useState} from 'react';
import type {Event, RunOutcome} from '../../core/events.js';
import type {Plan} from '../../core/plan.js';
import type {RemoveRunOptions, TeardownPlan} from '../../core/teardown.js';
import {applyRunEvents, failedOutcome, initialRunView, withOutcome, type RunView} from '../../core/run-progress.js';
import type {WizardServices} from '../services.js';
import {firstLine} from '../../core/text.js';
import {DEFAULT_PARALLEL} from '../../core/slots.js';
import {DEFAULT_RUN_TIMEOUT_MS} from '../../core/timeouts.js';

/**
 * Events arriving within this window are drawn together: at 32 clusters every waiting step reports each
 * second, and one render per event would redraw every cluster for each of them (about Ink's frame interval).
 */
export const EVENT_BATCH_MS = 32;

type Msg = {type: 'events'; batch: Array<{event: Event; now: number}>} | {type: 'outcome'; outcome: RunOutcome; error?: string};

function reduce(view: RunView, msg: Msg): RunView {
	if (msg.type === 'events') return applyRunEvents(view, msg.batch);
	return view.outcome ? view : withOutcome(view, msg.outcome, msg.error);
}

/** Starts a run other than the plan's own (a teardown through services.removePlan); must keep its identity across renders. */
export type StartRun = (options: RemoveRunOptions) => Promise<RunOutcome>;

/** Runs the plan once (or `start`, for a teardown plan), folding engine events into a view; cancel() aborts the run's signal. */
export function usePlanRun(plan: Plan | TeardownPlan, services: WizardServices, start?: StartRun, extra: {restartIstiod?: boolean} = {}) {
	const [view, dispatch] = useReducer(reduce, plan, initialRunView);
	const controller = useRef<AbortController | undefined>(undefined);
	const [cancelling, setCancelling] = useState(false);

	useEffect(() => {
		const c = new AbortController();
		controller.current = c;
		let live = true;
		// The first event after a quiet spell is drawn at once; the ones that follow within EVENT_BATCH_MS wait for the window to close.
		let pending: Array<{event: Event; now: number}> = [];
		let timer: NodeJS.Timeout | undefined;
		let lastFlush = 0;
		const flush = () => {
			timer = undefined;
			lastFlush = Date.now();
			const batch = pending;
			pending = [];
			if (live && batch.length > 0) dispatch({type: 'events', batch});
		};
		const onEvent = (event: Event) => {
			if (!live) return;
			const now = Date.now();
			pending.push({event, now});
			if (event.type === 'run-done' || now - lastFlush >= EVENT_BATCH_MS) {
				if (timer) clearTimeout(timer);
				flush();
			} else timer ??= setTimeout(flush, EVENT_BATCH_MS - (now - lastFlush));
		};
		const running = start
			? start({timeoutMs: services.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS, dryRun: false, signal: c.signal, onEvent})
			: services.runPlan(plan as Plan, {
					timeoutMs: services.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
					dryRun: false,
					force: false,
					parallel: DEFAULT_PARALLEL,
					signal: c.signal,
					onEvent,
					...(extra.restartIstiod ? {restartIstiod: true} : {}),
				});
		running.then(
			outcome => {
				if (!live) return;
				if (timer) clearTimeout(timer);
				flush();
				dispatch({type: 'outcome', outcome});
			},
			(error: unknown) => {
				if (!live) return;
				if (timer) clearTimeout(timer);
				flush();
				const message = firstLine(error);
				dispatch({type: 'outcome', outcome: failedOutcome(plan, message, c.signal.aborted), error: message});
			},
		);
		return () => {
			live = false;
			if (timer) clearTimeout(timer);
			c.abort();
		};
	}, [plan, services, start, extra.restartIstiod]);

	const cancel = () => {
		setCancelling(true);
		controller.current?.abort();
	};
	return {view, cancel, cancelling};
}
