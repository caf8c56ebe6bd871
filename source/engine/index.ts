/**
 * Runs a Plan: per-cluster steps in dependency order, independent clusters in parallel, every wait
 * watched (not polled) with a deadline, one Event stream, cancellation through an AbortSignal.
 */
import {describeProgress} from '../core/istioctl-output.js';
import {CACERTS_SECRET, FIELD_MANAGER, GATEWAY_NAME, GATEWAY_OPERATOR_NAME, ISTIO_NAMESPACE, NETWORK_LABEL, normalRevision} from '../core/model.js';
import {installAnchor, installRecordManifest, madeByEastwest} from '../core/teardown.js';
import {
	ambientGatewayMismatch,
	gatewayProgrammed,
	globalLabelManifest,
	globalServiceRefs,
	isGlobal,
	sidecarGatewayInTheWay,
	specManagers,
} from '../core/ambient.js';
import type {Manifest} from '../core/manifests.js';
import {OWNING_RESOURCE_LABEL, gatewayReasons, planReasons, reasonsText} from '../core/gateway.js';
import {formatElapsed, type Event, type RunOutcome, type StepResult} from '../core/events.js';
import type {Plan, Step, StepKind} from '../core/plan.js';
import type {
	AppliedObject,
	CaBundle,
	Clock,
	ClusterClient,
	ClusterClientFactory,
	ComponentInstaller,
	ComponentKind,
	ComponentParams,
	Istioctl,
	IstioctlProgress,
	RunOptions,
	RunPlan,
	WatchHandle,
} from '../core/ports.js';
import {rolloutStatus, serviceAddress, type DeploymentLike, type GatewayAddress, type PodLike, type ServiceLike} from '../core/rollout.js';
import {rolloutBlocker, type EventLike, type ReplicaSetLike, type RolloutBlocker, type RolloutContext} from '../core/rollout-reason.js';
import type {Sealed} from '../core/sealed.js';
import {
	CONTROL_PLANE_ANNOTATION,
	installReasons,
	remoteIstiodServiceName,
	injectorWebhookName,
	remoteObserved,
	remoteReasons,
	READER_SERVICE_ACCOUNT,
	READER_TOKEN_SECRET,
	REMOTE_OPERATOR_NAME,
	remoteSecretName,
	renderRemoteControlPlane,
} from '../core/remote.js';
import {DEFAULT_PARALLEL, Slots, queueReason} from '../core/slots.js';
import {CONTROL_PLANE_OPERATOR_NAME, controlPlaneWant, diffText, judgeControlPlane, type ControlPlaneObserved} from '../core/control-plane.js';
import {injectorConfigMapName, injectorValues, isIstiodDeployment, istiodFromDeployment, type IstiodDeploymentLike} from '../core/istiod.js';
import {rec} from '../core/record.js';
import {istioctlInstaller} from '../core/installer.js';
import {announce, Cancelled, clientCache, describeError, safeEmit, StepFailure, systemClock, walkOutcome, walkSteps} from './steps.js';
import {controlPlaneVerdict, networkLabelVerdict, type SetVerdict} from '../core/namespace-key.js';

/** How often a wait repeats its reason when nothing changes. */
export const WAITING_INTERVAL_MS = 1000;
const GATEWAY_SELECTOR = `app=${GATEWAY_NAME}`;

/**
 * Why an existing gateway cannot serve the plan as it is (every reason, one line), or undefined when it can.
 * Who installed it is not a reason: a gateway found in place that serves the plan is used as it is (and
 * `remove` leaves it, see `madeByEastwest`).
 */
export function gatewayMismatch(
	deployment: DeploymentLike | undefined,
	service: ServiceLike | undefined,
	network: string,
	revision: string | undefined,
): string | undefined {
	return reasonsText(planReasons(gatewayReasons(deployment, service, {network, ...(revision ? {revision} : {})})));
}

/** ", by IstioOperator X" for a gateway found in place, from its owning-resource label. */
function installedBy(obj: object | undefined): string {
	const label = (obj as {metadata?: {labels?: Record<string, string>}} | undefined)?.metadata?.labels?.[OWNING_RESOURCE_LABEL];
	return label ? `, by IstioOperator ${label}` : '';
}

