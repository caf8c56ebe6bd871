/**
 * Bench 1: spawn → the wizard's first screen fully drawn, in a pseudo-terminal, with a kubeconfig of 20
 * contexts; against a bundled one-line Ink program spawned the same way, interleaved.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {build} from 'esbuild';
import {bundleOptions, cliPath, inPty, median, ms, ratio, root, table, timeProcess, verdict, type BenchReport} from './lib.js';

export const TARGET_RATIO = 1.1;
/** The last line of the topology screen: its key hints. */
export const WIZARD_MARKER = /enter continue.*quit/;
export const BASELINE_MARKER = /baseline ready/;

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	await new Promise<void>(resolve => server.close(() => resolve()));
	return port;
}

/** A kubeconfig of `count` contexts, every server a closed loopback port. */
export function kubeconfigYaml(count: number, port: number): string {
	const names = Array.from({length: count}, (_, i) => `cluster-${String(i + 1).padStart(2, '0')}`);
	return [
		'apiVersion: v1',
		'kind: Config',
		`current-context: ${names[0]}`,
		'clusters:',
		...names.map(n => `- name: ${n}\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`),
		'users:',
		...names.map(n => `- name: ${n}-admin\n  user:\n    token: bench-token`),
		'contexts:',
		...names.map(n => `- name: ${n}\n  context:\n    cluster: ${n}\n    user: ${n}-admin`),
		'',
	].join('\n');
}

/**
 * Bytes of JavaScript a bundle entry loads before it runs (its static imports, transitively) and the
 * chunks it can load later (dynamic imports). Reads esbuild's minified ESM output.
 */
export function staticClosure(entry: string): {files: string[]; bytes: number; dynamic: string[]} {
	const seen = new Set<string>();
	const dynamic = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		const text = readFileSync(file, 'utf8');
		for (const m of text.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+)"/g)) visit(path.resolve(path.dirname(file), m[1]!));
		for (const m of text.matchAll(/import\("(\.{1,2}\/[^"]+)"\)/g)) dynamic.add(path.resolve(path.dirname(file), m[1]!));
	};
	visit(entry);
	const files = [...seen];
	return {files, bytes: files.reduce((n, f) => n + readFileSync(f).length, 0), dynamic: [...dynamic].filter(f => !seen.has(f))};
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** What the wizard loads before its first frame: cli.js, then the wizard chunk and its static imports. */
export function wizardLoad(): {bytes: number; clientNodeBefore: boolean} {
	const cli = staticClosure(cliPath);
	const wizardChunk = cli.dynamic.find(f => path.basename(f).startsWith('wizard-'));
	if (!wizardChunk) throw new Error(`no wizard chunk among the dynamic imports of ${cliPath}`);
	const wizard = staticClosure(wizardChunk);
	const files = new Set([...cli.files, ...wizard.files]);
	// @kubernetes/client-node is recognised by its generated model names, which survive minification as strings.
	const clientNodeBefore = [...files].some(f => readFileSync(f, 'utf8').includes('V1Deployment'));
	return {bytes: [...files].reduce((n, f) => n + readFileSync(f).length, 0), clientNodeBefore};
}

export async function bundleBaseline(outdir: string): Promise<string> {
	await build(bundleOptions(path.join(root, 'bench/fixtures/baseline.tsx'), outdir));
	return path.join(outdir, 'main.js');
}

export async function firstFrame(options: {runs: number}): Promise<BenchReport> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eastwest-bench-frame-'));
	try {
		const kubeconfig = path.join(dir, 'config');
		writeFileSync(kubeconfig, kubeconfigYaml(20, await closedPort()), {mode: 0o600});
		const baseline = await bundleBaseline(path.join(dir, 'baseline'));
		const env: NodeJS.ProcessEnv = {...process.env, HOME: dir, KUBECONFIG: kubeconfig, TERM: 'xterm-256color', FORCE_COLOR: '1'};
		delete env.CI;
		delete env.NO_COLOR;
		const matcher = (marker: RegExp) => (out: string) => marker.test(stripVTControlCharacters(out));
		const wizard = inPty([process.execPath, cliPath]);
		const base = inPty([process.execPath, baseline]);
		const times = {wizard: [] as number[], baseline: [] as number[]};
		const cpu = {wizard: [] as number[], baseline: [] as number[]};
		// One warm-up each (file cache), then interleaved runs.
		for (let i = -1; i < options.runs; i++) {
			const w = await timeProcess(wizard.command, wizard.args, {env, done: matcher(WIZARD_MARKER), deadlineMs: 10_000, what: 'wizard first frame'});
			const b = await timeProcess(base.command, base.args, {env, done: matcher(BASELINE_MARKER), deadlineMs: 10_000, what: 'baseline first frame'});
			if (i < 0) continue;
			times.wizard.push(w.ms);
			times.baseline.push(b.ms);
			if (w.cpuMs !== undefined && b.cpuMs !== undefined) {
				cpu.wizard.push(w.cpuMs);
				cpu.baseline.push(b.cpuMs);
			}
		}
		const mw = median(times.wizard);
		const mb = median(times.baseline);
		const r = mw / mb;
		const load = wizardLoad();
		const cpuCell = (xs: number[]) => (xs.length > 0 ? ms(median(xs)) : 'n/a');
		const cpuRatio = cpu.wizard.length > 0 ? ratio(median(cpu.wizard) / median(cpu.baseline)) : 'n/a';
		const baseLoad = staticClosure(baseline);
		return {
			title: '1. First interactive frame (wizard, 20 contexts, pseudo-terminal)',
			table: table(
				['program', 'runs', 'median', 'min', 'max', 'ratio to baseline', 'target', 'CPU to the frame (median)', 'CPU ratio'],
				[
					[
						'one-line Ink program (baseline)',
						times.baseline.length,
						ms(mb),
						ms(Math.min(...times.baseline)),
						ms(Math.max(...times.baseline)),
						'1.00×',
						'',
						cpuCell(cpu.baseline),
						'1.00×',
					],
					[
						'`eastwest` → topology screen drawn',
						times.wizard.length,
						ms(mw),
						ms(Math.min(...times.wizard)),
						ms(Math.max(...times.wizard)),
						ratio(r),
						`≤ ${TARGET_RATIO}× (${verdict(r <= TARGET_RATIO)})`,
						cpuCell(cpu.wizard),
						cpuRatio,
					],
				],
			),
			notes: [
				`JavaScript loaded before the first frame: eastwest ${kb(load.bytes)} (cli.js, the wizard chunk and its static imports), baseline ${kb(baseLoad.bytes)}; @kubernetes/client-node ${load.clientNodeBefore ? '**is** loaded before the first frame' : 'is not among them (it loads after the first frame)'}`,
				'CPU: user + system time of the process tree (`script` and node, 10 ms ticks from /proc) when the marker was seen; less sensitive than wall time to other load on the machine',
				'time from spawn (`script` allocating the pseudo-terminal, then node) to the last line of the screen in the output; both programs are bundled the same way and spawned the same way, runs interleaved',
			],
			ok: r <= TARGET_RATIO,
		};
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}
