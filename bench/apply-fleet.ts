/**
 * Bench 7: `eastwest apply` at fleet scale: 2 vs 32 clusters with a high --parallel (wall-time ratio),
 * the staircase at low --parallel values, and the peak memory of the whole process tree (eastwest and
 * every istioctl it runs). One loopback fake API server per cluster; the istioctl is a small Node script
 * written to a temporary directory and passed with --istioctl: for `install` it holds a configurable
 * amount of memory for a configurable time, then does what the test double does (creates the gateway
 * and waits for it to roll out), so each install costs memory and time as the real one does.
 */
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os, {tmpdir} from 'node:os';
import path from 'node:path';
import {DEFAULT_PARALLEL} from '../source/core/slots.js';
import {FakeApiServer, writeKubeconfig} from '../test/support/fake-apiserver.js';
import {fakeBin, fakeIstioctlEnv, readFakeIstioctlLog} from '../test/support/fake-istioctl.js';
import {cliPath, firstChild, median, ms, ownCpuMs, ratio, sampleTreeMemory, table, timeToExitWithCpu, verdict, type BenchReport} from './lib.js';

/** Wall time at a --parallel that holds every install at once, against the machine's floor: the tree's CPU spread over the cores. */
export const TARGET_FLOOR_RATIO = 1.15;
export const TARGET_TREE_GB = 2;

export interface FleetOptions {
	runs: number;
	/** Clusters in the large run (the small one is 2: the smallest mesh apply accepts). */
	clusters?: number;
	/** Memory each istioctl install holds (MB) and how long it holds it before installing (ms). */
	istioctlMb?: number;
	istioctlHoldMs?: number;
	rolloutMs?: number;
	addressMs?: number;
	/** --parallel values for the staircase. */
	staircase?: number[];
}

/** The fake istioctl: hold memory and time on `install`, then run the test double with the same arguments. */
export function writeHeavyIstioctl(dir: string): string {
	const file = path.join(dir, 'istioctl');
	const fixture = path.join(fakeBin, 'istioctl');
	writeFileSync(
		file,
		`#!/usr/bin/env node
'use strict';
// Benchmark istioctl: an install holds BENCH_ISTIOCTL_MB of touched memory for BENCH_ISTIOCTL_HOLD_MS, then installs.
if (process.argv[2] === 'install') {
	globalThis.held = Buffer.alloc(Number(process.env.BENCH_ISTIOCTL_MB || 0) * 1048576, 1);
	setTimeout(() => require(${JSON.stringify(fixture)}), Number(process.env.BENCH_ISTIOCTL_HOLD_MS || 0));
} else {
	require(${JSON.stringify(fixture)});
}
`,
	);
	chmodSync(file, 0o755);
	return file;
}

function isIstioctl(istioctl: string) {
	return (pid: number) => {
		try {
			// node <script> …: the script is the second word (eastwest's own command line names it after --istioctl).
			return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1] === istioctl;
		} catch {
			return false;
		}
	};
}

interface FleetRun {
	clusters: number;
	parallel: number;
	ms: number;
	cpuMs: number | undefined;
	/** eastwest's own CPU, without the istioctl processes (its last /proc sample). */
	ownCpuMs: number | undefined;
	peakRssMb: number;
	peakPssMb: number;
	peakIstioctl: number;
	installs: number;
	/** Median time of the install step (queue wait included) per cluster. */
	installStepMs: number;
	queuedLines: number;
}

