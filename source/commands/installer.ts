/**
 * Which tool installs the components (--installer, else the tool that manages the clusters' istiod) and,
 * for Helm, where its charts come from (--charts DIR, else --helm-repo at --chart-version or istiod's
 * version). Shared by apply, remove and the wizard's wiring; a helm that is missing, too old or failing
 * is caught here, before anything changes (a UsageError: exit 2).
 */
import type {ChartSource} from '../core/helm.js';
import {DEFAULT_HELM_REPO, HELM_RELEASE_NAME_ANNOTATION} from '../core/helm.js';
import {ISTIO_NAMESPACE} from '../core/model.js';
import type {ClusterClientFactory, ComponentInstaller, InstallerKind, Istioctl} from '../core/ports.js';
import {istioctlInstaller} from '../core/installer.js';
import {firstLine} from '../core/text.js';
import {UsageError} from '../core/exit-codes.js';
import {controlPlaneVersions, versionSkew, type IstiodImageLike} from '../core/version.js';
import {INSTALLER_KINDS} from '../core/ports.js';

/** The installer flags as parsed. */
export interface InstallerFlags {
	installer?: InstallerKind;
	helm?: string;
	charts?: string;
	helmRepo?: string;
	chartVersion?: string;
}

/** Read the installer flags from parsed values; problems go to `problems`. */
export function readInstallerFlags(values: Record<string, unknown>, problems: string[]): InstallerFlags {
	const out: InstallerFlags = {};
	const installer = values.installer as string | undefined;
	if (installer !== undefined) {
		if ((INSTALLER_KINDS as readonly string[]).includes(installer)) out.installer = installer as InstallerKind;
		else problems.push(`--installer "${installer}" is not one of ${INSTALLER_KINDS.join(', ')}`);
	}
	for (const [flag, key] of [
		['helm', 'helm'],
		['charts', 'charts'],
		['helm-repo', 'helmRepo'],
		['chart-version', 'chartVersion'],
	] as const) {
		const value = values[flag] as string | undefined;
		if (value === undefined) continue;
		if (value === '') problems.push(`--${flag} needs a value`);
		else out[key] = value;
	}
	if (out.charts !== undefined && (out.helmRepo !== undefined || out.chartVersion !== undefined)) {
		problems.push('--charts DIR takes the charts from a directory: leave out --helm-repo and --chart-version');
	}
	if (out.installer === 'istioctl' && (out.charts ?? out.helmRepo ?? out.chartVersion ?? out.helm) !== undefined) {
		problems.push('--helm, --charts, --helm-repo and --chart-version are for --installer helm');
	}
	return out;
}

/** What the clusters' istiod Deployments say: whether Helm installed one, and the control plane's version. */
export interface ControlPlaneSurvey {
	helmManaged: string[];
	version?: string;
}

/** Read the istiod Deployments of each context (unreachable contexts are skipped: the preflight says why). */
export async function surveyControlPlanes(factory: ClusterClientFactory, contexts: readonly string[], signal: AbortSignal): Promise<ControlPlaneSurvey> {
	const survey: ControlPlaneSurvey = {helmManaged: []};
	await Promise.all(
		contexts.map(async context => {
			try {
				const deadline = AbortSignal.timeout(10_000);
				const items = (await factory
					.client(context)
					.listObjects('apps/v1', 'Deployment', ISTIO_NAMESPACE, 'app=istiod', AbortSignal.any([signal, deadline]))) as IstiodImageLike[];
				const istiods = items.filter(d => controlPlaneVersions([d]).length > 0);
				if (istiods.some(d => (d.metadata as {annotations?: Record<string, string>} | undefined)?.annotations?.[HELM_RELEASE_NAME_ANNOTATION])) {
					survey.helmManaged.push(context);
				}
				survey.version ??= controlPlaneVersions(istiods)[0]?.version;
			} catch {
				// The preflight checks report an unreachable cluster.
			}
		}),
	);
	return survey;
}

export interface ResolvedInstaller {
	installer: ComponentInstaller;
	kind: InstallerKind;
	/** Why this installer, for the run's first lines. */
	why: string;
	/** helm's version, when helm installs. */
	toolVersion?: string;
	charts?: ChartSource;
	warnings: string[];
}

export interface InstallerDeps {
	locateHelm(options: {path?: string; env: NodeJS.ProcessEnv}): Promise<{path: string; clientVersion(signal?: AbortSignal): Promise<string>}>;
	helmInstaller(helm: unknown, options: {charts: ChartSource; force?: boolean}): ComponentInstaller;
}

/** The installer of the run: the flag's, else helm when a cluster's istiod carries Helm's release annotations. */
export async function resolveInstaller(
	flags: InstallerFlags,
	context: {factory: ClusterClientFactory; contexts: readonly string[]; env: NodeJS.ProcessEnv; signal: AbortSignal; istioctl?: Istioctl; force?: boolean},
	deps: InstallerDeps,
): Promise<ResolvedInstaller> {
	const explicitHelm = flags.installer === 'helm';
	const survey = flags.installer === 'istioctl' ? {helmManaged: []} : await surveyControlPlanes(context.factory, context.contexts, context.signal);
	const kind: InstallerKind = flags.installer ?? (survey.helmManaged.length > 0 ? 'helm' : 'istioctl');
	const why = flags.installer
		? `--installer ${flags.installer}`
		: kind === 'helm'
			? `istiod on ${survey.helmManaged.join(', ')} is a Helm release`
			: 'no istiod of the plan is a Helm release';
	if (kind === 'istioctl') {
		if (!context.istioctl) throw new UsageError('istioctl is needed to install with --installer istioctl');
		return {installer: istioctlInstaller(context.istioctl), kind, why, warnings: []};
	}
	let helm;
	let toolVersion: string;
	try {
		helm = await deps.locateHelm({...(flags.helm ? {path: flags.helm} : {}), env: context.env});
		toolVersion = await helm.clientVersion(context.signal);
	} catch (error) {
		const said = firstLine(error);
		throw new UsageError(explicitHelm ? said : `${said} (Helm was chosen because ${why}; pass --installer istioctl to install with istioctl)`);
	}
	const warnings: string[] = [];
	let charts: ChartSource;
	if (flags.charts !== undefined) charts = {kind: 'dir', dir: flags.charts};
	else {
		const version = flags.chartVersion ?? survey.version;
		charts = {kind: 'repo', repo: flags.helmRepo ?? DEFAULT_HELM_REPO, ...(version ? {version} : {})};
		if (flags.chartVersion && survey.version) {
			const skew = versionSkew(flags.chartVersion, survey.version);
			if (skew.status === 'warn') warnings.push(`--chart-version ${flags.chartVersion} and the control plane (${survey.version}) are ${skew.reason}`);
		}
	}
	return {
		installer: deps.helmInstaller(helm, {charts, ...(context.force ? {force: true} : {})}),
		kind,
		why,
		toolVersion,
		charts,
		warnings,
	};
}
