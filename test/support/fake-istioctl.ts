import {mkdtempSync, readFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const fakeBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/bin');

export interface FakeIstioctlRecord {
	argv: string[];
	pid: number;
	stdin?: string;
	childPid?: number;
}

/** An environment with the fake istioctl first on PATH and a fresh log file. */
export function fakeIstioctlEnv(extra: Record<string, string> = {}): {env: NodeJS.ProcessEnv; bin: string; log: string} {
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-istioctl-'));
	const log = path.join(dir, 'istioctl.log');
	const env: NodeJS.ProcessEnv = {
		PATH: `${fakeBin}${path.delimiter}${process.env.PATH ?? ''}`,
		HOME: dir,
		KUBECONFIG: path.join(dir, 'no-kubeconfig'),
		FAKE_ISTIOCTL_LOG: log,
		...extra,
	};
	return {env, bin: fakeBin, log};
}

export function readFakeIstioctlLog(env: NodeJS.ProcessEnv): FakeIstioctlRecord[] {
	const file = env.FAKE_ISTIOCTL_LOG;
	if (!file || !existsSync(file)) return [];
	return readFileSync(file, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(l => JSON.parse(l) as FakeIstioctlRecord);
}
