/** Plan inputs the tests share: two-cluster multi-network and primary-remote plans, and a builder for N clusters. */
import type {MeshPlanInput, Topology} from '../../source/core/model.js';

/** Two primaries on their own networks: context ce → east on net-east, cw → west on net-west. */
export const multiNetwork: MeshPlanInput = {
	topology: 'multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'ce', name: 'east', network: 'net-east', role: 'primary'},
		{context: 'cw', name: 'west', network: 'net-west', role: 'primary'},
	],
};

/** A primary and a remote on one network. */
export const primaryRemote: MeshPlanInput = {
	topology: 'primary-remote',
	meshId: 'mesh1',
	clusters: [
		{context: 'ce', name: 'east', network: 'net1', role: 'primary'},
		{context: 'cw', name: 'west', network: 'net1', role: 'remote'},
	],
};

/** A primary and a remote on two networks: c1 → one on net1, c2 → two on net2. */
export const primaryRemoteMultiNetwork: MeshPlanInput = {
	topology: 'primary-remote-multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'c1', name: 'one', network: 'net1', role: 'primary'},
		{context: 'c2', name: 'two', network: 'net2', role: 'remote'},
	],
};

const NAMES = ['east', 'west', 'north', 'south'];

/** network1, network2, … by position. */
export const numberedNetworks = (_name: string, index: number) => `network${index + 1}`;

/**
 * A plan of N clusters (default east and west; a number n gives east, west, north, south, cluster5, …).
 * Contexts default to ctx-<name>, networks to net-<name>; for primary-remote topologies the first cluster
 * is the primary and the rest are remotes, otherwise every cluster is a primary.
 */
export function meshPlan(
	options: {
		topology?: Topology;
		meshId?: string;
		revision?: string;
		clusters?: number | string[];
		context?: (name: string, index: number) => string;
		network?: (name: string, index: number) => string;
	} = {},
): MeshPlanInput {
	const topology = options.topology ?? 'multi-network';
	const names = Array.isArray(options.clusters) ? options.clusters : Array.from({length: options.clusters ?? 2}, (_, i) => NAMES[i] ?? `cluster${i + 1}`);
	const context = options.context ?? (name => `ctx-${name}`);
	const network = options.network ?? (topology === 'primary-remote' ? () => 'net1' : name => `net-${name}`);
	return {
		topology,
		meshId: options.meshId ?? 'mesh1',
		...(options.revision ? {revision: options.revision} : {}),
		clusters: names.map((name, i) => ({
			context: context(name, i),
			name,
			network: network(name, i),
			role: topology === 'multi-network' || i === 0 ? 'primary' : 'remote',
		})),
	};
}