async function applyFleetOnce(clusters: number, parallel: number, o: Required<Omit<FleetOptions, 'runs' | 'staircase'>>): Promise<FleetRun> {
	const servers: FakeApiServer[] = [];
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-fleet-'));
	let kubeconfig: string | undefined;
	let env: NodeJS.ProcessEnv | undefined;
	try {
		for (let i = 0; i < clusters; i++) {
			const s = await FakeApiServer.start({token: 'bench-token'});
			s.addIstioCrds();
			s.addIstiod({clusterId: `cluster-${i + 1}`, meshId: 'bench-mesh', network: `network-${i + 1}`});
			s.deployment = {scenario: 'ready', delayMs: o.rolloutMs};
			s.loadBalancer = {scenario: 'ip', delayMs: o.addressMs};
			servers.push(s);
		}
		kubeconfig = writeKubeconfig(servers.map((server, i) => ({name: `cluster-${i + 1}`, server})));
		const istioctl = writeHeavyIstioctl(dir);
		env = {...process.env, ...fakeIstioctlEnv().env, CI: '', BENCH_ISTIOCTL_MB: String(o.istioctlMb), BENCH_ISTIOCTL_HOLD_MS: String(o.istioctlHoldMs)};
		const flags = servers.flatMap((_, i) => ['--cluster', `cluster-${i + 1}=cluster-${i + 1}:network-${i + 1}`]);
		const args = [
			cliPath,
			'apply',
			'--topology',
			'multi-network',
			'--mesh',
			'bench-mesh',
			...flags,
			'--kubeconfig',
			kubeconfig,
			'--istioctl',
			istioctl,
			'--parallel',
			String(parallel),
			'--yes',
			'--timeout',
			'5m',
		];
		let shell: number | undefined;
		let node: number | undefined;
		let own: number | undefined;
		const eastwest = () => (node ??= shell === undefined ? undefined : firstChild(shell));
		const sampler = sampleTreeMemory(eastwest, 50, isIstioctl(istioctl));
		const ownSampler = setInterval(() => {
			const pid = eastwest();
			const now = pid === undefined ? undefined : ownCpuMs(pid);
			if (now !== undefined) own = now;
		}, 25);
		const t = await timeToExitWithCpu(process.execPath, args, {
			env,
			deadlineMs: 15 * 60_000,
			what: `eastwest apply on ${clusters} clusters (--parallel ${parallel})`,
			onSpawn: pid => (shell = pid),
		});
		const memory = sampler.stop();
		clearInterval(ownSampler);
		if (t.code !== 0) throw new Error(`eastwest apply on ${clusters} clusters exited with ${t.code}:\n${t.output.slice(-3000)}`);
		if (!/^Done:$/m.test(t.output)) throw new Error(`eastwest apply on ${clusters} clusters did not finish everywhere:\n${t.output.slice(-3000)}`);
		// "[8.3s]", "[12s]", "[1m05s]": the install step's time as the text output prints it.
		const installSteps = [...t.output.matchAll(/✔ Install the east-west gateway .*: changed .*\[(?:(\d+)m)?([\d.]+)s\]$/gm)].map(
			m => (Number(m[1] ?? 0) * 60 + Number(m[2])) * 1000,
		);
		return {
			clusters,
			parallel,
			ms: t.ms,
			cpuMs: t.cpuMs,
			ownCpuMs: own,
			peakRssMb: memory.peakRssKb / 1024,
			peakPssMb: memory.peakPssKb / 1024,
			peakIstioctl: memory.peakCounted,
			installs: readFakeIstioctlLog(env).filter(r => r.argv[0] === 'install').length,
			installStepMs: installSteps.length > 0 ? median(installSteps) : Number.NaN,
			queuedLines: (t.output.match(/waiting [\d.ms]+: queued: /g) ?? []).length,
		};
	} finally {
		await Promise.all(servers.map(s => s.close()));
		if (kubeconfig) rmSync(path.dirname(kubeconfig), {recursive: true, force: true});
		if (env?.HOME) rmSync(env.HOME, {recursive: true, force: true});
		rmSync(dir, {recursive: true, force: true});
	}
}

