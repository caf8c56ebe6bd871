/**
 * The root certificate in ConfigMap istio-ca-root-cert or Secret cacerts, reduced to who it is (subject and
 * SHA-256 fingerprint). The objects stay in this layer; nothing else of them (no key) is handed out.
 */
import {X509Certificate} from 'node:crypto';
import type {TrustRootInfo} from '../core/ports.js';

export const PUBLISHED_ROOT_NAME = 'istio-ca-root-cert';
export const PLUGGED_ROOT_NAME = 'cacerts';
const ROOT_KEY = 'root-cert.pem';

interface ObjectLike {
	metadata?: {name?: string};
	data?: Record<string, string>;
}

function subjectOf(cert: X509Certificate): string {
	return cert.subject.split('\n').filter(Boolean).join(', ');
}

/** The first certificate of a PEM text, as its identity. */
export function rootIdentity(name: string, pem: string | undefined): TrustRootInfo {
	if (!pem) return {name, problem: `${ROOT_KEY} is missing`};
	const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
	if (!block) return {name, problem: `${ROOT_KEY} holds no certificate`};
	try {
		const cert = new X509Certificate(block);
		return {name, subject: subjectOf(cert), fingerprint: cert.fingerprint256};
	} catch {
		return {name, problem: `${ROOT_KEY} is not a readable certificate`};
	}
}

/** A ConfigMap's root-cert.pem (text). */
export function publishedRoot(configMap: ObjectLike): TrustRootInfo {
	return rootIdentity(configMap.metadata?.name ?? PUBLISHED_ROOT_NAME, configMap.data?.[ROOT_KEY]);
}

/** A Secret's root-cert.pem (base64); the other keys (ca-key.pem, …) are never read. */
export function pluggedRoot(secret: ObjectLike): TrustRootInfo {
	const encoded = secret.data?.[ROOT_KEY];
	return rootIdentity(secret.metadata?.name ?? PLUGGED_ROOT_NAME, encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8'));
}
