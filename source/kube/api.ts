/** One way to make client-node API objects: the caller's AbortSignal on every request, a `-v` line per request. */
import {
	IsomorphicFetchHttpLibrary,
	ServerConfiguration,
	createConfiguration,
	wrapHttpLibrary,
	type KubeConfig,
	type RequestContext,
	type ResponseContext,
} from '@kubernetes/client-node';
import {KubeError, describeKubeError} from './errors.js';
import {formatKubeRequest} from '../core/log.js';
import {kubeLog, kubeLogging} from './log.js';
import {currentSignal} from './signal.js';

const signalMiddleware = {
	async pre(context: RequestContext): Promise<RequestContext> {
		const signal = currentSignal.getStore();
		if (signal) context.setSignal(signal);
		return context;
	},
	async post(context: ResponseContext): Promise<ResponseContext> {
		return context;
	},
};

export type ApiClass<T> = new (configuration: ReturnType<typeof createConfiguration>) => T;

const fetchLibrary = new IsomorphicFetchHttpLibrary();

/** The HTTP library with a `-v` line per request: verb, path, status, milliseconds (never headers). */
function loggingHttpLibrary(context: string) {
	return wrapHttpLibrary({
		async send(request) {
			if (!kubeLogging()) return fetchLibrary.send(request).toPromise();
			const started = Date.now();
			const url = new URL(request.getUrl());
			const line = {context, method: String(request.getHttpMethod()), path: `${url.pathname}${url.search}`};
			try {
				const response = await fetchLibrary.send(request).toPromise();
				kubeLog(formatKubeRequest({...line, status: response.httpStatusCode, ms: Date.now() - started}));
				return response;
			} catch (error) {
				kubeLog(formatKubeRequest({...line, ms: Date.now() - started, error: describeKubeError(error).message}));
				throw error;
			}
		},
	});
}

export function makeApi<T>(kc: KubeConfig, api: ApiClass<T>): T {
	const cluster = kc.getCurrentCluster();
	if (!cluster) throw new KubeError({kind: 'other', message: `context ${kc.getCurrentContext()} has no cluster`});
	const configuration = createConfiguration({
		baseServer: new ServerConfiguration(cluster.server, {}),
		authMethods: {default: kc},
		httpApi: loggingHttpLibrary(kc.getCurrentContext()),
		promiseMiddleware: [signalMiddleware],
	});
	return new api(configuration);
}
