/**
 * Helm as an installer of Istio components, the pure part: the releases and values each component is
 * made of (as the Helm tabs of Istio's multicluster docs install them), how a release's values are
 * judged against the plan, how a cluster's istiod says Helm manages it, and the text of `helm` commands.
 */
import {GATEWAY_NAME, ISTIO_NAMESPACE, normalRevision} from './model.js';
import type {ComponentKind, ComponentParams, InstallerKind, IstiodInfo} from './ports.js';
import {injectionPath} from './remote.js';

/** Helm writes these on every object of a release (istioctl writes Helm's labels too, but never these). */
export const HELM_RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const HELM_RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

/** The release label eastwest puts on the releases it installs (helm --labels): remove uninstalls only those. */
export const RELEASE_LABEL = 'eastwest/installed-by';
export const RELEASE_LABEL_VALUE = 'eastwest';

/** The chart repository name Istio's docs add (`helm repo add istio …`). */
export const DEFAULT_HELM_REPO = 'istio';

export type IstioChart = 'base' | 'istiod' | 'gateway';

/** One Helm release of a component. */
export interface HelmRelease {
	release: string;
	chart: IstioChart;
	namespace: string;
	values: Record<string, unknown>;
}

/** The istiod release of a revision: istiod, or istiod-<rev>. */
export function istiodReleaseName(revision: string | undefined): string {
	const r = normalRevision(revision);
	return r ? `istiod-${r}` : 'istiod';
}

/** The releases of a component, in install order (uninstall in reverse). */
export function componentReleases(component: ComponentKind, params: ComponentParams): HelmRelease[] {
	const revision = normalRevision(params.revision);
	const rev = revision ? {revision} : {};
	const global = {meshID: params.meshId, multiCluster: {clusterName: params.cluster}, network: params.network};
	switch (component) {
		case 'eastwest-gateway':
			return [{release: GATEWAY_NAME, chart: 'gateway', namespace: ISTIO_NAMESPACE, values: {name: GATEWAY_NAME, networkGateway: params.network, ...rev}}];
		case 'remote-control-plane':
			return [
				{release: 'istio-base', chart: 'base', namespace: ISTIO_NAMESPACE, values: {}},
				{
					release: istiodReleaseName(revision),
					chart: 'istiod',
					namespace: ISTIO_NAMESPACE,
					values: {
						profile: 'remote',
						...rev,
						istiodRemote: {injectionPath: injectionPath(params.cluster, params.network)},
						global: {...global, ...(params.discoveryAddress !== undefined ? {remotePilotAddress: params.discoveryAddress} : {})},
					},
				},
			];
		case 'primary-control-plane':
			return [
				{release: 'istio-base', chart: 'base', namespace: ISTIO_NAMESPACE, values: {}},
				{release: istiodReleaseName(revision), chart: 'istiod', namespace: ISTIO_NAMESPACE, values: {...rev, global}},
			];
	}
}

/** Values as dotted paths and scalar values, in key order: {a: {b: 1}} → [['a.b', 1]]. */
export function flattenValues(values: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
	const out: Array<[string, unknown]> = [];
	for (const [key, value] of Object.entries(values)) {
		const path = prefix ? `${prefix}.${key}` : key;
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.push(...flattenValues(value as Record<string, unknown>, path));
		else out.push([path, value]);
	}
	return out;
}

function lookup(values: unknown, path: string): unknown {
	let at: unknown = values;
	for (const key of path.split('.')) {
		if (at === null || typeof at !== 'object') return undefined;
		at = (at as Record<string, unknown>)[key];
	}
	return at;
}

const show = (value: unknown) => (value === undefined ? 'unset' : typeof value === 'string' ? value : JSON.stringify(value));

/** Every planned value the release's values (helm get values) lack or hold differently, one phrase each. */
export function valuesDifferences(want: Record<string, unknown>, have: Record<string, unknown>): string[] {
	const out: string[] = [];
	for (const [path, value] of flattenValues(want)) {
		const held = lookup(have, path);
		if (String(held) !== String(value) || held === undefined) out.push(`${path} is ${show(held)} (want ${show(value)})`);
	}
	return out;
}

/** `--set` arguments for values: strings with --set-string (a network named 1234 stays a string). */
export function setArgs(values: Record<string, unknown>): string[] {
	return flattenValues(values).flatMap(([path, value]) =>
		typeof value === 'string' ? ['--set-string', `${path}=${value}`] : ['--set', `${path}=${String(value)}`],
	);
}

/** Where charts come from: a repository added as in Istio's docs (at a version), or a local directory. */
export type ChartSource = {kind: 'repo'; repo: string; version?: string} | {kind: 'dir'; dir: string};

/** The chart reference helm is given: <repo>/<chart>, or <dir>/<chart>. */
export function chartRef(source: ChartSource, chart: IstioChart): string {
	return source.kind === 'repo' ? `${source.repo}/${chart}` : `${source.dir.replace(/\/+$/, '')}/${chart}`;
}

/** `helm upgrade --install` of one release, as eastwest runs it (and as `manifests --installer helm` prints it). */
export function upgradeArgs(
	release: HelmRelease,
	source: ChartSource,
	options: {context?: string; kubeconfig?: string; dryRun?: boolean; valuesFile?: string},
): string[] {
	const args = ['upgrade', '--install', release.release, chartRef(source, release.chart), '--namespace', release.namespace];
	if (source.kind === 'repo' && source.version) args.push('--version', source.version);
	if (options.context) args.push('--kube-context', options.context);
	if (options.kubeconfig) args.push('--kubeconfig', options.kubeconfig);
	args.push('--labels', `${RELEASE_LABEL}=${RELEASE_LABEL_VALUE}`);
	if (options.valuesFile) args.push('--values', options.valuesFile);
	else args.push('--reset-values', ...setArgs(release.values));
	if (options.dryRun) args.push('--dry-run=server');
	return args;
}

/** The chart version of a `helm list` chart field: gateway-1.31.0 → 1.31.0. */
export function chartVersionOf(chart: string | undefined, name: string): string | undefined {
	if (!chart?.startsWith(`${name}-`)) return undefined;
	return chart.slice(name.length + 1) || undefined;
}

/** A release's status that an interrupted helm leaves behind (pending-install, pending-upgrade, pending-rollback). */
export function isPending(status: string): boolean {
	return status.startsWith('pending-');
}

/** What to do about a release left pending by an interrupted helm, in one line. */
export function pendingHint(name: string, namespace: string, status: string): string {
	if (status === 'pending-install')
		return `an interrupted install left it; eastwest uninstalls it and installs again when it made it (or run helm uninstall ${name} -n ${namespace})`;
	return `an interrupted ${status.slice('pending-'.length)} left it; run helm rollback ${name} -n ${namespace} (to its last deployed revision), then run eastwest again`;
}

/** The installer that manages a cluster's istiod: Helm when its Deployment carries Helm's release annotations. */
export function istiodInstaller(istiods: readonly IstiodInfo[]): InstallerKind | undefined {
	if (istiods.length === 0) return undefined;
	return istiods.some(i => i.helmRelease !== undefined) ? 'helm' : 'istioctl';
}

/** Helm's release of an object, from the annotations only Helm writes; undefined when it has none. */
export function helmReleaseOf(annotations: Record<string, string> | undefined): {name: string; namespace: string} | undefined {
	const name = annotations?.[HELM_RELEASE_NAME_ANNOTATION];
	const namespace = annotations?.[HELM_RELEASE_NAMESPACE_ANNOTATION];
	return name && namespace ? {name, namespace} : undefined;
}
