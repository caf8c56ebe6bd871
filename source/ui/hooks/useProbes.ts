import {useCallback, useEffect, useRef, useState} from 'react';
import type {ProbeResult} from '../../core/ports.js';
import type {ProbeState} from '../../core/wizard.js';
import type {WizardServices} from '../services.js';
import {firstLine} from '../../core/text.js';

/** How many probes run at once, and how long one may take before it counts as failed. */
export const PROBE_CONCURRENCY = 6;
export const PROBE_DEADLINE_MS = 15_000;
/** Probe answers (and rows marked as probing) within one frame at 60 Hz are drawn together, in one render. */
export const PROBE_BATCH_MS = 16;

type ProbeChange = {context: string; probe: ProbeState | undefined};

/**
 * Probes contexts in the background, only those asked for (the visible rows and the chosen ones),
 * a few at a time, each with a deadline. Results are kept for the life of the wizard. Changes are
 * applied in batches, at most one render per frame however many probes answer in it.
 */
export function useProbes(services: WizardServices | undefined): {probes: Record<string, ProbeState>; request: (contexts: readonly string[]) => void} {
	const [probes, setProbes] = useState<Record<string, ProbeState>>({});
	const queue = useRef<string[]>([]);
	const started = useRef(new Set<string>());
	const running = useRef(0);
	const controller = useRef(new AbortController());
	const changes = useRef<ProbeChange[]>([]);
	const flushTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

	useEffect(() => {
		const c = controller.current;
		return () => {
			c.abort();
			clearTimeout(flushTimer.current);
		};
	}, []);

	const change = useCallback((batch: ProbeChange[]) => {
		changes.current.push(...batch);
		if (flushTimer.current !== undefined) return;
		flushTimer.current = setTimeout(() => {
			flushTimer.current = undefined;
			const applied = changes.current.splice(0);
			if (controller.current.signal.aborted || applied.length === 0) return;
			setProbes(p => {
				const next = {...p};
				for (const {context, probe} of applied) {
					if (probe) next[context] = probe;
					else delete next[context];
				}
				return next;
			});
		}, PROBE_BATCH_MS);
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
					change([{context, probe: {state: 'done', result}}]);
					pump();
				});
		}
	}, [services, change]);

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
			change([...dropped.map(context => ({context, probe: undefined})), ...fresh.map(context => ({context, probe: {state: 'pending'} as const}))]);
			pump();
		},
		[pump, change],
	);

	return {probes, request};
}

function failedProbe(context: string, message: string, elapsedMs: number): ProbeResult {
	return {context, reachable: false, error: {kind: 'unreachable', message}, istioNamespace: false, istioCrds: false, istiod: [], elapsedMs};
}
