/**
 * Kubeconfig loading with kubectl's rules: --kubeconfig, else KUBECONFIG (merged, first wins), else ~/.kube/config.
 */
import fs from 'node:fs';
import path from 'node:path';
import {KubeConfig, type Cluster, type Context, type User} from '@kubernetes/client-node';
import {parse as parseYaml} from 'yaml';
import type {ContextInfo, KubeconfigInfo, KubeconfigSource} from '../core/ports.js';
import {firstLine} from '../core/text.js';
import {execAuthenticator, type ExecConfig} from './exec-credential.js';
import {rememberSecret} from './log.js';

/** A kubeconfig that cannot be used; the message is one line naming the file and what to do. */
export class KubeconfigError extends Error {
	readonly file?: string;

	constructor(message: string, file?: string) {
		super(message);
		this.name = 'KubeconfigError';
		this.file = file;
	}
}

/** The merged kubeconfig: what the user sees (info) and what clients are built from. */
export interface MergedKubeconfig {
	info: KubeconfigInfo;
	clusters: Cluster[];
	users: User[];
	contexts: Context[];
	/** The file for istioctl --kubeconfig, if one file stands for the whole config. */
	kubeconfigPath?: string;
}

/** Read and parse one file into a KubeConfig (paths made absolute against the file's folder). */
function readFile(file: string): KubeConfig {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') throw new KubeconfigError(`kubeconfig ${file} does not exist: check the path, or pass --kubeconfig PATH`, file);
		if (code === 'EISDIR') throw new KubeconfigError(`kubeconfig ${file} is a directory: pass the path of the kubeconfig file itself`, file);
		if (code === 'EACCES') throw new KubeconfigError(`kubeconfig ${file} cannot be read (permission denied): fix its permissions`, file);
		throw new KubeconfigError(`kubeconfig ${file} cannot be read (${code ?? (error as Error).message}): check the file`, file);
	}
	if (!text.trim()) {
		throw new KubeconfigError(`kubeconfig ${file} is empty: write a kubeconfig there (e.g. your cloud's get-credentials) or pass --kubeconfig PATH`, file);
	}
	let parsed: unknown;
	try {
		parsed = parseYaml(text);
	} catch (error) {
		throw new KubeconfigError(`kubeconfig ${file} is not valid YAML (${firstLine((error as Error).message)}): fix or regenerate it`, file);
	}
	if (parsed === null || parsed === undefined) {
		throw new KubeconfigError(`kubeconfig ${file} is empty: write a kubeconfig there (e.g. your cloud's get-credentials) or pass --kubeconfig PATH`, file);
	}
	if (typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new KubeconfigError(`kubeconfig ${file} is not a kubeconfig (expected a mapping with clusters, users and contexts): fix or regenerate it`, file);
	}
	const kc = new KubeConfig();
	try {
		kc.loadFromString(text);
	} catch (error) {
		throw new KubeconfigError(`kubeconfig ${file} has an invalid entry (${firstLine((error as Error).message)}): fix or regenerate it`, file);
	}
	kc.makePathsAbsolute(path.dirname(path.resolve(file)));
	for (const user of kc.getUsers()) {
		// kubectl: a relative plugin command with a path separator is relative to the kubeconfig's folder.
		const exec = user.exec as ExecConfig | undefined;
		if (exec?.command && exec.command.includes('/') && !path.isAbsolute(exec.command)) {
			(user as {exec?: ExecConfig}).exec = {...exec, command: path.resolve(path.dirname(path.resolve(file)), exec.command)};
		}
		rememberSecret(user.token);
		rememberSecret(user.password);
		rememberSecret(user.keyData);
	}
	return kc;
}

/** Where the kubeconfig is looked for (files that may not exist), and which rule chose them. */
export interface KubeconfigSearch {
	from: 'flag' | 'env' | 'home';
	/** Absolute paths in the order they are read; empty only when HOME is not set. */
	files: string[];
}

/** kubectl's order: --kubeconfig, else the non-empty entries of KUBECONFIG (each once), else ~/.kube/config. */
export function kubeconfigSearchOrder(source: KubeconfigSource): KubeconfigSearch {
	if (source.kubeconfig !== undefined && source.kubeconfig !== '') return {from: 'flag', files: [path.resolve(source.kubeconfig)]};
	const listed = (source.env.KUBECONFIG ?? '')
		.split(path.delimiter)
		.filter(p => p.trim() !== '')
		.map(p => path.resolve(p));
	if (listed.length > 0) return {from: 'env', files: listed.filter((p, i) => listed.indexOf(p) === i)};
	const home = source.env.HOME ?? source.env.USERPROFILE;
	return {from: 'home', files: home ? [path.join(home, '.kube', 'config')] : []};
}

