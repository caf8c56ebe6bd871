/** The Kubernetes access layer: the only place that imports @kubernetes/client-node. */
export {KubeconfigError, kubeconfigSearchOrder, loadKubeconfig, type KubeconfigSearch} from './kubeconfig.js';
export {KubeError, describeKubeError} from './errors.js';
export {createClusterClientFactory} from './factory.js';
export {KubeClusterClient} from './client.js';
export {DEFAULT_PROBE_TIMEOUT_MS, ISTIO_CRDS} from './probe.js';
