/**
 * Versions for `eastwest version`: parsing Istio version strings (releases, pre-releases, dev builds),
 * reading a control plane's version from its istiod Deployment, and the istioctl ↔ control-plane skew
 * rule (istioctl supports its own minor version and the ones next to it). Pure.
 */
import {isIstiodDeployment, istiodFromDeployment, type IstiodDeploymentLike} from './istiod.js';

export interface IstioVersion {
	major: number;
	minor: number;
	/** Absent for dev builds such as 1.31-dev. */
	patch?: number;
	/** What follows the numbers: rc.0, alpha.1, dev, … (undefined for a release). */
	suffix?: string;
}

/** Image flavours that ride on the tag (pilot:1.30.0-distroless) but say nothing about the version. */
const FLAVOURS = ['distroless', 'debug'];

/**
 * Parse 1.30.3, v1.30.3, 1.31.0-rc.0, 1.31-dev, 1.31-alpha.<sha>, 1.30.0-distroless; undefined for
 * anything else (latest, a digest, a branch name, "unknown").
 */
export function parseIstioVersion(text: string | undefined): IstioVersion | undefined {
	const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+](.+))?$/.exec((text ?? '').trim());
	if (!match) return undefined;
	const version: IstioVersion = {major: Number(match[1]), minor: Number(match[2])};
	if (match[3] !== undefined) version.patch = Number(match[3]);
	const suffix = stripFlavour(match[4]);
	if (suffix !== undefined) version.suffix = suffix;
	return version;
}

function stripFlavour(suffix: string | undefined): string | undefined {
	if (suffix === undefined) return undefined;
	const kept = suffix.split('-').filter(part => !FLAVOURS.includes(part));
	return kept.length > 0 ? kept.join('-') : undefined;
}

/** The tag of an image reference (docker.io/istio/pilot:1.30.0 → 1.30.0); undefined without one (digest only, or untagged). */
export function imageTag(image: string | undefined): string | undefined {
	if (!image) return undefined;
	const withoutDigest = image.split('@')[0] ?? '';
	const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
	const colon = lastPart.indexOf(':');
	return colon >= 0 && colon < lastPart.length - 1 ? lastPart.slice(colon + 1) : undefined;
}

/** A version as people write it: the tag without its image flavour (1.30.0-distroless → 1.30.0). */
function displayVersion(tag: string): string {
	const parsed = parseIstioVersion(tag);
	if (!parsed) return tag;
	const numbers = `${parsed.major}.${parsed.minor}${parsed.patch !== undefined ? `.${parsed.patch}` : ''}`;
	return parsed.suffix !== undefined ? `${numbers}-${parsed.suffix}` : numbers;
}

export interface ControlPlaneVersion {
	/** Deployment name: istiod or istiod-<rev>. */
	name: string;
	/** undefined for the default revision. */
	revision?: string;
	/** 1.30.0, or whatever the tag says when it is not a version (e.g. latest); undefined when nothing says. */
	version?: string;
	/** The discovery container's image. */
	image?: string;
	ready: boolean;
}

/** An istiod Deployment as far as its version goes: the discovery container's image too. */
export type IstiodImageLike = IstiodDeploymentLike & {spec?: {template?: {spec?: {containers?: Array<{name?: string; image?: string}>}}}};

/** istiod Deployments of a list (as the probe filters them), each with the version its image tag or its labels give. */
export function controlPlaneVersions(deployments: IstiodImageLike[]): ControlPlaneVersion[] {
	return deployments
		.filter(isIstiodDeployment)
		.map(d => {
			const info = istiodFromDeployment(d);
			const containers: Array<{name?: string; image?: string}> = d.spec?.template?.spec?.containers ?? [];
			const image = (containers.find(c => c.name === 'discovery') ?? containers[0])?.image;
			const tag = imageTag(image);
			const labels = d.metadata?.labels ?? {};
			// A tag that is a version wins; else the version label Helm or istioctl put there; else the tag as it is.
			const label = labels['app.kubernetes.io/version'] ?? labels['operator.istio.io/version'];
			const chosen = tag !== undefined && parseIstioVersion(tag) ? tag : label !== undefined && parseIstioVersion(label) ? label : (tag ?? label);
			const cp: ControlPlaneVersion = {name: info.name, ready: info.ready};
			if (info.revision !== undefined) cp.revision = info.revision;
			if (chosen !== undefined) cp.version = displayVersion(chosen);
			if (image !== undefined) cp.image = image;
			return cp;
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}

export type Skew = {status: 'ok'; minorsApart: number} | {status: 'warn'; minorsApart?: number; reason: string} | {status: 'unknown'; reason: string};

/** How far apart istioctl and a control plane are; istioctl supports control planes at most one minor version away. */
export function versionSkew(istioctl: string | undefined, controlPlane: string | undefined): Skew {
	const client = parseIstioVersion(istioctl);
	const server = parseIstioVersion(controlPlane);
	if (!client)
		return {status: 'unknown', reason: istioctl === undefined ? 'the istioctl version is unknown' : `istioctl version "${istioctl}" is not a version number`};
	if (!server)
		return {
			status: 'unknown',
			reason: controlPlane === undefined ? 'the control-plane version is unknown' : `control-plane version "${controlPlane}" is not a version number`,
		};
	if (client.major !== server.major) return {status: 'warn', reason: `of different major versions (${client.major} and ${server.major})`};
	const minorsApart = Math.abs(client.minor - server.minor);
	if (minorsApart <= 1) return {status: 'ok', minorsApart};
	return {status: 'warn', minorsApart, reason: `${minorsApart} minor versions apart`};
}

/** The one-line warning for a skewed pair, naming the istioctl to use instead. */
export function skewWarning(istioctl: string, context: string, cp: ControlPlaneVersion, skew: Skew & {status: 'warn'}): string {
	const server = parseIstioVersion(cp.version);
	const use = server ? `: use istioctl ${server.major}.${server.minor} with it (--istioctl PATH)` : '';
	return `istioctl ${istioctl} and ${cp.name} ${cp.version ?? ''} on ${context} are ${skew.reason}; istioctl supports control planes at most one minor version from its own${use}`;
}
