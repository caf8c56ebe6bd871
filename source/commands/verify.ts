/** `eastwest verify`: the three layers of core/verify.ts run by engine/verify.ts, printed as they go. */
import {writeFile} from 'node:fs/promises';
import {hostname} from 'node:os';
import type {CommandContext} from '../core/command-context.js';
import {EXIT, UsageError, WorkError} from '../core/exit-codes.js';
import {ISTIOD_VIEW_TIMEOUT_MS} from '../core/istiod-view.js';
import {MARK} from '../core/marks.js';
import type {MeshPlanInput} from '../core/model.js';
import type {ClusterClientFactory, KubeconfigSource} from '../core/ports.js';
import {
	DEFAULT_REQUESTS,
	DEFAULT_VERIFY_TIMEOUT_MS,
	LAYER_TITLES,
	VERIFY_NAMESPACE,
	histogramLine,
	renderJunit,
	verifyImages,
	type Level,
	type LayerReport,
	type VerifyReport,
} from '../core/verify.js';
import {choiceOf, globalFlags, parseFlags, parserOptions, timeoutFlag} from './args.js';
import {openKubeconfig, planContexts} from './kubeconfig.js';
import {PROFILE_OR_PLAN_FLAGS, assertValidPlan, hasPlanFlags, planFromFlags} from './plan-flags.js';
import {loadSavedPlan} from './saved-plan.js';
import {COMMAND_SPECS} from './spec.js';
import type {VerifyEvent} from '../engine/verify.js';

const SPEC = COMMAND_SPECS.verify;

/** The flags of `eastwest verify` (besides the global ones). */
export const FLAGS = parserOptions(SPEC.flags);

export interface VerifyDeps {
	createFactory(source: KubeconfigSource): ClusterClientFactory | Promise<ClusterClientFactory>;
	loadProfile(name: string): Promise<MeshPlanInput>;
}

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	return verifyCommand(args, ctx, {
		createFactory: async source => (await import('../kube/index.js')).createClusterClientFactory(source),
		loadProfile: loadSavedPlan,
	});
}

