/** Shared pieces of the benchmarks: statistics, markdown tables, timed child processes, the esbuild bundle options. */
import {spawn, type ChildProcess} from 'node:child_process';
import {readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliPath = path.join(root, 'dist/cli.js');

export function median(values: number[]): number {
	return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in 0..1) of a non-empty sample. */
export function quantile(values: number[], q: number): number {
	if (values.length === 0) throw new Error('quantile of an empty sample');
	const sorted = [...values].sort((a, b) => a - b);
	const at = (sorted.length - 1) * q;
	const lo = Math.floor(at);
	const hi = Math.ceil(at);
	return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export const ms = (n: number) => `${n.toFixed(1)} ms`;
export const ratio = (n: number) => `${n.toFixed(2)}×`;
export const verdict = (ok: boolean) => (ok ? 'at target' : '**over target**');

export function table(headers: string[], rows: Array<Array<string | number>>): string {
	const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`;
	return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** What one benchmark prints: a title, a markdown table and notes. */
export interface BenchReport {
	title: string;
	table: string;
	notes: string[];
	/** Whether the figure meets its target. */
	ok: boolean;
}

export function formatReport(r: BenchReport): string {
	return [`### ${r.title}`, '', r.table, '', ...r.notes.map(n => `- ${n}`), ''].join('\n');
}

export interface Timed {
	ms: number;
	/** CPU time (user + system) of the process tree when the predicate held or the process exited; Linux only. */
	cpuMs: number | undefined;
	code: number | null;
	output: string;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux.

/** User + system CPU time of one process itself, without its children (undefined once it is gone or without /proc). */
export function ownCpuMs(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
	} catch {
		return undefined;
	}
}

/** The first child of a process (e.g. the command a `sh -c` runs). */
export function firstChild(pid: number): number | undefined {
	try {
		const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').find(Boolean);
		return first === undefined ? undefined : Number(first);
	} catch {
		return undefined;
	}
}

/** User + system CPU time of a process and its live descendants, from /proc (undefined where there is no /proc). */
export function treeCpuMs(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command name (which may hold spaces) start at ") ".
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		let total = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
		for (const task of readdirSync(`/proc/${pid}/task`)) {
			for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) total += treeCpuMs(Number(child)) ?? 0;
		}
		return total;
	} catch {
		return undefined;
	}
}

/**
 * Spawn a command and time it until `done(output)` holds (or the process exits when no predicate is given).
 * The process group is killed when the predicate holds or the deadline passes, so nothing is left behind.
 */
export function timeProcess(
	command: string,
	args: string[],
	options: {env?: NodeJS.ProcessEnv; done?: (output: string) => boolean; deadlineMs: number; what: string; onSpawn?: (pid: number) => void},
): Promise<Timed> {
	return new Promise((resolve, reject) => {
		const start = process.hrtime.bigint();
		const child = spawn(command, args, {env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
		if (child.pid !== undefined) options.onSpawn?.(child.pid);
		let output = '';
		let settled = false;
		const finish = (result: Timed | Error) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			killGroup(child);
			if (result instanceof Error) reject(result);
			else resolve(result);
		};
		const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;
		const timer = setTimeout(
			() =>
				finish(
					new Error(
						`${options.what}: gave up after ${options.deadlineMs} ms waiting for ${options.done ? 'the marker in its output' : 'it to exit'}; output so far:\n${output.slice(-2000)}`,
					),
				),
			options.deadlineMs,
		);
		const onData = (d: Buffer) => {
			output += d.toString('utf8');
			if (options.done?.(output)) finish({ms: elapsed(), cpuMs: treeCpuMs(child.pid!), code: null, output});
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.on('error', error => finish(error));
		child.on('exit', code => {
			if (options.done) {
				if (!options.done(output)) finish(new Error(`${options.what}: exited with ${code} before the marker appeared; output:\n${output.slice(-2000)}`));
				return;
			}
			finish({ms: elapsed(), cpuMs: undefined, code, output});
		});
	});
}

export function killGroup(child: ChildProcess): void {
	if (child.pid === undefined || child.exitCode !== null) return;
	try {
		process.kill(-child.pid, 'SIGKILL');
	} catch {
		// Already gone.
	}
}

/**
 * Run a command to exit through `/bin/sh -c` so that the shell's `times` reports the CPU time (user +
 * system, 10 ms ticks) of the command and every descendant it waited for. Output and exit code are the command's.
 */
export async function timeToExitWithCpu(
	command: string,
	args: string[],
	options: {env?: NodeJS.ProcessEnv; deadlineMs: number; what: string; onSpawn?: (pid: number) => void},
): Promise<Timed> {
	const t = await timeProcess('/bin/sh', ['-c', '"$@"; code=$?; times; exit $code', 'sh', command, ...args], options);
	const children = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(t.output);
	const cpuMs = children ? (Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])) * 1000 : undefined;
	return {...t, cpuMs, output: children ? t.output.slice(0, children.index).replace(/\d+m[\d.]+s \d+m[\d.]+s\s*$/, '') : t.output};
}