function summarizeApplied(objects: AppliedObject[]): string {
	return objects.map(o => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} ${o.outcome}`).join(', ');
}

type Evaluation<R> = {kind: 'done'; value: R} | {kind: 'failed'; message: string; hint?: string} | {kind: 'waiting'; reason: string; hint?: string};

/**
 * A run's ports; `clock` is the machine's unless another is handed in (tests). Components are installed
 * by `installer` (istioctl's adapter of `istioctl` unless another is handed in); remote secrets always
 * come from istioctl.
 */
export function createRunPlan(deps: {factory: ClusterClientFactory; istioctl: Istioctl; installer?: ComponentInstaller; clock?: Clock}): RunPlan {
	return (plan, options) =>
		new Run(plan, options, deps.factory, deps.istioctl, deps.installer ?? istioctlInstaller(deps.istioctl), deps.clock ?? systemClock).execute();
}

/** "Helm release istio-system/x (chart gateway 1.0.0, deployed)". */
function describeRelease(r: {name: string; namespace: string; chart?: string; chartVersion?: string; status: string}): string {
	const chart = r.chart ? `chart ${r.chart}${r.chartVersion ? ` ${r.chartVersion}` : ''}, ` : '';
	return `release ${r.namespace}/${r.name} (${chart}${r.status})`;
}

class Run {
	private readonly addresses = new Map<string, GatewayAddress>();
	private readonly revision: string | undefined;
	/** Bounds the istioctl processes running at once across the run (RunOptions.parallel). */
	private readonly istioctlSlots: Slots;

	constructor(
		private readonly plan: Plan,
		private readonly options: RunOptions,
		private readonly factory: ClusterClientFactory,
		private readonly istioctl: Istioctl,
		private readonly installer: ComponentInstaller,
		readonly clock: Clock,
	) {
		this.revision = normalRevision(plan.input.revision);
		this.istioctlSlots = new Slots(options.parallel ?? DEFAULT_PARALLEL);
	}

	/**
	 * Take a slot for one istioctl call (`kind`: install, create-remote-secret…) within the run's --parallel
	 * bound; resolves with its release. While it waits, `waiter` says what is ahead; on cancellation the
	 * waiter is stopped. Kubernetes API work is never queued.
	 */
	private async istioctlSlot(kind: string, waiter: Waiter): Promise<() => void> {
		// Cancelling the run rejects every queued call at once (execute listens on the run's signal).
		const ticket = this.istioctlSlots.acquire(kind);
		if (!ticket.holding) waiter.follow(() => queueReason(ticket.ahead(), this.istioctlSlots.limit));
		try {
			return await ticket.granted;
		} catch {
			waiter.stop();
			throw new Cancelled();
		} finally {
			waiter.unfollow();
		}
	}

	private emit(event: Event): void {
		safeEmit(this.options.onEvent, event);
	}

	private clientFor: ((context: string) => ClusterClient) | undefined;

	private client(context: string): ClusterClient {
		this.clientFor ??= clientCache(this.factory);
		return this.clientFor(context);
	}

	async execute(): Promise<RunOutcome> {
		const signal = this.options.signal;
		const cancelQueued = () => this.istioctlSlots.cancelQueued(new Cancelled());
		if (signal?.aborted) cancelQueued();
		signal?.addEventListener('abort', cancelQueued, {once: true});
		const records = await walkSteps(this.plan.steps, {
			signal,
			onEvent: this.options.onEvent,
			clock: this.clock,
			perform: (step, started) => this.perform(step, started),
		});
		signal?.removeEventListener('abort', cancelQueued);
		return announce(
			this.options.onEvent,
			walkOutcome(this.plan, records, signal, cluster => this.addresses.get(cluster)),
		);
	}

	private perform(step: Step, started: number): Promise<{result: StepResult; detail?: string}> {
		const handlers: Record<StepKind, () => Promise<{result: StepResult; detail?: string}>> = {
			'control-plane': () => this.controlPlane(step, started),
			'label-network': () => this.labelNetwork(step),
			'install-gateway': () => this.installGateway(step, started),
			'wait-rollout': () => this.waitRollout(step, started),
			'wait-address': () => this.waitAddress(step, started),
			'expose-istiod': () => this.expose(step),
			'expose-services': () => this.expose(step),
			'annotate-remote': () => this.annotateRemote(step),
			'install-remote': () => this.installRemote(step, started),
			'remote-secret': () => this.remoteSecret(step, started),
			'plug-ca': () => this.plugCa(step, started),
			'apply-ambient-gateway': () => this.applyAmbientGateway(step),
			'wait-programmed': () => this.waitProgrammed(step, started),
			'label-global-services': () => this.labelGlobalServices(step),
		};
		return handlers[step.kind]();
	}

	private network(step: Step): string {
		return this.spec(step.cluster).network;
	}

	private spec(cluster: string) {
		return this.plan.clusters.find(c => c.cluster.name === cluster)!.cluster;
	}

	/** The API server URL a remote secret for this cluster must carry: the plan's override, else the kubeconfig's. */
	private serverOf(cluster: string): string | undefined {
		const spec = this.spec(cluster);
		return spec.apiServer ?? this.factory.kubeconfig.contexts.find(c => c.name === spec.context)?.server;
	}

	private applyOptions() {
		return {dryRun: this.options.dryRun, force: this.options.force, ...(this.options.signal ? {signal: this.options.signal} : {})};
	}

	private async labelNetwork(step: Step) {
		const network = step.network ?? this.network(step);
		return this.setNamespaceKey(step, {field: 'label', name: NETWORK_LABEL, value: network}, ns => networkLabelVerdict(ns, network, this.keyOptions(step)));
	}

	private keyOptions(step: Step) {
		return {force: this.options.force, dryRun: this.options.dryRun, context: step.context};
	}

	/** A label or annotation on istio-system: read the namespace, ask core whether and what to write, then write it. */
	private async setNamespaceKey(
		step: Step,
		key: {field: 'label' | 'annotation'; name: string; value: string},
		decide: (namespace: Record<string, unknown> | undefined) => SetVerdict,
	) {
		const client = this.client(step.context);
		const verdict = decide(await client.getObject('v1', 'Namespace', undefined, ISTIO_NAMESPACE, this.options.signal));
		if (verdict.action === 'refuse') throw new StepFailure(verdict.message, verdict.hint);
		if (verdict.action === 'keep') return {result: 'unchanged' as const, detail: verdict.detail};
		await client.writeNamespaceKey({...key, ...(verdict.create ? {create: true} : {})}, this.applyOptions());
		return {result: 'changed' as const, detail: verdict.detail};
	}

	/** What a primary runs of the control plane: every istiod Deployment, and the planned revision's injector values. */
	private async readControlPlane(step: Step): Promise<ControlPlaneObserved> {
		const client = this.client(step.context);
		const signal = this.options.signal;
		const [deployments, injector] = await Promise.all([
			client.listObjects('apps/v1', 'Deployment', ISTIO_NAMESPACE, 'app=istiod', signal),
			client.getObject('v1', 'ConfigMap', ISTIO_NAMESPACE, injectorConfigMapName(this.revision), signal),
		]);
		const istiods = (deployments as IstiodDeploymentLike[]).filter(isIstiodDeployment).map(istiodFromDeployment);
		return {istiods, ...(injector ? {injector: injectorValues(rec(injector.data))} : {})};
	}

	/**
	 * control-plane: leave an istiod that runs as planned, install one where none runs, retrofit one whose values
	 * differ with the user's IstioOperator; refuse (nothing changed) a Helm-managed one, another revision only, or a
	 * retrofit without the user's file. After an install, wait for istiod to be ready and read its values again.
	 */
	private async controlPlane(step: Step, started: number) {
		const spec = this.spec(step.cluster);
		const want = controlPlaneWant(this.plan.input, spec);
		const before = await this.readControlPlane(step);
		const verdict = judgeControlPlane(before, want, {context: step.context, ...(step.iopFile !== undefined ? {iopFile: step.iopFile} : {})});
		const anchorRef = installAnchor(CONTROL_PLANE_OPERATOR_NAME, this.revision);
		if (verdict.action === 'ready') {
			const anchor = await this.client(step.context).getObject(anchorRef.apiVersion, anchorRef.kind, anchorRef.namespace, anchorRef.name, this.options.signal);
			const by = madeByEastwest(anchor, CONTROL_PLANE_OPERATOR_NAME) ? 'installed by eastwest' : 'found in place: eastwest uses it as it is; remove leaves it';
			return {result: 'unchanged' as const, detail: `${verdict.detail} (${by})`};
		}
		if (verdict.action === 'refused' || verdict.action === 'needs-file' || verdict.action === 'helm') throw new StepFailure(verdict.message, verdict.hint);
		const manifest = step.manifests[0];
		if (!manifest)
			throw new StepFailure(`${step.iopFile ?? 'the IstioOperator'} for ${step.cluster} was not read`, 'pass --control-plane-iop CONTEXT=FILE again');
		const what = verdict.action === 'install' ? 'install' : 'retrofit';
		const waiter = new Waiter(this, step, started);
		const release = await this.istioctlSlot('install', waiter);
		waiter.set(`istioctl install (${what} of the control plane, revision ${this.revision ?? 'default'}) is running`);
		try {
			// A primary's control plane is installed with istioctl whichever installer the run's components use.
			const params = this.componentParams(step);
			await this.installComponent(
				step,
				'primary-control-plane',
				params,
				manifest,
				progress => {
					const reason = progress ? describeProgress(progress) : undefined;
					if (reason && (progress?.type === 'waiting' || progress?.type === 'pruning')) waiter.set(reason);
				},
				this.installer.kind === 'istioctl' ? this.installer : istioctlInstaller(this.istioctl),
			);
		} finally {
			release();
			waiter.stop();
		}
		const planned = verdict.action === 'install' ? verdict.detail : diffText(verdict.diff);
		if (this.options.dryRun) return {result: 'skipped' as const, detail: `dry run: istioctl install --dry-run passed, nothing installed (${what}: ${planned})`};
		const name = remoteIstiodServiceName(this.revision);
		await this.watchUntil<string>(step, started, `${name} to be ready after the ${what}`, push => [
			this.client(step.context).watchDeployments({namespace: ISTIO_NAMESPACE, name}, u => {
				const deployment = u.items.find(d => d.metadata?.name === name);
				const err = u.connected ? undefined : u.error?.message;
				if (!deployment)
					return push(
						{
							kind: 'waiting',
							reason: u.connected ? `Deployment ${ISTIO_NAMESPACE}/${name} does not exist yet` : `reading Deployment ${name}`,
							hint: 'istioctl install should have created it; run it by hand with the manifest from eastwest manifests to see why',
						},
						err,
					);
				const state = rolloutStatus(deployment);
				if (state.state === 'done') return push({kind: 'done', value: state.message}, err);
				if (state.state === 'failed')
					return push({kind: 'failed', message: state.message, hint: `see kubectl rollout status deployment/${name} -n ${ISTIO_NAMESPACE}`}, err);
				push({kind: 'waiting', reason: state.message}, err);
			}),
		]);
		// Truthful: the step is done only when istiod now runs with the planned values.
		const after = judgeControlPlane(await this.readControlPlane(step), want, {context: step.context, iopFile: step.iopFile ?? ''});
		if (after.action !== 'ready') {
			const left = 'diff' in after ? diffText(after.diff) : 'message' in after ? after.message : after.detail;
			throw new StepFailure(
				`istioctl install finished, but istiod on ${step.cluster} still differs from the plan: ${left}`,
				'run istioctl install by hand with the manifest from eastwest manifests to see why',
			);
		}
		if (verdict.action === 'install') {
			if (manifest.metadata.name === CONTROL_PLANE_OPERATOR_NAME) await this.recordInstall(step, CONTROL_PLANE_OPERATOR_NAME);
			return {result: 'changed' as const, detail: `installed with istioctl (IstioOperator ${manifest.metadata.name}): ${after.detail}`};
		}
		const injected = await this.injectedNamespaces(step);
		const pods = injected.length
			? `; pods in ${injected.join(', ')} keep the old cluster ID and network until they restart (eastwest restarts none)`
			: '; no injected pods outside istio-system';
		return {result: 'changed' as const, detail: `retrofitted with istioctl from ${step.iopFile ?? 'your IstioOperator'}: ${diffText(verdict.diff)}${pods}`};
	}

	/** Namespaces (istio-system aside) holding pods with an injected sidecar. */
	private async injectedNamespaces(step: Step): Promise<string[]> {
		const pods = await this.client(step.context).listObjects('v1', 'Pod', undefined, 'security.istio.io/tlsMode=istio', this.options.signal);
		const names = pods.map(p => String(rec(p.metadata).namespace ?? '')).filter(ns => ns !== '' && ns !== ISTIO_NAMESPACE);
		return [...new Set(names)].sort();
	}

	/** True when install-gateway found the gateway already in place (so dry runs can still read it). */
	private readonly gatewayPresent = new Set<string>();

	/** The component's parameters for the installer. */
	private componentParams(step: Step, discoveryAddress?: string): ComponentParams {
		const spec = this.spec(step.cluster);
		return {
			cluster: spec.name,
			network: spec.network,
			meshId: this.plan.input.meshId,
			...(this.revision ? {revision: this.revision} : {}),
			...(discoveryAddress !== undefined ? {discoveryAddress} : {}),
		};
	}

	private target(step: Step, component: ComponentKind, params: ComponentParams) {
		return {
			component,
			context: step.context,
			...(this.factory.kubeconfigPath ? {kubeconfig: this.factory.kubeconfigPath} : {}),
			params,
			...(this.options.signal ? {signal: this.options.signal} : {}),
		};
	}

	/**
	 * An installer that keeps releases (Helm): the component's release, when one matches the plan, is the
	 * step's whole answer (unchanged, the tool not run); undefined when the installer must run (or keeps none).
	 */
	private async releaseInPlace(
		step: Step,
		component: ComponentKind,
		params: ComponentParams,
	): Promise<{kept?: {result: 'unchanged'; detail: string}; stale?: string}> {
		if (!this.installer.keepsReleases) return {};
		const release = await this.installer.inspect(this.target(step, component, params));
		if (!release) return {};
		if (release.differences.length > 0) return {stale: `${describeRelease(release)}: ${release.differences.join('; ')}`};
		if (this.options.reinstall) return {};
		if (release.ours)
			return {kept: {result: 'unchanged', detail: `already installed by eastwest: ${this.installer.kind} ${describeRelease(release)} matches the plan`}};
		return {
			kept: {
				result: 'unchanged',
				detail: `found ${this.installer.kind} ${describeRelease(release)}, not installed by eastwest: its values match the plan, so eastwest uses it as it is; remove leaves it`,
			},
		};
	}

	private async installGateway(step: Step, started: number) {
		const network = this.network(step);
		const client = this.client(step.context);
		const signal = this.options.signal;
		const params = this.componentParams(step);
		const {kept, stale} = await this.releaseInPlace(step, 'eastwest-gateway', params);
		if (kept) {
			this.gatewayPresent.add(step.cluster);
			return kept;
		}
		const [deployment, service] = await Promise.all([
			client.getDeployment(ISTIO_NAMESPACE, GATEWAY_NAME, signal),
			client.getService(ISTIO_NAMESPACE, GATEWAY_NAME, signal),
		]);
		const mismatch = gatewayMismatch(deployment, service, network, this.revision) ?? stale;
		const ours = madeByEastwest(deployment as Record<string, unknown> | undefined, GATEWAY_OPERATOR_NAME);
		const foundInPlace = deployment !== undefined && !ours;
		if (!mismatch && !this.options.reinstall) {
			this.gatewayPresent.add(step.cluster);
			if (ours) return {result: 'unchanged' as const, detail: `already installed by eastwest for network ${network}, revision ${this.revision ?? 'default'}`};
			return {
				result: 'unchanged' as const,
				detail: `found in place (installed before eastwest${installedBy(deployment)}): it serves network ${network}, revision ${this.revision ?? 'default'}, so eastwest uses it as it is; remove leaves it`,
			};
		}
		const manifest = step.manifests[0];
		if (!manifest) throw new StepFailure(`step ${step.id} has no IstioOperator to install`);
		const waiter = new Waiter(this, step, started);
		const release = await this.istioctlSlot('install', waiter);
		// While istioctl waits for readiness, read what `kubectl describe` would (ReplicaSets, pods, Warning
		// events) so the reason says why the gateway is not ready, and a timeout names it.
		let blocker: RolloutBlocker | undefined;
		let progressReason = `${this.installer.verb} is running`;
		const update = () => waiter.set(blocker ? `${progressReason}; ${blocker.reason}` : progressReason);
		update();
		const watches = this.options.dryRun
			? []
			: this.watchBlockers(client, this.rolloutContext(step, GATEWAY_NAME, GATEWAY_SELECTOR), b => {
					blocker = b;
					update();
				});
		try {
			await this.installComponent(step, 'eastwest-gateway', params, manifest, progress => {
				const reason = progress ? describeProgress(progress) : undefined;
				if (reason && (progress?.type === 'waiting' || progress?.type === 'pruning')) {
					progressReason = reason;
					update();
				}
			});
		} catch (error) {
			const timedOut = (error as {info?: {timedOut?: unknown}} | undefined)?.info?.timedOut === true;
			if (timedOut && blocker) {
				throw new StepFailure(`${describeError(error).message}: ${blocker.reason}`, blocker.hint);
			}
			throw error;
		} finally {
			for (const w of watches) w.stop();
			waiter.stop();
			release();
		}
		const why = mismatch ? `before: ${mismatch}` : 'reinstalled on request (--reinstall)';
		const tool = this.installer.kind;
		if (this.options.dryRun) return {result: 'skipped' as const, detail: `dry run: ${this.installer.verb} --dry-run passed, nothing installed; ${why}`};
		if (this.installer.keepsReleases)
			return {result: 'changed' as const, detail: `installed with ${tool} (release ${GATEWAY_NAME}, eastwest's release label); ${why}`};
		if (foundInPlace) {
			return {
				result: 'changed' as const,
				detail: `installed with ${tool} over a gateway found in place (installed before eastwest${installedBy(deployment)}), which stays the user's: remove leaves it; ${why}`,
			};
		}
		await this.recordInstall(step, GATEWAY_OPERATOR_NAME);
		return {result: 'changed' as const, detail: `installed with ${tool}; ${why}`};
	}

	/**
	 * Record on the install's anchor (server-side apply, field manager eastwest) that eastwest ran this
	 * install, so that remove takes it and nothing found in place. Re-recording an install of its own is a no-op.
	 */
	private async recordInstall(step: Step, owner: string): Promise<void> {
		const anchor = installAnchor(owner, this.revision);
		await this.client(step.context).apply([installRecordManifest(anchor, owner) as Manifest], this.applyOptions());
	}

	/** A wait is a change when this run installed the gateway, otherwise it only confirmed what was there. */
	private waitResult(step: Step): 'changed' | 'unchanged' {
		return this.gatewayPresent.has(step.cluster) ? 'unchanged' : 'changed';
	}

	private dryRunSkip(step: Step) {
		return this.options.dryRun && !this.gatewayPresent.has(step.cluster);
	}

	private async waitRollout(step: Step, started: number) {
		if (this.dryRunSkip(step)) return {result: 'skipped' as const, detail: 'dry run: no gateway was installed to wait for'};
		const client = this.client(step.context);
		let deployment: DeploymentLike | undefined;
		let deploymentSeen = false;
		let deploymentError: string | undefined;
		let blocker: RolloutBlocker | undefined;
		const value = await this.watchUntil<string>(step, started, 'the gateway Deployment to roll out', push => {
			const evaluate = (): Evaluation<string> => {
				if (!deploymentSeen) return {kind: 'waiting', reason: 'reading the gateway Deployment'};
				if (!deployment)
					return {
						kind: 'waiting',
						reason: `Deployment ${ISTIO_NAMESPACE}/${GATEWAY_NAME} does not exist yet`,
						hint: 'the install step should have created it; check `istioctl install` output',
					};
				const state = rolloutStatus(deployment);
				if (state.state === 'done') return {kind: 'done', value: state.message};
				if (state.state === 'failed')
					return {kind: 'failed', message: blocker ? `${state.message}: ${blocker.reason}` : state.message, ...(blocker ? {hint: blocker.hint} : {})};
				const reason = blocker ? `${state.message}; ${blocker.reason}` : state.message;
				return {kind: 'waiting', reason, ...(blocker ? {hint: blocker.hint} : {})};
			};
			return [
				client.watchDeployments({namespace: ISTIO_NAMESPACE, name: GATEWAY_NAME}, u => {
					deployment = u.items.find(d => d.metadata?.name === GATEWAY_NAME) ?? u.items[0];
					deploymentSeen = deploymentSeen || u.connected;
					deploymentError = u.connected ? undefined : u.error?.message;
					push(evaluate(), deploymentError);
				}),
				...this.watchBlockers(client, this.rolloutContext(step, GATEWAY_NAME, GATEWAY_SELECTOR), b => {
					blocker = b;
					push(evaluate(), deploymentError);
				}),
			];
		});
		return {result: this.waitResult(step), detail: value};
	}

	/** Where this cluster's injector is, for the words of a blocked rollout: a remote's is the primary's istiod behind its gateway. */
	private rolloutContext(step: Step, deployment: string, selector: string): RolloutContext {
		const remote = this.spec(step.cluster).role === 'remote';
		const primary = remote ? this.plan.clusters.find(c => c.cluster.role === 'primary')?.cluster.name : undefined;
		const address = primary ? this.addresses.get(primary) : undefined;
		return {
			cluster: step.cluster,
			deployment,
			namespace: ISTIO_NAMESPACE,
			selector,
			...(this.revision ? {revision: this.revision} : {}),
			...(primary ? {remoteOf: {primary, ...(address ? {gatewayAddress: address.value} : {})}} : {}),
		};
	}

	/**
	 * List+watch what `kubectl describe` reads for a rollout: the pods, their ReplicaSets (a ReplicaFailure
	 * condition: pods that cannot be created) and the namespace's Warning events; `onChange` gets the first
	 * blocker each time one of them changes. A watch that cannot read (RBAC) only leaves its part unknown.
	 */
	private watchBlockers(client: ClusterClient, ctx: RolloutContext, onChange: (blocker: RolloutBlocker | undefined) => void): WatchHandle[] {
		let pods: PodLike[] = [];
		let replicaSets: ReplicaSetLike[] = [];
		let events: EventLike[] = [];
		const update = () => onChange(rolloutBlocker({replicaSets, pods, events}, ctx));
		return [
			client.watchPods({namespace: ctx.namespace, labelSelector: ctx.selector}, u => {
				pods = u.items;
				update();
			}),
			client.watchObjects('apps/v1', 'ReplicaSet', {namespace: ctx.namespace, labelSelector: ctx.selector}, u => {
				replicaSets = u.items as ReplicaSetLike[];
				update();
			}),
			client.watchObjects('v1', 'Event', {namespace: ctx.namespace, fieldSelector: 'type=Warning'}, u => {
				events = u.items as EventLike[];
				update();
			}),
		];
	}

	private async waitAddress(step: Step, started: number) {
		if (this.dryRunSkip(step)) return {result: 'skipped' as const, detail: 'dry run: no gateway was installed to wait for'};
		const client = this.client(step.context);
		const address = await this.watchUntil<GatewayAddress>(step, started, 'an external address for the gateway Service', push => [
			client.watchServices({namespace: ISTIO_NAMESPACE, name: GATEWAY_NAME}, u => {
				const svc = u.items.find(s => s.metadata?.name === GATEWAY_NAME) ?? u.items[0];
				const err = u.connected ? undefined : u.error?.message;
				if (!svc) {
					push({kind: 'waiting', reason: u.connected ? `Service ${ISTIO_NAMESPACE}/${GATEWAY_NAME} does not exist yet` : 'reading the gateway Service'}, err);
					return;
				}
				const state = serviceAddress(svc);
				if (state.state === 'ready') {
					push({kind: 'done', value: state.address}, err);
					return;
				}
				push({kind: 'waiting', reason: state.reason, hint: state.hint}, err);
			}),
		]);
		this.addresses.set(step.cluster, address);
		this.emit({type: 'address', cluster: step.cluster, address});
		return {result: this.waitResult(step), detail: `${address.kind === 'ip' ? 'IP' : 'hostname'} ${address.value}`};
	}

	/**
	 * Ambient: server-side apply the east-west Gateway (istiod's gateway controller makes its Deployment and
	 * Service). A Gateway found in place that serves the plan is used as it is; one that does not, or a
	 * sidecar gateway where istiod would put the generated objects, stops the step (--force applies over
	 * a Gateway; a sidecar gateway is never taken over).
	 */
	private async applyAmbientGateway(step: Step) {
		const manifest = step.manifests[0];
		if (!manifest) throw new StepFailure(`step ${step.id} has no Gateway to apply`);
		const client = this.client(step.context);
		const signal = this.options.signal;
		const [gateway, deployment, service] = await Promise.all([
			client.getObject(manifest.apiVersion, manifest.kind, ISTIO_NAMESPACE, GATEWAY_NAME, signal),
			client.getObject('apps/v1', 'Deployment', ISTIO_NAMESPACE, GATEWAY_NAME, signal),
			client.getObject('v1', 'Service', ISTIO_NAMESPACE, GATEWAY_NAME, signal),
		]);
		const inTheWay = sidecarGatewayInTheWay([deployment, service]);
		if (inTheWay) {
			throw new StepFailure(
				inTheWay,
				`eastwest never replaces a sidecar east-west gateway: remove it yourself (or with 'eastwest remove' if eastwest installed it) first`,
			);
		}
		const ours = gateway !== undefined && specManagers(gateway).includes(FIELD_MANAGER);
		if (gateway && !ours) {
			const mismatch = ambientGatewayMismatch(gateway, manifest);
			if (mismatch.length === 0) {
				this.gatewayPresent.add(step.cluster);
				return {
					result: 'unchanged' as const,
					detail: `found in place (not made by eastwest): it serves network ${this.network(step)}, so eastwest uses it as it is; remove leaves it`,
				};
			}
			if (!this.options.force) {
				throw new StepFailure(
					`Gateway ${ISTIO_NAMESPACE}/${GATEWAY_NAME} exists and was not made by eastwest: ${mismatch.join('; ')}`,
					"change or delete it yourself, or pass --force to apply eastwest's Gateway over it",
				);
			}
		}
		const applied = await client.apply([manifest], this.applyOptions());
		const changed = applied.some(o => o.outcome !== 'unchanged');
		if (!changed) this.gatewayPresent.add(step.cluster);
		const dry = this.options.dryRun ? ' (dry run)' : '';
		return {result: changed ? ('changed' as const) : ('unchanged' as const), detail: `${summarizeApplied(applied)}${dry}`};
	}

	/** Ambient: wait until istiod has programmed the Gateway (condition Programmed, for the current generation). */
	private async waitProgrammed(step: Step, started: number) {
		if (this.dryRunSkip(step)) return {result: 'skipped' as const, detail: 'dry run: no Gateway was applied to wait for'};
		const client = this.client(step.context);
		const apiVersion =
			step.manifests[0]?.apiVersion ?? this.plan.steps.find(s => s.cluster === step.cluster && s.kind === 'apply-ambient-gateway')?.manifests[0]?.apiVersion;
		const detail = await this.watchUntil<string>(step, started, 'istiod to program the east-west Gateway', push => [
			client.watchObjects(apiVersion ?? 'gateway.networking.k8s.io/v1', 'Gateway', {namespace: ISTIO_NAMESPACE, name: GATEWAY_NAME}, u => {
				const err = u.connected ? undefined : u.error?.message;
				const state = gatewayProgrammed(u.items.find(g => (g.metadata as {name?: unknown} | undefined)?.name === GATEWAY_NAME));
				if (state.state === 'done') push({kind: 'done', value: state.detail}, err);
				else if (state.state === 'failed') push({kind: 'failed', message: state.message, ...(state.hint ? {hint: state.hint} : {})}, err);
				else push({kind: 'waiting', reason: state.reason, ...(state.hint ? {hint: state.hint} : {})}, err);
			}),
		]);
		return {result: this.waitResult(step), detail};
	}

	/** Ambient: label the plan's global services istio.io/global=true (server-side apply); a Service already global is left as it is. */
	private async labelGlobalServices(step: Step) {
		const client = this.client(step.context);
		const signal = this.options.signal;
		const labelled: string[] = [];
		const already: string[] = [];
		const absent: string[] = [];
		for (const ref of globalServiceRefs(step.services)) {
			const found = ref.name
				? [await client.getObject('v1', 'Service', ref.namespace, ref.name, signal)].filter((o): o is Record<string, unknown> => o !== undefined)
				: await client.listObjects('v1', 'Service', ref.namespace, undefined, signal);
			if (found.length === 0) absent.push(`${ref.namespace}/${ref.name ?? '*'}`);
			for (const svc of found) {
				const name = String((svc.metadata as {name?: unknown} | undefined)?.name ?? '');
				if (isGlobal(svc)) {
					already.push(`${ref.namespace}/${name}`);
					continue;
				}
				await client.apply([globalLabelManifest(ref.namespace, name, true)], {...this.applyOptions(), force: false});
				labelled.push(`${ref.namespace}/${name}`);
			}
		}
		const parts: string[] = [];
		if (labelled.length > 0) parts.push(`${this.options.dryRun ? 'dry run: would label' : 'labelled'} ${labelled.join(', ')}`);
		if (already.length > 0) parts.push(`already global: ${already.join(', ')}`);
		if (absent.length > 0) parts.push(`not in this cluster: ${absent.join(', ')}`);
		const result = labelled.length === 0 ? ('unchanged' as const) : this.options.dryRun ? ('skipped' as const) : ('changed' as const);
		return {result, detail: parts.join('; ') || 'no services named'};
	}

	private async expose(step: Step) {
		const applied = await this.client(step.context).apply(step.manifests, this.applyOptions());
		const changed = applied.some(o => o.outcome !== 'unchanged');
		const dry = this.options.dryRun ? ' (dry run)' : '';
		return {result: changed ? ('changed' as const) : ('unchanged' as const), detail: `${summarizeApplied(applied)}${dry}`};
	}

	private async annotateRemote(step: Step) {
		const primary = step.primary!;
		return this.setNamespaceKey(step, {field: 'annotation', name: CONTROL_PLANE_ANNOTATION, value: primary}, ns =>
			controlPlaneVerdict(ns, primary, this.keyOptions(step)),
		);
	}

	/** What the remote has of its wiring now. */
	private async readRemote(step: Step) {
		const client = this.client(step.context);
		const signal = this.options.signal;
		const svcName = remoteIstiodServiceName(this.revision);
		const [namespace, istiods, service, slices, webhook] = await Promise.all([
			client.getObject('v1', 'Namespace', undefined, ISTIO_NAMESPACE, signal),
			client.listObjects('apps/v1', 'Deployment', ISTIO_NAMESPACE, 'app=istiod', signal),
			client.getObject('v1', 'Service', ISTIO_NAMESPACE, svcName, signal),
			client.listObjects('discovery.k8s.io/v1', 'EndpointSlice', ISTIO_NAMESPACE, `kubernetes.io/service-name=${svcName}`, signal),
			client.getObject('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', undefined, injectorWebhookName(this.revision), signal),
		]);
		return remoteObserved({...(namespace ? {namespace} : {}), istiods, ...(service ? {service} : {}), slices, ...(webhook ? {webhook} : {})});
	}

	/** The primary's gateway address: what its wait-address step saw, or (dry runs) what its Service has now. */
	private async discoveryAddress(primary: string): Promise<GatewayAddress | undefined> {
		const seen = this.addresses.get(primary);
		if (seen) return seen;
		const svc = await this.client(this.spec(primary).context).getService(ISTIO_NAMESPACE, GATEWAY_NAME, this.options.signal);
		const state = svc ? serviceAddress(svc) : undefined;
		return state?.state === 'ready' ? state.address : undefined;
	}

	private async installRemote(step: Step, started: number) {
		const primary = step.primary!;
		const cluster = this.spec(step.cluster);
		const before = await this.readRemote(step);
		if (before.localIstiods.length > 0) {
			throw new StepFailure(
				`${cluster.name} runs its own istiod (${before.localIstiods.join(', ')}): it is a primary, and eastwest never installs a remote profile over a control plane`,
				`make ${cluster.name} a primary in the plan, or uninstall its control plane first`,
			);
		}
		const address = await this.discoveryAddress(primary);
		if (!address) {
			if (this.options.dryRun)
				return {result: 'skipped' as const, detail: `dry run: ${primary}'s gateway has no address yet, so the remote install cannot be rendered`};
			throw new StepFailure(
				`${primary}'s east-west gateway has no external address to point ${cluster.name} at`,
				`check Service ${ISTIO_NAMESPACE}/${GATEWAY_NAME} on ${primary}`,
			);
		}
		const expected = {cluster: cluster.name, network: cluster.network, primary, ...(this.revision ? {revision: this.revision} : {}), address};
		const reasons: Array<{text: string}> = installReasons(remoteReasons(before, expected));
		const caveat =
			address.kind === 'hostname'
				? `; ${primary}'s gateway address is a hostname (${address.value}): the remote's istiod Service becomes ExternalName, which Istio documents as unsupported for primary-remote (EKS); prefer an IP`
				: '';
		const params = this.componentParams(step, address.value);
		const {kept, stale} = await this.releaseInPlace(step, 'remote-control-plane', params);
		if (kept && reasons.length === 0) return {...kept, detail: `${kept.detail}; pointed at ${primary} (${address.value})${caveat}`};
		if (stale) reasons.push({text: stale});
		const anchorRef = installAnchor(REMOTE_OPERATOR_NAME, this.revision);
		const anchor = await this.client(step.context).getObject(anchorRef.apiVersion, anchorRef.kind, anchorRef.namespace, anchorRef.name, this.options.signal);
		const ours = madeByEastwest(anchor, REMOTE_OPERATOR_NAME);
		const foundInPlace = anchor !== undefined && !ours;
		if (reasons.length === 0 && !this.options.reinstall && !this.installer.keepsReleases) {
			if (ours) return {result: 'unchanged' as const, detail: `already installed by eastwest, pointed at ${primary} (${address.value})${caveat}`};
			return {
				result: 'unchanged' as const,
				detail: `found in place (installed before eastwest${installedBy(anchor)}), pointed at ${primary} (${address.value}): eastwest uses it as it is; remove leaves it${caveat}`,
			};
		}
		const manifest = renderRemoteControlPlane({
			cluster: cluster.name,
			network: cluster.network,
			meshId: this.plan.input.meshId,
			...(this.revision ? {revision: this.revision} : {}),
			discoveryAddress: address.value,
		});
		const waiter = new Waiter(this, step, started);
		const release = await this.istioctlSlot('install', waiter);
		waiter.set(`${this.installer.verb} (profile remote, remotePilotAddress ${address.value}) is running`);
		try {
			await this.installComponent(step, 'remote-control-plane', params, manifest);
		} finally {
			release();
			waiter.stop();
		}
		const why = reasons.length > 0 ? `before: ${reasons.map(r => r.text).join('; ')}` : 'reinstalled on request (--reinstall)';
		if (this.options.dryRun)
			return {result: 'skipped' as const, detail: `dry run: ${this.installer.verb} --dry-run passed, nothing installed; ${why}${caveat}`};
		// Truthful: the install is done only when the remote now points where the plan says.
		const left = installReasons(remoteReasons(await this.readRemote(step), expected));
		if (left.length > 0)
			throw new StepFailure(
				`${this.installer.verb} finished, but ${left.map(r => r.text).join('; ')}`,
				`run ${this.installer.verb} by hand with what eastwest manifests prints to see why`,
			);
		if (this.installer.keepsReleases) {
			return {
				result: 'changed' as const,
				detail: `installed with ${this.installer.kind} (eastwest's release label), pointed at ${primary} (${address.value}); ${why}${caveat}`,
			};
		}
		if (foundInPlace) {
			return {
				result: 'changed' as const,
				detail: `installed with istioctl over a remote profile found in place (installed before eastwest${installedBy(anchor)}), which stays the user's: remove leaves it; pointed at ${primary} (${address.value}); ${why}${caveat}`,
			};
		}
		await this.recordInstall(step, REMOTE_OPERATOR_NAME);
		return {result: 'changed' as const, detail: `installed with istioctl, pointed at ${primary} (${address.value}); ${why}${caveat}`};
	}

	/** One create-remote-secret per peer, whatever the number of clusters that read it. */
	private readonly secretOutputs = new Map<string, Promise<Sealed<string>>>();

	private secretOutput(step: Step, started: number): Promise<Sealed<string>> {
		const peer = this.spec(step.peer!);
		let output = this.secretOutputs.get(peer.name);
		if (!output) {
			const server = peer.apiServer;
			output = this.withSlot(step, started, 'create-remote-secret', () =>
				this.istioctl.createRemoteSecret({
					context: peer.context,
					...(this.factory.kubeconfigPath ? {kubeconfig: this.factory.kubeconfigPath} : {}),
					name: peer.name,
					...(server ? {server} : {}),
					...(this.options.dryRun ? {createServiceAccount: false} : {}),
					timeoutMs: this.options.timeoutMs,
					...(this.options.signal ? {signal: this.options.signal} : {}),
					onLine: line => this.emit({type: 'line', stepId: step.id, cluster: step.cluster, text: line}),
				}),
			);
			this.secretOutputs.set(peer.name, output);
		}
		return output;
	}

	/**
	 * The installer's install of one component for a step, under the run's deadline, dry run and signal; each
	 * output line goes out as the step's `line` event, and what it means to `onProgress`.
	 */
	private installComponent(
		step: Step,
		component: ComponentKind,
		params: ComponentParams,
		manifest: Manifest,
		onProgress?: (progress: IstioctlProgress | undefined) => void,
		installer: ComponentInstaller = this.installer,
	): Promise<void> {
		return installer.install({
			...this.target(step, component, params),
			manifest,
			readinessTimeoutMs: this.options.timeoutMs,
			dryRun: this.options.dryRun,
			...(this.options.signal ? {signal: this.options.signal} : {}),
			onLine: (line, progress) => {
				this.emit({type: 'line', stepId: step.id, cluster: step.cluster, text: line});
				onProgress?.(progress);
			},
		});
	}

	/** Run one istioctl call within the run's --parallel bound, saying what it waits for meanwhile. */
	private async withSlot<T>(step: Step, started: number, kind: string, call: () => Promise<T>): Promise<T> {
		const waiter = new Waiter(this, step, started);
		const release = await this.istioctlSlot(kind, waiter);
		waiter.set(`istioctl ${kind} is running`);
		try {
			return await call();
		} finally {
			release();
			waiter.stop();
		}
	}

	private async remoteSecret(step: Step, started: number) {
		const peer = this.spec(step.peer!);
		const name = remoteSecretName(peer.name);
		const client = this.client(step.context);
		const want = this.serverOf(peer.name);
		const existing = await client.getRemoteSecret(name, this.options.signal);
		let adopt = false;
		if (existing && !existing.managers.includes(FIELD_MANAGER)) {
			const have = existing.entries.find(e => e.cluster === peer.name)?.server;
			if (want && have === want) adopt = true;
			else if (!this.options.force) {
				throw new StepFailure(
					`${ISTIO_NAMESPACE}/${name} on ${step.cluster} was not created by eastwest and points at ${have ?? 'no server'}, not ${want ?? "the kubeconfig's server"}`,
					'delete it, or re-run with --force to replace it',
				);
			}
		}
		if (this.options.dryRun) {
			// create-remote-secret mints the reader's token Secret when it is missing, dry run or not: ask first.
			const token = await this.client(peer.context).getObject('v1', 'Secret', ISTIO_NAMESPACE, READER_TOKEN_SECRET, this.options.signal);
			if (!token) {
				return {
					result: 'skipped' as const,
					detail: `dry run: ${peer.name} has no reader token yet (Secret ${ISTIO_NAMESPACE}/${READER_TOKEN_SECRET}); a real run creates it for ${READER_SERVICE_ACCOUNT} there, then Secret ${ISTIO_NAMESPACE}/${name} here (istioctl create-remote-secret not run: it would create that token even in a dry run)`,
				};
			}
		}
		let output: Sealed<string>;
		try {
			output = await this.secretOutput(step, started);
		} catch (error) {
			const d = describeError(error);
			if (this.options.dryRun && !d.cancelled)
				return {
					result: 'skipped' as const,
					detail: `dry run: the reader token of ${peer.name} cannot be read without creating its service account (${d.message}); a real run creates it`,
				};
			throw error;
		}
		const applied = await client.applyRemoteSecret(output, {name}, {...this.applyOptions(), force: this.options.force || adopt});
		const dry = this.options.dryRun ? ' (dry run)' : '';
		const adopted = adopt ? ', adopted (it pointed at the same server)' : '';
		const base = `Secret ${ISTIO_NAMESPACE}/${name} ${applied.outcome}${adopted}${dry}`;
		const result = applied.outcome === 'unchanged' && !adopt ? ('unchanged' as const) : ('changed' as const);
		if (this.options.dryRun) return {result: 'skipped' as const, detail: `dry run: ${base}`};
		const verdict = await client.verifyRemoteSecret(name, peer.name, {
			timeoutMs: Math.min(this.options.timeoutMs, 15_000),
			...(this.options.signal ? {signal: this.options.signal} : {}),
		});
		if (verdict.kind === 'ok') return {result, detail: `${base}; ${step.cluster}'s istiod can read ${peer.name} (${want ?? 'its API server'})`};
		if (verdict.kind === 'unreachable' || verdict.kind === 'timeout')
			return {result, detail: `${base}; could not check its credentials from this machine: ${verdict.message}`};
		throw new StepFailure(verdict.message, verdict.hint);
	}

	/**
	 * plug-ca: Secret istio-system/cacerts with a new intermediate from the run's root (server-side apply,
	 * istio-system created when absent). One holding the same root is left as it is; another root is refused
	 * unless --force. istiod reads cacerts only when it starts: restarted on request, otherwise the detail says so.
	 */
	private async plugCa(step: Step, started: number) {
		const ca = this.options.ca;
		if (!ca) throw new StepFailure('the plan plugs in a CA but the run was given no root', 'pass --ca DIR (the directory of root-cert.pem and root-key.pem)');
		const client = this.client(step.context);
		const signal = this.options.signal;
		const existing = await client.getObject('v1', 'Secret', ISTIO_NAMESPACE, CACERTS_SECRET, signal);
		const data = asStrings((existing as {data?: unknown} | undefined)?.data);
		const held = data['root-cert.pem'] === undefined ? undefined : Buffer.from(data['root-cert.pem'], 'base64').toString('utf8');
		const complete = CACERTS_FILES.every(f => data[f] !== undefined);
		if (existing && held !== undefined && ca.isRoot(held) && complete) {
			return {result: 'unchanged' as const, detail: `cacerts already holds an intermediate of ${ca.root}`};
		}
		if (existing && !this.options.force) {
			const holds = held === undefined ? 'no root-cert.pem' : `root ${ca.describe(held)}`;
			throw new StepFailure(
				`Secret ${ISTIO_NAMESPACE}/${CACERTS_SECRET} on ${step.cluster} holds ${holds}, but the plan plugs in root ${ca.root}`,
				'pass --force to replace it (workloads keep certificates of the old root until they restart), or use the root it holds (--ca)',
			);
		}
		const dry = this.options.dryRun ? ' (dry run)' : '';
		const namespace = await client.getObject('v1', 'Namespace', undefined, ISTIO_NAMESPACE, signal);
		if (!namespace) {
			if (this.options.dryRun) return {result: 'skipped' as const, detail: `dry run: ${ISTIO_NAMESPACE} does not exist yet; the run creates it and cacerts`};
			await client.apply([{apiVersion: 'v1', kind: 'Namespace', metadata: {name: ISTIO_NAMESPACE}}], this.applyOptions());
		}
		const bundle = await ca.issue(step.cluster);
		const applied = await client.apply([cacertsManifest(bundle)], this.applyOptions());
		const replaced = existing ? `replaced cacerts (it held ${held === undefined ? 'no root-cert.pem' : ca.describe(held)}; --force)` : 'created cacerts';
		const what = `${replaced} with an intermediate for ${step.cluster} from ${ca.root}${!namespace ? `; created ${ISTIO_NAMESPACE}` : ''}${dry}`;
		const istiods = (await client.listObjects('apps/v1', 'Deployment', ISTIO_NAMESPACE, 'app=istiod', signal))
			.map(d => String((d.metadata as {name?: unknown} | undefined)?.name ?? ''))
			.filter(Boolean);
		const changed = applied.some(o => o.outcome !== 'unchanged');
		if (istiods.length === 0) return {result: changed ? ('changed' as const) : ('unchanged' as const), detail: `${what}; istiod reads it when it starts`};
		if (!this.options.restartIstiod || this.options.dryRun) {
			return {
				result: changed ? ('changed' as const) : ('unchanged' as const),
				detail: `${what}; ${istiods.join(', ')} keep${istiods.length === 1 ? 's' : ''} the old CA until restarted (--restart-istiod, or kubectl rollout restart deployment -n ${ISTIO_NAMESPACE} ${istiods.join(' ')}); workloads keep their certificates until they restart`,
			};
		}
		for (const name of istiods) await this.restartDeployment(step, started, client, name);
		return {result: 'changed' as const, detail: `${what}; restarted ${istiods.join(', ')}; workloads keep their certificates until they restart`};
	}

	/** As `kubectl rollout restart`: a new pod-template annotation, then wait for the rollout under the run's deadline. */
	private async restartDeployment(step: Step, started: number, client: ClusterClient, name: string): Promise<void> {
		await client.restartDeployment(ISTIO_NAMESPACE, name, new Date(this.clock.now()).toISOString(), this.applyOptions());
		await this.watchUntil<string>(step, started, `${name} to restart with the new CA`, push => [
			client.watchDeployments({namespace: ISTIO_NAMESPACE, name}, u => {
				const deployment = u.items.find(d => d.metadata?.name === name);
				const err = u.connected ? undefined : u.error?.message;
				if (!deployment)
					return push({kind: 'waiting', reason: u.connected ? `Deployment ${ISTIO_NAMESPACE}/${name} is gone` : `reading Deployment ${name}`}, err);
				const state = rolloutStatus(deployment);
				if (state.state === 'done') return push({kind: 'done', value: state.message}, err);
				if (state.state === 'failed')
					return push({kind: 'failed', message: state.message, hint: `see kubectl rollout status deployment/${name} -n ${ISTIO_NAMESPACE}`}, err);
				push({kind: 'waiting', reason: state.message}, err);
			}),
		]);
	}

	/**
	 * Wait on watches until evaluate says done/failed, the deadline passes or the run is cancelled.
	 * `push(evaluation, watchError)` is called by the watch callbacks on every update.
	 */
	private watchUntil<R>(
		step: Step,
		started: number,
		what: string,
		setup: (push: (e: Evaluation<R>, watchError?: string) => void) => WatchHandle[],
	): Promise<R> {
		const signal = this.options.signal;
		return new Promise<R>((resolve, reject) => {
			const waiter = new Waiter(this, step, started);
			let handles: WatchHandle[] = [];
			let settled = false;
			let lastHint: string | undefined;
			const finish = (fn: () => void) => {
				if (settled) return;
				settled = true;
				cancelDeadline();
				signal?.removeEventListener('abort', onAbort);
				waiter.stop();
				for (const h of handles) h.stop();
				fn();
			};
			const onAbort = () => finish(() => reject(new Cancelled()));
			const cancelDeadline = this.clock.after(this.options.timeoutMs, () =>
				finish(() =>
					reject(
						new StepFailure(
							`gave up after ${formatElapsed(this.options.timeoutMs)} waiting for ${what}: ${waiter.reason ?? 'no update'}`,
							lastHint ?? 'raise --timeout if the cluster is just slow',
						),
					),
				),
			);
			if (signal?.aborted) return onAbort();
			signal?.addEventListener('abort', onAbort, {once: true});
			waiter.set(`waiting for ${what}`);
			const push = (e: Evaluation<R>, watchError?: string) => {
				if (settled) return;
				if (e.kind === 'done') return finish(() => resolve(e.value));
				if (e.kind === 'failed') return finish(() => reject(new StepFailure(e.message, e.hint)));
				lastHint = e.hint;
				waiter.set(watchError ? `${e.reason} (watch reconnecting: ${watchError})` : e.reason);
			};
			try {
				handles = setup(push);
				if (settled) for (const h of handles) h.stop();
			} catch (error) {
				finish(() => reject(error));
			}
		});
	}

	/** For Waiter. */
	emitWaiting(step: Step, elapsedMs: number, reason: string): void {
		this.emit({type: 'waiting', stepId: step.id, cluster: step.cluster, elapsedMs, reason});
	}
}

