/**
 * Saved profiles: the whole plan input under a name, with when it was saved and last applied.
 * The only module that touches conf. Contexts are stored by name only: never credentials.
 */
import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import type {ClusterSpec, MeshPlanInput, Topology} from '../core/model.js';
import {ProfileStoreError} from './errors.js';
import {withFileLock, type LockOptions} from './lock.js';
import {firstLine} from '../core/text.js';
import {parallelProblem} from '../core/slots.js';

export {ProfileStoreError, type ProfileErrorKind} from './errors.js';

export const SCHEMA_VERSION = 1;

export type ApplyResult = 'succeeded' | 'failed' | 'cancelled';

export interface LastApplied {
	/** ISO 8601 time the run ended. */
	at: string;
	result: ApplyResult;
	dryRun?: boolean;
}

export interface Profile extends MeshPlanInput {
	/** ISO 8601 times. */
	createdAt: string;
	updatedAt: string;
	lastApplied?: LastApplied;
	/** `eastwest apply --profile`'s --parallel when the command line gives none (istioctl processes at once). */
	parallel?: number;
	/** The last `eastwest remove` of this profile's wiring (same shape as lastApplied). */
	lastRemoved?: LastApplied;
}

export interface ProfilesFile {
	schemaVersion: number;
	profiles: Record<string, Profile>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const PROFILE_NAME_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters";

/** Why `name` cannot name a profile, or undefined when it can. */
export function profileNameProblem(name: string): string | undefined {
	if (name.length === 0) return `profile name is empty; use ${PROFILE_NAME_RULE}`;
	if (name.length > 63 || !NAME.test(name)) return `profile name "${name}" is not allowed; use ${PROFILE_NAME_RULE}`;
	return undefined;
}

/** Copy only the fields a profile knows: extra properties (tokens, certificates, anything) never reach the file. */
export function planFields(input: MeshPlanInput): MeshPlanInput {
	const plan: MeshPlanInput = {
		topology: input.topology,
		meshId: input.meshId,
		clusters: input.clusters.map((c): ClusterSpec => ({
			context: c.context,
			name: c.name,
			network: c.network,
			role: c.role,
			...(typeof c.apiServer === 'string' && c.apiServer !== '' ? {apiServer: c.apiServer} : {}),
		})),
	};
	if (input.revision !== undefined && input.revision !== '') plan.revision = input.revision;
	// The root CA's directory only: the key stays in its file.
	if (typeof input.caDir === 'string' && input.caDir !== '') plan.caDir = input.caDir;
	// The control-plane step: its profile and the user's IstioOperator files, by path only.
	const cp = input.controlPlane as unknown;
	if (typeof cp === 'object' && cp !== null) {
		const {profile, iops} = cp as {profile?: unknown; iops?: unknown};
		const controlPlane: NonNullable<MeshPlanInput['controlPlane']> = {};
		if (profile === 'default' || profile === 'minimal') controlPlane.profile = profile;
		if (typeof iops === 'object' && iops !== null) {
			const files = Object.entries(iops).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
			if (files.length > 0) controlPlane.iops = Object.fromEntries(files);
		}
		plan.controlPlane = controlPlane;
	}
	if (input.dataplane === 'ambient' || input.dataplane === 'sidecar') plan.dataplane = input.dataplane;
	if (Array.isArray(input.globalServices) && input.globalServices.length > 0) plan.globalServices = input.globalServices.filter(s => typeof s === 'string');
	return plan;
}

/** The plan input a profile holds, without its timestamps. */
export function profilePlan(profile: Profile): MeshPlanInput {
	return planFields(profile);
}

// ---------- reading and migrating ----------

const INVALID = Symbol('invalid');
type Raw = Record<string | symbol, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * v0 (before schemaVersion): `{profiles: {NAME: {topology, mesh, revision?, clusters, savedAt}}}`.
 * v1: `mesh` became `meshId`; `savedAt` became `createdAt`/`updatedAt`; `schemaVersion` added.
 */
function migrateV0(raw: Record<string, unknown>): Record<string, unknown> {
	const profiles: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(isObject(raw.profiles) ? raw.profiles : {})) {
		if (!isObject(value)) {
			profiles[name] = value;
			continue;
		}
		const {mesh, savedAt, ...rest} = value;
		const at = typeof savedAt === 'string' ? savedAt : new Date(0).toISOString();
		profiles[name] = {...rest, meshId: rest.meshId ?? mesh, createdAt: rest.createdAt ?? at, updatedAt: rest.updatedAt ?? at};
	}
	return {schemaVersion: 1, profiles};
}

const MIGRATIONS: Record<number, (raw: Record<string, unknown>) => Record<string, unknown>> = {0: migrateV0};