/** Run `command` in a pseudo-terminal of the given size through util-linux `script`. */
export function inPty(command: string[], size = {columns: 120, rows: 40}): {command: string; args: string[]} {
	const quoted = command.map(a => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
	return {command: 'script', args: ['-qfec', `stty cols ${size.columns} rows ${size.rows} 2>/dev/null; exec ${quoted}`, '/dev/null']};
}

/** esbuild options for a bundle built the way scripts/build.mjs builds the CLI (ESM, split, minified, production React). */
export function bundleOptions(entry: string, outdir: string) {
	return {
		entryPoints: {main: entry},
		outdir,
		bundle: true,
		splitting: true,
		format: 'esm' as const,
		platform: 'node' as const,
		target: 'node20',
		jsx: 'automatic' as const,
		minify: true,
		chunkNames: 'chunks/[name]-[hash]',
		define: {'process.env.NODE_ENV': '"production"', 'process.env.DEV': 'undefined'},
		banner: {js: "import {createRequire as __ewCreateRequire} from 'node:module';const require=__ewCreateRequire(import.meta.url);"},
		external: ['react-devtools-core'],
		logLevel: 'warning' as const,
	};
}

export const sleep = (msValue: number) => new Promise<void>(resolve => setTimeout(resolve, msValue));

/** Every live process in the tree under `pid`, `pid` included (from /proc; empty where there is none). */
export function processTree(pid: number): number[] {
	const out: number[] = [];
	const walk = (p: number) => {
		out.push(p);
		try {
			for (const task of readdirSync(`/proc/${p}/task`)) {
				for (const child of readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) walk(Number(child));
			}
		} catch {
			// Gone meanwhile.
		}
	};
	walk(pid);
	return out;
}

/** One field of /proc/<pid>/status in kB (VmRSS, VmHWM…), or 0 when the process is gone. */
export function statusKb(pid: number, field: string): number {
	try {
		const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : 0;
	} catch {
		return 0;
	}
}

/** Proportional set size of one process in kB (shared pages split between their users), or 0 when gone. */
export function pssKb(pid: number): number {
	try {
		const m = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
		return m ? Number(m[1]) : 0;
	} catch {
		return 0;
	}
}

/**
 * Sample the memory of a process tree every `everyMs` until stopped: the peak of the sum of RSS over
 * the tree (shared pages counted once per process: an upper bound), the peak of the sum of PSS, and the
 * most processes seen at once matching `count` (e.g. istioctl).
 */
export function sampleTreeMemory(root: () => number | undefined, everyMs: number, count: (pid: number) => boolean = () => false) {
	let peakRssKb = 0;
	let peakPssKb = 0;
	let peakCounted = 0;
	const timer = setInterval(() => {
		const pid = root();
		if (pid === undefined) return;
		const tree = processTree(pid);
		peakRssKb = Math.max(
			peakRssKb,
			tree.reduce((sum, p) => sum + statusKb(p, 'VmRSS'), 0),
		);
		peakPssKb = Math.max(
			peakPssKb,
			tree.reduce((sum, p) => sum + pssKb(p), 0),
		);
		peakCounted = Math.max(peakCounted, tree.filter(count).length);
	}, everyMs);
	return {
		stop() {
			clearInterval(timer);
			return {peakRssKb, peakPssKb, peakCounted};
		},
	};
}
