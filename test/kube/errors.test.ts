import {describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {ApiException} from '@kubernetes/client-node';
import {KubeError, describeKubeError} from '../../source/kube/index.js';

const ctx = {context: 'east', verb: 'get', resource: 'namespaces', name: 'istio-system', user: 'dev'};

function oneLine(info: {message: string; hint?: string}): void {
	assert.ok(!info.message.includes('\n'), info.message);
	assert.ok(!(info.hint ?? '').includes('\n'), info.hint);
}

describe('describeKubeError', () => {
	test('connection refused and unknown hosts are unreachable, with the kubectl check', () => {
		const refused = describeKubeError(Object.assign(new Error('request to http://127.0.0.1:1/version failed'), {code: 'ECONNREFUSED'}), ctx);
		assert.equal(refused.kind, 'unreachable');
		assert.equal(refused.message, 'cannot reach the API server east: connection refused');
		assert.equal(refused.hint, 'is the API server up? check kubectl --context east get --raw /version');
		const dns = describeKubeError(Object.assign(new Error('getaddrinfo ENOTFOUND api.example.invalid'), {code: 'ENOTFOUND'}), ctx);
		assert.equal(dns.kind, 'unreachable');
		assert.match(dns.message, /host name does not resolve/);
		oneLine(dns);
	});

	test('a cause chain is followed for the error code (fetch wraps socket errors)', () => {
		const wrapped = new Error('fetch failed', {cause: Object.assign(new Error('connect ETIMEDOUT'), {code: 'ETIMEDOUT'})});
		assert.equal(describeKubeError(wrapped, ctx).kind, 'timeout');
	});

	test('certificate problems say so and point at the kubeconfig', () => {
		const info = describeKubeError(Object.assign(new Error('unable to verify the first certificate'), {code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'}), ctx);
		assert.equal(info.kind, 'unreachable');
		assert.match(info.message, /TLS failed talking to the API server east/);
		assert.match(info.hint ?? '', /certificate-authority/);
	});

	test('aborts are cancellations', () => {
		const abort = Object.assign(new Error('The operation was aborted'), {name: 'AbortError'});
		assert.equal(describeKubeError(abort, ctx).kind, 'cancelled');
	});

	test('ApiException 401 without a body → unauthorized with a refresh hint', () => {
		const info = describeKubeError(new ApiException(401, 'Unauthorized', undefined, {}), ctx);
		assert.deepEqual([info.kind, info.httpStatus], ['unauthorized', 401]);
		assert.match(info.hint ?? '', /get-credentials/);
	});

	test('ApiException 403 with a Status body as text → forbidden quoting the server and naming the user', () => {
		const body = JSON.stringify({
			kind: 'Status',
			code: 403,
			reason: 'Forbidden',
			message: 'namespaces "istio-system" is forbidden: User "dev" cannot get resource "namespaces"',
		});
		const info = describeKubeError(new ApiException(403, 'Forbidden', body, {}), ctx);
		assert.equal(info.kind, 'forbidden');
		assert.match(info.message, /^forbidden on east: namespaces "istio-system" is forbidden/);
		assert.match(info.hint ?? '', /user dev get namespaces/);
		oneLine(info);
	});

	test('409 apply conflicts: every manager found, fields grouped, the first one reported', () => {
		const status = {
			kind: 'Status',
			code: 409,
			reason: 'Conflict',
			message: 'Apply failed with 3 conflicts: ...',
			details: {
				causes: [
					{type: 'FieldManagerConflict', message: 'conflict with "helm" using networking.istio.io/v1', field: '.spec.servers'},
					{type: 'FieldManagerConflict', message: 'conflict with "helm" using networking.istio.io/v1', field: '.spec.selector'},
					{type: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using networking.istio.io/v1', field: '.metadata.labels.app'},
				],
			},
		};
		const info = describeKubeError(new ApiException(409, 'Conflict', status, {}), {
			...ctx,
			verb: 'patch',
			resource: 'gateways.networking.istio.io',
			name: 'cross-network-gateway',
			namespace: 'istio-system',
		});
		assert.equal(info.kind, 'conflict');
		assert.equal(info.manager, 'helm');
		assert.match(info.message, /conflict with "helm" using networking\.istio\.io\/v1: \.spec\.servers, \.spec\.selector; conflict with "kubectl-edit"/);
		assert.match(info.hint ?? '', /\(helm, kubectl-edit\).*--force/);
		oneLine(info);
	});

	test('409 without field managers (e.g. AlreadyExists) is a plain conflict', () => {
		const info = describeKubeError(new ApiException(409, 'Conflict', {kind: 'Status', message: 'namespaces "istio-system" already exists'}, {}), ctx);
		assert.equal(info.kind, 'conflict');
		assert.equal(info.manager, undefined);
	});

	test('422 is invalid; 503 names the server failure; KubeError passes through', () => {
		assert.equal(describeKubeError(new ApiException(422, 'Invalid', {message: 'spec.servers: Required value'}, {}), ctx).kind, 'invalid');
		const unavailable = describeKubeError(new ApiException(503, 'x', '', {}), ctx);
		assert.match(unavailable.message, /API server on east failed: HTTP 503/);
		const own = new KubeError({kind: 'timeout', message: 'waited too long'});
		assert.equal(describeKubeError(own), own.info);
	});
});
