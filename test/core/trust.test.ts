import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import type {ClusterFacts} from '../../source/core/checks/index.js';
import {shortFingerprint, trustOf, trustVerdict, type ClusterTrust} from '../../source/core/trust.js';

const FP_A = 'AB:CD:EF:01:23:45:67:89';
const FP_B = '01:02:03:04:05:06:07:08';

const facts = (extra: Partial<ClusterFacts> = {}): ClusterFacts => ({context: 'ctx', reachable: true, ...extra});
const trust = (cluster: string, extra: Partial<ClusterTrust> = {}): ClusterTrust => ({
	cluster,
	context: cluster,
	reachable: true,
	cacerts: true,
	rootSubject: 'O=Istio, CN=Root CA',
	rootFingerprint: FP_A,
	...extra,
});

describe('trust', () => {
	it('takes from the facts the cacerts root, istio-ca-secret and istio-ca-root-cert, nothing else', () => {
		const t = trustOf(
			'east',
			facts({
				cacerts: {present: true, keys: ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem'], rootCertSha256: 'ff'},
				caBundle: {rootSubject: 'O=Istio, CN=Root CA', rootFingerprint: FP_A, keyMatches: true, readAt: '2026-01-01T00:00:00Z'},
				istioCaSecret: true,
				caRootCertSha256: null,
			}),
		);
		assert.deepEqual(t, {
			cluster: 'east',
			context: 'ctx',
			reachable: true,
			cacerts: true,
			rootSubject: 'O=Istio, CN=Root CA',
			rootFingerprint: FP_A,
			istioCaSecret: true,
			caRootCertSha256: null,
		});
		assert.deepEqual(trustOf('west', facts({reachable: false, error: 'connect ECONNREFUSED'})), {
			cluster: 'west',
			context: 'ctx',
			reachable: false,
			cacerts: false,
			error: 'connect ECONNREFUSED',
		});
	});

	it('shortens colon and plain hex fingerprints to four bytes', () => {
		assert.equal(shortFingerprint(FP_A), 'AB:CD:EF:01…');
		assert.equal(shortFingerprint('c0ffee00aa11'), 'C0:FF:EE:00…');
	});

	it('says the clusters share a root only when every one holds cacerts with the same root', () => {
		assert.deepEqual(trustVerdict([trust('east'), trust('west')]), {shared: true, root: 'O=Istio, CN=Root CA (AB:CD:EF:01…)'});
		assert.deepEqual(trustVerdict([trust('east'), trust('west', {rootFingerprint: FP_B})]), {shared: false, reason: 'the clusters hold 2 different roots'});
		assert.deepEqual(trustVerdict([trust('east'), trust('west', {cacerts: false, rootFingerprint: undefined})]), {
			shared: false,
			reason: 'west has no cacerts root',
		});
		assert.deepEqual(trustVerdict([trust('east', {reachable: false}), trust('west')]), {shared: false, reason: 'east could not be read'});
		assert.equal(trustVerdict([]).shared, false);
	});
});
