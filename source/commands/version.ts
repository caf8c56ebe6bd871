/**
 * `eastwest version`: eastwest's version, the istioctl it would use (path and client version) and, per
 * --context, the control plane's version (istiod's image tag and revision), with a warning when istioctl
 * and a control plane are more than one minor version apart. Without --context no cluster is touched.
 */
import path from 'node:path';
import pkg from '../../package.json' with {type: 'json'};
import {EXIT} from '../core/exit-codes.js';
import {ISTIO_NAMESPACE} from '../core/model.js';
import type {ClusterClientFactory, Istioctl, KubeconfigSource} from '../core/ports.js';
import {firstLine} from '../core/text.js';
import {controlPlaneVersions, skewWarning, versionSkew, type ControlPlaneVersion, type IstiodImageLike, type Skew} from '../core/version.js';
import type {CommandContext} from '../core/command-context.js';
import {choiceOf, globalFlags, parseFlags, parserOptions, timeoutFlag} from './args.js';
import {openKubeconfig} from './kubeconfig.js';
import {COMMAND_SPECS} from './spec.js';

export const DEFAULT_VERSION_TIMEOUT_MS = 10_000;

export interface VersionDeps {
	locateIstioctl(options: {path?: string; env: NodeJS.ProcessEnv}): Promise<Istioctl>;
	createFactory(source: KubeconfigSource): ClusterClientFactory | Promise<ClusterClientFactory>;
}

export interface IstioctlReport {
	found: boolean;
	/** The binary in use, when found. */
	path?: string;
	/** Client version, when it could be read. */
	version?: string;
	/** Where eastwest looked, when not found. */
	lookedIn?: string[];
	/** Why it was not found or its version could not be read: one line. */
	error?: string;
}

export interface ControlPlaneReport extends ControlPlaneVersion {
	skew: Skew;
}

export interface ContextReport {
	context: string;
	controlPlanes: ControlPlaneReport[];
	/** Why the context could not be read: one line (then controlPlanes is empty). */
	error?: string;
	hint?: string;
}

/** What was read from one context, before it is judged against istioctl. */
export type ContextRead = Omit<ContextReport, 'controlPlanes'> & {controlPlanes: ControlPlaneVersion[]};

export interface VersionReport {
	eastwest: string;
	istioctl: IstioctlReport;
	contexts: ContextReport[];
	warnings: string[];
}

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	return versionCommand(args, ctx, {
		locateIstioctl: async options => (await import('../istioctl/index.js')).locateIstioctl(options),
		createFactory: async source => (await import('../kube/index.js')).createClusterClientFactory(source),
	});
}

const SPEC = COMMAND_SPECS.version;

/** The flags of `eastwest version` (besides the global ones). */
export const FLAGS = parserOptions(SPEC.flags);

export async function versionCommand(args: string[], ctx: CommandContext, deps: VersionDeps): Promise<number> {
	const {values} = parseFlags('version', args, FLAGS);
	const output = choiceOf('output', SPEC.flags.output, values.output);
	const timeoutMs = timeoutFlag(values.timeout, DEFAULT_VERSION_TIMEOUT_MS, '10s or 1m');
	const flags = globalFlags(values);
	const contexts = [...new Set(values.context ?? [])];

	let factory: ClusterClientFactory | undefined;
	if (contexts.length > 0) {
		factory = await openKubeconfig(() => deps.createFactory({kubeconfig: flags.kubeconfig, env: ctx.env}), contexts);
	}

	const [istioctl, ...rows] = await Promise.all([
		readIstioctl(deps, flags.istioctl, ctx),
		...contexts.map(context => readContext(factory!, context, timeoutMs, ctx.signal)),
	]);
	if (ctx.signal.aborted) return EXIT.interrupted;
	const report = buildReport(pkg.version, istioctl, rows);
	ctx.stdout.write(output === 'json' ? versionJson(report) : renderVersionText(report));
	for (const warning of report.warnings) ctx.stderr.write(`warning: ${warning}\n`);
	// As kubectl version: a server that cannot be read fails the command; everything else is reported.
	return report.contexts.some(c => c.error !== undefined) ? EXIT.failed : EXIT.ok;
}

async function readIstioctl(deps: VersionDeps, given: string | undefined, ctx: CommandContext): Promise<IstioctlReport> {
	let istioctl: Istioctl;
	try {
		istioctl = await deps.locateIstioctl({...(given ? {path: given} : {}), env: ctx.env});
	} catch (error) {
		if (!(error instanceof Error) || error.name !== 'IstioctlNotFoundError') throw error;
		const lookedIn = given ? [path.resolve(given)] : (ctx.env.PATH ?? '').split(path.delimiter).filter(Boolean);
		return {found: false, lookedIn, error: firstLine(error)};
	}
	try {
		return {found: true, path: istioctl.path, version: await istioctl.clientVersion(ctx.signal)};
	} catch (error) {
		const said = (error as {info?: {lastLines?: string[]}}).info?.lastLines?.find(line => line.trim() !== '');
		// What istioctl itself said is the useful part; the path is on the row already.
		return {found: true, path: istioctl.path, error: said?.trim() ?? firstLine(error)};
	}
}

