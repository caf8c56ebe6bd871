/**
 * The istioctl adapter of the ComponentInstaller port: `istioctl install` of the component's IstioOperator.
 * istioctl keeps no release, so `inspect` finds none: the cluster's objects are the whole record.
 */
import type {ComponentInstaller, ComponentInstallOptions, Istioctl} from './ports.js';
import {toYaml} from './yaml.js';

export function istioctlInstaller(istioctl: Istioctl): ComponentInstaller {
	return {
		kind: 'istioctl',
		path: istioctl.path,
		verb: 'istioctl install',
		keepsReleases: false,
		inspect: () => Promise.resolve(undefined),
		install: (options: ComponentInstallOptions) =>
			istioctl.install({
				context: options.context,
				...(options.kubeconfig ? {kubeconfig: options.kubeconfig} : {}),
				manifestYaml: toYaml([options.manifest]),
				readinessTimeoutMs: options.readinessTimeoutMs,
				dryRun: options.dryRun,
				...(options.signal ? {signal: options.signal} : {}),
				...(options.onLine ? {onLine: options.onLine} : {}),
			}),
	};
}
