import {mkdtempSync, readFileSync, existsSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fakeBin} from './fake-istioctl.js';

export interface FakeRelease {
	chart: string;
	version: string;
	status: string;
	values: Record<string, unknown>;
	labels: Record<string, string>;
}

/** An environment with the fake helm first on PATH, a fresh release store and log. */
export function fakeHelmEnv(
	releases: Record<string, FakeRelease> = {},
	extra: Record<string, string> = {},
): {env: NodeJS.ProcessEnv; state: string; log: string} {
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-helm-'));
	const state = path.join(dir, 'releases.json');
	const log = path.join(dir, 'helm.log');
	writeFileSync(state, JSON.stringify(releases));
	const env: NodeJS.ProcessEnv = {
		PATH: `${fakeBin}${path.delimiter}${process.env.PATH ?? ''}`,
		HOME: dir,
		FAKE_HELM_STATE: state,
		FAKE_HELM_LOG: log,
		...extra,
	};
	return {env, state, log};
}

export function readReleases(env: NodeJS.ProcessEnv): Record<string, FakeRelease> {
	return JSON.parse(readFileSync(env.FAKE_HELM_STATE!, 'utf8')) as Record<string, FakeRelease>;
}

/** The argv of every helm run, in order. */
export function helmRuns(env: NodeJS.ProcessEnv): string[][] {
	const file = env.FAKE_HELM_LOG;
	if (!file || !existsSync(file)) return [];
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(l => (JSON.parse(l) as {argv: string[]}).argv);
}
