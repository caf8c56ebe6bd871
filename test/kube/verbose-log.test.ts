/** The `-v` lines (core/log.ts): their shape, and that no token, key or secret-named value survives. */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {
	formatCommandLine,
	formatIstioctlEnd,
	formatIstioctlStart,
	formatKubeRequest,
	formatWatch,
	redactArgs,
	redactPath,
	redactText,
} from '../../source/core/log.js';

test('request lines: verb, path with query, status, milliseconds; a failure says why', () => {
	assert.equal(
		formatKubeRequest({context: 'east', method: 'get', path: '/api/v1/namespaces/istio-system', status: 200, ms: 12.4}),
		'[kube east] GET /api/v1/namespaces/istio-system 200 12ms',
	);
	assert.equal(
		formatKubeRequest({context: 'east', method: 'GET', path: '/version', ms: 3, error: 'connection refused'}),
		'[kube east] GET /version failed after 3ms: connection refused',
	);
	assert.equal(formatKubeRequest({context: 'w', method: 'PATCH', path: '/x', status: 409, ms: 12_345}), '[kube w] PATCH /x 409 12.3s');
});

test('watch lines: open with status and time, closed with duration and events', () => {
	assert.equal(
		formatWatch({context: 'e', path: '/api/v1/namespaces/istio-system/pods?watch=true', phase: 'open', ms: 4, status: 200}),
		'[kube e] WATCH /api/v1/namespaces/istio-system/pods?watch=true 200 4ms, open',
	);
	assert.equal(formatWatch({context: 'e', path: '/p', phase: 'closed', ms: 61_000, events: 1}), '[kube e] WATCH /p closed after 61.0s, 1 event');
	assert.equal(
		formatWatch({context: 'e', path: '/p', phase: 'closed', ms: 5, events: 0, error: 'the connection was cut'}),
		'[kube e] WATCH /p closed after 5ms, 0 events: the connection was cut',
	);
});

test('istioctl lines: the command line as typed back, then how it ended', () => {
	assert.equal(
		formatIstioctlStart('/opt/istio/bin/istioctl', ['install', '-y', '-f', '-', '--context', 'east ctx']),
		`[istioctl] /opt/istio/bin/istioctl install -y -f - --context 'east ctx'`,
	);
	assert.equal(formatIstioctlEnd(['version', '--remote=false'], 0, 120), '[istioctl] exit 0 after 120ms: version --remote=false');
});

test('a token in an argument never shows: secret-named flags, --set paths, bearer values, JWTs, EKS tokens', () => {
	const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
	const args = [
		'--token',
		'tok-123456',
		'--client-secret=s3cr3t-value',
		'--set',
		'values.pilot.env.API_TOKEN=abcd1234',
		'--header',
		'Authorization: Bearer raw-bearer-value',
		jwt,
		'k8s-aws-v1.aHR0cHM6Ly9zdHM',
		'--context',
		'east',
	];
	const line = formatCommandLine('istioctl', args);
	for (const secret of ['tok-123456', 's3cr3t-value', 'abcd1234', 'raw-bearer-value', jwt, 'aHR0cHM6Ly9zdHM'])
		assert.ok(!line.includes(secret), `${secret} in ${line}`);
	assert.deepEqual(redactArgs(['--token', 'x1234', '--context', 'east', '--kubeconfig', '/k']), [
		'--token',
		'[redacted]',
		'--context',
		'east',
		'--kubeconfig',
		'/k',
	]);
	assert.match(line, /--context east$/);
});

test('known secrets and secret-named query parameters are redacted from any text', () => {
	assert.equal(redactText('failed: token abcdef123 rejected', ['abcdef123']), 'failed: token [redacted] rejected');
	assert.equal(redactPath('/api/v1/pods?labelSelector=app%3Dx&access_token=zzz999'), '/api/v1/pods?labelSelector=app%3Dx&access_token=[redacted]');
	assert.equal(redactText('Authorization: Basic dXNlcjpwYXNz'), 'Authorization: Basic [redacted]');
});
