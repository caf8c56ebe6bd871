/**
 * The wizard's real services: the kubeconfig and probes through source/kube, runs through the engine with
 * istioctl, profiles through the store. Loaded lazily, after the wizard's first frame.
 */
import {collectClusterFacts} from '../checks/collect.js';
import type {ClusterClientFactory, KubeconfigSource} from '../core/ports.js';
import {createRunPlan} from '../engine/index.js';
import {createRemovePlan} from '../engine/remove.js';
import {locateIstioctl} from '../istioctl/index.js';
import {createClusterClientFactory, kubeconfigSearchOrder} from '../kube/index.js';
import {ProfileStore, ProfileStoreError, profilePlan} from '../store/profiles.js';
import type {WizardServices} from '../ui/services.js';
import {firstLine} from '../core/text.js';
import {trustOf} from '../core/trust.js';
import type * as CaModule from '../ca/index.js';

/** The CA layer's error as one line (what is wrong; what to do), loaded with the certificate library. */
async function caCall<T>(fn: (ca: typeof CaModule) => Promise<T>): Promise<T> {
	const ca = await import('../ca/index.js');
	try {
		return await fn(ca);
	} catch (error) {
		if (error instanceof ca.CaError) throw new Error(`${error.message}${error.hint ? `; ${error.hint}` : ''}`);
		throw error;
	}
}

export interface ServiceFlags {
	kubeconfig?: string;
	istioctl?: string;
	env: NodeJS.ProcessEnv;
	/** Profile store directory (tests). */
	profilesDir?: string;
	/** Deadline for every wait of a run (ms). */
	timeoutMs?: number;
}

export async function createWizardServices(flags: ServiceFlags): Promise<WizardServices> {
	const source: KubeconfigSource = {env: flags.env, ...(flags.kubeconfig ? {kubeconfig: flags.kubeconfig} : {})};
	let factory: ClusterClientFactory | undefined;
	const needFactory = () => {
		factory ??= createClusterClientFactory(source);
		return factory;
	};
	const store = () => new ProfileStore(flags.profilesDir ? {cwd: flags.profilesDir} : {});
	return {
		kubeconfigSearched: kubeconfigSearchOrder(source).files,
		...(flags.timeoutMs ? {runTimeoutMs: flags.timeoutMs} : {}),
		loadKubeconfig: () => needFactory().kubeconfig,
		probe: (context, signal) => needFactory().client(context).probe({signal}),
		collectFacts: ({plan, cluster, phase, signal}) => collectClusterFacts(needFactory(), {plan, cluster, phase, signal}),
		runPlan: async (plan, options) => {
			const istioctl = await locateIstioctl({...(flags.istioctl ? {path: flags.istioctl} : {}), env: flags.env});
			// A plan that plugs in a CA (a profile saved with --ca) gets its root, read when the run starts.
			const ca = plan.input.caDir !== undefined && !options.ca ? await (await import('./ca.js')).openCaDir(plan.input.caDir) : undefined;
			return createRunPlan({factory: needFactory(), istioctl})(plan, ca ? {...options, ca} : options);
		},
		preflight: async signal => {
			try {
				const istioctl = await locateIstioctl({...(flags.istioctl ? {path: flags.istioctl} : {}), env: flags.env});
				const version = await istioctl.clientVersion(signal);
				return {ready: true, message: `istioctl ${version} (${istioctl.path})`};
			} catch (error) {
				return {ready: false, message: firstLine(error)};
			}
		},
		readTrust: async ({plan, cluster, signal}) => trustOf(cluster.name, await collectClusterFacts(needFactory(), {plan, cluster, phase: 'preflight', signal})),
		createRoot: dir => caCall(async ca => ({root: (await ca.createRootDir(dir)).description})),
		openRoot: dir => caCall(async ca => ({root: (await ca.openRootDir(dir)).root})),
		recordRun: async (name, result) => {
			await store().recordApplied(name, result);
		},
		listProfiles: async () =>
			store()
				.list()
				.map(({name, profile}) => ({
					name,
					input: profilePlan(profile),
					...(profile.lastApplied ? {lastApplied: profile.lastApplied} : {}),
					...(profile.lastRemoved ? {lastRemoved: profile.lastRemoved} : {}),
				})),
		// Removal goes through the kube layer only: no istioctl needed.
		removePlan: (plan, options) => createRemovePlan({factory: needFactory()})(plan, options),
		recordRemove: async (name, result) => {
			await store().recordRemoved(name, result);
		},
		saveProfile: async (name, input) => {
			try {
				await store().save(name, input);
			} catch (error) {
				if (error instanceof ProfileStoreError && error.kind === 'exists') {
					throw new Error(`profile "${name}" already exists; pick another name, or remove it first with eastwest profiles delete ${name}`);
				}
				throw error;
			}
		},
	};
}