/** Bring any known older shape up to SCHEMA_VERSION, in memory. Exported for tests. */
export function migrate(raw: Record<string, unknown>, file: string): Record<string, unknown> {
	let current = raw;
	const found = current.schemaVersion === undefined ? 0 : current.schemaVersion;
	if (typeof found !== 'number' || !Number.isInteger(found) || found < 0) {
		throw corrupt(file, `schemaVersion ${JSON.stringify(found)} is not a version number`);
	}
	let version: number = found;
	if (version > SCHEMA_VERSION) {
		throw new ProfileStoreError(
			'newer-schema',
			`profile file ${file} has schemaVersion ${version}, newer than this eastwest understands (${SCHEMA_VERSION}); upgrade eastwest (the file was left untouched)`,
		);
	}
	while (version < SCHEMA_VERSION) {
		const step = MIGRATIONS[version];
		if (!step) throw corrupt(file, `no migration from schemaVersion ${version}`);
		current = step(current);
		version = current.schemaVersion as number;
	}
	return current;
}

function corrupt(file: string, why: string): ProfileStoreError {
	return new ProfileStoreError('corrupt', `profile file ${file} is broken: ${why}; fix it or move it away (eastwest left it untouched)`);
}

function checkProfile(file: string, name: string, value: unknown): Profile {
	const where = `profile "${name}"`;
	if (!isObject(value)) throw corrupt(file, `${where} is not an object`);
	const str = (key: string, optional = false) => {
		const v = value[key];
		if (v === undefined && optional) return;
		if (typeof v !== 'string') throw corrupt(file, `${where} has no text field "${key}"`);
	};
	str('topology');
	str('meshId');
	str('revision', true);
	str('caDir', true);
	str('dataplane', true);
	str('createdAt');
	str('updatedAt');
	if (!Array.isArray(value.clusters)) throw corrupt(file, `${where} has no "clusters" list`);
	value.clusters.forEach((c: unknown, i: number) => {
		if (!isObject(c) || ['context', 'name', 'network', 'role'].some(k => typeof c[k] !== 'string')) {
			throw corrupt(file, `${where} clusters[${i}] needs text fields context, name, network and role`);
		}
	});
	const profile: Profile = {
		...planFields(value as unknown as MeshPlanInput),
		topology: value.topology as Topology,
		createdAt: value.createdAt as string,
		updatedAt: value.updatedAt as string,
	};
	if (value.parallel !== undefined) {
		if (typeof value.parallel !== 'number' || parallelProblem(value.parallel))
			throw corrupt(file, `${where} parallel ${JSON.stringify(value.parallel)} ${parallelProblem(Number.NaN)}`);
		profile.parallel = value.parallel;
	}
	if (value.lastApplied !== undefined) {
		const la = value.lastApplied;
		if (!isObject(la) || typeof la.at !== 'string' || !['succeeded', 'failed', 'cancelled'].includes(la.result as string)) {
			throw corrupt(file, `${where} lastApplied needs "at" and a result of succeeded, failed or cancelled`);
		}
		profile.lastApplied = {at: la.at, result: la.result as ApplyResult, ...(la.dryRun === true ? {dryRun: true} : {})};
	}
	if (value.lastRemoved !== undefined) {
		const lr = value.lastRemoved;
		if (!isObject(lr) || typeof lr.at !== 'string' || !['succeeded', 'failed', 'cancelled'].includes(lr.result as string)) {
			throw corrupt(file, `${where} lastRemoved needs "at" and a result of succeeded, failed or cancelled`);
		}
		profile.lastRemoved = {at: lr.at, result: lr.result as ApplyResult, ...(lr.dryRun === true ? {dryRun: true} : {})};
	}
	return profile;
}

// ---------- the store ----------

export interface ProfileStoreOptions {
	/** Directory of profiles.json; default: eastwest's config directory ($XDG_CONFIG_HOME/eastwest-nodejs on Linux). Tests pass a temp dir. */
	cwd?: string;
	/** Clock, for tests. */
	now?: () => Date;
	lock?: LockOptions;
}

export class ProfileStore {
	readonly path: string;
	private readonly conf: Conf<Raw>;
	private readonly now: () => Date;
	private readonly lockOptions: LockOptions | undefined;

	constructor(options: ProfileStoreOptions = {}) {
		this.conf = new Conf<Raw>({
			projectName: 'eastwest',
			configName: 'profiles',
			...(options.cwd ? {cwd: options.cwd} : {}),
			accessPropertiesByDotNotation: false,
			clearInvalidConfig: false,
			configFileMode: 0o600,
			// Never throw from conf's own read: a broken file becomes a marker we report with the file's name.
			deserialize: (text: string) => {
				try {
					const value: unknown = JSON.parse(text);
					if (isObject(value)) return value;
					return {[INVALID]: 'the top level is not a JSON object'} as Raw;
				} catch (error) {
					return {[INVALID]: `not valid JSON (${firstLine(error)})`} as Raw;
				}
			},
			serialize: value => `${JSON.stringify(value, null, '\t')}\n`,
		});
		this.path = this.conf.path;
		this.now = options.now ?? (() => new Date());
		this.lockOptions = options.lock;
	}