async function readContext(factory: ClusterClientFactory, context: string, timeoutMs: number, signal: AbortSignal): Promise<ContextRead> {
	const deadline = AbortSignal.timeout(timeoutMs);
	try {
		const items = await factory.client(context).listObjects('apps/v1', 'Deployment', ISTIO_NAMESPACE, 'app=istiod', AbortSignal.any([signal, deadline]));
		return {context, controlPlanes: controlPlaneVersions(items as IstiodImageLike[])};
	} catch (error) {
		if (deadline.aborted && !signal.aborted) {
			return {
				context,
				controlPlanes: [],
				error: `no answer from the API server of ${context} within ${seconds(timeoutMs)}`,
				hint: `is it up and reachable from here? check kubectl --context ${context} get --raw /version`,
			};
		}
		const info = (error as {info?: {message?: string; hint?: string}}).info;
		const row: ContextRead = {context, controlPlanes: [], error: firstLine(info?.message ?? error)};
		if (info?.hint) row.hint = info.hint;
		return row;
	}
}

function seconds(ms: number): string {
	return ms < 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** Judge every control plane against istioctl and collect the warnings. */
export function buildReport(eastwest: string, istioctl: IstioctlReport, contexts: ContextRead[]): VersionReport {
	const warnings: string[] = [];
	const rows = contexts.map(row => ({
		...row,
		controlPlanes: row.controlPlanes.map(cp => {
			const skew = versionSkew(istioctl.version, cp.version);
			if (skew.status === 'warn' && istioctl.version !== undefined) warnings.push(skewWarning(istioctl.version, row.context, cp, skew));
			return {...cp, skew};
		}),
	}));
	return {eastwest, istioctl, contexts: rows, warnings};
}

function istioctlLine(i: IstioctlReport): string {
	if (!i.found) return `not found (looked in ${i.lookedIn?.length ? i.lookedIn.join(', ') : 'an empty PATH'})`;
	if (i.version !== undefined) return `${i.version} (${i.path})`;
	return `version unknown (${i.path}): ${i.error ?? 'no version reported'}`;
}

function controlPlaneLine(cp: ControlPlaneReport, istioctlKnown: boolean): string {
	const parts = [`${cp.name} ${cp.version ?? 'version unknown'}`];
	if (cp.revision) parts.push(`revision ${cp.revision}`);
	if (!cp.ready) parts.push('not ready');
	if (cp.skew.status === 'unknown' && istioctlKnown && cp.version !== undefined) parts.push('skew with istioctl unknown');
	return `${parts.join(', ')}${cp.image ? ` (image ${cp.image})` : ''}`;
}

/** Plain text, one line per fact; the warnings go to stderr as kubectl's version skew warning does. */
export function renderVersionText(report: VersionReport): string {
	const lines = [`eastwest: ${report.eastwest}`, `istioctl: ${istioctlLine(report.istioctl)}`];
	const istioctlKnown = report.istioctl.version !== undefined;
	for (const row of report.contexts) {
		const label = `control plane on ${row.context}`;
		if (row.error !== undefined) lines.push(`${label}: unknown: ${row.error}`);
		else if (row.controlPlanes.length === 0) lines.push(`${label}: none (no istiod Deployment in ${ISTIO_NAMESPACE})`);
		else for (const cp of row.controlPlanes) lines.push(`${label}: ${controlPlaneLine(cp, istioctlKnown)}`);
	}
	return `${lines.join('\n')}\n`;
}

/** One JSON document: {eastwest, istioctl, contexts[], warnings[]}. */
export function versionJson(report: VersionReport): string {
	const doc = {
		eastwest: {version: report.eastwest},
		istioctl: report.istioctl,
		contexts: report.contexts.map(row => ({
			context: row.context,
			...(row.error !== undefined ? {error: row.error, ...(row.hint ? {hint: row.hint} : {})} : {}),
			controlPlanes: row.controlPlanes.map(cp => ({
				name: cp.name,
				revision: cp.revision ?? 'default',
				version: cp.version ?? null,
				image: cp.image ?? null,
				ready: cp.ready,
				skew: cp.skew,
			})),
		})),
		warnings: report.warnings,
	};
	return `${JSON.stringify(doc, null, 2)}\n`;
}
