/**
 * Runs a teardown plan (core/teardown.ts): removals in dependency order, independent clusters in
 * parallel, the same Event stream as a plan run, every step under one deadline, cancellation through an
 * AbortSignal. Removes only what the ownership rules allow, through the ClusterClient port; everything it
 * finds and leaves is reported with its reason.
 */
import {formatElapsed, type StepResult} from '../core/events.js';
import {GATEWAY_OPERATOR_NAME, ISTIO_NAMESPACE, normalRevision} from '../core/model.js';
import type {Clock, ClusterClient, ClusterClientFactory, ComponentInstaller, ComponentKind, DeleteTarget, RemoveOptions} from '../core/ports.js';
import {REMOTE_OPERATOR_NAME} from '../core/remote.js';
import {
	INSTALLED_KINDS,
	appliedVerdict,
	describeRef,
	installedStateName,
	installedVerdict,
	ownerSelector,
	type LeftItem,
	type RemoveRunOptions,
	type RunRemovePlan,
	type ObjectRef,
	installRecordVerdict,
	type TeardownOutcome,
	type TeardownPlan,
	type TeardownStep,
} from '../core/teardown.js';
import {announce, clientCache, StepFailure, systemClock, walkOutcome, walkSteps} from './steps.js';
import {namespaceKeyVerdict} from '../core/namespace-key.js';
import {GLOBAL_SERVICE_LABEL, ambientGatewayRemoval, globalLabelManifest, globalLabelOwned, globalServiceRefs, isGlobal} from '../core/ambient.js';

/**
 * A removal's ports; `clock` is the machine's unless another is handed in (tests). With an `installer` that
 * keeps releases (Helm), an install step uninstalls the component's releases that carry eastwest's
 * release label, and leaves a release of the same name that does not.
 */
export function createRemovePlan(deps: {factory: ClusterClientFactory; clock?: Clock; installer?: ComponentInstaller}): RunRemovePlan {
	return (plan, options) => new Removal(plan, options, deps.factory, deps.clock ?? systemClock, deps.installer).execute();
}

/** The component an install step's IstioOperator name stands for. */
const COMPONENT_OF: Record<string, ComponentKind> = {[GATEWAY_OPERATOR_NAME]: 'eastwest-gateway', [REMOTE_OPERATOR_NAME]: 'remote-control-plane'};

class StepTimeout extends Error {}

/** What one step did to what it found. */
class Tally {
	readonly removed: string[] = [];
	readonly left: string[] = [];
	gone = 0;
	/** Said after "already gone" (what stays by design). */
	note: string | undefined;

	result(dryRun: boolean): {result: StepResult; detail: string} {
		const parts: string[] = [];
		if (this.removed.length > 0) parts.push(`${dryRun ? 'would remove' : 'removed'} ${this.removed.join(', ')}`);
		if (this.left.length > 0) parts.push(`left: ${this.left.join('; ')}`);
		if (this.removed.length === 0 && this.left.length === 0) parts.push(this.note ? `already gone (${this.note})` : 'already gone');
		else if (this.removed.length === 0) parts.push("nothing of eastwest's to remove");
		const detail = `${dryRun && this.removed.length > 0 ? 'dry run: ' : ''}${parts.join('; ')}`;
		if (this.removed.length > 0) return {result: dryRun ? 'skipped' : 'changed', detail};
		return {result: this.left.length > 0 ? 'skipped' : 'unchanged', detail};
	}
}

class Removal {
	private readonly left: LeftItem[] = [];

	constructor(
		private readonly plan: TeardownPlan,
		private readonly options: RemoveRunOptions,
		private readonly factory: ClusterClientFactory,
		private readonly clock: Clock,
		private readonly installer?: ComponentInstaller,
	) {}

	private clientFor: ((context: string) => ClusterClient) | undefined;

	private client(context: string): ClusterClient {
		this.clientFor ??= clientCache(this.factory);
		return this.clientFor(context);
	}

	async execute(): Promise<TeardownOutcome> {
		const {signal, onEvent} = this.options;
		const records = await walkSteps(this.plan.steps, {signal, onEvent, clock: this.clock, perform: step => this.withDeadline(step)});
		return announce(onEvent, {...walkOutcome(this.plan, records, signal), left: this.left});
	}

