/**
 * Reading istiod's debug endpoints the way istioctl does: find a Running istiod pod, port-forward to its
 * monitoring port through the API server (client-node's PortForward, pods/portforward) and GET each path
 * over that stream. The dialer is injectable so the HTTP part can be tested against a local server.
 */
import http from 'node:http';
import type {Socket} from 'node:net';
import {Duplex, PassThrough} from 'node:stream';
import {PortForward, type KubeConfig} from '@kubernetes/client-node';
import type {IstiodDebugAnswer, IstiodDebugRequest} from '../core/ports.js';
import {ISTIO_NAMESPACE, normalRevision} from '../core/model.js';
import {ISTIOD_MONITORING_PORT} from '../core/istiod-view.js';
import type {PodLike} from '../core/rollout.js';
import {KubeError} from './errors.js';
import {kubeLog, kubeLogging} from './log.js';
import {formatKubeRequest} from '../core/log.js';

/** Opens a byte stream to a pod's port. The stream is destroyed when the caller is done with it. */
export type PodDialer = (namespace: string, pod: string, port: number) => Duplex;

/** Upper bound on a debug body: istiod's lists are small; anything bigger is not what we asked for. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A PodDialer over the API server's pods/portforward (WebSocket), as `kubectl port-forward` does it. */
export function portForwardDialer(kc: KubeConfig): PodDialer {
	return (namespace, pod, port) => {
		const toPod = new PassThrough();
		const fromPod = new PassThrough();
		const errors = new PassThrough();
		let errorText = '';
		errors.on('data', (chunk: Buffer) => {
			errorText += chunk.toString('utf8');
		});
		const stream = Duplex.from({readable: fromPod, writable: toPod});
		let socket: {close(): void} | undefined;
		let done = false;
		const finish = () => {
			if (done) return;
			done = true;
			socket?.close();
		};
		stream.on('close', finish);
		new PortForward(kc, true)
			.portForward(namespace, pod, [port], fromPod, errors, toPod)
			.then(ws => {
				const s = ws as unknown as {
					close(): void;
					on(event: 'close', listener: () => void): void;
					on(event: 'error', listener: (error: unknown) => void): void;
				};
				socket = s;
				// A connection reset after the upgrade must end this read, not the process (an unhandled 'error').
				s.on('error', error => stream.destroy(error instanceof Error ? error : new Error(String((error as {message?: unknown})?.message ?? error))));
				if (done) s.close();
				s.on('close', () => {
					if (errorText.trim()) stream.destroy(new Error(errorText.trim()));
					else fromPod.end();
				});
			})
			.catch((error: unknown) => {
				// The WebSocket's error event carries the message ("Unexpected server response: 403"), not an Error.
				const message = error instanceof Error ? error.message : String((error as {message?: unknown})?.message ?? error);
				stream.destroy(new Error(message));
			});
		return stream;
	};
}

/** GET path over one dialled stream (HTTP/1.1, Connection: close); resolves with the status and body. */
export function getOverStream(dial: () => Duplex, path: string, signal: AbortSignal): Promise<{status: number; body: string}> {
	return new Promise((resolve, reject) => {
		let connection: Duplex | undefined;
		const request = http.request({
			method: 'GET',
			path,
			host: 'localhost',
			headers: {Accept: 'application/json', Connection: 'close'},
			signal,
			createConnection: () => {
				connection = dial();
				return connection as unknown as Socket;
			},
		});
		request.on('error', error => {
			connection?.destroy();
			reject(error);
		});
		request.on('response', response => {
			const chunks: Buffer[] = [];
			let size = 0;
			response.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > MAX_BODY_BYTES) {
					request.destroy(new Error(`${path} answered more than ${MAX_BODY_BYTES} bytes`));
					return;
				}
				chunks.push(chunk);
			});
			response.on('end', () => {
				connection?.destroy();
				resolve({status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')});
			});
			response.on('error', reject);
		});
		request.end();
	});
}

function podRunning(pod: PodLike): boolean {
	const p = pod as PodLike & {status?: {phase?: string}; metadata?: {deletionTimestamp?: string}};
	return p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp;
}

function podReady(pod: PodLike): boolean {
	const conditions = (pod as {status?: {conditions?: Array<{type?: string; status?: string}>}}).status?.conditions ?? [];
	return conditions.some(c => c.type === 'Ready' && c.status === 'True');
}

