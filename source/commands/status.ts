/**
 * `eastwest status`: the east-west gateways across clusters, from watches.
 * Terminal: a live view. `-o json`: one snapshot, then exit. `--watch` without a terminal: one line per change.
 */
import {formatElapsed, parseDuration} from '../core/events.js';
import type {ClusterExpectation, ClusterHealth} from '../core/status.js';
import type {ClusterClientFactory, KubeconfigInfo, KubeconfigSource} from '../core/ports.js';
import {StatusMonitor, type MonitorTarget} from '../engine/status-monitor.js';
import {choiceOf, globalFlags, parseFlags, parserOptions} from './args.js';
import {COMMAND_SPECS} from './spec.js';
import {EXIT, UsageError} from '../core/exit-codes.js';
import {currentContext, openKubeconfig, planContexts, requireContexts} from './kubeconfig.js';
import {ChangePrinter, meshHealthy, renderStatusText, statusJson} from './status-format.js';
import {loadSavedPlan} from './saved-plan.js';
import {istiodExpectation} from '../core/istiod-view.js';
import type {CommandContext} from '../core/command-context.js';
import type {ClusterSpec, MeshPlanInput} from '../core/model.js';
import {controllingPrimary, readPeers} from '../core/remote.js';
import {setFlagsFromString} from 'node:v8';

export interface StatusDeps {
	factory(source: KubeconfigSource): ClusterClientFactory;
	/** Targets from a saved profile; the kubeconfig is there to check the profile's contexts exist. */
	profileTargets?(name: string, kubeconfig: KubeconfigInfo): MonitorTarget[] | Promise<MonitorTarget[]>;
	/** The live terminal view; absent in tests of the plain modes. */
	live?(monitor: StatusMonitor, ctx: CommandContext): Promise<number>;
	now?(): Date;
}

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	const kube = await import('../kube/index.js');
	return runStatus(args, ctx, {
		factory: source => kube.createClusterClientFactory(source),
		profileTargets: async (name, kubeconfig) => {
			const profile = await loadSavedPlan(name);
			requireContexts(kubeconfig, planContexts(profile.clusters));
			return profileTargets(profile, kubeconfig);
		},
		live: async (monitor, c) => (await import('./status-live.js')).runLiveStatus(monitor, c),
	});
}

/** What a saved plan expects of each cluster, its wiring included: the peers it reads (and the server each secret must name), its primary. */
export function profileTargets(profile: MeshPlanInput, kubeconfig: KubeconfigInfo): MonitorTarget[] {
	const serverOf = (c: ClusterSpec) => c.apiServer ?? kubeconfig.contexts.find(x => x.name === c.context)?.server;
	return profile.clusters.map(c => {
		const primary = controllingPrimary(profile, c);
		return {
			context: c.context,
			expectation: {
				name: c.name,
				network: c.network,
				role: c.role,
				topology: profile.topology,
				...(profile.revision ? {revision: profile.revision} : {}),
				peers: readPeers(profile, c).map(p => {
					const server = serverOf(p);
					return {name: p.name, ...(server ? {server} : {})};
				}),
				...(primary ? {primary: primary.name} : {}),
				...(c.role === 'primary' ? {istiodView: istiodExpectation(profile, c)} : {}),
			},
		};
	});
}

const SPEC = COMMAND_SPECS.status;

/** The flags of `eastwest status` (besides the global ones). */
export const FLAGS = parserOptions(SPEC.flags);

