import {test} from 'node:test';
import assert from 'node:assert/strict';
import {gatewayReasons, servesPlan, type GatewayDeploymentLike, type GatewayField} from '../../source/core/gateway.js';
import {runChecks, type ClusterFacts} from '../../source/core/checks/index.js';
import {evaluateCluster} from '../../source/core/status.js';
import {gatewayMismatch} from '../../source/engine/index.js';
import type {ServiceLike} from '../../source/core/rollout.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {healthy} from '../support/healthy-facts.js';

const plan: MeshPlanInput = {
	topology: 'multi-network',
	meshId: 'mesh1',
	clusters: [
		{context: 'ctx-east', name: 'east', network: 'network1', role: 'primary'},
		{context: 'ctx-west', name: 'west', network: 'network2', role: 'primary'},
	],
};
const east = plan.clusters[0]!;

/** East's facts with a gateway that matches the plan in every field, installed by eastwest. */
function matching(): ClusterFacts {
	const facts = healthy(plan, east);
	const d = facts.gateway!.deployment!;
	d.metadata = {...d.metadata, labels: {'install.operator.istio.io/owning-resource': 'eastwest'}};
	return facts;
}

type Gateway = {deployment: GatewayDeploymentLike | null; service: ServiceLike | null};
const podLabels = (g: Gateway) => g.deployment!.spec!.template!.metadata!.labels!;
const dropPortName = (name: string) => (g: Gateway) => {
	g.service!.spec!.ports = g.service!.spec!.ports!.map(p => (p.name === name ? {port: p.port} : p));
};

/** One change per field the judgement reads; `serves` is false for every field but ownership. */
const CHANGES: Array<{field: GatewayField; change: (g: Gateway) => void; serves?: true}> = [
	{field: 'deployment', change: g => (g.deployment = null)},
	{field: 'service', change: g => (g.service = null)},
	{field: 'owner', change: g => (g.deployment!.metadata!.labels!['install.operator.istio.io/owning-resource'] = 'someone-else'), serves: true},
	{field: 'pod-label:istio', change: g => delete podLabels(g).istio},
	{field: 'pod-label:app', change: g => (podLabels(g).app = 'other-gateway')},
	{field: 'pod-label:topology.istio.io/network', change: g => (podLabels(g)['topology.istio.io/network'] = 'network2')},
	{field: 'pod-label:istio.io/rev', change: g => (podLabels(g)['istio.io/rev'] = 'canary')},
	{field: 'env:ISTIO_META_REQUESTED_NETWORK_VIEW', change: g => (g.deployment!.spec!.template!.spec!.containers = [{name: 'istio-proxy', env: []}])},
	{field: 'service-label:topology.istio.io/network', change: g => (g.service!.metadata = {...g.service!.metadata, labels: {}})},
	{field: 'port:status-port', change: dropPortName('status-port')},
	{field: 'port:tls', change: g => (g.service!.spec!.ports = g.service!.spec!.ports!.filter(p => p.port !== 15443))},
	{field: 'port:tls-istiod', change: dropPortName('tls-istiod')},
	{field: 'port:tls-webhook', change: dropPortName('tls-webhook')},
	{field: 'service-type', change: g => (g.service!.spec = {...g.service!.spec, type: 'ClusterIP'})},
];

/** What each front-end makes of east's gateway. */
function verdicts(facts: ClusterFacts) {
	const g = facts.gateway!;
	const engineUnchanged = gatewayMismatch(g.deployment ?? undefined, g.service ?? undefined, east.network, plan.revision) === undefined;
	const gatewayChecks = runChecks(plan, {east: facts, west: healthy(plan, plan.clusters[1]!)}, 'post-install').filter(
		r => r.cluster === 'east' && r.id.startsWith('gateway-'),
	);
	const status = evaluateCluster(
		{
			context: east.context,
			reachable: true,
			stale: false,
			...(g.deployment ? {deployment: g.deployment} : {}),
			...(g.service ? {service: g.service} : {}),
			pods: g.pods,
			namespaceLabels: facts.namespace!.labels,
			gateways: ['cross-network-gateway'],
			virtualServices: [],
			istiod: facts.istiod!,
		},
		{name: east.name, network: east.network, role: east.role, topology: plan.topology},
	);
	return {engineUnchanged, checksPass: gatewayChecks.every(r => r.status === 'pass'), checks: gatewayChecks, statusHealthy: status.healthy, status};
}

