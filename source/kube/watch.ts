/**
 * List + watch with re-list and re-watch: the live object set behind the watch* methods of ClusterClient.
 */
import {Watch, type KubeConfig} from '@kubernetes/client-node';
import type {KubeErrorInfo, WatchHandle, WatchUpdate} from '../core/ports.js';
import {formatWatch} from '../core/log.js';
import {kubeLog} from './log.js';

export interface WatchSpec<T> {
	kc: KubeConfig;
	/** The context, for `-v` lines. */
	context?: string;
	/** Collection path, e.g. /apis/apps/v1/namespaces/istio-system/deployments. */
	path: string;
	query: {labelSelector?: string; fieldSelector?: string};
	list(signal: AbortSignal): Promise<{items: T[]; resourceVersion?: string}>;
	describe(error: unknown): KubeErrorInfo;
	onUpdate(update: WatchUpdate<T>): void;
	/** Back-off after a failure: first delay, doubling up to max. */
	backoff?: {initialMs: number; maxMs: number};
}

interface Meta {
	metadata?: {name?: string; namespace?: string; resourceVersion?: string};
}

function key(obj: unknown): string {
	const meta = (obj as Meta).metadata;
	return `${meta?.namespace ?? ''}/${meta?.name ?? ''}`;
}

/** A watch that ended cleanly before this, having delivered nothing, counts as a failure (no hot loop). */
const MIN_HEALTHY_WATCH_MS = 1000;

/**
 * Keeps the current item set from a list, then a watch from the list's resourceVersion (with bookmarks).
 * A watch the server ends cleanly is resumed from the last resourceVersion (API servers end watches routinely);
 * an error marks the view disconnected, backs off (0.5 s doubling to 5 s) and re-lists; 410 Gone re-lists at once.
 */
export function startWatch<T>(spec: WatchSpec<T>): WatchHandle {
	const initialMs = spec.backoff?.initialMs ?? 500;
	const maxMs = spec.backoff?.maxMs ?? 5000;
	const items = new Map<string, T>();
	const stopper = new AbortController();
	const watcher = new Watch(spec.kc);
	let stopped = false;
	let connected = false;
	let lastError: KubeErrorInfo | undefined;
	let resourceVersion: string | undefined;
	let delayMs = initialMs;
	let timer: NodeJS.Timeout | undefined;
	let request: AbortController | undefined;
	let generation = 0;

	const emit = () => {
		if (stopped) return;
		const update: WatchUpdate<T> = {items: [...items.values()], connected};
		if (!connected && lastError) update.error = lastError;
		spec.onUpdate(update);
	};

	const schedule = (fn: () => void, ms: number) => {
		if (stopped) return;
		clearTimeout(timer);
		timer = setTimeout(() => {
			timer = undefined;
			fn();
		}, ms);
	};

	const failed = (error: unknown) => {
		if (stopped) return;
		lastError = spec.describe(error);
		connected = false;
		emit();
		const wait = delayMs;
		delayMs = Math.min(delayMs * 2, maxMs);
		schedule(relist, wait);
	};

	const watchFrom = () => {
		if (stopped) return;
		const mine = ++generation;
		const started = Date.now();
		let gone = false;
		let events = 0;
		let watchError: unknown;
		const query: Record<string, string | boolean | undefined> = {
			...spec.query,
			allowWatchBookmarks: true,
			resourceVersion,
		};
		let opened = false;
		const where = `${spec.path}?${new URLSearchParams(Object.entries(query).flatMap(([k, v]): Array<[string, string]> => (v === undefined ? [] : [[k, String(v)]]))).toString()}`;
		const done = (error: unknown) => {
			const err0 = error ?? watchError;
			const status = (err0 as {statusCode?: unknown})?.statusCode;
			kubeLog(
				!opened && typeof status === 'number'
					? `[kube ${spec.context ?? '?'}] WATCH ${where} ${status} ${Date.now() - started}ms`
					: formatWatch({
							context: spec.context ?? '?',
							path: where,
							phase: 'closed',
							ms: Date.now() - started,
							events,
							...(err0 && !stopped ? {error: spec.describe(err0).message} : {}),
						}),
			);
			if (stopped || mine !== generation) return;
			request = undefined;
			if (gone) {
				relist();
				return;
			}
			const err = error ?? watchError;
			if (err) {
				failed(err);
				return;
			}
			if (events === 0 && Date.now() - started < MIN_HEALTHY_WATCH_MS) {
				failed(new Error('the API server ended the watch at once'));
				return;
			}
			// A routine end: resume from where we were.
			watchFrom();
		};
		const onEvent = (type: string, obj: unknown) => {
			if (stopped || mine !== generation) return;
			events++;
			const rv = (obj as Meta)?.metadata?.resourceVersion;
			switch (type) {
				case 'ADDED':
				case 'MODIFIED':
					items.set(key(obj), obj as T);
					if (rv) resourceVersion = rv;
					delayMs = initialMs;
					emit();
					break;
				case 'DELETED':
					items.delete(key(obj));
					if (rv) resourceVersion = rv;
					emit();
					break;
				case 'BOOKMARK':
					if (rv) resourceVersion = rv;
					break;
				case 'ERROR': {
					const status = obj as {code?: number; message?: string};
					if (status?.code === 410) gone = true;
					else watchError = Object.assign(new Error(status?.message ?? 'watch error'), {code: status?.code, body: status});
					break;
				}
				default:
					break;
			}
		};
		watcher.watch(spec.path, query, onEvent, done).then(
			controller => {
				if (!controller.signal.aborted) {
					opened = true;
					kubeLog(formatWatch({context: spec.context ?? '?', path: where, phase: 'open', ms: Date.now() - started, status: 200}));
				}
				if (stopped || mine !== generation) controller.abort();
				else request = controller;
			},
			error => done(error),
		);
	};

	const relist = () => {
		if (stopped) return;
		generation++;
		request?.abort();
		request = undefined;
		spec.list(stopper.signal).then(
			result => {
				if (stopped) return;
				items.clear();
				for (const item of result.items) items.set(key(item), item);
				resourceVersion = result.resourceVersion;
				connected = true;
				lastError = undefined;
				emit();
				watchFrom();
			},
			error => failed(error),
		);
	};

	relist();

	return {
		stop() {
			if (stopped) return;
			stopped = true;
			clearTimeout(timer);
			timer = undefined;
			stopper.abort();
			request?.abort();
			request = undefined;
		},
	};
}
