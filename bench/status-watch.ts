/**
 * Bench 5: `eastwest status --watch` (no terminal) on 100 clusters for a while: requests at the fake API
 * servers by resource and verb, the process's peak RSS (VmHWM) read just before it is stopped, and the
 * time until every cluster has its first verdict (against the same on one cluster).
 * One loopback fake API server per cluster, as in reality every cluster has its own API server
 * (its own connection, TLS-free here, and its own watch streams).
 */
import {readFileSync, rmSync} from 'node:fs';
import {spawn} from 'node:child_process';
import path from 'node:path';
import {FakeApiServer, writeKubeconfig, type LoggedRequest} from '../test/support/fake-apiserver.js';
import {cliPath, killGroup, median, ms, ratio, sleep, table, verdict, type BenchReport} from './lib.js';

export const TARGET_RSS_MB = 150;

/** A cluster with an east-west gateway already in place (Deployment rolled out, LoadBalancer address, Gateway). */
async function gatewayCluster(network: string): Promise<FakeApiServer> {
	const s = await FakeApiServer.start({token: 'bench-token'});
	s.deployment = {scenario: 'ready', delayMs: 0};
	s.loadBalancer = {scenario: 'ip', delayMs: 0};
	s.addIstioCrds();
	s.addNamespace('istio-system', {'topology.istio.io/network': network});
	s.addIstiod({network});
	const labels = {app: 'istio-eastwestgateway', istio: 'eastwestgateway', 'topology.istio.io/network': network};
	s.put({
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels, generation: 1},
		spec: {
			replicas: 1,
			selector: {matchLabels: {app: 'istio-eastwestgateway'}},
			template: {metadata: {labels}, spec: {containers: [{name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.0'}]}},
		},
	});
	s.put({
		apiVersion: 'v1',
		kind: 'Service',
		metadata: {name: 'istio-eastwestgateway', namespace: 'istio-system', labels},
		spec: {type: 'LoadBalancer', selector: {app: 'istio-eastwestgateway'}, ports: [{name: 'tls', port: 15443, targetPort: 15443}]},
	});
	s.put({
		apiVersion: 'networking.istio.io/v1',
		kind: 'Gateway',
		metadata: {name: 'cross-network-gateway', namespace: 'istio-system'},
		spec: {
			selector: {istio: 'eastwestgateway'},
			servers: [{port: {number: 15443, name: 'tls', protocol: 'TLS'}, tls: {mode: 'AUTO_PASSTHROUGH'}, hosts: ['*.local']}],
		},
	});
	return s;
}

/** "list services", "watch pods", "get /version"… from a logged request. */
export function requestKind(r: LoggedRequest): string {
	const parts = r.path.split('?')[0]!.split('/').filter(Boolean);
	// /api/v1/namespaces/NS/RESOURCE[/NAME] or /apis/GROUP/VERSION/namespaces/NS/RESOURCE[/NAME]
	const rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : parts;
	if (rest.length === 0) return `discovery ${parts.join('/')}`;
	const scoped = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
	const resource = scoped[0] ?? r.path;
	const named = scoped.length > 1 || (rest[0] === 'namespaces' && rest.length === 2);
	const verb = r.watch ? 'watch' : r.method === 'GET' ? (named ? 'get' : 'list') : r.method.toLowerCase();
	const selector = r.query.fieldSelector?.startsWith('metadata.name=') ? ' (one object by name)' : '';
	return `${verb} ${rest[0] === 'namespaces' && rest.length <= 2 ? 'namespaces' : resource}${selector}`;
}

function vmHwmKb(pid: number): number | undefined {
	try {
		const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : undefined;
	} catch {
		return undefined;
	}
}

/** A cluster's verdict line: `HH:MM:SS <context> healthy|not healthy|unreachable…|stale…`. */
const VERDICT = /^\d\d:\d\d:\d\d (\S+) (?:healthy|not healthy|unreachable|stale)/;

/** Follows the output; remembers when each context's first verdict line arrived (ms after `started`). */
export function verdictClock(started: number) {
	const first = new Map<string, number>();
	let partial = '';
	return {
		first,
		push(chunk: string) {
			const lines = (partial + chunk).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines) {
				const m = VERDICT.exec(line);
				if (m && !first.has(m[1]!)) first.set(m[1]!, performance.now() - started);
			}
		},
	};
}

/** Time from spawn until every named cluster has its first verdict; the process is stopped then. */
async function timeToVerdicts(names: string[], kubeconfig: string): Promise<number> {
	const env: NodeJS.ProcessEnv = {...process.env, CI: '', HOME: path.dirname(kubeconfig)};
	const started = performance.now();
	const clock = verdictClock(started);
	const child = spawn(process.execPath, [cliPath, 'status', '--watch', '--kubeconfig', kubeconfig, ...names.flatMap(n => ['--context', n])], {
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (d: string) => clock.push(d));
	try {
		const deadline = started + 60_000;
		while (clock.first.size < names.length) {
			if (performance.now() > deadline || child.exitCode !== null)
				throw new Error(`status --watch on ${names.length} cluster(s): ${clock.first.size} verdicts after ${Math.round(performance.now() - started)} ms`);
			await sleep(5);
		}
		return Math.max(...clock.first.values());
	} finally {
		killGroup(child);
	}
}

export async function statusWatch(options: {clusters?: number; seconds: number}): Promise<BenchReport> {
	const count = options.clusters ?? 100;
	const servers: FakeApiServer[] = [];
	let kubeconfig: string | undefined;
	try {
		for (let i = 0; i < count; i++) servers.push(await gatewayCluster(`network-${i + 1}`));
		const names = servers.map((_, i) => `cluster-${String(i + 1).padStart(3, '0')}`);
		kubeconfig = writeKubeconfig(servers.map((server, i) => ({name: names[i]!, server})));
		// Time to every first verdict: one cluster, then all of them, alternating, before the long run.
		const oneVerdict: number[] = [];
		const allVerdicts: number[] = [];
		for (let round = 0; round < 3; round++) {
			oneVerdict.push(await timeToVerdicts(names.slice(0, 1), kubeconfig));
			allVerdicts.push(await timeToVerdicts(names, kubeconfig));
		}
		// Only what eastwest status asks from now on counts.
		for (const s of servers) s.requests.length = 0;
		const env: NodeJS.ProcessEnv = {...process.env, CI: '', HOME: path.dirname(kubeconfig)};
		const child = spawn(process.execPath, [cliPath, 'status', '--watch', '--kubeconfig', kubeconfig, ...names.flatMap(n => ['--context', n])], {
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		let stdout = '';
		let stderr = '';
		const clock = verdictClock(performance.now());
		child.stdout.on('data', d => {
			stdout += d;
			clock.push(String(d));
		});
		child.stderr.on('data', d => (stderr += d));
		const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
		let peakKb = 0;
		const started = Date.now();
		// Changes arrive while it runs: every 10 s one cluster's gateway Service is relabelled (a watch event, no re-list needed).
		let changes = 0;
		while (Date.now() - started < options.seconds * 1000) {
			await sleep(1000);
			if (child.exitCode !== null) throw new Error(`eastwest status --watch exited early with ${child.exitCode}:\n${stderr.slice(-2000)}`);
			peakKb = Math.max(peakKb, vmHwmKb(child.pid!) ?? 0);
			const second = Math.round((Date.now() - started) / 1000);
			if (second % 10 === 0) {
				const s = servers[changes % servers.length]!;
				const svc = s.get('v1', 'Service', 'istio-system', 'istio-eastwestgateway')!;
				s.put({...svc, metadata: {...svc.metadata, labels: {...svc.metadata.labels, 'bench/touched': String(second)}}});
				changes += 1;
			}
		}
		// VmHWM is the high-water mark: read it once more just before stopping the process.
		peakKb = Math.max(peakKb, vmHwmKb(child.pid!) ?? 0);
		const elapsedS = (Date.now() - started) / 1000;
		child.kill('SIGINT');
		const code = await Promise.race([exited, sleep(5000).then(() => 'timeout' as const)]);
		if (code === 'timeout') killGroup(child);

		const byKind = new Map<string, number[]>();
		servers.forEach((s, i) => {
			for (const r of s.requests) {
				const k = requestKind(r);
				const counts = byKind.get(k) ?? Array.from({length: count}, () => 0);
				counts[i]! += 1;
				byKind.set(k, counts);
			}
		});
		const rows = [...byKind.entries()]
			.sort(([a], [b]) => a.localeCompare(b))
			.map(([k, counts]) => [k, counts.reduce((a, b) => a + b, 0), Math.min(...counts), Math.max(...counts)]);
		const lists = rows.filter(r => String(r[0]).startsWith('list ')).reduce((a, r) => a + Number(r[1]), 0);
		const watches = rows.filter(r => String(r[0]).startsWith('watch ')).reduce((a, r) => a + Number(r[1]), 0);
		const kinds = rows.filter(r => String(r[0]).startsWith('watch ')).length;
		const oneEach = rows.filter(r => /^(list|watch) /.test(String(r[0]))).every(r => r[2] === 1 && r[3] === 1);
		const peakMb = peakKb / 1024;
		const lines = stdout.split('\n').filter(Boolean).length;
		return {
			title: `5. \`eastwest status --watch\` (no terminal), ${count} clusters, ${Math.round(elapsedS)} s`,
			table: [
				table(['request (all clusters)', 'total', 'per cluster min', 'per cluster max'], rows),
				'',
				table(
					['measure', 'value', 'target'],
					[
						[
							'list + watch requests',
							`${lists} lists + ${watches} watches over ${kinds} resource kinds`,
							`one list and one watch per kind per cluster (${oneEach ? 'yes' : '**no**'})`,
						],
						['peak RSS (VmHWM) of the eastwest process', `${peakMb.toFixed(1)} MB`, `≤ ${TARGET_RSS_MB} MB (${verdict(peakMb <= TARGET_RSS_MB)})`],
						[
							'time until every cluster has its first verdict (median of 3 starts)',
							`${ms(median(allVerdicts))} (1 cluster: ${ms(median(oneVerdict))}; ${ratio(median(allVerdicts) / median(oneVerdict))})`,
							'',
						],
						['clusters with a verdict in the long run', `${clock.first.size} of ${count}`, String(count)],
						['lines printed', String(lines), ''],
						['exit on SIGINT', String(code), '130'],
					],
				),
			].join('\n'),
			notes: [
				`one loopback fake API server per cluster (each cluster has its own API server in reality: its own connections and watch streams), each with istiod and an east-west gateway in place; every 10 s one cluster's gateway Service changes (${changes} changes in the run)`,
				'time until every first verdict: spawn of `eastwest status --watch` until each context has printed its state line (it prints once every cluster has answered); the same on the first cluster alone is the baseline; runs alternate, on the same servers, before the long run (whose request counts start after them)',
				'a re-list would show as a second list for a kind on some cluster (per cluster max > 1); discovery requests are the client resolving the path of a kind it watches by apiVersion and kind (Namespace, Gateway, VirtualService), once per kind',
			],
			ok: peakMb <= TARGET_RSS_MB && oneEach && clock.first.size === count,
		};
	} finally {
		await Promise.all(servers.map(s => s.close()));
		if (kubeconfig) rmSync(path.dirname(kubeconfig), {recursive: true, force: true});
	}
}