export async function runStatus(args: string[], ctx: CommandContext, deps: StatusDeps): Promise<number> {
	const {values} = parseFlags('status', args, FLAGS);
	const output = choiceOf('output', SPEC.flags.output, values.output);
	const timeoutMs = values.timeout === undefined ? 15_000 : parseDuration(values.timeout);
	if (timeoutMs === undefined) throw new UsageError(`--timeout "${values.timeout}" is not a duration; use e.g. 15s or 1m`);
	if (values.profile && values.context?.length) throw new UsageError('give either --profile or --context, not both');
	if (output === 'json' && values.watch)
		throw new UsageError('-o json prints one snapshot; drop --watch, or use --watch without -o json for a line per change');

	const flags = globalFlags(values);
	const factory = await openKubeconfig(() => deps.factory({kubeconfig: flags.kubeconfig, env: ctx.env}));
	let targets: MonitorTarget[];
	if (values.profile) {
		if (!deps.profileTargets) throw new UsageError('profiles are not available');
		targets = await deps.profileTargets(values.profile, factory.kubeconfig);
	} else {
		const contexts = values.context?.length ? values.context : [currentContext(factory.kubeconfig)];
		requireContexts(factory.kubeconfig, contexts);
		targets = contexts.map(context => ({context, expectation: {} as ClusterExpectation}));
	}

	const now = deps.now ?? (() => new Date());
	const interactive = Boolean(ctx.stdout.isTTY) && output === 'text' && !ctx.env.CI;
	// A watch runs for hours and holds little (bench 5: about 30 MB of live heap on 100 clusters), but its start-up
	// burst of lists and watches made V8 grow the heap to 180 MB; favouring size keeps the peak near 120 MB.
	if ((interactive && deps.live) || values.watch) setFlagsFromString('--optimize-for-size');
	if (interactive && deps.live) {
		const monitor = new StatusMonitor(c => factory.client(c), targets);
		return deps.live(monitor, ctx);
	}

	if (values.watch) {
		const printer = new ChangePrinter();
		const monitor = new StatusMonitor(c => factory.client(c), targets);
		// Print once every cluster has answered, or at the deadline with what is known by then.
		let ready = false;
		const print = (health: ClusterHealth[]) => {
			for (const line of printer.lines(health, now(), monitor.trust())) ctx.stdout.write(`${line}\n`);
		};
		const deadline = setTimeout(() => {
			ready = true;
			print(monitor.snapshot());
		}, timeoutMs);
		monitor.subscribe(health => {
			ready ||= monitor.synced;
			if (ready) print(health);
		});
		monitor.start();
		await new Promise<void>(resolve => {
			if (ctx.signal.aborted) resolve();
			ctx.signal.addEventListener('abort', () => resolve(), {once: true});
		});
		clearTimeout(deadline);
		monitor.stop();
		return EXIT.interrupted;
	}

	const monitor = new StatusMonitor(c => factory.client(c), targets);
	const health = await snapshotWithin(monitor, timeoutMs, ctx.signal);
	if (health === 'cancelled') return EXIT.interrupted;
	// Read from what the stopped watches last held, as the snapshot was.
	const trust = monitor.trust();
	ctx.stdout.write(output === 'json' ? statusJson(health, now(), trust) : renderStatusText(health, trust));
	return meshHealthy(health, trust) ? EXIT.ok : EXIT.failed;
}

/**
 * Start the watches, wait until every feed of every cluster has answered (or the deadline passes:
 * those clusters are then reported unreachable, saying so), take one snapshot and stop.
 */
export async function snapshotWithin(monitor: StatusMonitor, timeoutMs: number, signal: AbortSignal): Promise<ClusterHealth[] | 'cancelled'> {
	const outcome = await new Promise<'synced' | 'deadline' | 'cancelled'>(resolve => {
		const timer = setTimeout(() => resolve('deadline'), timeoutMs);
		const done = (o: 'synced' | 'cancelled') => {
			clearTimeout(timer);
			resolve(o);
		};
		signal.addEventListener('abort', () => done('cancelled'), {once: true});
		const check = () => {
			if (monitor.synced) done('synced');
		};
		monitor.subscribe(check);
		monitor.start();
		check();
	});
	const waiting = monitor.waitingFor;
	const health = monitor.snapshot();
	monitor.stop();
	if (outcome === 'cancelled') return 'cancelled';
	if (outcome === 'deadline') {
		for (const c of health) {
			if (waiting.includes(c.context)) {
				c.error = `some watches gave no answer within ${formatElapsed(timeoutMs)}${c.error ? `: ${c.error}` : ''}`;
				c.healthy = false;
			}
		}
	}
	return health;
}