	/** One deadline for the step's requests, on top of the caller's signal; passing it fails the step saying so. */
	private async withDeadline(step: TeardownStep): Promise<{result: StepResult; detail: string}> {
		const deadline = new AbortController();
		const cancelTimer = this.clock.after(this.options.timeoutMs, () => deadline.abort(new StepTimeout()));
		const signal = this.options.signal ? AbortSignal.any([this.options.signal, deadline.signal]) : deadline.signal;
		try {
			return await this.perform(step, {dryRun: this.options.dryRun, signal});
		} catch (error) {
			if (deadline.signal.aborted && !this.options.signal?.aborted) {
				throw new StepFailure(
					`gave up after ${formatElapsed(this.options.timeoutMs)}: the API server of ${step.context} did not answer in time`,
					'raise --timeout if the cluster is just slow',
				);
			}
			throw error;
		} finally {
			cancelTimer();
		}
	}

	private perform(step: TeardownStep, opts: RemoveOptions): Promise<{result: StepResult; detail: string}> {
		if (step.kind === 'remove-ambient-gateway') return this.removeAmbientGateway(step, opts);
		if (step.kind === 'unlabel-global-services') return this.unlabelGlobalServices(step, opts);
		if (step.key) return this.removeKey(step, opts);
		if (step.owner) return this.removeInstalled(step, opts);
		return this.removeApplied(step, opts);
	}

	private leave(step: TeardownStep, tally: Tally, reason: string): void {
		tally.left.push(reason);
		this.left.push({cluster: step.cluster, context: step.context, stepId: step.id, reason});
	}

	/** Delete one object the verdict allows, counting what happened. */
	private async deleteOne(step: TeardownStep, tally: Tally, target: DeleteTarget, opts: RemoveOptions): Promise<void> {
		const what = describeRef(target);
		const outcome = await this.client(step.context).deleteObject(target, opts);
		if (outcome === 'deleted') tally.removed.push(what);
		else if (outcome === 'not-found') tally.gone += 1;
		else this.leave(step, tally, `${what} was replaced while eastwest read it; run remove again to judge the new one`);
	}

	/** Expose resources, remote secrets, cacerts: server-side applied by eastwest. */
	private async removeApplied(step: TeardownStep, opts: RemoveOptions) {
		const client = this.client(step.context);
		const tally = new Tally();
		for (const ref of step.objects ?? []) {
			const obj = await readOptional(() => client.getObject(ref.apiVersion, ref.kind, ref.namespace, ref.name, opts.signal));
			const verdict = appliedVerdict(obj, ref);
			if (verdict.action === 'gone') tally.gone += 1;
			else if (verdict.action === 'leave') this.leave(step, tally, verdict.reason);
			else await this.deleteOne(step, tally, withUid(ref, obj), opts);
		}
		return tally.result(opts.dryRun);
	}

	/**
	 * The component's release, when the installer keeps one: uninstalled when eastwest made it, left otherwise.
	 * Undefined when there is no release (the install is judged by its objects).
	 */
	private async removeRelease(step: TeardownStep, opts: RemoveOptions): Promise<{result: StepResult; detail: string} | undefined> {
		const installer = this.installer;
		const component = COMPONENT_OF[step.owner ?? ''];
		if (!installer?.keepsReleases || !installer.uninstall || !component) return undefined;
		const spec = this.plan.clusters.find(c => c.cluster.name === step.cluster)?.cluster;
		const revision = normalRevision(this.plan.input.revision);
		const target = {
			component,
			context: step.context,
			...(this.factory.kubeconfigPath ? {kubeconfig: this.factory.kubeconfigPath} : {}),
			params: {cluster: step.cluster, network: spec?.network ?? '', meshId: this.plan.input.meshId, ...(revision ? {revision} : {})},
			...(opts.signal ? {signal: opts.signal} : {}),
		};
		const release = await installer.inspect(target);
		if (!release) return undefined;
		const tally = new Tally();
		const what = `${installer.kind} release ${release.namespace}/${release.name}`;
		if (!release.ours) {
			this.leave(step, tally, `${what} was not installed by eastwest (it lacks eastwest's release label), so eastwest leaves it`);
			return tally.result(opts.dryRun);
		}
		const outcome = await installer.uninstall(target, {dryRun: opts.dryRun, timeoutMs: this.options.timeoutMs});
		if (outcome === 'uninstalled') tally.removed.push(what);
		else tally.gone += 1;
		return tally.result(opts.dryRun);
	}

