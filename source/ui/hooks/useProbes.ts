import {useCallback, useEffect, useRef, useState} from 'react';
import type {ProbeResult} from '../../core/ports.js';
import type {ProbeState} from '../../core/wizard.js';
import type {WizardServices} from '../services.js';
import {firstLine} from '../../core/text.js';

/** How many probes run at once, and how long one may take before it counts as failed. */
export const PROBE_CONCURRENCY = 6;
export const PROBE_DEADLINE_MS = 15_000;

/**
 * Probes contexts in the background, only those asked for (the visible rows and the chosen ones),
 * a few at a time, each with a deadline. Results are kept for the life of the wizard.
 */
export function useProbes(services: WizardServices | undefined): {probes: Record<string, ProbeState>; request: (contexts: readonly string[]) => void} {
	const [probes, setProbes] = useState<Record<string, ProbeState>>({});
	const queue = useRef<string[]>([]);
	const started = useRef(new Set<string>());
	const running = useRef(0);
	const controller = useRef(new AbortController());

	useEffect(() => {
		const c = controller.current;
		return () => c.abort();
	}, []);

	const pump = useCallback(() => {
		if (!services) return;
		while (running.current < PROBE_CONCURRENCY && queue.current.length > 0) {
			const context = queue.current.shift()!;
			running.current += 1;
			const signal = AbortSignal.any([controller.current.signal, AbortSignal.timeout(PROBE_DEADLINE_MS)]);
			const t0 = Date.now();
			services
				.probe(context, signal)
				.catch((error: unknown): ProbeResult =>
					failedProbe(
						context,
						signal.aborted && !controller.current.signal.aborted ? `no answer within ${PROBE_DEADLINE_MS / 1000}s` : firstLine(error),
						Date.now() - t0,
					),
				)
				.then(result => {
					running.current -= 1;
					if (controller.current.signal.aborted) return;
					setProbes(p => ({...p, [context]: {state: 'done', result}}));
					pump();
				});
		}
	}, [services]);

	// Requests made before the services loaded start now.
	useEffect(() => pump(), [pump]);

	const request = useCallback(
		(contexts: readonly string[]) => {
			// Rows scrolled out of view before their probe started are dropped; they queue again when seen.
			const wanted = new Set(contexts);
			const dropped = queue.current.filter(c => !wanted.has(c));
			if (dropped.length > 0) {
				queue.current = queue.current.filter(c => wanted.has(c));
				for (const c of dropped) started.current.delete(c);
			}
			const fresh = contexts.filter(c => !started.current.has(c));
			if (fresh.length === 0 && dropped.length === 0) return;
			for (const c of fresh) started.current.add(c);
			// Newly visible rows go first: they are what the user is looking at.
			queue.current.unshift(...fresh);
			setProbes(p => {
				const next = {...p};
				for (const c of dropped) delete next[c];
				for (const c of fresh) next[c] = {state: 'pending'};
				return next;
			});
			pump();
		},
		[pump],
	);

	return {probes, request};
}

function failedProbe(context: string, message: string, elapsedMs: number): ProbeResult {
	return {context, reachable: false, error: {kind: 'unreachable', message}, istioNamespace: false, istioCrds: false, istiod: [], elapsedMs};
}
