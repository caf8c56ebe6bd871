import {test} from 'node:test';
import assert from 'node:assert/strict';
import {controlPlaneVersions, imageTag, parseIstioVersion, skewWarning, versionSkew} from '../../source/core/version.js';

test('parseIstioVersion: releases, pre-releases, dev builds and image flavours', () => {
	assert.deepEqual(parseIstioVersion('1.30.3'), {major: 1, minor: 30, patch: 3});
	assert.deepEqual(parseIstioVersion('v1.30.3'), {major: 1, minor: 30, patch: 3});
	assert.deepEqual(parseIstioVersion('1.31.0-rc.0'), {major: 1, minor: 31, patch: 0, suffix: 'rc.0'});
	assert.deepEqual(parseIstioVersion('1.31-dev'), {major: 1, minor: 31, suffix: 'dev'});
	assert.deepEqual(parseIstioVersion('1.31-alpha.5f3c2b1e0d9a'), {major: 1, minor: 31, suffix: 'alpha.5f3c2b1e0d9a'});
	assert.deepEqual(parseIstioVersion('1.30.0-distroless'), {major: 1, minor: 30, patch: 0});
	assert.deepEqual(parseIstioVersion('1.31.0-beta.1-debug'), {major: 1, minor: 31, patch: 0, suffix: 'beta.1'});
	for (const text of ['latest', 'master', 'unknown', '', '1', 'sha256:abc', '1.x.3', undefined]) {
		assert.equal(parseIstioVersion(text), undefined, String(text));
	}
});

test('imageTag: the tag after the last path part; none for digests or untagged images (a registry port is not a tag)', () => {
	assert.equal(imageTag('docker.io/istio/pilot:1.30.0'), '1.30.0');
	assert.equal(imageTag('gcr.io/istio-release/pilot:1.31.0-distroless@sha256:0123'), '1.31.0-distroless');
	assert.equal(imageTag('localhost:5000/istio/pilot'), undefined);
	assert.equal(imageTag('localhost:5000/istio/pilot:1.29.1'), '1.29.1');
	assert.equal(imageTag('istio/pilot@sha256:0123'), undefined);
	assert.equal(imageTag('pilot:'), undefined);
	assert.equal(imageTag(undefined), undefined);
});

test('versionSkew: adjacent minors are fine, two apart warn, either direction', () => {
	assert.deepEqual(versionSkew('1.30.3', '1.31.0'), {status: 'ok', minorsApart: 1});
	assert.deepEqual(versionSkew('1.31.0', '1.30.3'), {status: 'ok', minorsApart: 1});
	assert.deepEqual(versionSkew('1.30.3', '1.30.0'), {status: 'ok', minorsApart: 0});
	assert.deepEqual(versionSkew('1.29.2', '1.31.0'), {status: 'warn', minorsApart: 2, reason: '2 minor versions apart'});
	assert.deepEqual(versionSkew('1.33.0', '1.30.1'), {status: 'warn', minorsApart: 3, reason: '3 minor versions apart'});
	assert.equal(versionSkew('1.30.0', '2.0.0').status, 'warn');
});

test('versionSkew: dev and pre-release versions count by their minor', () => {
	assert.equal(versionSkew('1.31-dev', '1.30.2').status, 'ok');
	assert.equal(versionSkew('1.31.0-rc.0', '1.32-dev').status, 'ok');
	assert.equal(versionSkew('1.29.0', '1.31-dev').status, 'warn');
	assert.equal(versionSkew('1.31.0-rc.0', '1.29.4').status, 'warn');
});

test('versionSkew: an unparseable or missing version is unknown, never a warning', () => {
	assert.deepEqual(versionSkew('1.30.3', 'latest'), {status: 'unknown', reason: 'control-plane version "latest" is not a version number'});
	assert.deepEqual(versionSkew(undefined, '1.30.0'), {status: 'unknown', reason: 'the istioctl version is unknown'});
	assert.deepEqual(versionSkew('unknown', '1.20.0'), {status: 'unknown', reason: 'istioctl version "unknown" is not a version number'});
	assert.deepEqual(versionSkew('1.30.3', undefined), {status: 'unknown', reason: 'the control-plane version is unknown'});
});

test('skewWarning names both versions, the context and the istioctl to use', () => {
	const skew = versionSkew('1.29.2', '1.31.0');
	assert.equal(skew.status, 'warn');
	if (skew.status !== 'warn') return;
	assert.equal(
		skewWarning('1.29.2', 'east', {name: 'istiod', version: '1.31.0', ready: true}, skew),
		'istioctl 1.29.2 and istiod 1.31.0 on east are 2 minor versions apart; istioctl supports control planes at most one minor version from its own: use istioctl 1.31 with it (--istioctl PATH)',
	);
});

const istiod = (name: string, options: {image?: string; labels?: Record<string, string>; ready?: boolean} = {}) => ({
	metadata: {name, generation: 1, labels: {app: 'istiod', ...options.labels}},
	spec: {replicas: 1, template: {spec: {containers: [{name: 'discovery', ...(options.image ? {image: options.image} : {}), env: []}]}}},
	status:
		options.ready === false
			? {observedGeneration: 1, replicas: 1, readyReplicas: 0}
			: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1},
});

test('controlPlaneVersions: every istiod with its revision and image version; other deployments ignored', () => {
	const found = controlPlaneVersions([
		istiod('istiod-canary', {image: 'docker.io/istio/pilot:1.31.0-rc.0-distroless', labels: {'istio.io/rev': 'canary'}, ready: false}),
		istiod('istiod', {image: 'docker.io/istio/pilot:1.30.0', labels: {'istio.io/rev': 'default'}}),
		{metadata: {name: 'istio-eastwestgateway'}, spec: {template: {spec: {containers: [{name: 'istio-proxy', image: 'auto'}]}}}},
	]);
	assert.deepEqual(found, [
		{name: 'istiod', version: '1.30.0', image: 'docker.io/istio/pilot:1.30.0', ready: true},
		{name: 'istiod-canary', revision: 'canary', version: '1.31.0-rc.0', image: 'docker.io/istio/pilot:1.31.0-rc.0-distroless', ready: false},
	]);
});

test('controlPlaneVersions: a digest-pinned or oddly tagged image falls back to the version label, else says what the tag says', () => {
	const [byLabel] = controlPlaneVersions([istiod('istiod', {image: 'registry.example/pilot@sha256:0123', labels: {'app.kubernetes.io/version': '1.29.3'}})]);
	assert.equal(byLabel?.version, '1.29.3');
	const [byOperatorLabel] = controlPlaneVersions([istiod('istiod', {image: 'registry.example/pilot:prod', labels: {'operator.istio.io/version': '1.28.0'}})]);
	assert.equal(byOperatorLabel?.version, '1.28.0');
	const [latest] = controlPlaneVersions([istiod('istiod', {image: 'docker.io/istio/pilot:latest'})]);
	assert.equal(latest?.version, 'latest');
	const [nothing] = controlPlaneVersions([istiod('istiod', {image: 'registry.example/pilot@sha256:0123'})]);
	assert.equal(nothing?.version, undefined);
	assert.equal(nothing?.image, 'registry.example/pilot@sha256:0123');
});