	/** The ambient Gateway eastwest applied (istiod's status writes aside); its generated objects follow by owner reference. */
	private async removeAmbientGateway(step: TeardownStep, opts: RemoveOptions) {
		const client = this.client(step.context);
		const tally = new Tally();
		for (const ref of step.objects ?? []) {
			const obj = await readOptional(() => client.getObject(ref.apiVersion, ref.kind, ref.namespace, ref.name, opts.signal));
			const verdict = ambientGatewayRemoval(obj);
			if (verdict.action === 'gone') tally.gone += 1;
			else if (verdict.action === 'leave') this.leave(step, tally, verdict.reason);
			else await this.deleteOne(step, tally, withUid(ref, obj), opts);
		}
		return tally.result(opts.dryRun);
	}

	/** Give up eastwest's istio.io/global label on the plan's services (a label someone else also holds stays). */
	private async unlabelGlobalServices(step: TeardownStep, opts: RemoveOptions) {
		const client = this.client(step.context);
		const tally = new Tally();
		for (const ref of globalServiceRefs(step.services)) {
			const found = ref.name
				? [await client.getObject('v1', 'Service', ref.namespace, ref.name, opts.signal)].filter((o): o is Record<string, unknown> => o !== undefined)
				: await client.listObjects('v1', 'Service', ref.namespace, undefined, opts.signal);
			for (const svc of found) {
				const name = String((svc.metadata as {name?: unknown} | undefined)?.name ?? '');
				const what = `label ${GLOBAL_SERVICE_LABEL} on Service ${ref.namespace}/${name}`;
				if (!isGlobal(svc)) continue;
				if (!globalLabelOwned(svc)) {
					if (ref.name) this.leave(step, tally, `${what} was not set by eastwest`);
					continue;
				}
				await client.apply([globalLabelManifest(ref.namespace, name, false)], {
					dryRun: opts.dryRun,
					force: false,
					...(opts.signal ? {signal: opts.signal} : {}),
				});
				tally.removed.push(what);
			}
		}
		return tally.result(opts.dryRun);
	}

