import {EXPOSE_CHOICES, NETWORKING_API_VERSIONS, renderManifestSet} from '../core/manifests.js';
import {buildPlan, clusterManifests} from '../core/plan.js';
import {dns1123LabelProblem} from '../core/validate.js';
import {toYaml} from '../core/yaml.js';
import {oneOf, parseFlags, type OptionSpec} from './args.js';
import {EXIT, UsageError} from '../core/exit-codes.js';
import {loadSavedPlan} from './saved-plan.js';
import type {CommandContext} from '../core/command-context.js';

/** The flags of `eastwest manifests` (besides the global ones). */
export const FLAGS = {
	network: {type: 'string'},
	revision: {type: 'string'},
	expose: {type: 'string'},
	'api-version': {type: 'string'},
	profile: {type: 'string'},
} as const satisfies OptionSpec;

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	const {values} = parseFlags('manifests', args, FLAGS);
	if (values.profile !== undefined) return profileManifests(values, ctx);
	if (values.network === undefined) {
		throw new UsageError('--network is required: the network ID the gateway serves, e.g. --network network1 (or --profile NAME for every cluster of a saved plan)');
	}
	const networkProblem = dns1123LabelProblem(values.network, 'network');
	if (networkProblem) throw new UsageError(networkProblem);
	if (values.revision) {
		const revisionProblem = dns1123LabelProblem(values.revision, 'revision');
		if (revisionProblem) throw new UsageError(revisionProblem);
	}
	const expose = oneOf('expose', values.expose, EXPOSE_CHOICES, 'none');
	const apiVersion = oneOf('api-version', values['api-version'], NETWORKING_API_VERSIONS, 'v1');
	const set = renderManifestSet({network: values.network, revision: values.revision, expose, apiVersion});
	ctx.stdout.write(toYaml([set.gateway, ...set.expose]));
	return EXIT.ok;
}

/** Every cluster's manifests of a saved profile, each cluster's documents under a comment naming it. */
async function profileManifests(values: {profile?: string; network?: string; revision?: string; expose?: string; 'api-version'?: string}, ctx: CommandContext): Promise<number> {
	if (values.network !== undefined || values.revision !== undefined || values.expose !== undefined) {
		throw new UsageError('--profile takes the network, revision and what to expose from the profile; drop --network, --revision and --expose');
	}
	const apiVersion = oneOf('api-version', values['api-version'], NETWORKING_API_VERSIONS, 'v1');
	const input = await loadSavedPlan(values.profile!);
	const plan = buildPlan(input, {apiVersion});
	const parts = plan.clusters.map(({cluster}) => {
		const docs = clusterManifests(plan, cluster.name);
		const head = `# cluster ${cluster.name} (context ${cluster.context}, network ${cluster.network}, ${cluster.role})\n`;
		return docs.length > 0 ? `${head}${toYaml(docs)}` : `${head}# nothing to install or apply on this cluster\n`;
	});
	ctx.stdout.write(parts.join('---\n'));
	return EXIT.ok;
}
