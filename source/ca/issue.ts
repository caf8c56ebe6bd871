/**
 * Making certificates as Istio's tools/certs/Makefile.selfsigned.mk does: a root CA and one intermediate
 * per cluster. The only user of @peculiar/x509 (and its Reflect metadata polyfill), both loaded on first
 * use so nothing here costs start-up time. Keys are made by WebCrypto, whose RSA key generation and
 * signing run off the main thread: a wizard keeps rendering while a 4096-bit key is made.
 */
import {X509Certificate as NodeCertificate, createPrivateKey, webcrypto} from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;
import type * as X509Module from '@peculiar/x509';
import {CaError, describeRoot, isCa, keyMatches, parseCertificates, parsePrivateKey, verifyBundle, type CaBundleFiles} from './inspect.js';
import {withFinalNewline} from '../core/text.js';

type X509 = typeof X509Module;

let library: Promise<X509> | undefined;

/** @peculiar/x509 on Node's WebCrypto, loaded once. */
function x509(): Promise<X509> {
	library ??= (async () => {
		await import('reflect-metadata');
		// Bundled, the CommonJS build's dynamic import has only a default export.
		const mod = await import('@peculiar/x509');
		const lib = (mod.cryptoProvider ? mod : (mod as unknown as {default: X509}).default) as X509;
		lib.cryptoProvider.set(webcrypto as never);
		return lib;
	})();
	return library;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const ROOT_DAYS = 3650;
/** Istio's Makefile.selfsigned.mk INTERMEDIATE_DAYS. */
export const INTERMEDIATE_DAYS = 730;
export const ISTIOD_SAN = 'istiod.istio-system.svc';

export interface KeyOptions {
	/** RSA modulus length; 4096 as Istio's Makefile. */
	modulusLength?: number;
	/** Clock for notBefore/notAfter and the expiry check. */
	now?: Date;
}

/** A CA that can sign: its certificate and key as PEM, and the WebCrypto key that signs. */
export interface SigningCa {
	certPem: string;
	keyPem: string;
	/** `O=Istio, CN=Root CA (sha256 AB:…)`. */
	description: string;
	/** SHA-256 fingerprint of the certificate. */
	fingerprint: string;
	signer: {key: CryptoKey; algorithm: Algorithm | EcdsaParams};
}

const RSA = {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'} as const;

async function rsaKeyPair(modulusLength: number): Promise<CryptoKeyPair> {
	return (await webcrypto.subtle.generateKey({...RSA, modulusLength, publicExponent: new Uint8Array([1, 0, 1])}, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
	const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
	return createPrivateKey({key: der, format: 'der', type: 'pkcs8'}).export({type: 'pkcs8', format: 'pem'}).toString();
}

/** A random positive serial number: 16 bytes, top bit clear, first byte non-zero (so DER keeps all 16). */
function serialNumber(): string {
	const bytes = webcrypto.getRandomValues(new Uint8Array(16));
	bytes[0] = (bytes[0]! & 0x7f) | 0x01;
	return Buffer.from(bytes).toString('hex');
}

async function usages(lib: X509) {
	const f = lib.KeyUsageFlags;
	return new lib.KeyUsagesExtension(f.digitalSignature | f.nonRepudiation | f.keyEncipherment | f.keyCertSign, true);
}

/** A new self-signed root: RSA 4096, sha256, O=Istio, CN=Root CA, 3650 days, CA:TRUE (no pathlen), keyUsage and SKI. */
export async function createRoot(options: KeyOptions = {}): Promise<SigningCa> {
	const lib = await x509();
	const now = options.now ?? new Date();
	const keys = await rsaKeyPair(options.modulusLength ?? 4096);
	const cert = await lib.X509CertificateGenerator.createSelfSigned({
		serialNumber: serialNumber(),
		name: [{O: ['Istio']}, {CN: ['Root CA']}],
		notBefore: now,
		notAfter: new Date(now.getTime() + ROOT_DAYS * DAY_MS),
		signingAlgorithm: RSA,
		keys,
		extensions: [new lib.BasicConstraintsExtension(true, undefined, true), await usages(lib), await lib.SubjectKeyIdentifierExtension.create(keys.publicKey)],
	});
	const certPem = cert.toString('pem');
	const keyPem = await pkcs8Pem(keys.privateKey);
	return signingCa(certPem, keyPem, {key: keys.privateKey, algorithm: RSA}, now);
}

function signingCa(certPem: string, keyPem: string, signer: SigningCa['signer'], now: Date): SigningCa {
	const cert = new NodeCertificate(certPem);
	if (!keyMatches(cert, parsePrivateKey(keyPem, 'the root key'))) throw new CaError('the root key does not belong to the root certificate');
	if (new Date(cert.validTo).getTime() <= now.getTime())
		throw new CaError(`the root certificate expired on ${new Date(cert.validTo).toISOString()}`, 'create a new root with eastwest ca create');
	return {certPem, keyPem, description: describeRoot(cert), fingerprint: cert.fingerprint256, signer};
}

/** How WebCrypto signs with a root key of this type (RSA or EC P-256/P-384/P-521). */
function signerFor(
	keyPem: string,
	what: string,
): {algorithm: Algorithm | EcdsaParams; importAlgorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams} {
	const key = parsePrivateKey(keyPem, what);
	if (key.asymmetricKeyType === 'rsa') return {algorithm: RSA, importAlgorithm: RSA};
	if (key.asymmetricKeyType === 'ec') {
		const curve = {prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521'}[key.asymmetricKeyDetails?.namedCurve ?? ''];
		if (curve) {
			const hash = curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512';
			return {algorithm: {name: 'ECDSA', hash}, importAlgorithm: {name: 'ECDSA', namedCurve: curve}};
		}
	}
	throw new CaError(`${what} is a ${key.asymmetricKeyType ?? 'unknown'} key; eastwest signs with RSA or EC (P-256, P-384, P-521) roots`);
}

/**
 * A root read from the user's files, ready to sign: the certificate must be a CA and the key its key.
 * `where` names the files in errors (never their content).
 */
export async function loadRoot(certPem: string, keyPem: string, where: {cert: string; key: string}, now: Date = new Date()): Promise<SigningCa> {
	const [cert] = parseCertificates(certPem, where.cert);
	if (!isCa(cert!))
		throw new CaError(
			`${where.cert} is not a CA certificate (basicConstraints CA:TRUE is missing)`,
			'give the root certificate, not a leaf or intermediate without CA:TRUE',
		);
	const {algorithm, importAlgorithm} = signerFor(keyPem, where.key);
	if (!keyMatches(cert!, parsePrivateKey(keyPem, where.key)))
		throw new CaError(`${where.key} is not the key of ${where.cert}`, 'give the key the root certificate was made with');
	const der = parsePrivateKey(keyPem, where.key).export({type: 'pkcs8', format: 'der'});
	const key = await webcrypto.subtle.importKey('pkcs8', der, importAlgorithm, false, ['sign']);
	const rootPem = cert!.toString();
	return signingCa(rootPem, keyPem, {key, algorithm}, now);
}

/**
 * Issue the intermediate of one cluster: O=Istio, CN=Intermediate CA, L=<cluster>, CA:TRUE pathlen:0, keyUsage,
 * SKI and AKI, SAN DNS:istiod.istio-system.svc, a random positive serial, a new RSA key (PKCS#8).
 * The bundle is verified (chain, key) before it is returned.
 */
export async function issueIntermediate(root: SigningCa, cluster: string, options: KeyOptions = {}): Promise<CaBundleFiles> {
	const lib = await x509();
	const now = options.now ?? new Date();
	const keys = await rsaKeyPair(options.modulusLength ?? 4096);
	const issuer = new lib.X509Certificate(root.certPem);
	const rootNotAfter = issuer.notAfter.getTime();
	const cert = await lib.X509CertificateGenerator.create({
		serialNumber: serialNumber(),
		subject: [{O: ['Istio']}, {CN: ['Intermediate CA']}, {L: [cluster]}],
		issuer: issuer.subjectName,
		notBefore: now,
		// Never past the root: a chain is only as valid as its shortest-lived link.
		notAfter: new Date(Math.min(now.getTime() + INTERMEDIATE_DAYS * DAY_MS, rootNotAfter)),
		signingAlgorithm: root.signer.algorithm,
		publicKey: keys.publicKey,
		signingKey: root.signer.key,
		extensions: [
			new lib.BasicConstraintsExtension(true, 0, true),
			await usages(lib),
			await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
			await lib.AuthorityKeyIdentifierExtension.create(issuer),
			new lib.SubjectAlternativeNameExtension([{type: 'dns', value: ISTIOD_SAN}]),
		],
	});
	const certPem = cert.toString('pem');
	const rootPem = withFinalNewline(root.certPem);
	const bundle: CaBundleFiles = {
		'ca-cert.pem': withFinalNewline(certPem),
		'ca-key.pem': await pkcs8Pem(keys.privateKey),
		'root-cert.pem': rootPem,
		'cert-chain.pem': `${withFinalNewline(certPem)}${rootPem}`,
	};
	verifyBundle(bundle, now);
	return bundle;
}
