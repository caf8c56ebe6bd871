import {useEffect, useReducer, useRef, useState} from 'react';
import type {Event, RunOutcome} from '../../core/events.js';
import type {Plan} from '../../core/plan.js';
import {applyRunEvent, failedOutcome, initialRunView, withOutcome, type RunView} from '../../core/run-progress.js';
import type {WizardServices} from '../services.js';
import {firstLine} from '../../core/text.js';
import {DEFAULT_PARALLEL} from '../../core/slots.js';

/** Default deadline for every wait of a run (istioctl's --readiness-timeout default). */
export const DEFAULT_RUN_TIMEOUT_MS = 300_000;

type Msg = {type: 'event'; event: Event; now: number} | {type: 'outcome'; outcome: RunOutcome; error?: string};

function reduce(view: RunView, msg: Msg): RunView {
	if (msg.type === 'event') return applyRunEvent(view, msg.event, msg.now);
	return view.outcome ? view : withOutcome(view, msg.outcome, msg.error);
}

/** Runs the plan once, folding engine events into a view; cancel() aborts the run's signal. */
export function usePlanRun(plan: Plan, services: WizardServices) {
	const [view, dispatch] = useReducer(reduce, plan, initialRunView);
	const controller = useRef<AbortController | undefined>(undefined);
	const [cancelling, setCancelling] = useState(false);

	useEffect(() => {
		const c = new AbortController();
		controller.current = c;
		let live = true;
		const onEvent = (event: Event) => {
			if (live) dispatch({type: 'event', event, now: Date.now()});
		};
		services
			.runPlan(plan, {timeoutMs: services.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS, dryRun: false, force: false, parallel: DEFAULT_PARALLEL, signal: c.signal, onEvent})
			.then(
				outcome => live && dispatch({type: 'outcome', outcome}),
				(error: unknown) => {
					if (!live) return;
					const message = firstLine(error);
					dispatch({type: 'outcome', outcome: failedOutcome(plan, message, c.signal.aborted), error: message});
				},
			);
		return () => {
			live = false;
			c.abort();
		};
	}, [plan, services]);

	const cancel = () => {
		setCancelling(true);
		controller.current?.abort();
	};
	return {view, cancel, cancelling};
}
