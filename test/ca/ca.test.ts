// The CA layer: certificates as Istio's Makefile.selfsigned.mk makes them, parsed back with node:crypto
// (and @peculiar/x509's parser, and `openssl x509 -text` when openssl is on the machine); bundle checks; root files.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {X509Certificate, createPrivateKey} from 'node:crypto';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {createRoot, issueIntermediate, loadRoot} from '../../source/ca/issue.js';
import {CaError, inspectBundle, verifyBundle} from '../../source/ca/inspect.js';
import {readRootDir, writeRoot} from '../../source/ca/files.js';
import {createRootDir, openRootDir} from '../../source/ca/index.js';
import {FIXTURE_CA_CERT, FIXTURE_CA_KEY, FIXTURE_OTHER_ROOT_CERT, FIXTURE_OTHER_ROOT_KEY, FIXTURE_ROOT_CERT, FIXTURE_ROOT_KEY} from '../support/ca-fixtures.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-06-01T00:00:00Z');

function opensslText(pem: string): string | undefined {
	try {
		return execFileSync('openssl', ['x509', '-noout', '-text'], {input: pem, encoding: 'utf8'});
	} catch {
		return undefined;
	}
}

function tmpDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-ca-'));
}

const USAGES = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign;

function extensionsOf(pem: string) {
	const cert = new x509.X509Certificate(pem);
	return {
		basic: cert.getExtension(x509.BasicConstraintsExtension),
		usage: cert.getExtension(x509.KeyUsagesExtension),
		ski: cert.getExtension(x509.SubjectKeyIdentifierExtension),
		aki: cert.getExtension(x509.AuthorityKeyIdentifierExtension),
		san: cert.getExtension(x509.SubjectAlternativeNameExtension),
	};
}

