import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
	DONE_MARKER,
	brokenLink,
	expectedDirections,
	judgeDiscovery,
	judgeHistogram,
	parseEndpointShards,
	readClientRun,
	renderJunit,
	reportStatus,
	requestCommand,
	verdictLine,
	verifyImages,
	walkLadder,
	type Histogram,
} from '../../source/core/verify.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import type {CheckResult} from '../../source/core/checks/index.js';
import type {PodLike} from '../../source/core/rollout.js';

const multi: MeshPlanInput = {
	topology: 'multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'east', name: 'east', network: 'net-east', role: 'primary'},
		{context: 'west', name: 'west', network: 'net-west', role: 'primary'},
	],
};
const primaryRemote: MeshPlanInput = {
	topology: 'primary-remote',
	meshId: 'mesh1',
	clusters: [
		{context: 'east', name: 'east', network: 'n1', role: 'primary'},
		{context: 'west', name: 'west', network: 'n1', role: 'remote'},
		{context: 'north', name: 'north', network: 'n1', role: 'remote'},
	],
};

const answers = (counts: Record<string, number>, failed = 0) =>
	[
		...Object.entries(counts).flatMap(([c, n]) => Array.from({length: n}, (_, i) => `Hello version: ${c}, instance: helloworld-${c}-${i}`)),
		...Array.from({length: failed}, () => 'eastwest-verify-request-failed'),
		DONE_MARKER,
	].join('\n');

test('directions: every pair of primaries; remote ↔ primary only', () => {
	assert.deepEqual(expectedDirections(multi), [
		{from: 'east', to: 'west'},
		{from: 'west', to: 'east'},
	]);
	const pr = expectedDirections(primaryRemote).map(d => `${d.from}>${d.to}`);
	assert.deepEqual(pr.sort(), ['east>north', 'east>west', 'north>east', 'west>east']);
});

