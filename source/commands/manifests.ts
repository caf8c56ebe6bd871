import {renderManifestSet} from '../core/manifests.js';
import {renderAmbientEastWestGateway} from '../core/ambient.js';
import {buildPlan, clusterManifests} from '../core/plan.js';
import {readControlPlaneFiles} from './control-plane-files.js';
import {dns1123LabelProblem} from '../core/validate.js';
import {toYaml} from '../core/yaml.js';
import {choiceOf, globalFlags, parseFlags, parserOptions} from './args.js';
import {COMMAND_SPECS} from './spec.js';
import {DISCOVERY_ADDRESS_PLACEHOLDER, remoteSecretName} from '../core/remote.js';
import {GATEWAY_NAME, ISTIO_NAMESPACE} from '../core/model.js';
import {serviceAddress} from '../core/rollout.js';
import {firstLine} from '../core/text.js';
import type {ClusterSpec} from '../core/model.js';
import type {Manifest} from '../core/manifests.js';
import {EXIT, UsageError} from '../core/exit-codes.js';
import {loadSavedPlan} from './saved-plan.js';
import type {CommandContext} from '../core/command-context.js';

const SPEC = COMMAND_SPECS.manifests;

/** The flags of `eastwest manifests` (besides the global ones). */
export const FLAGS = parserOptions(SPEC.flags);

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	const {values} = parseFlags('manifests', args, FLAGS);
	if (values.profile !== undefined) return profileManifests(values, ctx, globalFlags(values).kubeconfig);
	if (values.network === undefined) {
		throw new UsageError(
			'--network is required: the network ID the gateway serves, e.g. --network network1 (or --profile NAME for every cluster of a saved plan)',
		);
	}
	const networkProblem = dns1123LabelProblem(values.network, 'network');
	if (networkProblem) throw new UsageError(networkProblem);
	if (values.revision) {
		const revisionProblem = dns1123LabelProblem(values.revision, 'revision');
		if (revisionProblem) throw new UsageError(revisionProblem);
	}
	const expose = choiceOf('expose', SPEC.flags.expose, values.expose);
	const apiVersion = choiceOf('api-version', SPEC.flags['api-version'], values['api-version']);
	if (values.dataplane === 'ambient') {
		if (expose !== 'none') {
			throw new UsageError(
				'--expose does not apply to ambient: services are shared by the label istio.io/global=true and istiod is not exposed; drop --expose',
			);
		}
		ctx.stdout.write(toYaml([renderAmbientEastWestGateway({network: values.network, revision: values.revision, apiVersion})]));
		return EXIT.ok;
	}
	const set = renderManifestSet({network: values.network, revision: values.revision, expose, apiVersion});
	ctx.stdout.write(toYaml([set.gateway, ...set.expose]));
	return EXIT.ok;
}

/** How long `manifests --profile` waits for the primary's gateway address before printing the placeholder. */
const DISCOVERY_READ_TIMEOUT_MS = 5000;

/** The primary's gateway address as its API server reports it now, or why it is not known. */
async function liveDiscoveryAddress(primary: ClusterSpec, kubeconfig: string | undefined, ctx: CommandContext): Promise<{address: string} | {why: string}> {
	try {
		const kube = await import('../kube/index.js');
		const factory = kube.createClusterClientFactory({...(kubeconfig ? {kubeconfig} : {}), env: ctx.env});
		const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(DISCOVERY_READ_TIMEOUT_MS)]);
		const svc = await factory.client(primary.context).getService(ISTIO_NAMESPACE, GATEWAY_NAME, signal);
		if (!svc) return {why: `${primary.name} has no east-west gateway yet`};
		const state = serviceAddress(svc);
		return state.state === 'ready' ? {address: state.address.value} : {why: `${primary.name}'s gateway has no external address yet`};
	} catch (error) {
		const e = error as {info?: {message?: unknown}; message?: unknown};
		return {why: `${primary.name} could not be read (${firstLine(String(e.info?.message ?? e.message ?? error))})`};
	}
}

/**
 * Every cluster's manifests of a saved profile, each cluster's documents under a comment naming it. A
 * remote's control-plane IstioOperator carries the primary's live gateway address when it can be read,
 * else a marked placeholder; remote secrets are named (they are made at run time and hold a token).
 */
async function profileManifests(
	values: {profile?: string; network?: string; revision?: string; expose?: string; 'api-version'?: string; dataplane?: string},
	ctx: CommandContext,
	kubeconfig: string | undefined,
): Promise<number> {
	if (values.network !== undefined || values.revision !== undefined || values.expose !== undefined) {
		throw new UsageError('--profile takes the network, revision and what to expose from the profile; drop --network, --revision and --expose');
	}
	if (values.dataplane !== undefined) throw new UsageError('--profile takes the data plane from the profile; drop --dataplane');
	const apiVersion = choiceOf('api-version', SPEC.flags['api-version'], values['api-version']);
	const input = await loadSavedPlan(values.profile!);
	const plan = buildPlan(input, {apiVersion, gatewayApiVersion: apiVersion, controlPlaneFiles: await readControlPlaneFiles(input)});
	const primary = input.clusters.find(c => c.role === 'primary');
	const needsAddress = plan.steps.some(s => s.kind === 'install-remote');
	const live = needsAddress && primary ? await liveDiscoveryAddress(primary, kubeconfig, ctx) : undefined;
	const parts = plan.clusters.map(({cluster}) => {
		const notes: string[] = [];
		const docs = clusterManifests(plan, cluster.name).map((doc): Manifest => {
			const global = (doc.spec as {values?: {global?: {remotePilotAddress?: string}}} | undefined)?.values?.global;
			if (global?.remotePilotAddress !== DISCOVERY_ADDRESS_PLACEHOLDER || !live) return doc;
			if ('address' in live) {
				notes.push(`# remotePilotAddress is ${primary!.name}'s gateway address, read live`);
				const copy = structuredClone(doc) as Manifest & {spec: {values: {global: {remotePilotAddress: string}}}};
				copy.spec.values.global.remotePilotAddress = live.address;
				return copy;
			}
			notes.push(`# remotePilotAddress is a placeholder: ${live.why}; a run fills in the address`);
			return doc;
		});
		for (const step of plan.steps.filter(s => s.cluster === cluster.name && s.kind === 'remote-secret')) {
			notes.push(
				`# a run also applies Secret ${ISTIO_NAMESPACE}/${remoteSecretName(step.peer!)} (istioctl create-remote-secret --context ${step.peerContext} --name ${step.peer}); it holds a token, so it is not shown`,
			);
		}
		const head = `# cluster ${cluster.name} (context ${cluster.context}, network ${cluster.network}, ${cluster.role})\n${notes.map(n => `${n}\n`).join('')}`;
		return docs.length > 0 ? `${head}${toYaml(docs)}` : `${head}# nothing to install or apply on this cluster\n`;
	});
	ctx.stdout.write(parts.join('---\n'));
	return EXIT.ok;
}