test('a new root and intermediate: RSA 4096, sha256, the subjects, lifetimes, extensions and chain Istio expects', async () => {
	const root = await createRoot({now: NOW});
	const bundle = await issueIntermediate(root, 'east', {now: NOW});

	const r = new X509Certificate(root.certPem);
	assert.equal(r.subject, 'O=Istio\nCN=Root CA');
	assert.equal(r.issuer, r.subject, 'self-signed');
	assert.equal(r.ca, true);
	assert.equal(r.publicKey.asymmetricKeyType, 'rsa');
	assert.equal(r.publicKey.asymmetricKeyDetails?.modulusLength, 4096);
	assert.equal(new Date(r.validFrom).getTime(), Math.floor(NOW.getTime() / 1000) * 1000);
	assert.equal(Math.round((new Date(r.validTo).getTime() - new Date(r.validFrom).getTime()) / DAY), 3650);
	assert.ok(r.verify(r.publicKey));
	assert.equal(root.fingerprint, r.fingerprint256);

	const ca = new X509Certificate(bundle['ca-cert.pem']);
	assert.equal(ca.subject, 'O=Istio\nCN=Intermediate CA\nL=east');
	assert.equal(ca.issuer, 'O=Istio\nCN=Root CA');
	assert.equal(ca.ca, true);
	assert.equal(ca.publicKey.asymmetricKeyDetails?.modulusLength, 4096);
	assert.equal(ca.subjectAltName, 'DNS:istiod.istio-system.svc');
	assert.ok(ca.checkIssued(r) && ca.verify(r.publicKey), 'issued and signed by the root');
	assert.equal(Math.round((new Date(ca.validTo).getTime() - new Date(ca.validFrom).getTime()) / DAY), 730);
	assert.match(ca.serialNumber, /^[0-7][0-9A-F]{31}$/i, 'a positive 16-byte serial');
	assert.notEqual(ca.serialNumber, r.serialNumber);

	// ca-key.pem: PKCS#8, the intermediate's key; cert-chain.pem: intermediate then root; root-cert.pem: the root.
	assert.match(bundle['ca-key.pem'], /^-----BEGIN PRIVATE KEY-----\n/);
	assert.ok(ca.checkPrivateKey(createPrivateKey(bundle['ca-key.pem'])));
	assert.equal(bundle['cert-chain.pem'], bundle['ca-cert.pem'] + bundle['root-cert.pem']);
	assert.ok(new X509Certificate(bundle['root-cert.pem']).raw.equals(r.raw));

	// Extensions, read by a second parser.
	const re = extensionsOf(root.certPem);
	assert.equal(re.basic?.ca, true);
	assert.equal(re.basic?.critical, true);
	assert.equal(re.basic?.pathLength, undefined, 'the root has no pathlen');
	assert.equal(re.usage?.usages, USAGES);
	assert.equal(re.usage?.critical, true);
	assert.ok(re.ski);
	const ie = extensionsOf(bundle['ca-cert.pem']);
	assert.equal(ie.basic?.ca, true);
	assert.equal(ie.basic?.critical, true);
	assert.equal(ie.basic?.pathLength, 0);
	assert.equal(ie.usage?.usages, USAGES);
	assert.equal(ie.aki?.keyId, re.ski!.keyId, "the intermediate's AKI is the root's SKI");
	assert.deepEqual(ie.san?.names.toJSON(), [{type: 'dns', value: 'istiod.istio-system.svc'}]);

	// And as openssl prints them.
	const rootText = opensslText(root.certPem);
	const caText = opensslText(bundle['ca-cert.pem']);
	if (rootText !== undefined && caText !== undefined) {
		assert.match(rootText, /Signature Algorithm: sha256WithRSAEncryption/);
		assert.match(rootText, /Public-Key: \(4096 bit\)/);
		assert.match(rootText, /Subject: O = Istio, CN = Root CA\n/);
		assert.match(rootText, /X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
		assert.match(rootText, /X509v3 Key Usage: critical\n\s+Digital Signature, Non Repudiation, Key Encipherment, Certificate Sign\n/);
		assert.match(rootText, /X509v3 Subject Key Identifier:/);
		assert.match(caText, /Subject: O = Istio, CN = Intermediate CA, L = east\n/);
		assert.match(caText, /X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
		assert.match(caText, /X509v3 Key Usage: critical\n\s+Digital Signature, Non Repudiation, Key Encipherment, Certificate Sign\n/);
		assert.match(caText, /X509v3 Authority Key Identifier:/);
		assert.match(caText, /X509v3 Subject Alternative Name:\s*\n\s+DNS:istiod\.istio-system\.svc\n/);
		assert.match(caText, /Signature Algorithm: sha256WithRSAEncryption/);
	}
});

test("a user's EC root signs intermediates that chain to it; each cluster gets its own key and serial", async () => {
	const root = await loadRoot(FIXTURE_ROOT_CERT, FIXTURE_ROOT_KEY, {cert: 'root-cert.pem', key: 'root-key.pem'}, NOW);
	const east = await issueIntermediate(root, 'east', {modulusLength: 2048, now: NOW});
	const west = await issueIntermediate(root, 'west', {modulusLength: 2048, now: NOW});
	const r = new X509Certificate(FIXTURE_ROOT_CERT);
	for (const [name, b] of [
		['east', east],
		['west', west],
	] as const) {
		const ca = new X509Certificate(b['ca-cert.pem']);
		assert.equal(ca.subject, `O=Istio\nCN=Intermediate CA\nL=${name}`);
		assert.ok(ca.verify(r.publicKey));
		assert.ok(!ca.verify(new X509Certificate(FIXTURE_OTHER_ROOT_CERT).publicKey));
	}
	assert.notEqual(east['ca-key.pem'], west['ca-key.pem']);
	assert.notEqual(new X509Certificate(east['ca-cert.pem']).serialNumber, new X509Certificate(west['ca-cert.pem']).serialNumber);
	const facts = inspectBundle(east);
	assert.deepEqual(facts, {
		rootSubject: 'O=Istio, CN=Root CA',
		rootFingerprint: r.fingerprint256,
		intermediateSubject: 'O=Istio, CN=Intermediate CA, L=east',
		intermediateNotAfter: new Date(NOW.getTime() + 730 * DAY).toISOString(),
		chainsToRoot: true,
		keyMatches: true,
	});
});

test('verifyBundle refuses a key of another certificate, a chain in the wrong order and a foreign root', () => {
	const good = {
		'ca-cert.pem': FIXTURE_CA_CERT,
		'ca-key.pem': FIXTURE_CA_KEY,
		'root-cert.pem': FIXTURE_ROOT_CERT,
		'cert-chain.pem': FIXTURE_CA_CERT + FIXTURE_ROOT_CERT,
	};
	verifyBundle(good, NOW);
	const refuse = (bundle: typeof good, message: RegExp) => {
		assert.throws(
			() => verifyBundle(bundle, NOW),
			(e: unknown) => e instanceof CaError && message.test(e.message) && !e.message.includes('PRIVATE KEY') && !e.message.includes('\n'),
		);
	};
	refuse({...good, 'ca-key.pem': FIXTURE_ROOT_KEY}, /ca-key\.pem is not the key of ca-cert\.pem/);
	refuse({...good, 'cert-chain.pem': FIXTURE_ROOT_CERT + FIXTURE_CA_CERT}, /cert-chain\.pem does not start with ca-cert\.pem/);
	refuse(
		{...good, 'root-cert.pem': FIXTURE_OTHER_ROOT_CERT, 'cert-chain.pem': FIXTURE_CA_CERT + FIXTURE_OTHER_ROOT_CERT},
		/certificate 1 is not issued by certificate 2/,
	);
	refuse({...good, 'ca-key.pem': 'not a key'}, /ca-key\.pem holds no readable unencrypted private key/);
	assert.throws(() => verifyBundle(good, new Date('2200-01-01T00:00:00Z')), /ca-cert\.pem expired on 2/);
	const facts = inspectBundle({
		...good,
		'ca-key.pem': FIXTURE_OTHER_ROOT_KEY,
		'root-cert.pem': FIXTURE_OTHER_ROOT_CERT,
		'cert-chain.pem': FIXTURE_CA_CERT + FIXTURE_OTHER_ROOT_CERT,
	});
	assert.equal(facts.keyMatches, false);
	assert.equal(facts.chainsToRoot, false);
	assert.doesNotMatch(JSON.stringify(facts), /PRIVATE|BEGIN/);
});

test('a root directory: written once (key 0600), never replaced; read only when the key is private', async () => {
	const dir = path.join(tmpDir(), 'root');
	const created = await createRootDir(dir, {modulusLength: 2048});
	assert.equal(fs.statSync(created.files.keyPath).mode & 0o777, 0o600);
	assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
	assert.match(created.description, /^O=Istio, CN=Root CA \(sha256 [0-9A-F:]{23}…\)$/);
	const key = fs.readFileSync(created.files.keyPath, 'utf8');
	assert.match(key, /^-----BEGIN PRIVATE KEY-----/);

	// Never replaced: the files are untouched.
	await assert.rejects(
		createRootDir(dir, {modulusLength: 2048}),
		(e: unknown) => e instanceof CaError && /already exist; eastwest never replaces a root/.test(e.message),
	);
	assert.equal(fs.readFileSync(created.files.keyPath, 'utf8'), key);
	assert.throws(() => writeRoot(dir, 'x', 'y'), /already exist/);

	const source = await openRootDir(dir);
	assert.equal(source.root, created.description);
	assert.ok(source.isRoot(fs.readFileSync(created.files.certPath, 'utf8')));
	assert.ok(!source.isRoot(FIXTURE_ROOT_CERT));
	assert.match(source.describe(FIXTURE_ROOT_CERT), /^O=Istio, CN=Root CA \(sha256 /);

	fs.chmodSync(created.files.keyPath, 0o640);
	assert.throws(
		() => readRootDir(dir),
		(e: unknown) =>
			e instanceof CaError &&
			e.message === `${created.files.keyPath} is readable by its group (mode 0640); a root key must be private to its owner` &&
			e.hint === `run 'chmod 600 ${created.files.keyPath}' and check who could have copied it`,
	);
	fs.chmodSync(created.files.keyPath, 0o604);
	assert.throws(() => readRootDir(dir), /readable by others \(mode 0604\)/);
});

test('a root directory that is missing, half there, or holds a key of another root is refused in one line naming files only', async () => {
	const dir = tmpDir();
	assert.throws(() => readRootDir(path.join(dir, 'nope')), /is not a directory holding a root CA/);
	fs.writeFileSync(path.join(dir, 'root-cert.pem'), FIXTURE_ROOT_CERT);
	assert.throws(() => readRootDir(dir), new RegExp(`${path.join(dir, 'root-key.pem')} does not exist`));
	fs.writeFileSync(path.join(dir, 'root-key.pem'), FIXTURE_OTHER_ROOT_KEY, {mode: 0o600});
	await assert.rejects(
		openRootDir(dir),
		(e: unknown) => e instanceof CaError && /root-key\.pem is not the key of .*root-cert\.pem/.test(e.message) && !e.message.includes('BEGIN'),
	);
	fs.writeFileSync(path.join(dir, 'root-cert.pem'), FIXTURE_CA_CERT.replace('MII', 'MIX'));
	await assert.rejects(openRootDir(dir), /root-cert\.pem: certificate 1 does not parse/);
});

test('limited: at most N calls run at once, the rest run in order as others finish, failures free their slot', async () => {
	const {limited} = await import('../../source/ca/index.js');
	let running = 0;
	let peak = 0;
	const order: number[] = [];
	const releases: Array<() => void> = [];
	const fn = limited(2, async (n: number) => {
		running += 1;
		peak = Math.max(peak, running);
		await new Promise<void>(resolve => releases.push(resolve));
		running -= 1;
		order.push(n);
		if (n === 2) throw new Error('boom');
		return n * 10;
	});
	const all = [1, 2, 3, 4].map(n => fn(n).catch((e: Error) => e.message));
	const tick = () => new Promise(resolve => setImmediate(resolve));
	await tick();
	assert.equal(releases.length, 2, 'two started');
	releases.shift()!();
	releases.shift()!();
	await tick();
	assert.equal(releases.length, 2, 'the next two started once the first two finished (one of them failed)');
	releases.shift()!();
	releases.shift()!();
	assert.deepEqual(await Promise.all(all), [10, 'boom', 30, 40]);
	assert.equal(peak, 2);
	assert.deepEqual(order, [1, 2, 3, 4]);
});
