import {EXPOSE_CHOICES, NETWORKING_API_VERSIONS, renderManifestSet} from '../core/manifests.js';
import {dns1123LabelProblem} from '../core/validate.js';
import {toYaml} from '../core/yaml.js';
import {oneOf, parseFlags} from './args.js';
import {EXIT, UsageError} from './errors.js';
import type {CommandContext} from './types.js';

export async function run(args: string[], ctx: CommandContext): Promise<number> {
	const {values} = parseFlags('manifests', args, {
		network: {type: 'string'},
		revision: {type: 'string'},
		expose: {type: 'string'},
		'api-version': {type: 'string'},
	});
	if (values.network === undefined) {
		throw new UsageError('--network is required: the network ID the gateway serves, e.g. --network network1');
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