test('endpointShardz: endpoints counted per source cluster of the one Service', () => {
	const body = JSON.stringify({
		'helloworld.ns.svc.cluster.local': {ns: {Shards: {'Kubernetes/east': [{}, {}], 'Kubernetes/west': [{}]}, ServiceAccounts: {}}},
		'other.ns.svc.cluster.local': {ns: {Shards: {'Kubernetes/north': [{}]}}},
	});
	assert.deepEqual(parseEndpointShards(body, 'helloworld.ns.svc.cluster.local', 'ns'), {east: 2, west: 1});
	assert.deepEqual(parseEndpointShards('null', 'helloworld.ns.svc.cluster.local', 'ns'), {});
	assert.equal(parseEndpointShards('<html>', 'h', 'ns'), undefined);
	const items = judgeDiscovery(multi, multi.clusters[0]!, {read: true, counts: {east: 1}}, 'ns');
	assert.deepEqual(
		items.map(i => [i.id, i.level]),
		[
			['discovery/east/east', 'pass'],
			['discovery/east/west', 'fail'],
		],
	);
	assert.match(items[1]!.text, /east's istiod holds no helloworld endpoints from west/);
});

test('a loop that did not run (kwok: empty exec output) is not verified, never passed', () => {
	const empty = readClientRun({from: 'east', pod: 'curl-1', output: ''}, 20);
	assert.equal(empty.ran, false);
	assert.match(empty.ran ? '' : empty.reason, /did not run .*empty/);
	const cut = readClientRun({from: 'east', pod: 'curl-1', output: 'Hello version: east, instance: x\n'}, 20);
	assert.equal(cut.ran, false);
	const refused = readClientRun({from: 'east', error: 'could not exec: 403'}, 20);
	assert.deepEqual(refused, {ran: false, from: 'east', reason: 'could not exec: 403'});
	assert.equal(
		reportStatus(
			[
				{id: 'control-plane', status: 'pass', items: []},
				{id: 'data-plane', status: 'unverified', items: []},
			],
			false,
		),
		'unverified',
	);
});

test('histogram: every direction answered passes; a missing one fails; a skewed one warns', () => {
	const read = (out: string) => {
		const v = readClientRun({from: 'east', pod: 'curl-1', output: out}, 20);
		assert.ok(v.ran);
		return v.histogram;
	};
	assert.deepEqual(
		judgeHistogram(multi, read(answers({east: 11, west: 9}))).map(d => d.level),
		['pass'],
	);
	const failing = judgeHistogram(multi, read(answers({east: 20})));
	assert.equal(failing[0]!.level, 'fail');
	assert.match(failing[0]!.text, /east → west: no answer from west/);
	const skewed = judgeHistogram(multi, read(answers({east: 19, west: 1})));
	assert.equal(skewed[0]!.level, 'warn');
	assert.match(skewed[0]!.text, /skewed/);
	const h: Histogram = read(answers({east: 10}, 10));
	assert.equal(h.failed, 10);
});

test('the ladder: no sidecar is the first broken link; else the first failing check, else istiod', () => {
	const noSidecar: PodLike = {metadata: {name: 'curl-1'}, spec: {containers: [{name: 'curl'}]}, status: {phase: 'Running', containerStatuses: [{ready: true}]}};
	const withSidecar = {
		metadata: {name: 'curl-1'},
		spec: {containers: [{name: 'curl'}, {name: 'istio-proxy'}]},
		status: {phase: 'Running', containerStatuses: [{ready: true}, {ready: true}]},
	} as PodLike;
	const direction = {from: 'west', to: 'east'};
	const ladder = walkLadder({plan: multi, direction, clientPod: noSidecar, checks: [], items: []});
	assert.equal(brokenLink(ladder)?.id, 'client-sidecar');
	assert.match(verdictLine(direction, ladder), /^west → east failed: the client has a sidecar does not hold — curl-1 has no istio-proxy/);

	const checks: CheckResult[] = [
		{
			id: 'remote-secrets',
			cluster: 'west',
			claim: 'c',
			level: 'fail',
			status: 'fail',
			reason: 'no Secret istio-remote-secret-east for east',
			hint: 'run eastwest apply',
		},
		{id: 'remote-secrets', cluster: 'east', claim: 'c', level: 'fail', status: 'pass'},
		{id: 'gateway-address', cluster: 'east', claim: 'c', level: 'fail', status: 'fail', reason: 'pending'},
	];
	const secret = walkLadder({plan: multi, direction, clientPod: withSidecar, checks, items: []});
	assert.equal(brokenLink(secret)?.id, 'remote-secret');
	assert.match(verdictLine(direction, secret), /west: no Secret istio-remote-secret-east for east \(run eastwest apply\)/);
	// The other way, east's istiod reads west through a secret that is fine.
	const other = walkLadder({plan: multi, direction: {from: 'east', to: 'west'}, clientPod: withSidecar, checks, items: []});
	assert.equal(other.find(s => s.id === 'remote-secret')?.level, 'pass');

	const items = [{id: 'discovery/west/east', level: 'fail' as const, text: "west's istiod holds no helloworld endpoints from east"}];
	const endpoints = walkLadder({plan: multi, direction, clientPod: withSidecar, checks: [], items});
	assert.equal(brokenLink(endpoints)?.id, 'istiod-endpoints');
});

test('JUnit: one testcase per item and direction, failures and skips counted', () => {
	const xml = renderJunit({
		namespace: 'eastwest-verify',
		status: 'fail',
		left: [],
		layers: [
			{id: 'control-plane', status: 'pass', items: [{id: 'control-plane/east/peer/west', level: 'pass', text: 'sees west'}]},
			{
				id: 'data-plane',
				status: 'fail',
				items: [],
				directions: [{from: 'west', to: 'east', level: 'fail', answers: 0, text: 'west → east: no answer & <none>', verdict: 'west → east failed'}],
			},
			{id: 'discovery', status: 'not-run', items: [], reason: 'earlier layer failed'},
		],
	});
	assert.match(xml, /<testsuites name="eastwest verify" tests="3" failures="1">/);
	assert.match(xml, /<failure message="west → east: no answer &amp; &lt;none&gt;">/);
	assert.match(xml, /<skipped message="earlier layer failed"\/>/);
});

test("images: the docs' by default, moved to a registry, or named outright; the loop ends with its marker", () => {
	assert.equal(verifyImages({}).helloworld, 'docker.io/istio/examples-helloworld-v1:1.0');
	assert.equal(verifyImages({registry: 'reg.local:5000/'}).curl.startsWith('reg.local:5000/curlimages/curl:'), true);
	assert.equal(verifyImages({registry: 'reg.local', curl: 'my/curl:1'}).curl, 'my/curl:1');
	const command = requestCommand('ns', 3);
	assert.match(command.join(' '), /-lt 3 .*http:\/\/helloworld\.ns:5000\/hello.*echo eastwest-verify-done$/);
});