	/** Everything istioctl installed for one of eastwest's IstioOperators, found by its owning-resource label. */
	private async removeInstalled(step: TeardownStep, opts: RemoveOptions) {
		const released = await this.removeRelease(step, opts);
		if (released) return released;
		const client = this.client(step.context);
		const owner = step.owner!;
		const found: Array<Record<string, unknown>> = [];
		for (const k of INSTALLED_KINDS) {
			const items = await readOptional(() =>
				client.listObjects(k.apiVersion, k.kind, k.namespaced ? ISTIO_NAMESPACE : undefined, ownerSelector(owner), opts.signal),
			);
			for (const item of items ?? []) found.push({apiVersion: k.apiVersion, kind: k.kind, ...item});
		}
		const tally = new Tally();
		// Only an install eastwest made (its anchor carries eastwest's record) is removed; one found in place stays whole.
		const anchorRef = step.anchor;
		const anchor = anchorRef
			? await readOptional(() => client.getObject(anchorRef.apiVersion, anchorRef.kind, anchorRef.namespace, anchorRef.name, opts.signal))
			: undefined;
		const record = anchorRef ? installRecordVerdict(anchor, anchorRef, owner) : ({action: 'remove'} as const);
		if (record.action === 'leave') {
			if (found.length > 0 || anchor) this.leave(step, tally, record.reason);
			return tally.result(opts.dryRun);
		}
		// The anchor goes last, so that an interrupted removal can be finished by running it again.
		const isAnchor = (obj: Record<string, unknown>) =>
			anchorRef !== undefined && obj.kind === anchorRef.kind && (obj.metadata as {name?: unknown} | undefined)?.name === anchorRef.name;
		found.sort((a, b) => Number(isAnchor(a)) - Number(isAnchor(b)));
		const kept: string[] = [];
		for (const obj of found) {
			const verdict = record.action === 'gone' ? goneAnchorVerdict(installedVerdict(obj, owner), obj, anchorRef!) : installedVerdict(obj, owner);
			const meta = (obj.metadata ?? {}) as {name?: string; namespace?: string; uid?: string};
			const ref: ObjectRef = {
				apiVersion: String(obj.apiVersion),
				kind: String(obj.kind),
				...(meta.namespace ? {namespace: meta.namespace} : {}),
				name: String(meta.name),
			};
			if (verdict.action === 'leave' && verdict.kept) kept.push(verdict.reason);
			else if (verdict.action === 'leave') this.leave(step, tally, verdict.reason);
			else if (verdict.action === 'remove') await this.deleteOne(step, tally, {...ref, ...(meta.uid ? {uid: meta.uid} : {})}, opts);
		}
		// istioctl releases before 1.24 also keep the install's state as an IstioOperator named after it.
		const state = {apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', namespace: ISTIO_NAMESPACE, name: installedStateName(owner)};
		const stored = await readOptional(() => client.getObject(state.apiVersion, state.kind, state.namespace, state.name, opts.signal));
		if (stored) await this.deleteOne(step, tally, withUid(state, stored), opts);
		// What stays by design is reported with the removal it belongs to; once the install is gone, only counted.
		if (tally.removed.length > 0 || tally.left.length > 0) for (const reason of kept) this.leave(step, tally, reason);
		else if (kept.length > 0) tally.note = `${kept.length} Base object${kept.length === 1 ? '' : 's'} of ${owner} kept by design`;
		return tally.result(opts.dryRun);
	}

	/** The network label or the controlPlaneClusters annotation on istio-system. */
	private async removeKey(step: TeardownStep, opts: RemoveOptions) {
		const client = this.client(step.context);
		const key = step.key!;
		const tally = new Tally();
		const namespace = await client.getObject('v1', 'Namespace', undefined, ISTIO_NAMESPACE, opts.signal);
		const verdict = namespaceKeyVerdict(namespace, key);
		const what = `${key.field} ${key.name}=${key.value}`;
		if (verdict.action === 'gone') tally.gone += 1;
		else if (verdict.action === 'leave') this.leave(step, tally, verdict.reason);
		else {
			const resourceVersion = (namespace?.metadata as {resourceVersion?: unknown} | undefined)?.resourceVersion;
			const write = {field: key.field, name: key.name, value: null, ...(typeof resourceVersion === 'string' ? {resourceVersion} : {})};
			const outcome = await client.writeNamespaceKey(write, opts);
			if (outcome === 'written') tally.removed.push(what);
			else if (outcome === 'not-found') tally.gone += 1;
			else this.leave(step, tally, `${ISTIO_NAMESPACE} ${key.field} ${key.name} changed while eastwest read it; run remove again to judge it`);
		}
		return tally.result(opts.dryRun);
	}
}

/** With the anchor gone, nothing proves eastwest made what is left of an install: what would go stays. */
function goneAnchorVerdict(verdict: ReturnType<typeof installedVerdict>, obj: Record<string, unknown>, anchor: ObjectRef): ReturnType<typeof installedVerdict> {
	if (verdict.action !== 'remove') return verdict;
	const meta = (obj.metadata ?? {}) as {name?: string; namespace?: string};
	const what = describeRef({
		apiVersion: String(obj.apiVersion),
		kind: String(obj.kind),
		...(meta.namespace ? {namespace: meta.namespace} : {}),
		name: String(meta.name),
	});
	return {
		action: 'leave',
		reason: `${what} is left: ${describeRef(anchor)}, which records who made the install, is gone, so eastwest cannot tell it made this`,
	};
}

function withUid(ref: ObjectRef, obj: Record<string, unknown> | undefined): DeleteTarget {
	const uid = (obj?.metadata as {uid?: unknown} | undefined)?.uid;
	return {...ref, ...(typeof uid === 'string' && uid ? {uid} : {})};
}

/** A read whose kind the cluster may not serve (no EnvoyFilter or IstioOperator CRD): undefined then. */
async function readOptional<T>(read: () => Promise<T>): Promise<T | undefined> {
	try {
		return await read();
	} catch (error) {
		const info = (error as {info?: {kind?: unknown; httpStatus?: unknown}}).info;
		if (info?.kind === 'not-found' || info?.httpStatus === 404) return undefined;
		throw error;
	}
}
