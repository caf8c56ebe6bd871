/**
 * The abort signal of the API call in progress. client-node's KubernetesObjectApi ignores per-call middleware, and
 * authenticators are handed no signal, so it travels with the async context (set by KubeClusterClient.call).
 */
import {AsyncLocalStorage} from 'node:async_hooks';

export const currentSignal = new AsyncLocalStorage<AbortSignal | undefined>();