/** Emits `waiting` on every change of reason and every WAITING_INTERVAL_MS while the reason holds. */
class Waiter {
	reason: string | undefined;
	private cancelTimer: (() => void) | undefined;
	/** A reason read again on every tick (e.g. a place in the istioctl queue), until unfollow. */
	private followed: (() => string) | undefined;

	constructor(
		private readonly run: Run,
		private readonly step: Step,
		private readonly started: number,
	) {}

	set(reason: string): void {
		if (reason === this.reason) return;
		this.reason = reason;
		this.tick();
		this.cancelTimer?.();
		this.cancelTimer = this.run.clock.every(WAITING_INTERVAL_MS, () => this.tick());
	}

	follow(reason: () => string): void {
		this.followed = reason;
		this.set(reason());
	}

	unfollow(): void {
		this.followed = undefined;
	}

	private tick(): void {
		if (this.followed) this.reason = this.followed();
		if (this.reason !== undefined) this.run.emitWaiting(this.step, this.run.clock.now() - this.started, this.reason);
	}

	stop(): void {
		this.cancelTimer?.();
		this.cancelTimer = undefined;
	}
}

const CACERTS_FILES = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'] as const;

function asStrings(value: unknown): Record<string, string> {
	if (typeof value !== 'object' || value === null) return {};
	return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Secret istio-system/cacerts as Istio's plug-in CA reads it. Built at run time only: never part of the plan. */
function cacertsManifest(bundle: CaBundle) {
	const data = Object.fromEntries(CACERTS_FILES.map(f => [f, Buffer.from(bundle[f]).toString('base64')]));
	return {apiVersion: 'v1', kind: 'Secret', metadata: {name: CACERTS_SECRET, namespace: ISTIO_NAMESPACE}, type: 'Opaque', data};
}
