/**
 * The one preamble of every command that reaches clusters: load the kubeconfig (through a factory, or
 * alone), resolve the contexts the command needs, and fail in one line with exit 2 when the kubeconfig
 * cannot be read or a context is not in it.
 */
import {UsageError} from '../core/exit-codes.js';
import {formatClusterFlag} from '../core/cluster-flag.js';
import type {ClusterSpec} from '../core/model.js';
import type {KubeconfigInfo} from '../core/ports.js';
import {firstLine} from '../core/text.js';

/** A context a command needs, with where it was named when that helps (`--cluster east=east:n1`). */
export interface WantedContext {
	name: string;
	from?: string;
}

/** The contexts of a plan's clusters, each named by its --cluster flag. */
export function planContexts(clusters: readonly ClusterSpec[]): WantedContext[] {
	return clusters.map(c => ({name: c.context, from: `--cluster ${formatClusterFlag(c)}`}));
}

function filesText(kubeconfig: KubeconfigInfo): string {
	return kubeconfig.files.length > 0 ? kubeconfig.files.join(', ') : '(no kubeconfig file found)';
}

/** Throw one UsageError line naming every wanted context missing from the kubeconfig and the files searched. */
export function requireContexts(kubeconfig: KubeconfigInfo, wanted: ReadonlyArray<string | WantedContext>): void {
	const known = new Set(kubeconfig.contexts.map(c => c.name));
	const missing = wanted
		.map(w => (typeof w === 'string' ? {name: w} : w))
		.filter((w, i, all) => !known.has(w.name) && all.findIndex(x => x.name === w.name) === i);
	if (missing.length === 0) return;
	const names = missing.map(m => `"${m.name}"${m.from ? ` (${m.from})` : ''}`).join(', ');
	throw new UsageError(
		`context${missing.length > 1 ? 's' : ''} ${names} not found in kubeconfig ${filesText(kubeconfig)}; run 'kubectl config get-contexts' to list the contexts, or pass --kubeconfig`,
	);
}

/** The kubeconfig's current context, or one UsageError line saying there is none. */
export function currentContext(kubeconfig: KubeconfigInfo): string {
	if (kubeconfig.currentContext === undefined) throw new UsageError(`the kubeconfig (${filesText(kubeconfig)}) has no current context; pass --context NAME`);
	return kubeconfig.currentContext;
}

/**
 * Load the kubeconfig with `open` (a cluster client factory, or `{kubeconfig}` alone) and check that every
 * wanted context is in it. A kubeconfig that cannot be read or parsed is bad input: one line, exit 2.
 */
export async function openKubeconfig<T extends {kubeconfig: KubeconfigInfo}>(
	open: () => T | Promise<T>,
	wanted: ReadonlyArray<string | WantedContext> = [],
): Promise<T> {
	let opened: T;
	try {
		opened = await open();
	} catch (error) {
		if (error instanceof Error && error.name === 'KubeconfigError') throw new UsageError(firstLine(error));
		throw error;
	}
	requireContexts(opened.kubeconfig, wanted);
	return opened;
}
