import {test} from 'node:test';
import assert from 'node:assert/strict';
import {runChecks, type CheckResult, type ClusterFacts} from '../../source/core/checks/index.js';
import {before, l7Reasons, readersOf, rulesAllow} from '../../source/core/checks/field.js';
import {parseIstioVersion} from '../../source/core/version.js';
import type {MeshPlanInput} from '../../source/core/model.js';
import {allHealthy} from '../support/healthy-facts.js';
import {multiNetwork, primaryRemote, primaryRemoteMultiNetwork} from '../support/plans.js';

/** Run the post-install checks with some clusters' facts changed; the one result of `id` for `cluster` (undefined: the mesh's). */
function result(plan: MeshPlanInput, change: (facts: Record<string, ClusterFacts>) => void, id: string, cluster?: string): CheckResult {
	const facts = allHealthy(plan);
	change(facts);
	const r = runChecks(plan, facts, 'post-install').find(x => x.id === id && x.cluster === cluster);
	assert.ok(r, `no result ${id} for ${cluster ?? 'the mesh'}`);
	return r;
}

const version = (facts: ClusterFacts, v: string) => (facts.istiodVersions = [{name: 'istiod', version: v, ready: true}]);

// ---------- the istio-reader role and configmaps (istio/istio#59474) ----------