	/** Read, check and migrate the file (in memory only: reading never writes). */
	private read(): ProfilesFile {
		const raw = this.conf.store;
		const invalid = raw[INVALID];
		if (typeof invalid === 'string') throw corrupt(this.path, invalid);
		if (Object.keys(raw).length === 0) return {schemaVersion: SCHEMA_VERSION, profiles: {}};
		const migrated = migrate(raw as Record<string, unknown>, this.path);
		const profiles: Record<string, Profile> = {};
		if (!isObject(migrated.profiles)) throw corrupt(this.path, '"profiles" is not an object');
		for (const [name, value] of Object.entries(migrated.profiles)) profiles[name] = checkProfile(this.path, name, value);
		return {schemaVersion: SCHEMA_VERSION, profiles};
	}

	/** Read-modify-write under a cross-process lock, re-reading inside it so no concurrent save is lost. */
	private async update<T>(change: (file: ProfilesFile) => T): Promise<T> {
		fs.mkdirSync(path.dirname(this.path), {recursive: true});
		return withFileLock(`${this.path}.lock`, this.lockOptions, () => {
			const file = this.read();
			const result = change(file);
			this.conf.store = {schemaVersion: SCHEMA_VERSION, profiles: file.profiles} as unknown as Raw;
			return result;
		});
	}

	/** Every profile, sorted by name. */
	list(): Array<{name: string; profile: Profile}> {
		const {profiles} = this.read();
		return Object.keys(profiles)
			.sort()
			.map(name => ({name, profile: profiles[name]!}));
	}

	/** The profile, or a not-found error listing what exists. */
	get(name: string): Profile {
		const profile = this.find(name);
		if (!profile) throw this.notFound(name);
		return profile;
	}

	/** The profile, or undefined. */
	find(name: string): Profile | undefined {
		const {profiles} = this.read();
		return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
	}

	async save(name: string, input: MeshPlanInput, options: {overwrite?: boolean; parallel?: number} = {}): Promise<Profile> {
		assertName(name);
		return this.update(file => {
			const existing = Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined;
			if (existing && !options.overwrite) {
				throw new ProfileStoreError('exists', `profile "${name}" already exists; pass --overwrite to replace it, or pick another name`);
			}
			const at = this.now().toISOString();
			const profile: Profile = {
				...planFields(input),
				createdAt: existing?.createdAt ?? at,
				updatedAt: at,
				...(options.parallel !== undefined ? {parallel: options.parallel} : {}),
			};
			file.profiles[name] = profile;
			return profile;
		});
	}

	async delete(name: string): Promise<void> {
		await this.update(file => {
			if (!Object.hasOwn(file.profiles, name)) throw this.notFound(name, file);
			delete file.profiles[name];
		});
	}

	async rename(from: string, to: string): Promise<void> {
		assertName(to);
		await this.update(file => {
			if (!Object.hasOwn(file.profiles, from)) throw this.notFound(from, file);
			if (from === to) return;
			if (Object.hasOwn(file.profiles, to)) {
				throw new ProfileStoreError('exists', `profile "${to}" already exists; delete it first or pick another name`);
			}
			file.profiles[to] = {...file.profiles[from]!, updatedAt: this.now().toISOString()};
			delete file.profiles[from];
		});
	}

	/** Note the outcome of running the profile. */
	async recordApplied(name: string, result: ApplyResult, options: {dryRun?: boolean} = {}): Promise<Profile> {
		return this.recordOutcome(name, 'lastApplied', result, options);
	}

	/** Note the outcome of removing the profile's wiring (the profile itself stays). */
	async recordRemoved(name: string, result: ApplyResult, options: {dryRun?: boolean} = {}): Promise<Profile> {
		return this.recordOutcome(name, 'lastRemoved', result, options);
	}

	/** Note when and how a run of the profile ended, under `field`; an unknown profile is refused as `get` refuses it. */
	private async recordOutcome(name: string, field: 'lastApplied' | 'lastRemoved', result: ApplyResult, options: {dryRun?: boolean}): Promise<Profile> {
		return this.update(file => {
			const profile = Object.hasOwn(file.profiles, name) ? file.profiles[name] : undefined;
			if (!profile) throw this.notFound(name, file);
			profile[field] = {at: this.now().toISOString(), result, ...(options.dryRun ? {dryRun: true} : {})};
			return profile;
		});
	}

	private notFound(name: string, file?: ProfilesFile): ProfileStoreError {
		const names = Object.keys((file ?? this.read()).profiles).sort();
		const known = names.length > 0 ? `saved profiles: ${names.join(', ')}` : 'no profiles are saved yet (eastwest profiles save NAME …)';
		return new ProfileStoreError('not-found', `no profile named "${name}"; ${known}`);
	}
}

function assertName(name: string): void {
	const problem = profileNameProblem(name);
	if (problem) throw new ProfileStoreError('invalid-name', problem);
}
