import {globalServiceProblem, ambientTopologyProblem} from './ambient.js';
import {TOPOLOGY_INFO, isDataplane, isRole, isTopology, type MeshPlanInput} from './model.js';

export interface Problem {
	/** Where the problem is, e.g. `clusters[1].name` or `meshId`. */
	path: string;
	message: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Kubernetes label-value rules: the mesh ID ends up in labels and proxy metadata.
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `value` is not a DNS-1123 label, or undefined when it is one. */
export function dns1123LabelProblem(value: string, what: string): string | undefined {
	if (value.length === 0) return `${what} is empty; use lowercase letters, digits and '-'`;
	if (value.length > 63) return `${what} "${value}" is ${value.length} characters; the limit is 63`;
	if (!DNS1123_LABEL.test(value)) {
		const lower = value.toLowerCase();
		const hint = DNS1123_LABEL.test(lower) ? `try "${lower}"` : "use lowercase letters, digits and '-', starting and ending with a letter or digit";
		return `${what} "${value}" is not a DNS-1123 label; ${hint}`;
	}
	return undefined;
}

export function meshIdProblem(value: string): string | undefined {
	if (value.trim().length === 0) return 'mesh ID is empty; every primary must share one, e.g. mesh1';
	if (value.length > 63) return `mesh ID "${value}" is ${value.length} characters; the limit is 63`;
	if (!LABEL_VALUE.test(value)) {
		return `mesh ID "${value}" may hold only letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
	}
	return undefined;
}

/** Every problem with the plan input at once, in a stable order. Empty when valid. */
export function validatePlan(input: MeshPlanInput): Problem[] {
	const problems: Problem[] = [];
	const add = (path: string, message: string | undefined) => {
		if (message) problems.push({path, message});
	};

	if (!isTopology(input.topology)) {
		add('topology', `unknown topology "${String(input.topology)}"; use primary-remote, multi-network or primary-remote-multi-network`);
	}
	add('meshId', meshIdProblem(input.meshId ?? ''));
	if (input.revision !== undefined && input.revision !== '') {
		add('revision', dns1123LabelProblem(input.revision, 'revision'));
		if (input.revision === 'default') {
			add('revision', 'revision "default" names the default revision; leave the revision empty instead');
		}
	}

	const clusters = input.clusters ?? [];
	if (clusters.length < 2) {
		add('clusters', `a multicluster mesh needs at least 2 clusters; ${clusters.length} given`);
	}

	const seenNames = new Map<string, number>();
	const seenContexts = new Map<string, number>();
	clusters.forEach((c, i) => {
		const at = `clusters[${i}]`;
		if (!c.context || c.context.trim() === '') add(`${at}.context`, 'context is empty; name a context from your kubeconfig');
		add(`${at}.name`, dns1123LabelProblem(c.name ?? '', 'cluster name'));
		if (c.name?.toLowerCase() === 'kubernetes') {
			add(`${at}.name`, 'cluster name "Kubernetes" is Istio\'s default and breaks multicluster; pick a unique name such as the context name');
		}
		add(`${at}.network`, dns1123LabelProblem(c.network ?? '', 'network'));
		if (!isRole(c.role)) add(`${at}.role`, `role "${String(c.role)}" is neither primary nor remote`);
		if (c.apiServer !== undefined) add(`${at}.apiServer`, apiServerProblem(c.apiServer));

		const prevName = seenNames.get(c.name);
		if (c.name && prevName !== undefined) {
			add(`${at}.name`, `cluster name "${c.name}" is already used by clusters[${prevName}]; each cluster needs its own name`);
		} else if (c.name) seenNames.set(c.name, i);

		const prevCtx = seenContexts.get(c.context);
		if (c.context && prevCtx !== undefined) {
			add(`${at}.context`, `context "${c.context}" is already used by clusters[${prevCtx}]; pick each context once`);
		} else if (c.context) seenContexts.set(c.context, i);
	});

	if (!isTopology(input.topology)) return problems;
	const info = TOPOLOGY_INFO[input.topology];
	const primaries = clusters.filter(c => c.role === 'primary');
	const remotes = clusters.filter(c => c.role === 'remote');
	const networks = new Set(clusters.map(c => c.network).filter(Boolean));

	if (info.primaryRemote) {
		if (primaries.length !== 1) {
			add('clusters', `${info.title} needs exactly one primary; ${primaries.length} given (mark one cluster :primary and the rest :remote)`);
		}
		if (remotes.length === 0) add('clusters', `${info.title} needs at least one remote cluster (mark it :remote)`);
	} else if (remotes.length > 0) {
		clusters.forEach((c, i) => {
			if (c.role === 'remote') {
				add(`clusters[${i}].role`, `${info.title} runs istiod in every cluster, so every cluster is a primary; pick primary-remote-multi-network for remotes`);
			}
		});
	}

	if (input.topology === 'primary-remote' && networks.size > 1) {
		add(
			'clusters',
			`primary-remote puts every cluster on one network, but ${networks.size} are given (${[...networks].join(', ')}); use one network or pick primary-remote-multi-network`,
		);
	}
	if (info.multiNetwork && clusters.length >= 2 && networks.size < 2) {
		add('clusters', `${info.title} needs at least two distinct networks; all clusters are on "${[...networks][0] ?? ''}"`);
	}
	if (input.dataplane !== undefined && !isDataplane(input.dataplane)) {
		add('dataplane', `unknown data plane "${String(input.dataplane)}"; use sidecar or ambient`);
	} else if (input.dataplane === 'ambient') {
		add('dataplane', ambientTopologyProblem(input.topology, clusters));
	}
	(input.globalServices ?? []).forEach((ref, i) => add(`globalServices[${i}]`, globalServiceProblem(ref)));
	if ((input.globalServices ?? []).length > 0 && input.dataplane !== 'ambient') {
		add('globalServices', 'global services are an ambient feature (label istio.io/global=true); add --dataplane ambient or drop --global-service');
	}
	if (input.topology === 'primary-remote-multi-network' && primaries.length === 1) {
		const primary = primaries[0]!;
		clusters.forEach((c, i) => {
			if (c.role === 'remote' && c.network === primary.network) {
				add(`clusters[${i}].network`, `remote "${c.name}" is on the primary's network "${primary.network}"; across networks each remote needs a different one`);
			}
		});
	}
	return problems;
}

/** Why `value` cannot be the API server URL written into remote secrets, or undefined when it can. */
export function apiServerProblem(value: string): string | undefined {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return `API server "${value}" is not a URL; use https://HOST:PORT`;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return `API server "${value}" must start with https://`;
	if (!url.hostname) return `API server "${value}" has no host; use https://HOST:PORT`;
	if (url.username || url.password) return `API server "${value}" must not carry credentials; remote secrets get a token of their own`;
	return undefined;
}

export function formatProblem(p: Problem): string {
	return `${p.path}: ${p.message}`;
}
