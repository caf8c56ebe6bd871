import {execFileSync, spawn} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = path.join(root, 'dist/cli.js');

let built = false;
/** Build dist/ once per test process when sources are newer. */
export function ensureBuilt(): void {
	if (built) return;
	execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-needed'], {stdio: 'inherit'});
	built = true;
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Run the bundled CLI as a user would, with its own environment. */
export function runCli(
	args: string[],
	options: {env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; signalAfterMs?: number; signalWhen?: (stdout: string) => boolean} = {},
): Promise<CliResult> {
	ensureBuilt();
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, ...args], {
			env: {...process.env, CI: '', ...options.env},
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		let signalled = false;
		child.stdout.on('data', d => {
			stdout += d;
			// SIGINT once the output shows what the test waits for.
			if (!signalled && options.signalWhen?.(stdout)) {
				signalled = true;
				child.kill('SIGINT');
			}
		});
		child.stderr.on('data', d => (stderr += d));
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`eastwest ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30_000} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
		}, options.timeoutMs ?? 30_000);
		if (options.signalAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), options.signalAfterMs);
		child.on('error', reject);
		child.on('close', code => {
			clearTimeout(timer);
			resolve({code, stdout, stderr});
		});
		child.stdin.end(options.input ?? '');
	});
}

/** A kubeconfig of two contexts, kind-east and kind-west, whose servers nothing listens on (127.0.0.1 ports 1 and 2). */
export const UNREACHABLE_KUBECONFIG = `apiVersion: v1
kind: Config
current-context: kind-east
clusters:
- name: east
  cluster: {server: 'https://127.0.0.1:1'}
- name: west
  cluster: {server: 'https://127.0.0.1:2'}
users:
- name: admin
  user: {token: not-a-real-token}
contexts:
- name: kind-east
  context: {cluster: east, user: admin}
- name: kind-west
  context: {cluster: west, user: admin}
`;
