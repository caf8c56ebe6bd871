/**
 * Bench 6: `eastwest __complete`, what every Tab runs, against `node -e 0`, spawn to exit: a flag list
 * (no file read), profile names (20 saved) and context names (a kubeconfig of 20 contexts).
 */
import {mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {kubeconfigYaml} from './first-frame.js';
import {cliPath, median, ms, ratio, table, timeToExitWithCpu, verdict, type BenchReport} from './lib.js';

export const TARGET_RATIO = 2;
export const COUNT = 20;

/** A config home with COUNT profiles and a kubeconfig of COUNT contexts (servers on a closed loopback port). */
export function completionFixture(dir: string): NodeJS.ProcessEnv {
	const config = path.join(dir, 'config');
	mkdirSync(path.join(config, 'eastwest-nodejs'), {recursive: true});
	const at = '2026-01-01T00:00:00.000Z';
	const profiles = Object.fromEntries(
		Array.from({length: COUNT}, (_, i) => [
			`profile-${String(i + 1).padStart(2, '0')}`,
			{
				topology: 'multi-network',
				meshId: 'mesh1',
				clusters: [
					{context: 'cluster-01', name: 'a', network: 'n1', role: 'primary'},
					{context: 'cluster-02', name: 'b', network: 'n2', role: 'primary'},
				],
				createdAt: at,
				updatedAt: at,
			},
		]),
	);
	writeFileSync(path.join(config, 'eastwest-nodejs', 'profiles.json'), JSON.stringify({schemaVersion: 1, profiles}, null, '\t'));
	const kubeconfig = path.join(dir, 'kubeconfig');
	writeFileSync(kubeconfig, kubeconfigYaml(COUNT, 9));
	return {...process.env, HOME: dir, XDG_CONFIG_HOME: config, KUBECONFIG: kubeconfig};
}

export async function completion(options: {runs: number}): Promise<BenchReport> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eastwest-bench-complete-'));
	const env = completionFixture(dir);
	const cases = [
		{name: '`node -e 0` (baseline)', args: ['-e', '0'], lines: 0, atLeast: false},
		{name: '`eastwest __complete apply --` (flags)', args: [cliPath, '__complete', 'apply', '--'], lines: 10, atLeast: true},
		{name: '`eastwest __complete apply --profile ""` (20 profiles)', args: [cliPath, '__complete', 'apply', '--profile', ''], lines: COUNT, atLeast: false},
		{name: '`eastwest __complete status --context ""` (20 contexts)', args: [cliPath, '__complete', 'status', '--context', ''], lines: COUNT, atLeast: false},
	];
	const times = cases.map(() => [] as number[]);
	const cpu = cases.map(() => [] as number[]);
	try {
		for (let i = -1; i < options.runs; i++) {
			for (const [k, c] of cases.entries()) {
				const t = await timeToExitWithCpu(process.execPath, c.args, {env, deadlineMs: 10_000, what: c.name});
				if (t.code !== 0) throw new Error(`${c.name} exited with ${t.code}: ${t.output.slice(0, 500)}`);
				const printed = t.output.split('\n').filter(Boolean).length;
				if (c.atLeast ? printed < c.lines : printed !== c.lines)
					throw new Error(`${c.name} printed ${printed} candidates, expected ${c.atLeast ? 'at least ' : ''}${c.lines}: ${t.output.slice(0, 500)}`);
				if (i < 0) continue;
				times[k]!.push(t.ms);
				if (t.cpuMs !== undefined) cpu[k]!.push(t.cpuMs);
			}
		}
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
	const base = median(times[0]!);
	const ratios = times.map(t => median(t) / base);
	const haveCpu = cpu.every(c => c.length > 0);
	const cpuBase = haveCpu ? median(cpu[0]!) : 0;
	return {
		title: '6. Shell completion: `eastwest __complete` (spawn to exit)',
		table: table(
			['words completed', 'runs', 'median', 'min', 'max', 'ratio to baseline', 'target', 'CPU (median)', 'CPU ratio'],
			cases.map((c, k) => [
				c.name,
				times[k]!.length,
				ms(median(times[k]!)),
				ms(Math.min(...times[k]!)),
				ms(Math.max(...times[k]!)),
				ratio(ratios[k]!),
				k === 0 ? '' : `≤ ${TARGET_RATIO}× (${verdict(ratios[k]! <= TARGET_RATIO)})`,
				haveCpu ? ms(median(cpu[k]!)) : 'n/a',
				haveCpu ? ratio(median(cpu[k]!) / cpuBase) : 'n/a',
			]),
		),
		notes: [
			'what one Tab costs (the shell function itself adds a fork); spawn to exit through `/bin/sh -c`, runs interleaved, one warm-up round discarded; every run checked for the expected number of candidates',
			'profiles are read from profiles.json as JSON (conf is not loaded); contexts from the kubeconfig YAML (the `yaml` parser is loaded only for them; @kubernetes/client-node never)',
			"CPU: user + system time of node as the shell's `times` reports it (10 ms ticks)",
		],
		ok: ratios.every(r => r <= TARGET_RATIO),
	};
}
