/**
 * Bench 4: `eastwest apply` on N and on 4·N clusters (N = 2: a mesh needs at least two clusters), one
 * loopback fake API server per cluster, the fake istioctl first on PATH, the same scripted rollout and
 * LoadBalancer delays. Clusters run in parallel, so four times the clusters should take about as long.
 */
import {rmSync} from 'node:fs';
import path from 'node:path';
import {FakeApiServer, writeKubeconfig} from '../test/support/fake-apiserver.js';
import {fakeIstioctlEnv, readFakeIstioctlLog} from '../test/support/fake-istioctl.js';
import {cliPath, firstChild, median, ownCpuMs, ms, ratio, table, timeToExitWithCpu, verdict, type BenchReport} from './lib.js';

export const TARGET_RATIO = 1.3;

interface Scripted {
	rolloutMs: number;
	addressMs: number;
}

async function applyOnce(clusters: number, delays: Scripted): Promise<{ms: number; cpuMs: number | undefined; ownCpuMs: number | undefined; installs: number}> {
	const servers: FakeApiServer[] = [];
	let env: NodeJS.ProcessEnv | undefined;
	let kubeconfig: string | undefined;
	try {
		for (let i = 0; i < clusters; i++) {
			const s = await FakeApiServer.start({token: 'bench-token'});
			s.addIstioCrds();
			// Each cluster as a real primary is: istiod installed with the plan's cluster name, mesh and network (the preflight gate checks them).
			s.addIstiod({clusterId: `cluster-${i + 1}`, meshId: 'bench-mesh', network: `network-${i + 1}`});
			s.deployment = {scenario: 'ready', delayMs: delays.rolloutMs};
			s.loadBalancer = {scenario: 'ip', delayMs: delays.addressMs};
			servers.push(s);
		}
		kubeconfig = writeKubeconfig(servers.map((server, i) => ({name: `cluster-${i + 1}`, server})));
		env = {...process.env, ...fakeIstioctlEnv().env, CI: ''};
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
			'--parallel',
			String(clusters),
			'--yes',
			'--timeout',
			'60s',
			'-o',
			'json',
		];
		// eastwest's own CPU (without the istioctl processes it runs), sampled until it exits.
		let own: number | undefined;
		let sampler: NodeJS.Timeout | undefined;
		const t = await timeToExitWithCpu(process.execPath, args, {
			env,
			deadlineMs: 90_000,
			what: `eastwest apply on ${clusters} clusters`,
			onSpawn: shell => {
				let node: number | undefined;
				sampler = setInterval(() => {
					node ??= firstChild(shell);
					const now = node === undefined ? undefined : ownCpuMs(node);
					if (now !== undefined) own = now;
				}, 25);
			},
		});
		clearInterval(sampler);
		if (t.code !== 0) throw new Error(`eastwest apply on ${clusters} clusters exited with ${t.code}:\n${t.output.slice(-2000)}`);
		const doc = JSON.parse(t.output.slice(t.output.indexOf('{'))) as {ok: boolean; clusters: Array<{outcome: string}>};
		if (!doc.ok || doc.clusters.length !== clusters || doc.clusters.some(c => c.outcome !== 'succeeded'))
			throw new Error(`eastwest apply on ${clusters} clusters did not succeed everywhere:\n${t.output.slice(-2000)}`);
		return {ms: t.ms, cpuMs: t.cpuMs, ownCpuMs: own, installs: readFakeIstioctlLog(env).filter(r => r.argv[0] === 'install').length};
	} finally {
		await Promise.all(servers.map(s => s.close()));
		if (kubeconfig) rmSync(path.dirname(kubeconfig), {recursive: true, force: true});
		if (env?.HOME) rmSync(env.HOME, {recursive: true, force: true});
	}
}

/** The smallest mesh `eastwest apply` accepts. */
export const SMALL = 2;
export const LARGE = 4 * SMALL;

export async function applyParallel(options: {runs: number; rolloutMs?: number; addressMs?: number}): Promise<BenchReport> {
	const delays = {rolloutMs: options.rolloutMs ?? 3000, addressMs: options.addressMs ?? 1000};
	const one: number[] = [];
	const four: number[] = [];
	const cpuOne: number[] = [];
	const cpuFour: number[] = [];
	const ownOne: number[] = [];
	const ownFour: number[] = [];
	let installs = 0;
	for (let i = 0; i < options.runs; i++) {
		const small = await applyOnce(SMALL, delays);
		one.push(small.ms);
		if (small.cpuMs !== undefined) cpuOne.push(small.cpuMs);
		if (small.ownCpuMs !== undefined) ownOne.push(small.ownCpuMs);
		const large = await applyOnce(LARGE, delays);
		four.push(large.ms);
		if (large.cpuMs !== undefined) cpuFour.push(large.cpuMs);
		if (large.ownCpuMs !== undefined) ownFour.push(large.ownCpuMs);
		installs = large.installs;
	}
	const cpu = (xs: number[]) => (xs.length > 0 ? ms(median(xs)) : 'n/a');
	const m1 = median(one);
	const m4 = median(four);
	const r = m4 / m1;
	return {
		title: `4. \`eastwest apply\`, ${SMALL} clusters vs ${LARGE} clusters (multi-network)`,
		table: table(
			[
				'clusters',
				'runs',
				'median wall time',
				'min',
				'max',
				`ratio to ${SMALL} clusters`,
				'target',
				'CPU, eastwest + fake istioctl (median)',
				'CPU, eastwest alone (median)',
			],
			[
				[String(SMALL), one.length, ms(m1), ms(Math.min(...one)), ms(Math.max(...one)), '1.00×', '', cpu(cpuOne), cpu(ownOne)],
				[
					String(LARGE),
					four.length,
					ms(m4),
					ms(Math.min(...four)),
					ms(Math.max(...four)),
					ratio(r),
					`≤ ${TARGET_RATIO}× (${verdict(r <= TARGET_RATIO)})`,
					cpu(cpuFour),
					cpu(ownFour),
				],
			],
		),
		notes: [
			`one loopback fake API server per cluster; scripted Deployment rollout ${delays.rolloutMs} ms after each change and LoadBalancer address ${delays.addressMs} ms after the Service is created, on every cluster; fake istioctl (a Node script) first on PATH, ${installs} installs in the ${LARGE}-cluster run`,
			'CPU, eastwest alone: the eastwest process itself (its last /proc sample, every 25 ms, before it exits), without the istioctl processes it starts; the fake API servers run in the benchmark process and are in neither column',
			'`--parallel` is the number of clusters, so every install runs at once as before the bound existed (bench 7 measures the bound)',
			`each run on fresh servers, so every run creates everything (label, install, rollout, address, expose); runs alternate ${SMALL} and ${LARGE} clusters`,
			`${SMALL} vs ${LARGE} rather than 1 vs 4: \`eastwest apply\` refuses a one-cluster mesh (exit 2), so the smallest valid run is the baseline and the large run has four times its clusters`,
		],
		ok: r <= TARGET_RATIO,
	};
}
