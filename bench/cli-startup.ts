/** Bench 2: `eastwest --help` and `--version` against `node -e 0`, spawn to exit. */
import {cliPath, median, ms, ratio, table, timeToExitWithCpu, verdict, type BenchReport} from './lib.js';

export const TARGET_RATIO = 2;

export async function cliStartup(options: {runs: number}): Promise<BenchReport> {
	const cases = [
		{name: '`node -e 0` (baseline)', args: ['-e', '0']},
		{name: '`eastwest --help`', args: [cliPath, '--help']},
		{name: '`eastwest --version`', args: [cliPath, '--version']},
	];
	const times = cases.map(() => [] as number[]);
	const cpu = cases.map(() => [] as number[]);
	for (let i = -1; i < options.runs; i++) {
		for (const [k, c] of cases.entries()) {
			const t = await timeToExitWithCpu(process.execPath, c.args, {deadlineMs: 10_000, what: c.name});
			if (t.code !== 0) throw new Error(`${c.name} exited with ${t.code}: ${t.output.slice(0, 500)}`);
			if (i < 0) continue;
			times[k]!.push(t.ms);
			if (t.cpuMs !== undefined) cpu[k]!.push(t.cpuMs);
		}
	}
	const base = median(times[0]!);
	const ratios = times.map(t => median(t) / base);
	const haveCpu = cpu.every(c => c.length > 0);
	const cpuBase = haveCpu ? median(cpu[0]!) : 0;
	const ok = ratios.every(r => r <= TARGET_RATIO);
	return {
		title: '2. `--help` and `--version` (spawn to exit)',
		table: table(
			['command', 'runs', 'median', 'min', 'max', 'ratio to baseline', 'target', 'CPU (median)', 'CPU ratio'],
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
			'spawn to exit, each through `/bin/sh -c` (the same small cost for all three), runs interleaved, one warm-up round discarded',
			"CPU: user + system time of node as the shell's `times` reports it (10 ms ticks); less sensitive than wall time to other load on the machine",
		],
		ok,
	};
}
