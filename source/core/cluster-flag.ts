import {isRole, type ClusterSpec, type Role} from './model.js';

/**
 * Parse `--cluster CONTEXT=NAME:NETWORK[:primary|remote]`.
 * Context names may hold ':' (EKS ARNs), so the context is everything before the last '='.
 * Returns the spec, or a message saying what is wrong.
 */
export function parseClusterFlag(text: string, defaultRole?: Role): {spec: Omit<ClusterSpec, 'role'> & {role?: Role}} | {error: string} {
	const eq = text.lastIndexOf('=');
	const usage = 'expected CONTEXT=NAME:NETWORK[:primary|remote], e.g. --cluster east=east:network1:primary';
	if (eq <= 0) return {error: `--cluster "${text}": ${usage}`};
	const context = text.slice(0, eq);
	const parts = text.slice(eq + 1).split(':');
	if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) return {error: `--cluster "${text}": ${usage}`};
	const [name, network, role] = parts as [string, string, string | undefined];
	if (role !== undefined && !isRole(role)) {
		return {error: `--cluster "${text}": role "${role}" is neither primary nor remote`};
	}
	const resolved = (role as Role | undefined) ?? defaultRole;
	return {spec: resolved ? {context, name, network, role: resolved} : {context, name, network}};
}

export function formatClusterFlag(c: ClusterSpec): string {
	return `${c.context}=${c.name}:${c.network}:${c.role}`;
}