test('a gateway that matches the plan: no reason, unchanged for the engine, every gateway check passes, status healthy', () => {
	const facts = matching();
	assert.deepEqual(gatewayReasons(facts.gateway!.deployment!, facts.gateway!.service!, {network: east.network}), []);
	const v = verdicts(facts);
	assert.equal(v.engineUnchanged, true);
	assert.equal(v.checksPass, true, JSON.stringify(v.checks));
	assert.equal(v.statusHealthy, true, JSON.stringify(v.status.rows));
});

for (const {field, change, serves} of CHANGES) {
	test(`one field differs (${field}): the judgement names it and engine, checks and status agree`, () => {
		const facts = matching();
		change(facts.gateway!);
		const reasons = gatewayReasons(facts.gateway!.deployment ?? undefined, facts.gateway!.service ?? undefined, {network: east.network});
		assert.deepEqual(
			reasons.map(r => r.field),
			// A missing object is the one reason on its side (its fields cannot be read).
			[field],
		);
		assert.ok(reasons[0]!.text.length > 0 && !reasons[0]!.text.includes('\n'));
		const v = verdicts(facts);
		// Installed by someone else but doing the plan's job: the engine uses it as it is (remove leaves it).
		assert.equal(v.engineUnchanged, serves === true, 'the engine leaves it as it is only when it serves the plan');
		assert.equal(servesPlan(reasons), serves === true);
		if (serves) {
			// Check and status accept it too.
			assert.equal(v.checksPass, true, JSON.stringify(v.checks));
			assert.equal(v.statusHealthy, true, JSON.stringify(v.status.rows));
		} else {
			assert.equal(v.checksPass, false, `a gateway check fails: ${JSON.stringify(v.checks.map(c => [c.id, c.status]))}`);
			assert.ok(v.checks.some(c => c.status === 'fail'));
			assert.equal(v.statusHealthy, false, JSON.stringify(v.status.rows));
			assert.ok(
				v.status.rows.some(r => r.level === 'fail'),
				'status shows a failed row, not only a warning',
			);
		}
	});
}

test('reasons carry what, have and want', () => {
	const facts = matching();
	podLabels(facts.gateway!)['topology.istio.io/network'] = 'network2';
	const [r] = gatewayReasons(facts.gateway!.deployment!, facts.gateway!.service!, {network: 'network1'});
	assert.deepEqual(r, {
		field: 'pod-label:topology.istio.io/network',
		object: 'Deployment',
		what: 'pod label topology.istio.io/network',
		have: 'network2',
		want: 'network1',
		text: 'pod label topology.istio.io/network is network2 (want network1)',
	});
});

test('revision: absent or "default" is the default revision; a revisioned plan wants its own', () => {
	const facts = matching();
	const d = facts.gateway!.deployment!;
	const svc = facts.gateway!.service!;
	assert.deepEqual(gatewayReasons(d, svc, {network: 'network1', revision: 'default'}), []);
	podLabels(facts.gateway!)['istio.io/rev'] = 'default';
	assert.deepEqual(gatewayReasons(d, svc, {network: 'network1'}), []);
	assert.deepEqual(
		gatewayReasons(d, svc, {network: 'network1', revision: 'canary'}).map(r => [r.field, r.have, r.want]),
		[['pod-label:istio.io/rev', 'default', 'canary']],
	);
});

test('a non-LoadBalancer Service with externalIPs still serves the plan (check only cautions)', () => {
	const facts = matching();
	facts.gateway!.service!.spec = {...facts.gateway!.service!.spec, type: 'NodePort', externalIPs: ['192.0.2.1']};
	assert.deepEqual(gatewayReasons(facts.gateway!.deployment!, facts.gateway!.service!, {network: 'network1'}), []);
	const v = verdicts(facts);
	assert.equal(v.engineUnchanged, true);
	assert.equal(v.checks.find(c => c.id === 'gateway-service')!.status, 'warn');
});
