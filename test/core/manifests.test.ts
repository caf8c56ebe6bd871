import {test} from 'node:test';
import assert from 'node:assert/strict';
import {parseAllDocuments} from 'yaml';
import {renderEastWestGateway, renderExposeIstiod, renderExposeServices, renderManifestSet} from '../../source/core/manifests.js';
import {toYaml} from '../../source/core/yaml.js';

// Field values below are those of Istio's samples/multicluster (see the Istio facts, sections 2.3, 2.5, 2.6, 2.8).

test('east-west gateway IstioOperator matches gen-eastwest-gateway.sh --network', () => {
	const iop = renderEastWestGateway({network: 'network1'}) as any;
	assert.equal(iop.apiVersion, 'install.istio.io/v1alpha1');
	assert.equal(iop.kind, 'IstioOperator');
	assert.equal(iop.metadata.name, 'eastwest');
	assert.equal(iop.spec.revision, '');
	assert.equal(iop.spec.profile, 'empty');
	const gw = iop.spec.components.ingressGateways[0];
	assert.equal(iop.spec.components.ingressGateways.length, 1);
	assert.equal(gw.name, 'istio-eastwestgateway');
	assert.equal(gw.enabled, true);
	assert.deepEqual(gw.label, {istio: 'eastwestgateway', app: 'istio-eastwestgateway', 'topology.istio.io/network': 'network1'});
	assert.deepEqual(gw.k8s.env, [{name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: 'network1'}]);
	assert.deepEqual(gw.k8s.service.ports, [
		{name: 'status-port', port: 15021, targetPort: 15021},
		{name: 'tls', port: 15443, targetPort: 15443},
		{name: 'tls-istiod', port: 15012, targetPort: 15012},
		{name: 'tls-webhook', port: 15017, targetPort: 15017},
	]);
	assert.equal(gw.k8s.service.type, undefined, 'type unset: the chart default LoadBalancer applies');
	assert.equal(iop.spec.values.gateways['istio-ingressgateway'].injectionTemplate, 'gateway');
	assert.deepEqual(iop.spec.values.global, {network: 'network1'});
});

test('a revision goes into spec.revision only', () => {
	const iop = renderEastWestGateway({network: 'n2', revision: 'canary'}) as any;
	assert.equal(iop.spec.revision, 'canary');
	assert.equal(iop.metadata.name, 'eastwest');
	assert.equal(
		renderEastWestGateway({network: 'n2', revision: '  '}).spec && (renderEastWestGateway({network: 'n2', revision: '  '}) as any).spec.revision,
		'',
	);
});

test('expose-istiod: Gateway and VirtualService of the default revision', () => {
	const [gw, vs] = renderExposeIstiod() as any[];
	assert.equal(gw.apiVersion, 'networking.istio.io/v1');
	assert.equal(gw.kind, 'Gateway');
	assert.deepEqual(gw.metadata, {name: 'istiod-gateway', namespace: 'istio-system'});
	assert.deepEqual(gw.spec.selector, {istio: 'eastwestgateway'});
	assert.deepEqual(gw.spec.servers, [
		{port: {name: 'tls-istiod', number: 15012, protocol: 'tls'}, tls: {mode: 'PASSTHROUGH'}, hosts: ['*']},
		{port: {name: 'tls-istiodwebhook', number: 15017, protocol: 'tls'}, tls: {mode: 'PASSTHROUGH'}, hosts: ['*']},
	]);
	assert.equal(vs.kind, 'VirtualService');
	assert.deepEqual(vs.metadata, {name: 'istiod-vs', namespace: 'istio-system'});
	assert.deepEqual(vs.spec.hosts, ['*']);
	assert.deepEqual(vs.spec.gateways, ['istiod-gateway']);
	assert.deepEqual(vs.spec.tls, [
		{match: [{port: 15012, sniHosts: ['*']}], route: [{destination: {host: 'istiod.istio-system.svc.cluster.local', port: {number: 15012}}}]},
		{match: [{port: 15017, sniHosts: ['*']}], route: [{destination: {host: 'istiod.istio-system.svc.cluster.local', port: {number: 443}}}]},
	]);
});

test('expose-istiod: revision form (expose-istiod-rev.yaml.tmpl)', () => {
	const [gw, vs] = renderExposeIstiod({revision: '1-30'}) as any[];
	assert.equal(gw.metadata.name, 'istiod-gateway');
	assert.equal(vs.metadata.name, 'istiod-vs-1-30');
	const sni = ['istiod-1-30.istio-system.svc', 'istiod-1-30.istio-system.svc.cluster.local'];
	assert.deepEqual(vs.spec.tls[0].match, [{port: 15012, sniHosts: sni}]);
	assert.deepEqual(vs.spec.tls[1].match, [{port: 15017, sniHosts: sni}]);
	assert.equal(vs.spec.tls[0].route[0].destination.host, 'istiod-1-30.istio-system.svc.cluster.local');
	assert.equal(vs.spec.tls[1].route[0].destination.port.number, 443);
});

test('expose-services: cross-network Gateway', () => {
	const [gw] = renderExposeServices() as any[];
	assert.equal(gw.apiVersion, 'networking.istio.io/v1');
	assert.deepEqual(gw.metadata, {name: 'cross-network-gateway', namespace: 'istio-system'});
	assert.deepEqual(gw.spec, {
		selector: {istio: 'eastwestgateway'},
		servers: [{port: {number: 15443, name: 'tls', protocol: 'TLS'}, tls: {mode: 'AUTO_PASSTHROUGH'}, hosts: ['*.local']}],
	});
});

test('v1beta1 for Istio before 1.22', () => {
	for (const m of [...renderExposeIstiod({apiVersion: 'v1beta1'}), ...renderExposeServices({apiVersion: 'v1beta1'})]) {
		assert.equal(m.apiVersion, 'networking.istio.io/v1beta1');
	}
});

test('each expose choice selects its resources', () => {
	const names = (expose: 'istiod' | 'services' | 'all' | 'none') => renderManifestSet({network: 'n', expose}).expose.map(m => `${m.kind}/${m.metadata.name}`);
	assert.deepEqual(names('none'), []);
	assert.deepEqual(names('istiod'), ['Gateway/istiod-gateway', 'VirtualService/istiod-vs']);
	assert.deepEqual(names('services'), ['Gateway/cross-network-gateway']);
	assert.deepEqual(names('all'), ['Gateway/istiod-gateway', 'VirtualService/istiod-vs', 'Gateway/cross-network-gateway']);
});

test('YAML output parses back to the same documents, without anchors', () => {
	const set = renderManifestSet({network: 'n1', revision: 'r1', expose: 'all'});
	const docs = [set.gateway, ...set.expose];
	const text = toYaml(docs);
	assert.doesNotMatch(text, /[&*][a-z]\d/);
	const parsed = parseAllDocuments(text).map(d => d.toJS());
	assert.deepEqual(parsed, JSON.parse(JSON.stringify(docs)));
});