export async function applyFleet(options: FleetOptions): Promise<BenchReport> {
	const large = options.clusters ?? 32;
	const o = {
		clusters: large,
		istioctlMb: options.istioctlMb ?? 150,
		istioctlHoldMs: options.istioctlHoldMs ?? 5000,
		rolloutMs: options.rolloutMs ?? 3000,
		addressMs: options.addressMs ?? 1000,
	};
	const high = large;
	const small: FleetRun[] = [];
	const big: FleetRun[] = [];
	for (let i = 0; i < options.runs; i++) {
		small.push(await applyFleetOnce(2, high, o));
		big.push(await applyFleetOnce(large, high, o));
	}
	const stairs: FleetRun[] = [];
	for (const p of options.staircase ?? [DEFAULT_PARALLEL, 8]) stairs.push(await applyFleetOnce(large, p, o));

	const m1 = median(small.map(r => r.ms));
	const mN = median(big.map(r => r.ms));
	const r = mN / m1;
	// The machine's floor for the large run: its whole tree's CPU spread over every core; and eastwest's own CPU per cluster.
	const cores = os.availableParallelism();
	const medianOf = (xs: FleetRun[], pick: (x: FleetRun) => number | undefined) => {
		const v = xs.map(pick).filter((x): x is number => x !== undefined);
		return v.length > 0 ? median(v) : undefined;
	};
	const bigTreeCpu = medianOf(big, x => x.cpuMs);
	const floorRatio = bigTreeCpu ? mN / (bigTreeCpu / cores) : undefined;
	const floorOk = floorRatio !== undefined && floorRatio <= TARGET_FLOOR_RATIO;
	const ownSmall = medianOf(small, x => x.ownCpuMs);
	const ownBig = medianOf(big, x => x.ownCpuMs);
	const perClusterOk = ownSmall !== undefined && ownBig !== undefined && ownBig / large <= ownSmall / 2;
	// One install as the small run measures it (no queue there): what each extra round of the staircase should add
	// to the large run at a --parallel that holds every install at once.
	const install = median(small.map(x => x.installStepMs));
	const expected = (p: number) => mN + (Math.ceil(large / p) - 1) * install;
	const atDefault = stairs.find(s => s.parallel === DEFAULT_PARALLEL);
	const mb = (x: number) => `${x.toFixed(0)} MB`;
	const cpu = (xs: FleetRun[], pick: (x: FleetRun) => number | undefined = x => x.cpuMs) => {
		const v = xs.map(pick).filter((x): x is number => x !== undefined);
		return v.length > 0 ? ms(median(v)) : 'n/a';
	};
	const row = (label: string, runs: FleetRun[], ratioCell: string, target: string) => [
		label,
		runs.length,
		ms(median(runs.map(x => x.ms))),
		ms(Math.min(...runs.map(x => x.ms))),
		ms(Math.max(...runs.map(x => x.ms))),
		ratioCell,
		target,
		cpu(runs),
		cpu(runs, x => x.ownCpuMs),
		mb(Math.max(...runs.map(x => x.peakRssMb))),
		mb(Math.max(...runs.map(x => x.peakPssMb))),
		String(Math.max(...runs.map(x => x.peakIstioctl))),
	];
	const treeOk = atDefault ? atDefault.peakRssMb / 1024 <= TARGET_TREE_GB : true;
	return {
		title: `7. \`eastwest apply\` at fleet scale: 2 vs ${large} clusters, --parallel ${high}, and the staircase`,
		table: table(
			[
				'run',
				'runs',
				'median wall time',
				'min',
				'max',
				'ratio',
				'target',
				'CPU, whole tree (median)',
				'CPU, eastwest alone (median)',
				'peak RSS, whole tree',
				'peak PSS, whole tree',
				'most istioctl at once',
			],
			[
				row(`2 clusters, --parallel ${high}`, small, '1.00×', ''),
				row(
					`${large} clusters, --parallel ${high}`,
					big,
					ratio(r),
					`wall ${floorRatio === undefined ? 'n/a' : ratio(floorRatio)} of the tree's CPU ÷ ${cores} cores, ≤ ${TARGET_FLOOR_RATIO}× (${verdict(floorOk)}); eastwest's CPU per cluster ${ownBig === undefined ? 'n/a' : ms(ownBig / large)} vs ${ownSmall === undefined ? 'n/a' : ms(ownSmall / 2)} at 2 clusters, no more (${verdict(perClusterOk)})`,
				),
				...stairs.map(s =>
					row(
						`${large} clusters, --parallel ${s.parallel}${s.parallel === DEFAULT_PARALLEL ? ' (default)' : ''}`,
						[s],
						`${ratio(s.ms / m1)}; expected ${ratio(expected(s.parallel) / m1)}`,
						s.parallel === DEFAULT_PARALLEL ? `tree ≤ ${TARGET_TREE_GB} GB (${verdict(treeOk)})` : '',
					),
				),
			],
		),
		notes: [
			`fake istioctl: a Node script given with --istioctl; each install holds ${o.istioctlMb} MB of touched memory and waits ${o.istioctlHoldMs} ms, then creates the gateway on its loopback fake API server and waits for the rollout (scripted ${o.rolloutMs} ms; LoadBalancer address ${o.addressMs} ms after the Service exists), as istioctl waits for readiness`,
			`one install step took ${ms(install)} (median, 2-cluster runs); "expected" for --parallel p is the ${large}-cluster wall time at --parallel ${high} plus (⌈${large}/p⌉ − 1) such rounds: the staircase of installs queued behind the bound (ratios are to the 2-cluster run)`,
			`peak RSS / PSS: sums over eastwest and every process under it (sampled from /proc every 50 ms); RSS counts the pages node processes share once per process (an upper bound), PSS splits them; "most istioctl at once" counts istioctl processes in the same samples`,
			`queued-for-a-slot lines printed by the ${large}-cluster run at --parallel ${DEFAULT_PARALLEL}: ${atDefault?.queuedLines ?? 'n/a'}; installs in it: ${atDefault?.installs ?? 'n/a'}`,
			'the fake API servers run in the benchmark process, outside the measured tree; every run starts from fresh servers, so it creates everything',
		],
		ok: floorOk && perClusterOk && treeOk,
	};
}
