/**
 * A command in a pod's container through the API server's pods/exec (client-node's Exec, a WebSocket), as
 * `kubectl exec` runs it: stdout and stderr collected (bounded), the exit code from the final status, one
 * deadline for the whole command.
 */
import {Writable} from 'node:stream';
import {Exec, type KubeConfig, type V1Status} from '@kubernetes/client-node';
import type {PodExecRequest, PodExecResult} from '../core/ports.js';
import {formatKubeRequest} from '../core/log.js';
import {KubeError} from './errors.js';
import {kubeLog, kubeLogging} from './log.js';

/** Upper bound on what one exec's output may hold. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

function collector(): {stream: Writable; text: () => string} {
	const chunks: Buffer[] = [];
	let size = 0;
	const stream = new Writable({
		write(chunk: Buffer, _encoding, done) {
			size += chunk.length;
			if (size <= MAX_OUTPUT_BYTES) chunks.push(chunk);
			done();
		},
	});
	return {stream, text: () => Buffer.concat(chunks).toString('utf8')};
}

/** The exit code in an exec's final V1Status (Success → 0; NonZeroExitCode → its ExitCode cause). */
export function exitCodeOf(status: V1Status): number | undefined {
	if (status.status === 'Success') return 0;
	const cause = status.details?.causes?.find(c => c.reason === 'ExitCode');
	const code = Number(cause?.message);
	return Number.isInteger(code) ? code : undefined;
}

export async function execInPod(kc: KubeConfig, context: string, request: PodExecRequest): Promise<PodExecResult> {
	const {namespace, pod, container} = request;
	const where = `${namespace}/${pod} (${container}) on ${context}`;
	if (request.signal?.aborted) throw new KubeError({kind: 'cancelled', message: `exec in ${where} was cancelled`});
	const out = collector();
	const err = collector();
	const started = Date.now();
	const path = `/api/v1/namespaces/${namespace}/pods/${pod}/exec`;
	return new Promise<PodExecResult>((resolve, reject) => {
		let socket: {close(): void} | undefined;
		let status: V1Status | undefined;
		let settled = false;
		const finish = (error?: KubeError) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			request.signal?.removeEventListener('abort', abort);
			socket?.close();
			if (kubeLogging())
				kubeLog(formatKubeRequest({context, method: 'POST', path, ms: Date.now() - started, ...(error ? {error: error.message} : {status: 101})}));
			if (error) reject(error);
			else {
				const exitCode = status ? exitCodeOf(status) : undefined;
				resolve({stdout: out.text(), stderr: err.text(), ...(exitCode !== undefined ? {exitCode} : {})});
			}
		};
		const abort = () => finish(new KubeError({kind: 'cancelled', message: `exec in ${where} was cancelled`}));
		const timer = setTimeout(
			() => finish(new KubeError({kind: 'timeout', message: `exec in ${where} did not end within ${Math.round(request.timeoutMs / 1000)}s`})),
			request.timeoutMs,
		);
		request.signal?.addEventListener('abort', abort, {once: true});
		new Exec(kc)
			.exec(namespace, pod, container, [...request.command], out.stream, err.stream, null, false, s => {
				status = s;
			})
			.then(ws => {
				socket = ws;
				if (settled) ws.close();
				ws.on('close', () => finish());
				ws.on('error', (error: unknown) => finish(execError(error, where)));
			})
			.catch((error: unknown) => finish(execError(error, where)));
	});
}

function execError(error: unknown, where: string): KubeError {
	const text = error instanceof Error ? error.message : String((error as {message?: unknown})?.message ?? error);
	const forbidden = /\b403\b|forbidden/i.test(text);
	return new KubeError({
		kind: forbidden ? 'forbidden' : 'unreachable',
		message: `could not exec in ${where}: ${text.split('\n')[0]}`,
		hint: forbidden ? 'verify runs its requests with create on pods/exec in its namespace' : 'try kubectl exec into that pod',
	});
}