/** The port to forward: the pod's prometheus.io/port annotation (what istioctl uses), else 15014. */
export function monitoringPort(pod: PodLike): number {
	const annotation = (pod as {metadata?: {annotations?: Record<string, string>}}).metadata?.annotations?.['prometheus.io/port'];
	const port = Number(annotation);
	return Number.isInteger(port) && port > 0 && port < 65536 ? port : ISTIOD_MONITORING_PORT;
}

export interface IstiodDebugDeps {
	context: string;
	listPods(namespace: string, labelSelector: string, signal: AbortSignal): Promise<PodLike[]>;
	dial: PodDialer;
}

/** Read istiod's debug paths with one deadline; failures are KubeErrors a person can act on. */
export async function readIstiodDebug(deps: IstiodDebugDeps, request: IstiodDebugRequest): Promise<IstiodDebugAnswer> {
	const {context} = deps;
	const revision = normalRevision(request.revision);
	const seconds = `${Math.round(request.timeoutMs / 100) / 10}s`;
	if (request.signal?.aborted) throw new KubeError({kind: 'cancelled', message: `reading istiod's view in ${context} was cancelled`});
	const deadline = new AbortController();
	const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
	const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
	let step = 'list the istiod pods';
	try {
		const selector = `app=istiod${revision ? `,istio.io/rev=${revision}` : ''}`;
		const pods = (await deps.listPods(ISTIO_NAMESPACE, selector, signal)).filter(podRunning);
		const pod = pods.find(podReady) ?? pods[0];
		const name = (pod as {metadata?: {name?: string}} | undefined)?.metadata?.name;
		if (!pod || !name) {
			throw new KubeError({
				kind: 'not-found',
				message: `no Running istiod pod${revision ? ` of revision ${revision}` : ''} in ${ISTIO_NAMESPACE} on ${context}`,
				hint: `kubectl --context ${context} -n ${ISTIO_NAMESPACE} get pods -l ${selector}`,
			});
		}
		const port = monitoringPort(pod);
		step = `port-forward to ${name}:${port}`;
		const forward = `/api/v1/namespaces/${ISTIO_NAMESPACE}/pods/${name}/portforward?ports=${port}`;
		const responses = await Promise.all(
			request.paths.map(async path => {
				const started = Date.now();
				try {
					const answer = await getOverStream(() => deps.dial(ISTIO_NAMESPACE, name, port), path, signal);
					if (kubeLogging())
						kubeLog(formatKubeRequest({context, method: 'GET', path: `${forward} → ${path}`, status: answer.status, ms: Date.now() - started}));
					return {path, ...answer};
				} catch (error) {
					if (kubeLogging())
						kubeLog(
							formatKubeRequest({
								context,
								method: 'GET',
								path: `${forward} → ${path}`,
								ms: Date.now() - started,
								error: error instanceof Error ? error.message : String(error),
							}),
						);
					throw error;
				}
			}),
		);
		return {pod: name, port, responses};
	} catch (error) {
		if (error instanceof KubeError && error.info.kind !== 'cancelled') throw error;
		if (deadline.signal.aborted && !request.signal?.aborted) {
			throw new KubeError({
				kind: 'timeout',
				message: `istiod in ${context} did not answer within ${seconds} (${step})`,
				hint: `is istiod running? check kubectl --context ${context} -n ${ISTIO_NAMESPACE} port-forward deploy/istiod ${ISTIOD_MONITORING_PORT}`,
			});
		}
		if (request.signal?.aborted) throw new KubeError({kind: 'cancelled', message: `reading istiod's view in ${context} was cancelled`});
		if (error instanceof KubeError) throw error;
		const text = error instanceof Error ? error.message : String(error);
		const forbidden = /\b403\b|forbidden/i.test(text);
		throw new KubeError(
			{
				kind: forbidden ? 'forbidden' : 'unreachable',
				message: `could not ${step} on ${context}: ${text.split('\n')[0]}`,
				hint: forbidden
					? `reading istiod's view needs create on pods/portforward in ${ISTIO_NAMESPACE}`
					: `try kubectl --context ${context} -n ${ISTIO_NAMESPACE} port-forward deploy/istiod ${ISTIOD_MONITORING_PORT}`,
			},
			{cause: error},
		);
	} finally {
		clearTimeout(timer);
	}
}