/** Load and merge the kubeconfig like kubectl does, keeping the raw entries for building clients. */
export function loadMergedKubeconfig(source: KubeconfigSource): MergedKubeconfig {
	let files: string[];
	let kubeconfigPath: string | undefined;
	const search = kubeconfigSearchOrder(source);
	if (search.from === 'flag') {
		// An explicit file must exist.
		files = search.files;
		kubeconfigPath = files[0];
	} else if (search.from === 'env') {
		files = search.files.filter(p => fs.existsSync(p));
		if (files.length === 0) {
			throw new KubeconfigError(
				`no kubeconfig found: none of the files in KUBECONFIG exist (${search.files.join(path.delimiter)}); fix KUBECONFIG or pass --kubeconfig PATH`,
			);
		}
		// istioctl honours KUBECONFIG itself (client-go merges with the same first-wins rules), so only
		// name a file when one file holds the whole config; with several, istioctl reads KUBECONFIG as we did.
		kubeconfigPath = files.length === 1 ? files[0] : undefined;
	} else {
		const home = search.files[0];
		if (!home || !fs.existsSync(home)) {
			throw new KubeconfigError(
				`no kubeconfig found: looked at --kubeconfig (not given), KUBECONFIG (not set) and ${home ?? '~/.kube/config (HOME not set)'}; pass --kubeconfig PATH or set KUBECONFIG`,
			);
		}
		files = [home];
		kubeconfigPath = home;
	}

	const clusters: Cluster[] = [];
	const users: User[] = [];
	const contexts: Context[] = [];
	const warnings: string[] = [];
	let currentContext: string | undefined;
	for (const file of files) {
		const kc = readFile(file);
		const add = <T extends {name: string}>(list: T[], items: T[], what: string) => {
			for (const item of items) {
				if (list.some(existing => existing.name === item.name)) {
					warnings.push(`${what} "${item.name}" in ${file} ignored: an earlier file defines it`);
					continue;
				}
				list.push(item);
			}
		};
		add(clusters, kc.getClusters(), 'cluster');
		add(users, kc.getUsers(), 'user');
		add(contexts, kc.getContexts(), 'context');
		if (!currentContext && kc.getCurrentContext()) currentContext = kc.getCurrentContext();
	}

	const infos: ContextInfo[] = contexts.map(ctx => {
		const cluster = clusters.find(c => c.name === ctx.cluster);
		const info: ContextInfo = {name: ctx.name, cluster: ctx.cluster, user: ctx.user};
		if (ctx.namespace) info.namespace = ctx.namespace;
		if (cluster?.server) info.server = cluster.server;
		if (!cluster) warnings.push(`context "${ctx.name}" names cluster "${ctx.cluster}", which no kubeconfig file defines`);
		if (ctx.user && !users.some(u => u.name === ctx.user)) warnings.push(`context "${ctx.name}" names user "${ctx.user}", which no kubeconfig file defines`);
		return info;
	});
	if (currentContext && !contexts.some(c => c.name === currentContext)) {
		warnings.push(`current-context "${currentContext}" is not defined in any kubeconfig file`);
	}
	const info: KubeconfigInfo = {files, contexts: infos, warnings};
	if (currentContext) info.currentContext = currentContext;
	return {info, clusters, users, contexts, ...(kubeconfigPath ? {kubeconfigPath} : {})};
}

/** kubectl's kubeconfig rules; throws KubeconfigError with a one-line message. */
export function loadKubeconfig(source: KubeconfigSource): KubeconfigInfo {
	return loadMergedKubeconfig(source).info;
}

/** A KubeConfig holding only one context (its cluster and user), with that context current. */
export function kubeConfigFor(merged: MergedKubeconfig, contextName: string): KubeConfig {
	const context = merged.contexts.find(c => c.name === contextName);
	const where = merged.info.files.join(', ');
	if (!context) {
		throw new KubeconfigError(`context "${contextName}" is not in the kubeconfig (${where}): list them with kubectl config get-contexts`);
	}
	const cluster = merged.clusters.find(c => c.name === context.cluster);
	if (!cluster) {
		throw new KubeconfigError(
			`context "${contextName}" names cluster "${context.cluster}", which the kubeconfig (${where}) does not define: fix the kubeconfig`,
		);
	}
	const user = merged.users.find(u => u.name === context.user) ?? {name: context.user || 'anonymous'};
	// An exec plugin runs through eastwest's own authenticator (one run shared, errors that name the plugin).
	const {exec, ...withoutExec} = user as User & {exec?: ExecConfig};
	const kc = new KubeConfig();
	kc.loadFromOptions({
		clusters: [{...cluster}],
		users: [{...withoutExec}],
		contexts: [{...context, user: user.name}],
		currentContext: context.name,
	});
	if (exec)
		kc.addAuthenticator(
			execAuthenticator(exec, contextName, {
				server: cluster.server,
				...(cluster.caData ? {caData: cluster.caData} : {}),
				...(cluster.skipTLSVerify ? {skipTLSVerify: true} : {}),
			}),
		);
	return kc;
}
