import {test} from 'node:test';
import assert from 'node:assert/strict';
import {componentReleases, istiodInstaller, upgradeArgs, valuesDifferences, helmReleaseOf} from '../../source/core/helm.js';
import {istiodFromDeployment} from '../../source/core/istiod.js';

const params = {cluster: 'west', network: 'net-west', meshId: 'mesh1'};

test('the remote control plane: base, then istiod with profile remote and the docs values, no multiCluster.enabled', () => {
	const [base, istiod] = componentReleases('remote-control-plane', {...params, revision: 'canary', discoveryAddress: '192.0.2.10'});
	assert.deepEqual([base!.release, base!.chart, istiod!.release, istiod!.chart], ['istio-base', 'base', 'istiod-canary', 'istiod']);
	assert.deepEqual(istiod!.values, {
		profile: 'remote',
		revision: 'canary',
		istiodRemote: {injectionPath: '/inject/cluster/west/net/net-west'},
		global: {meshID: 'mesh1', multiCluster: {clusterName: 'west'}, network: 'net-west', remotePilotAddress: '192.0.2.10'},
	});
});

test('upgrade arguments: a repository chart at a version, eastwest release label, values as --set-string, dry run on the server', () => {
	const [gw] = componentReleases('eastwest-gateway', {...params, network: '1234'});
	const args = upgradeArgs(gw!, {kind: 'repo', repo: 'istio', version: '1.31.0'}, {context: 'west', dryRun: true});
	assert.deepEqual(args, [
		'upgrade',
		'--install',
		'istio-eastwestgateway',
		'istio/gateway',
		'--namespace',
		'istio-system',
		'--version',
		'1.31.0',
		'--kube-context',
		'west',
		'--labels',
		'eastwest/installed-by=eastwest',
		'--reset-values',
		'--set-string',
		'name=istio-eastwestgateway',
		'--set-string',
		'networkGateway=1234',
		'--dry-run=server',
	]);
	assert.equal(upgradeArgs(gw!, {kind: 'dir', dir: '/charts/'}, {})[3], '/charts/gateway');
});

test('values differences name each planned value missing or different, and ignore values the plan does not set', () => {
	const want = {name: 'istio-eastwestgateway', networkGateway: 'net-a', revision: 'canary'};
	assert.deepEqual(valuesDifferences(want, {...want, replicaCount: 3}), []);
	assert.deepEqual(valuesDifferences(want, {name: 'istio-eastwestgateway', networkGateway: 'net-b'}), [
		'networkGateway is net-b (want net-a)',
		'revision is unset (want canary)',
	]);
});

test('Helm is detected by its release annotations only, not by the managed-by label istioctl writes too', () => {
	const labels = {'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'istiod-1.31.0', app: 'istiod'};
	const byIstioctl = istiodFromDeployment({metadata: {name: 'istiod', labels}});
	const byHelm = istiodFromDeployment({
		metadata: {name: 'istiod', labels, annotations: {'meta.helm.sh/release-name': 'istiod', 'meta.helm.sh/release-namespace': 'istio-system'}},
	});
	assert.equal(byIstioctl.helmRelease, undefined);
	assert.deepEqual(byHelm.helmRelease, {name: 'istiod', namespace: 'istio-system'});
	assert.equal(istiodInstaller([byIstioctl]), 'istioctl');
	assert.equal(istiodInstaller([byHelm]), 'helm');
	assert.equal(istiodInstaller([]), undefined);
	assert.equal(helmReleaseOf({'meta.helm.sh/release-name': 'x'}), undefined);
});
