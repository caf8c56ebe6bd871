import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {judgeMeshTrust, type ClusterRoots, type RootIdentity} from '../../source/core/trust.js';

const A: RootIdentity = {subject: 'O=Istio, CN=Root CA', fingerprint: 'C1:EE:01:02:03:04:05:06'};
const B: RootIdentity = {subject: 'O=Other, CN=Other Root CA', fingerprint: '0A:0B:0C:0D:0E:0F:10:11'};
const roots = (cluster: string, published: RootIdentity | null | undefined, plugged: RootIdentity | null | undefined, reachable = true): ClusterRoots => ({
	cluster,
	reachable,
	published,
	plugged,
});

describe('judgeMeshTrust', () => {
	it('passes when every cluster publishes the same root, naming it by subject and short fingerprint', () => {
		const t = judgeMeshTrust([roots('east', A, A), roots('west', A, A)]);
		assert.equal(t.level, 'pass');
		assert.equal(t.line, 'every cluster trusts one root (O=Istio, CN=Root CA, sha256 C1:EE:01:02…)');
		assert.deepEqual(t.root, A);
	});

	it("passes on Istio's self-signed roots only when they are the same certificate", () => {
		assert.equal(judgeMeshTrust([roots('east', A, null), roots('west', A, null)]).level, 'pass');
	});

	it('fails when the published roots differ and the clusters are not plugged into one root, with the hint', () => {
		const t = judgeMeshTrust([roots('east', A, null), roots('west', B, null)]);
		assert.equal(t.level, 'fail');
		assert.equal(t.line, 'east and west have different roots: cross-cluster mTLS fails');
		assert.match(t.detail!, /^the root certificate differs: east sha256 C1:EE:01:02… vs west sha256 0A:0B:0C:0D…$/);
		assert.match(t.hint!, /eastwest apply --ca DIR --restart-istiod/);
	});

	it('fails when the plugged-in roots differ too', () => {
		assert.equal(judgeMeshTrust([roots('east', A, A), roots('west', B, B)]).level, 'fail');
	});

	it('is converging, not failing, while one cluster still publishes its old root after cacerts changed', () => {
		const t = judgeMeshTrust([roots('east', A, A), roots('west', B, A)]);
		assert.equal(t.level, 'warn');
		assert.match(t.line, /^converging: west does not publish the plugged-in root \(O=Istio, CN=Root CA, sha256 C1:EE:01:02…\) yet/);
		assert.deepEqual(t.root, A);
		// Once istiod has republished, the same clusters pass.
		assert.equal(judgeMeshTrust([roots('east', A, A), roots('west', A, A)]).level, 'pass');
	});

	it('is converging when no cluster publishes the newly plugged-in root yet', () => {
		assert.equal(judgeMeshTrust([roots('east', B, A), roots('west', B, A)]).level, 'warn');
	});

	it('warns when a reachable cluster has no istio-ca-root-cert yet and the others agree', () => {
		const t = judgeMeshTrust([roots('east', A, null), roots('west', A, null), roots('remote', null, null)]);
		assert.equal(t.level, 'warn');
		assert.equal(t.line, 'istio-ca-root-cert is not in remote yet');
	});

	it('still fails on different roots when another cluster has no ConfigMap', () => {
		assert.equal(judgeMeshTrust([roots('east', A, null), roots('west', B, null), roots('remote', null, null)]).level, 'fail');
	});

	it('does not know when an unreachable cluster leaves fewer than two roots, and names it', () => {
		const t = judgeMeshTrust([roots('east', A, A), roots('west', undefined, undefined, false)]);
		assert.equal(t.level, 'unknown');
		assert.match(t.line, /west could not be read/);
	});

	it('judges the clusters that could be read when one is unreachable', () => {
		assert.equal(judgeMeshTrust([roots('east', A, null), roots('west', B, null), roots('north', undefined, undefined, false)]).level, 'fail');
		const t = judgeMeshTrust([roots('east', A, null), roots('west', A, null), roots('north', undefined, undefined, false)]);
		assert.equal(t.level, 'pass');
		assert.match(t.line, /^every cluster read trusts one root .*; north could not be read$/);
	});
});
