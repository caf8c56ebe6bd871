import {test} from 'node:test';
import assert from 'node:assert/strict';
import {isLoopbackHost, isLoopbackServer, urlHost} from '../../source/core/address.js';

test('urlHost: the hostname of a URL (IPv6 in brackets), undefined for no URL', () => {
	assert.equal(urlHost('https://[::1]:6443'), '[::1]');
	assert.equal(urlHost('https://api.example.com'), 'api.example.com');
	assert.equal(urlHost('nonsense'), undefined);
	assert.equal(urlHost(undefined), undefined);
});

test('one loopback rule: 127/8, ::1, localhost, and the unspecified 0.0.0.0 and :: no other machine can use', () => {
	for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'api.localhost', '0.0.0.0', '::', '[::1]', '::1'])
		assert.ok(isLoopbackHost(host), host);
	for (const host of ['10.0.0.1', 'api.example.com', '128.0.0.1', '172.18.0.2', 'localhost.example.com', '127.example.com'])
		assert.ok(!isLoopbackHost(host), host);
	// The same rule for URLs: a k3d kubeconfig's server (0.0.0.0) is as unusable to other clusters as 127.0.0.1.
	for (const url of ['https://127.0.0.1:6443', 'https://0.0.0.0:41234', 'https://[::1]:6443', 'https://localhost']) assert.ok(isLoopbackServer(url), url);
	for (const url of ['https://172.18.0.2:6443', 'nonsense', undefined]) assert.ok(!isLoopbackServer(url), String(url));
});