test('reader role: a role without configmaps fails for a 1.29+ reader, naming the role and the reading istiod', () => {
	const r = result(
		multiNetwork,
		f => {
			f.west!.readerRbac!.roles[0]!.rules = [
				{apiGroups: [''], resources: ['pods', 'services', 'namespaces'], verbs: ['get', 'list', 'watch'], resourceNames: []},
			];
		},
		'reader-role-configmaps',
		'west',
	);
	assert.equal(r.status, 'fail');
	assert.equal(
		r.reason,
		"ClusterRole istio-reader-clusterrole-istio-system does not let it list or watch configmaps: istiod 1.31.0 in east cannot read this cluster's trust domain",
	);
	assert.match(r.hint!, /istio\/issues\/59474/);
	assert.match(r.claim, /ConfigMap istio-system\/istio \(istiod 1\.29\+ in east reads/);
});

test('reader role: configmaps granted passes; before 1.29 a missing grant only warns about the upgrade', () => {
	assert.equal(result(multiNetwork, () => {}, 'reader-role-configmaps', 'west').status, 'pass');
	const old = result(
		multiNetwork,
		f => {
			f.west!.readerRbac!.roles[0]!.rules = [];
			version(f.east!, '1.28.3');
		},
		'reader-role-configmaps',
		'west',
	);
	assert.equal(old.status, 'warn');
	assert.match(old.reason!, /istiod 1\.28\.3 in east does not read it yet, 1\.29 and later will/);
});

test('reader role: no binding, a missing role, and grants split over a ClusterRole and a Role in istio-system', () => {
	assert.equal(
		result(multiNetwork, f => (f.east!.readerRbac!.roles = []), 'reader-role-configmaps', 'east').reason,
		'no ClusterRoleBinding (nor RoleBinding in istio-system) names ServiceAccount istio-system/istio-reader-service-account',
	);
	const missing = result(multiNetwork, f => (f.east!.readerRbac!.roles[0]!.rules = null), 'reader-role-configmaps', 'east');
	assert.equal(missing.status, 'fail');
	assert.match(missing.reason!, /istio-reader-clusterrole-istio-system \(missing\) does not/);
	const split = result(
		multiNetwork,
		f => {
			f.east!.readerRbac!.roles = [
				{
					binding: 'ClusterRoleBinding r',
					role: 'ClusterRole r',
					namespaced: false,
					rules: [{apiGroups: [''], resources: ['configmaps'], verbs: ['list'], resourceNames: []}],
				},
				{
					binding: 'RoleBinding istio-system/w',
					role: 'Role istio-system/w',
					namespaced: true,
					rules: [{apiGroups: [''], resources: ['configmaps'], verbs: ['watch'], resourceNames: ['istio']}],
				},
			];
		},
		'reader-role-configmaps',
		'east',
	);
	assert.equal(split.status, 'pass');
	assert.equal(split.reason, 'ClusterRole r, Role istio-system/w');
});

test('reader role: only clusters some istiod reads are judged (a primary-remote primary is read by nobody)', () => {
	const results = runChecks(primaryRemote, allHealthy(primaryRemote), 'post-install').filter(r => r.id === 'reader-role-configmaps');
	assert.deepEqual(
		results.map(r => r.cluster),
		['west'],
	);
	assert.deepEqual(
		readersOf(primaryRemote, primaryRemote.clusters[1]!).map(c => c.name),
		['east'],
	);
});

test('rulesAllow: groups, resources and verbs by name or *, resourceNames limiting to named objects', () => {
	const rule = (r: Partial<{apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames: string[]}>) => ({
		apiGroups: [''],
		resources: ['configmaps'],
		verbs: ['list'],
		resourceNames: [],
		...r,
	});
	assert.equal(rulesAllow([rule({})], 'list', '', 'configmaps'), true);
	assert.equal(rulesAllow([rule({})], 'watch', '', 'configmaps'), false);
	assert.equal(rulesAllow([rule({apiGroups: ['*'], resources: ['*'], verbs: ['*']})], 'watch', '', 'configmaps'), true);
	assert.equal(rulesAllow([rule({apiGroups: ['apps']})], 'list', '', 'configmaps'), false);
	assert.equal(rulesAllow([rule({resourceNames: ['istio']})], 'list', '', 'configmaps', 'istio'), true);
	assert.equal(rulesAllow([rule({resourceNames: ['istio']})], 'list', '', 'configmaps', 'istio-canary'), false);
});

// ---------- loopback servers in remote secrets (istio/istio#58047) ----------

const loopbackWest = (f: Record<string, ClusterFacts>) => {
	f.east!.remoteSecrets!.byPeer.west!.secret!.entries[0]!.server = 'https://127.0.0.1:26443';
};

test('loopback remote secret: fails while istiod runs in the cluster and does not report the peer synced', () => {
	const r = result(
		multiNetwork,
		f => {
			loopbackWest(f);
			if (f.east!.istiodView?.read) f.east!.istiodView.clusters.find(c => c.id === 'west')!.syncStatus = 'timeout';
		},
		'remote-secret-loopback',
		'east',
	);
	assert.equal(r.status, 'fail');
	assert.equal(
		r.reason,
		'istio-remote-secret-west points at https://127.0.0.1:26443, a loopback address: istiod in its pod dials itself there (istiod reports west timeout)',
	);
	assert.match(r.hint!, /--api-server cw=https:\/\/HOST:PORT/);
	assert.doesNotMatch(r.hint!, /58047/, 'istiod 1.31 is not stuck after the fix');
});

test('loopback remote secret: istiod 1.27 gets the restart in the hint; the wizard names the IDs screen', () => {
	const facts = allHealthy(multiNetwork);
	loopbackWest(facts);
	version(facts.east!, '1.27.2');
	delete facts.east!.istiodView;
	const cli = runChecks(multiNetwork, facts, 'post-install').find(r => r.id === 'remote-secret-loopback' && r.cluster === 'east')!;
	assert.equal(cli.status, 'warn', "without istiod's view it cannot tell whether istiod shares the API server's host");
	assert.match(cli.reason!, /istiod's view was not read/);
	assert.match(cli.hint!, /before 1\.28 stays stuck .*issues\/58047\): then run kubectl --context ce -n istio-system rollout restart deployment\/istiod/);
	const wizard = runChecks(multiNetwork, facts, 'post-install', 'wizard').find(r => r.id === 'remote-secret-loopback' && r.cluster === 'east')!;
	assert.match(wizard.hint!, /set west's API server on the IDs screen/);
	assert.doesNotMatch(wizard.hint!, /--api-server/);
});

test('loopback remote secret: istiod reporting the peer synced through it passes, saying why', () => {
	const r = result(multiNetwork, loopbackWest, 'remote-secret-loopback', 'east');
	assert.equal(r.status, 'pass');
	assert.match(r.reason!, /a loopback address, yet istiod reports west synced: it shares the API server's host/);
});

test('loopback remote secret: an istiod before 1.28 that reports a peer not synced warns of #58047', () => {
	assert.equal(result(multiNetwork, () => {}, 'remote-secret-loopback', 'east').status, 'pass');
	const r = result(
		multiNetwork,
		f => {
			version(f.east!, '1.27.2');
			if (f.east!.istiodView?.read) f.east!.istiodView.clusters.find(c => c.id === 'west')!.syncStatus = 'syncing';
		},
		'remote-secret-loopback',
		'east',
	);
	assert.equal(r.status, 'warn');
	assert.equal(r.reason, "istiod 1.27.2 reports west syncing; before 1.28 it stays stuck after a remote secret's server is fixed");
	assert.match(r.hint!, /rollout restart deployment\/istiod \(https:\/\/github.com\/istio\/istio\/issues\/58047\)/);
});

// ---------- remote-secret rotation bugs (before 1.30) ----------

test('rotation: istiod before 1.30 warns naming the fix release and the issues; 1.30+ and dev builds pass', () => {
	const r = result(multiNetwork, f => version(f.east!, '1.29.3'), 'istiod-secret-rotation', 'east');
	assert.equal(r.status, 'warn');
	assert.match(r.reason!, /^istiod 1\.29\.3 has remote-secret rotation bugs fixed in 1\.30: .*#60612.*#61043.*#60920/);
	assert.match(r.hint!, /upgrade istiod to 1\.30 or later.*issues\/60612, .*issues\/61043, .*issues\/60920/);
	assert.equal(result(multiNetwork, f => version(f.east!, '1.30.0'), 'istiod-secret-rotation', 'east').status, 'pass');
	assert.equal(result(multiNetwork, f => version(f.east!, '1.31-dev'), 'istiod-secret-rotation', 'east').status, 'pass');
	const unknown = result(multiNetwork, f => version(f.east!, 'latest'), 'istiod-secret-rotation', 'east');
	assert.equal(unknown.status, 'skip');
	assert.ok(!runChecks(primaryRemote, allHealthy(primaryRemote), 'post-install').some(x => x.id === 'istiod-secret-rotation' && x.cluster === 'west'));
});

test('before: minor versions decide, a pre-release counts as its release', () => {
	assert.equal(before(parseIstioVersion('1.29.9')!, {major: 1, minor: 30}), true);
	assert.equal(before(parseIstioVersion('1.30.0-rc.0')!, {major: 1, minor: 30}), false);
	assert.equal(before(parseIstioVersion('2.0.0')!, {major: 1, minor: 30}), false);
});

// ---------- the load balancer in front of the gateway ----------

const annotate = (cluster: string, annotations: Record<string, string>) => (f: Record<string, ClusterFacts>) => {
	f[cluster]!.gateway!.service!.metadata = {...f[cluster]!.gateway!.service!.metadata, annotations};
};

test('load balancer: an AWS certificate on every port, or an HTTP backend, fails naming the annotation', () => {
	const cert = result(
		multiNetwork,
		annotate('east', {'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:eu-west-1:1:certificate/x'}),
		'gateway-load-balancer',
		'east',
	);
	assert.equal(cert.status, 'fail');
	assert.equal(cert.reason, 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert: the AWS load balancer terminates TLS on 15443, 15012, 15017');
	assert.match(cert.hint!, /AUTO_PASSTHROUGH.*istio\.io\/pull\/17065/);
	const http = result(
		multiNetwork,
		annotate('west', {'service.beta.kubernetes.io/aws-load-balancer-backend-protocol': 'http'}),
		'gateway-load-balancer',
		'west',
	);
	assert.equal(http.status, 'fail');
	assert.match(http.reason!, /backend-protocol is http/);
});

test('load balancer: L4 annotations and a certificate on other ports pass', () => {
	const l4: Array<Record<string, string>> = [
		{'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb'},
		{'service.beta.kubernetes.io/aws-load-balancer-type': 'external', 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip'},
		{'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:x', 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443,status-port'},
		{'service.beta.kubernetes.io/do-loadbalancer-protocol': 'https', 'service.beta.kubernetes.io/do-loadbalancer-tls-passthrough': 'true'},
		{'service.beta.kubernetes.io/azure-load-balancer-internal': 'true'},
	];
	for (const annotations of l4) {
		assert.equal(result(multiNetwork, annotate('east', annotations), 'gateway-load-balancer', 'east').status, 'pass', JSON.stringify(annotations));
	}
});

test('l7Reasons: ssl ports by name, DigitalOcean and GKE', () => {
	const svc = (annotations: Record<string, string>) => ({
		metadata: {annotations},
		spec: {
			ports: [
				{name: 'tls', port: 15443},
				{name: 'tls-istiod', port: 15012},
				{name: 'status-port', port: 15021},
			],
		},
	});
	assert.deepEqual(
		l7Reasons(svc({'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:x', 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': 'tls'})),
		['service.beta.kubernetes.io/aws-load-balancer-ssl-cert: the AWS load balancer terminates TLS on 15443'],
	);
	assert.match(l7Reasons(svc({'service.beta.kubernetes.io/do-loadbalancer-certificate-id': 'abc'}))[0]!, /DigitalOcean load balancer terminates TLS/);
	assert.match(l7Reasons(svc({'service.beta.kubernetes.io/do-loadbalancer-protocol': 'http2'}))[0]!, /protocol is http2/);
	assert.match(l7Reasons(svc({'cloud.google.com/app-protocols': '{"tls":"HTTPS"}'}))[0]!, /an L7 load balancer in front/);
	assert.deepEqual(l7Reasons(svc({})), []);
});

test('load balancer: a hostname-only address warns on a primary-remote primary (remotePilotAddress), passes across networks', () => {
	const hostname = (cluster: string) => (f: Record<string, ClusterFacts>) => {
		f[cluster]!.gateway!.service!.status = {loadBalancer: {ingress: [{hostname: 'a1b2.elb.eu-west-1.amazonaws.com'}]}};
	};
	const primary = result(primaryRemoteMultiNetwork, hostname('one'), 'gateway-load-balancer', 'one');
	assert.equal(primary.status, 'warn');
	assert.match(primary.reason!, /remotePilotAddress, so their istiod Service is ExternalName a1b2\.elb\.eu-west-1\.amazonaws\.com/);
	assert.match(primary.hint!, /issues\/29359/);
	const mn = result(multiNetwork, hostname('west'), 'gateway-load-balancer', 'west');
	assert.equal(mn.status, 'pass');
	assert.match(mn.reason!, /istiod resolves it/);
});

// ---------- trust domains ----------

test('trust domain: after the install too, differences are named; aliases on every side pass, a missing alias is named', () => {
	const differ = result(multiNetwork, f => (f.west!.trustDomain = 'west.example'), 'trust-domain');
	assert.equal(differ.status, 'warn');
	assert.equal(differ.reason, 'the trust domain differs: east cluster.local vs west west.example');
	assert.match(differ.hint!, /trustDomainAliases.*issues\/39204/);
	const aliased = result(
		multiNetwork,
		f => {
			f.west!.trustDomain = 'west.example';
			f.west!.trustDomainAliases = ['cluster.local'];
			f.east!.trustDomainAliases = ['west.example'];
		},
		'trust-domain',
	);
	assert.equal(aliased.status, 'pass');
	assert.equal(aliased.reason, 'trust domains east cluster.local vs west west.example, each aliased by the others');
	const half = result(
		multiNetwork,
		f => {
			f.west!.trustDomain = 'west.example';
			f.west!.trustDomainAliases = ['cluster.local'];
		},
		'trust-domain',
	);
	assert.equal(half.status, 'warn');
	assert.equal(half.reason, 'the trust domain differs: east cluster.local vs west west.example; east does not alias west.example');
});