/** A Kubernetes namespace name (RFC 1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const MARKS: Record<Level | 'skip', string> = {pass: MARK.ok, warn: MARK.warn, fail: MARK.fail, skip: MARK.skip};

export async function verifyCommand(args: string[], ctx: CommandContext, deps: VerifyDeps): Promise<number> {
	const {values} = parseFlags('verify', args, FLAGS);
	const output = choiceOf('output', SPEC.flags.output, values.output);
	const timeoutMs = timeoutFlag(values.timeout, DEFAULT_VERIFY_TIMEOUT_MS, '90s, 3m or 2m30s');
	const namespace = values.namespace ?? VERIFY_NAMESPACE;
	if (!NAMESPACE_NAME.test(namespace))
		throw new UsageError(`--namespace ${namespace} is not a namespace name (lower-case letters, digits and '-', at most 63)`);
	const requests = values.requests === undefined ? DEFAULT_REQUESTS : Number(values.requests);
	if (!Number.isInteger(requests) || requests < 1 || requests > 1000)
		throw new UsageError(`--requests must be a whole number from 1 to 1000, not ${values.requests}`);
	if (values.profile !== undefined && hasPlanFlags(values)) throw new UsageError(PROFILE_OR_PLAN_FLAGS);
	if (values.profile === undefined && !hasPlanFlags(values)) {
		throw new UsageError('name what to verify: --profile NAME, or --topology T --mesh ID --cluster CONTEXT=NAME:NETWORK[:role] ...');
	}
	const plan = values.profile !== undefined ? await deps.loadProfile(values.profile) : planFromFlags(values);
	if (values.profile === undefined) assertValidPlan(plan);
	const images = verifyImages({
		...(values['image-registry'] !== undefined ? {registry: values['image-registry']} : {}),
		...(values['helloworld-image'] !== undefined ? {helloworld: values['helloworld-image']} : {}),
		...(values['curl-image'] !== undefined ? {curl: values['curl-image']} : {}),
	});

	const factory = await openKubeconfig(() => deps.createFactory({kubeconfig: globalFlags(values).kubeconfig, env: ctx.env}), planContexts(plan.clusters));
	const [{createVerify, VerifyRefused}, {runCheckPhase}, {collectClusterFacts}] = await Promise.all([
		import('../engine/verify.js'),
		import('../checks/run.js'),
		import('../checks/collect.js'),
	]);
	const text = output === 'text';
	const verify = createVerify({factory});
	let report: VerifyReport;
	try {
		report = await verify({
			plan,
			namespace,
			requests,
			timeoutMs,
			keep: Boolean(values.keep),
			images,
			holder: `running since ${new Date().toISOString()} (pid ${process.pid} on ${hostname()})`,
			signal: ctx.signal,
			...(text ? {onEvent: event => ctx.stdout.write(eventText(event))} : {}),
			readChecks: async signal =>
				(
					await runCheckPhase({
						plan,
						phase: 'post-install',
						deadlineMs: 30_000,
						signal,
						read: (cluster, s) => collectClusterFacts(factory, {plan, cluster, phase: 'post-install', signal: s, istiodViewTimeoutMs: ISTIOD_VIEW_TIMEOUT_MS}),
					})
				).results,
		});
	} catch (error) {
		if (error instanceof VerifyRefused) throw new UsageError(error.message, error.hint);
		throw error;
	}

	if (values.junit !== undefined) {
		try {
			await writeFile(values.junit, renderJunit(report));
		} catch (error) {
			throw new WorkError(`could not write ${values.junit}: ${(error as Error).message}`);
		}
	}
	if (output === 'json') ctx.stdout.write(`${JSON.stringify({plan: {topology: plan.topology, clusters: plan.clusters}, images, ...report}, null, 2)}\n`);
	else ctx.stdout.write(summaryText(report));
	return exitCode(report);
}

export function exitCode(report: VerifyReport): number {
	switch (report.status) {
		case 'pass':
			return EXIT.ok;
		case 'unverified':
			return EXIT.unverified;
		case 'cancelled':
			return EXIT.interrupted;
		default:
			return EXIT.failed;
	}
}

/** One line (or a few) per event, as the run goes. */
export function eventText(event: VerifyEvent): string {
	switch (event.type) {
		case 'layer-start':
			return `\n${LAYER_TITLES[event.layer]}\n`;
		case 'waiting':
			return `  … ${event.text}\n`;
		case 'item':
			return `  ${MARKS[event.item.level]} ${event.item.text}\n${event.item.level !== 'pass' && event.item.reason ? `      ${event.item.reason}\n` : ''}${event.item.level !== 'pass' && event.item.hint ? `      hint: ${event.item.hint}\n` : ''}`;
		case 'layer-done':
			return layerText(event.layer);
		case 'cleanup':
			return `  cleanup ${event.cluster}: ${event.text}\n`;
	}
}

function layerText(layer: LayerReport): string {
	const lines: string[] = [];
	if (layer.status === 'not-run') lines.push(`\n${LAYER_TITLES[layer.id]}`, `  ${MARK.skip} not run: ${layer.reason ?? ''}`);
	if (layer.status === 'unverified') lines.push(`  ${MARK.warn} ${layer.reason ?? 'data plane not verified'}`);
	for (const h of layer.histograms ?? []) lines.push(`  ${histogramLine(h)}`);
	for (const d of layer.directions ?? []) {
		lines.push(`  ${MARKS[d.level]} ${d.text}`);
		for (const step of d.ladder ?? []) lines.push(`      ${MARKS[step.level]} ${step.title}${step.level !== 'pass' && step.reason ? `: ${step.reason}` : ''}`);
		if (d.verdict) lines.push(`    ${d.verdict}`);
	}
	return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function summaryText(report: VerifyReport): string {
	const lines = [''];
	for (const l of report.layers) {
		const mark = l.status === 'pass' ? MARK.ok : l.status === 'fail' ? MARK.fail : l.status === 'not-run' ? MARK.skip : MARK.warn;
		lines.push(`${mark} ${l.id}: ${l.status === 'unverified' ? 'not verified' : l.status}`);
	}
	for (const l of report.left) lines.push(`left: ${l}`);
	const verdict =
		report.status === 'pass'
			? 'the mesh carries traffic between every pair of clusters it should'
			: report.status === 'unverified'
				? 'control plane and discovery verified; data plane not verified'
				: report.status === 'cancelled'
					? 'verify was interrupted'
					: (report.layers.flatMap(l => l.directions ?? []).find(d => d.verdict)?.verdict ?? 'verify failed');
	lines.push(verdict, '');
	return lines.join('\n');
}
