/** The Kubernetes access layer: the only place that imports @kubernetes/client-node. */
export {KubeconfigError, loadKubeconfig} from './kubeconfig.js';
export {KubeError, describeKubeError} from './errors.js';
