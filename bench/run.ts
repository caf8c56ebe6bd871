/**
 * `npm run bench`: the benchmarks, each printed as a markdown section.
 *   --only 1,3     run only these benchmarks
 *   --quick        fewer repetitions and a short status run (to check the harness, not for figures)
 */
import os from 'node:os';
import {execFileSync} from 'node:child_process';
import {formatReport, type BenchReport} from './lib.js';

// Measure what users run: the bundle is built with NODE_ENV=production, so the in-process benchmark
// loads React's production build too (set before React is first imported).
process.env.NODE_ENV = 'production';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',').map(Number)) : undefined;

function machine(): string {
	let cpus = String(os.availableParallelism());
	try {
		cpus = execFileSync('nproc', {encoding: 'utf8'}).trim();
	} catch {
		// nproc missing: keep Node's count.
	}
	const load = os
		.loadavg()
		.map(l => l.toFixed(1))
		.join(' ');
	return `nproc ${cpus} · ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory · ${os.cpus()[0]?.model ?? 'unknown CPU'} · Node ${process.version} · ${os.platform()} ${os.release()} · load average ${load} at start · ${new Date().toISOString()}`;
}

const benches: Array<{n: number; run: () => Promise<BenchReport>}> = [
	{n: 1, run: async () => (await import('./first-frame.js')).firstFrame({runs: quick ? 3 : 15})},
	{n: 2, run: async () => (await import('./cli-startup.js')).cliStartup({runs: quick ? 3 : 25})},
	{n: 3, run: async () => (await import('./keypress.js')).keypress({rounds: quick ? 1 : 4, contexts: 5000})},
	{n: 3, run: async () => (await import('./keypress.js')).keypress({rounds: quick ? 1 : 4, contexts: 20_000})},
	{n: 4, run: async () => (await import('./apply.js')).applyParallel({runs: quick ? 1 : 3})},
	{n: 5, run: async () => (await import('./status-watch.js')).statusWatch({seconds: quick ? 5 : 60})},
	{n: 6, run: async () => (await import('./completion.js')).completion({runs: quick ? 3 : 25})},
	{
		n: 7,
		run: async () =>
			(await import('./apply-fleet.js')).applyFleet(quick ? {runs: 1, clusters: 8, istioctlMb: 20, istioctlHoldMs: 500, staircase: [4]} : {runs: 3}),
	},
	{n: 8, run: async () => (await import('./ca.js')).caGeneration({runs: quick ? 1 : 3})},
];

console.log(`## Results\n\n${machine()}\n`);
let failed = false;
for (const b of benches) {
	if (only && !only.has(b.n)) continue;
	try {
		const report = await b.run();
		console.log(formatReport(report));
	} catch (error) {
		failed = true;
		console.log(`### ${b.n}. failed to run\n\n${error instanceof Error ? error.message : String(error)}\n`);
	}
}
process.exit(failed ? 1 : 0);
