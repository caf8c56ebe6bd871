/**
 * Reading and verifying Istio CA bundles with node:crypto alone (no certificate library), so the checks can
 * judge a cluster's cacerts without loading the generator. What leaves this module is never key material:
 * subjects, fingerprints, dates and yes/no answers.
 */
import {X509Certificate, createPrivateKey, type KeyObject} from 'node:crypto';
import type {CaBundleFacts} from '../core/checks/index.js';
import type {CaBundle} from '../core/ports.js';

/** The four files of Secret istio-system/cacerts, as Istio's plug-in CA reads them (PEM text). */
export type CaBundleFiles = CaBundle;

export const BUNDLE_FILES = ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'] as const;

/** A problem with certificates or keys, in one line with what to do. */
export class CaError extends Error {
	constructor(
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'CaError';
	}
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text, in order; a CaError naming `what` when one does not parse. */
export function parseCertificates(pem: string, what: string): X509Certificate[] {
	const blocks = pem.match(PEM_CERT) ?? [];
	if (blocks.length === 0) throw new CaError(`${what} holds no PEM certificate`);
	return blocks.map((block, i) => {
		try {
			return new X509Certificate(block);
		} catch {
			throw new CaError(`${what}: certificate ${i + 1} does not parse`);
		}
	});
}

/** The private key of a PEM text (PKCS#8, PKCS#1 or SEC1); a CaError naming `what` (never the key) when it does not parse. */
export function parsePrivateKey(pem: string, what: string): KeyObject {
	try {
		return createPrivateKey(pem);
	} catch {
		throw new CaError(`${what} holds no readable unencrypted private key`, 'give an unencrypted PEM key (PKCS#8 or PKCS#1)');
	}
}

/** `AB:CD:…`, the SHA-256 fingerprint of the certificate's DER, as openssl and node print it. */
export function fingerprint(cert: X509Certificate): string {
	return cert.fingerprint256;
}

/** `O=Istio, CN=Root CA`: a subject on one line, in the certificate's order. */
export function subjectLine(cert: X509Certificate): string {
	return cert.subject.split('\n').filter(Boolean).join(', ');
}

/** How people are told which root is meant: `O=Istio, CN=Root CA (sha256 AB:CD:EF:01…)`. */
export function describeRoot(cert: X509Certificate): string {
	return `${subjectLine(cert)} (sha256 ${fingerprint(cert).slice(0, 23)}…)`;
}

/** describeRoot of the first certificate in a PEM text, or a short note when it does not parse. */
export function describeRootPem(pem: string): string {
	try {
		return describeRoot(parseCertificates(pem, 'root-cert.pem')[0]!);
	} catch {
		return 'an unreadable root certificate';
	}
}

/** True when `cert` names `issuer` as its issuer and carries a signature `issuer`'s key made. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
	try {
		return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
	} catch {
		return false;
	}
}

/** True when the two PEM certificates are the same certificate (same DER). */
export function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
	return a.raw.equals(b.raw);
}

/** Is `cert` a CA certificate (basicConstraints CA:TRUE)? */
export function isCa(cert: X509Certificate): boolean {
	return cert.ca;
}

/** Does the private key belong to the certificate? */
export function keyMatches(cert: X509Certificate, key: KeyObject): boolean {
	try {
		return cert.checkPrivateKey(key);
	} catch {
		return false;
	}
}

/**
 * Check a bundle before it goes anywhere, as istiod's own bundle check does: ca-cert.pem is a CA issued by
 * root-cert.pem, ca-key.pem is its key, cert-chain.pem starts with ca-cert.pem and ends at the root.
 * Throws a CaError naming the first problem.
 */
export function verifyBundle(bundle: CaBundleFiles, now: Date): void {
	const [ca] = parseCertificates(bundle['ca-cert.pem'], 'ca-cert.pem');
	const [root] = parseCertificates(bundle['root-cert.pem'], 'root-cert.pem');
	const chain = parseCertificates(bundle['cert-chain.pem'], 'cert-chain.pem');
	const key = parsePrivateKey(bundle['ca-key.pem'], 'ca-key.pem');
	if (!isCa(ca!)) throw new CaError('ca-cert.pem is not a CA certificate (basicConstraints CA:TRUE is missing)');
	if (!keyMatches(ca!, key)) throw new CaError('ca-key.pem is not the key of ca-cert.pem');
	if (!sameCertificate(chain[0]!, ca!)) throw new CaError('cert-chain.pem does not start with ca-cert.pem');
	if (!sameCertificate(chain[chain.length - 1]!, root!)) throw new CaError('cert-chain.pem does not end with root-cert.pem');
	for (let i = 0; i + 1 < chain.length; i++) {
		if (!issuedBy(chain[i]!, chain[i + 1]!)) throw new CaError(`cert-chain.pem: certificate ${i + 1} is not issued by certificate ${i + 2}`);
	}
	if (chain.length === 1 && !issuedBy(ca!, root!)) throw new CaError('ca-cert.pem is not issued by root-cert.pem');
	if (new Date(ca!.validTo).getTime() <= now.getTime()) throw new CaError(`ca-cert.pem expired on ${new Date(ca!.validTo).toISOString()}`);
}

/** What the checks may know of a cluster's cacerts (core/checks/facts.ts CaBundleFacts, less when it was read): nothing secret. */
export type BundleFacts = Omit<CaBundleFacts, 'readAt'>;

/** Facts of a bundle read from a cluster; files absent are named in `problem`. */
export function inspectBundle(files: Partial<CaBundleFiles>): BundleFacts {
	const facts: BundleFacts = {};
	const missing = BUNDLE_FILES.filter(f => !files[f]);
	try {
		if (files['root-cert.pem']) {
			const [root] = parseCertificates(files['root-cert.pem'], 'root-cert.pem');
			facts.rootSubject = subjectLine(root!);
			facts.rootFingerprint = fingerprint(root!);
		}
		if (files['ca-cert.pem']) {
			const [ca] = parseCertificates(files['ca-cert.pem'], 'ca-cert.pem');
			facts.intermediateSubject = subjectLine(ca!);
			facts.intermediateNotAfter = new Date(ca!.validTo).toISOString();
			if (files['ca-key.pem']) facts.keyMatches = keyMatches(ca!, parsePrivateKey(files['ca-key.pem'], 'ca-key.pem'));
			if (files['root-cert.pem']) {
				const [root] = parseCertificates(files['root-cert.pem'], 'root-cert.pem');
				const chain = files['cert-chain.pem'] ? parseCertificates(files['cert-chain.pem'], 'cert-chain.pem') : [ca!];
				const path = sameCertificate(chain[0]!, ca!) ? chain : [ca!, ...chain];
				if (!sameCertificate(path[path.length - 1]!, root!)) path.push(root!);
				facts.chainsToRoot = path.every((c, i) => i + 1 >= path.length || issuedBy(c, path[i + 1]!));
			}
		}
	} catch (error) {
		facts.problem = error instanceof CaError ? error.message : 'the certificates do not parse';
	}
	if (missing.length > 0 && !facts.problem) facts.problem = `cacerts lacks ${missing.join(', ')}`;
	return facts;
}
