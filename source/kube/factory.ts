/**
 * ClusterClientFactory: one ClusterClient (and one KubeConfig) per context, built from the merged kubeconfig.
 */
import type {ClusterClient, ClusterClientFactory, KubeconfigSource} from '../core/ports.js';
import {KubeClusterClient} from './client.js';
import {kubeConfigFor, loadMergedKubeconfig} from './kubeconfig.js';

/**
 * Loads the kubeconfig (throws KubeconfigError) and hands out one client per context.
 * kubeconfigPath is the --kubeconfig file, or the single file found; when KUBECONFIG lists several
 * files it is left unset so istioctl reads KUBECONFIG itself and merges it the same way.
 */
export function createClusterClientFactory(source: KubeconfigSource): ClusterClientFactory {
	const merged = loadMergedKubeconfig(source);
	const clients = new Map<string, ClusterClient>();
	const factory: ClusterClientFactory = {
		kubeconfig: merged.info,
		client(context: string): ClusterClient {
			let client = clients.get(context);
			if (!client) {
				client = new KubeClusterClient(context, kubeConfigFor(merged, context));
				clients.set(context, client);
			}
			return client;
		},
	};
	if (merged.kubeconfigPath) factory.kubeconfigPath = merged.kubeconfigPath;
	return factory;
}
