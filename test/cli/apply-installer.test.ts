import {test} from 'node:test';
import assert from 'node:assert/strict';
import {PassThrough} from 'node:stream';
import {applyCommand, parseApplyArgs, type ApplyDeps} from '../../source/commands/apply.js';
import {UsageError} from '../../source/core/exit-codes.js';
import {createRunPlan} from '../../source/engine/index.js';
import {FakeFactory, FakeIstioctl} from '../support/fake-cluster.js';
import type {CommandContext} from '../../source/core/command-context.js';
import type {ComponentInstaller} from '../../source/core/ports.js';

function makeCtx(): CommandContext {
	return {stdout: new PassThrough(), stderr: new PassThrough(), env: {}, signal: new AbortController().signal};
}

const multiArgs = ['--topology', 'multi-network', '--mesh', 'mesh1', '--cluster', 'ce=east:net-east', '--cluster', 'cw=west:net-west', '--dry-run'];

function deps(factory: FakeFactory, helm: ApplyDeps['helm']): ApplyDeps {
	const istioctl = new FakeIstioctl(factory);
	return {
		createFactory: () => factory,
		locateIstioctl: async () => istioctl,
		createRunPlan,
		interactive: () => false,
		confirm: async () => true,
		loadProfile: async name => {
			throw new UsageError(`no profile named "${name}"`);
		},
		recordRun: async () => undefined,
		helm,
	};
}

test('installer flags: a choice of istioctl or helm; --charts excludes the repository flags; helm flags need --installer helm', () => {
	assert.throws(() => parseApplyArgs([...multiArgs, '--installer', 'kubectl']), /--installer "kubectl" is not one of istioctl, helm/);
	assert.throws(
		() => parseApplyArgs([...multiArgs, '--installer', 'helm', '--charts', '/c', '--chart-version', '1.31.0']),
		/leave out --helm-repo and --chart-version/,
	);
	assert.throws(() => parseApplyArgs([...multiArgs, '--installer', 'istioctl', '--charts', '/c']), /are for --installer helm/);
	assert.equal(parseApplyArgs([...multiArgs, '--installer', 'helm', '--charts', '/c']).installerFlags.charts, '/c');
});

test('--installer helm with a helm that cannot run stops before any cluster changes (exit 2, the reason in one line)', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	let made = 0;
	const helm: ApplyDeps['helm'] = {
		locateHelm: async () => {
			throw new Error('--helm /opt/helm: no executable file there (/opt/helm does not exist)');
		},
		helmInstaller: () => {
			made += 1;
			return {} as ComponentInstaller;
		},
	};
	await assert.rejects(applyCommand([...multiArgs, '--installer', 'helm', '--helm', '/opt/helm'], makeCtx(), deps(factory, helm)), (e: unknown) => {
		assert.ok(e instanceof UsageError);
		assert.match(e.message, /^--helm \/opt\/helm: no executable file there/);
		return true;
	});
	factory.dispose();
	assert.equal(made, 0);
	assert.equal(factory.cluster('ce').applied.size, 0);
});

test('without --installer: helm is chosen when an istiod carries Helm release annotations, and charts follow its version', async () => {
	const factory = new FakeFactory(['ce', 'cw'], '/tmp/kubeconfig');
	factory.cluster('ce').put({
		apiVersion: 'apps/v1',
		kind: 'Deployment',
		metadata: {
			name: 'istiod',
			namespace: 'istio-system',
			labels: {app: 'istiod'},
			annotations: {'meta.helm.sh/release-name': 'istiod', 'meta.helm.sh/release-namespace': 'istio-system'},
		},
		spec: {template: {spec: {containers: [{name: 'discovery', image: 'docker.io/istio/pilot:1.31.2'}]}}},
	});
	const chosen: unknown[] = [];
	const helm: ApplyDeps['helm'] = {
		locateHelm: async () => ({path: '/fake/helm', clientVersion: async () => 'v4.3.2'}),
		helmInstaller: (_h, options) => {
			chosen.push(options.charts);
			throw new UsageError('stop here');
		},
	};
	await assert.rejects(applyCommand(multiArgs, makeCtx(), deps(factory, helm)), /stop here/);
	factory.dispose();
	assert.deepEqual(chosen, [{kind: 'repo', repo: 'istio', version: '1.31.2'}]);
});
