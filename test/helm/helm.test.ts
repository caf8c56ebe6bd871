import {test} from 'node:test';
import assert from 'node:assert/strict';
import {writeFileSync, chmodSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {HelmError, helmInstaller, locateHelm, setHelmLog} from '../../source/helm/index.js';
import {RELEASE_LABEL, RELEASE_LABEL_VALUE} from '../../source/core/helm.js';
import type {ComponentInstallOptions} from '../../source/core/ports.js';
import {fakeHelmEnv, helmRuns, readReleases, type FakeRelease} from '../support/fake-helm.js';

const NS = 'istio-system';
const GW = 'istio-eastwestgateway';
const params = {cluster: 'east', network: 'net-east', meshId: 'mesh1'};
const gatewayValues = {name: GW, networkGateway: 'net-east'};
const ours = {[RELEASE_LABEL]: RELEASE_LABEL_VALUE};

function release(values: Record<string, unknown>, labels: Record<string, string>, status = 'deployed'): FakeRelease {
	return {chart: 'gateway', version: '1.0.0', status, values, labels};
}

function installOptions(extra: Partial<ComponentInstallOptions> = {}): ComponentInstallOptions {
	return {
		component: 'eastwest-gateway',
		context: 'east',
		params,
		manifest: {apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator', metadata: {name: 'eastwest'}},
		readinessTimeoutMs: 60_000,
		dryRun: false,
		...extra,
	};
}

async function installerFor(env: NodeJS.ProcessEnv, force = false) {
	const helm = await locateHelm({env});
	return helmInstaller(helm, {charts: {kind: 'repo', repo: 'istio', version: '1.0.0'}, force});
}

const upgrades = (env: NodeJS.ProcessEnv) => helmRuns(env).filter(a => a[0] === 'upgrade');

test('locateHelm: no helm on PATH is one line naming --helm', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-nohelm-'));
	await assert.rejects(locateHelm({env: {PATH: dir}}), (e: unknown) => e instanceof HelmError && /helm not found on PATH.*--helm PATH/.test(e.message));
	await assert.rejects(locateHelm({path: path.join(dir, 'helm'), env: {PATH: dir}}), /--helm .*no executable file there/);
});

test('clientVersion: a failing helm is reported with its path and first line; an old one is refused', async () => {
	const failing = fakeHelmEnv({}, {FAKE_HELM_SCENARIO: 'version-fail'});
	const helm = await locateHelm({env: failing.env});
	await assert.rejects(helm.clientVersion(), (e: unknown) => e instanceof HelmError && e.message.includes(helm.path) && /cannot load plugins/.test(e.message));
	const old = fakeHelmEnv({}, {FAKE_HELM_VERSION: 'v3.12.3'});
	await assert.rejects((await locateHelm({env: old.env})).clientVersion(), /Helm v3\.12\.3, older than 3\.13\.0/);
	assert.equal(await (await locateHelm({env: fakeHelmEnv().env})).clientVersion(), 'v4.3.2');
});

test('install: the gateway release with the docs values, eastwest release label and chart version', async () => {
	const {env} = fakeHelmEnv();
	await (await installerFor(env)).install(installOptions({params: {...params, revision: 'canary'}}));
	const [args] = upgrades(env);
	assert.deepEqual(args!.slice(0, 4), ['upgrade', '--install', GW, 'istio/gateway']);
	assert.ok(args!.join(' ').includes(`--labels ${RELEASE_LABEL}=${RELEASE_LABEL_VALUE}`));
	assert.ok(args!.join(' ').includes('--version 1.0.0'));
	assert.ok(args!.join(' ').includes('--kube-context east'));
	const stored = readReleases(env)[`${NS}/${GW}`]!;
	assert.deepEqual(stored.values, {name: GW, networkGateway: 'net-east', revision: 'canary'});
	assert.deepEqual(stored.labels, ours);
});

test('inspect: a release of eastwest that matches has no differences; another network is named', async () => {
	const {env} = fakeHelmEnv({[`${NS}/${GW}`]: release(gatewayValues, ours)});
	const installer = await installerFor(env);
	const state = await installer.inspect(installOptions());
	assert.equal(state?.ours, true);
	assert.deepEqual(state?.differences, []);
	assert.equal(state?.chartVersion, '1.0.0');
	const other = await installer.inspect(installOptions({params: {...params, network: 'net-b'}}));
	assert.deepEqual(other?.differences, ['networkGateway is net-east (want net-b)']);
	assert.equal(await installer.inspect({...installOptions(), component: 'remote-control-plane'}), undefined);
	assert.equal(upgrades(env).length, 0);
});

test('a same-named release eastwest did not make: adopted when it matches, refused naming the values when not, upgraded with --force', async () => {
	const matching = fakeHelmEnv({[`${NS}/${GW}`]: release(gatewayValues, {})});
	await (await installerFor(matching.env)).install(installOptions());
	assert.equal(upgrades(matching.env).length, 0, 'a matching foreign release is used as it is');

	const differing = fakeHelmEnv({[`${NS}/${GW}`]: release({...gatewayValues, networkGateway: 'other'}, {})});
	await assert.rejects((await installerFor(differing.env)).install(installOptions()), (e: unknown) => {
		assert.ok(e instanceof HelmError);
		assert.match(e.message, /not installed by eastwest and differs from the plan: networkGateway is other \(want net-east\)/);
		assert.match(e.info.hint ?? '', /--force/);
		return true;
	});
	assert.equal(upgrades(differing.env).length, 0);

	await (await installerFor(differing.env, true)).install(installOptions());
	const [args] = upgrades(differing.env);
	assert.ok(!args!.includes('--labels'), 'a forced upgrade does not claim the release');
	assert.deepEqual(readReleases(differing.env)[`${NS}/${GW}`]!.labels, {});
});

test('--dry-run: helm upgrade --install --dry-run=server, nothing stored', async () => {
	const {env} = fakeHelmEnv();
	await (await installerFor(env)).install(installOptions({dryRun: true}));
	assert.ok(upgrades(env)[0]!.includes('--dry-run=server'));
	assert.deepEqual(readReleases(env), {});
});

test('pending releases: an interrupted install of eastwest is uninstalled and installed again; a pending upgrade is explained', async () => {
	const {env} = fakeHelmEnv({[`${NS}/${GW}`]: release(gatewayValues, ours, 'pending-install')});
	await (await installerFor(env)).install(installOptions());
	const verbs = helmRuns(env)
		.map(a => a[0])
		.filter(v => v === 'uninstall' || v === 'upgrade');
	assert.deepEqual(verbs, ['uninstall', 'upgrade']);
	assert.equal(readReleases(env)[`${NS}/${GW}`]!.status, 'deployed');

	const stuck = fakeHelmEnv({[`${NS}/${GW}`]: release(gatewayValues, ours, 'pending-upgrade')});
	await assert.rejects((await installerFor(stuck.env)).install(installOptions()), (e: unknown) => {
		assert.ok(e instanceof HelmError);
		assert.match(e.message, /is pending-upgrade/);
		assert.match(e.info.hint ?? '', /helm rollback istio-eastwestgateway -n istio-system/);
		return true;
	});
	assert.equal(upgrades(stuck.env).length, 0);
});

test('uninstall: only releases with eastwest release label', async () => {
	const {env} = fakeHelmEnv({[`${NS}/${GW}`]: release(gatewayValues, {})});
	const installer = await installerFor(env);
	assert.equal(await installer.uninstall!(installOptions(), {dryRun: false, timeoutMs: 30_000}), 'not-found');
	assert.ok(readReleases(env)[`${NS}/${GW}`], 'a foreign release stays');

	const mine = fakeHelmEnv({[`${NS}/${GW}`]: release(gatewayValues, ours)});
	const dry = await installerFor(mine.env);
	assert.equal(await dry.uninstall!(installOptions(), {dryRun: true, timeoutMs: 30_000}), 'uninstalled');
	assert.ok(readReleases(mine.env)[`${NS}/${GW}`], 'a dry run keeps it');
	assert.equal(await dry.uninstall!(installOptions(), {dryRun: false, timeoutMs: 30_000}), 'uninstalled');
	assert.equal(readReleases(mine.env)[`${NS}/${GW}`], undefined);
});

test('Ctrl-C stops a running helm and reports the install cancelled', async () => {
	const {env} = fakeHelmEnv({}, {FAKE_HELM_SCENARIO: 'hang-upgrade'});
	const installer = await installerFor(env);
	const abort = new AbortController();
	const lines: string[] = [];
	const done = installer.install(
		installOptions({
			signal: abort.signal,
			onLine: line => {
				lines.push(line);
				if (line.startsWith('installing')) abort.abort();
			},
		}),
	);
	await assert.rejects(done, (e: unknown) => e instanceof HelmError && e.info.cancelled === true && /was cancelled/.test(e.message));
	assert.deepEqual(lines, ['installing istio-eastwestgateway']);
});

test('-v logs each helm command line with secret-named values redacted', async () => {
	const dir = mkdtempSync(path.join(tmpdir(), 'ew-helmlog-'));
	const bin = path.join(dir, 'helm');
	writeFileSync(bin, '#!/bin/sh\necho v4.3.2\n');
	chmodSync(bin, 0o755);
	const lines: string[] = [];
	setHelmLog(line => lines.push(line));
	try {
		const helm = await locateHelm({path: bin, env: {PATH: dir}});
		await helm.run(['upgrade', '--install', 'x', 'istio/gateway', '--set-string', 'global.token=s3cr3t'], {timeoutMs: 10_000});
	} finally {
		setHelmLog(undefined);
	}
	const text = lines.join('\n');
	assert.match(text, /upgrade --install x istio\/gateway/);
	assert.doesNotMatch(text, /s3cr3t/);
});
