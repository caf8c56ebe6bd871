/**
 * The CA layer's entry for the commands and the wizard's wiring: make a root directory, or open one as the
 * CaSource the engine issues cluster intermediates from. Loaded with import() only when a CA is asked for.
 */
import os from 'node:os';
import type {CaBundle, CaSource} from '../core/ports.js';
import {createRoot, issueIntermediate, loadRoot, type KeyOptions, type SigningCa} from './issue.js';
import {readRootDir, writeProblem, writeRoot, type RootFiles} from './files.js';
import {CaError, describeRootPem, parseCertificates, sameCertificate} from './inspect.js';

export {CaError} from './inspect.js';
export {ROOT_CERT_FILE, ROOT_KEY_FILE, readRootDir, rootFiles, writeProblem} from './files.js';

export interface CreatedRoot {
	files: RootFiles;
	/** `O=Istio, CN=Root CA (sha256 …)`. */
	description: string;
	fingerprint: string;
	notAfter: string;
}

/** Make a new root CA and write it to `dir` (never replacing a file; the key 0600). The problem is checked before the slow key generation. */
export async function createRootDir(dir: string, options: KeyOptions = {}): Promise<CreatedRoot> {
	const problem = writeProblem(dir);
	if (problem) throw new CaError(problem);
	const root = await createRoot(options);
	const files = writeRoot(dir, root.certPem, root.keyPem);
	const [cert] = parseCertificates(root.certPem, files.certPath);
	return {files, description: root.description, fingerprint: root.fingerprint, notAfter: new Date(cert!.validTo).toISOString()};
}

/**
 * At most `limit` calls of `fn` at once; the rest wait their turn. RSA 4096 key generation runs on libuv's
 * thread pool: one generation per core beyond the first leaves a core to the loop that renders the wizard.
 */
export function limited<A extends unknown[], R>(limit: number, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
	let running = 0;
	const waiting: Array<() => void> = [];
	return async (...args: A) => {
		if (running >= limit) await new Promise<void>(resolve => waiting.push(resolve));
		running += 1;
		try {
			return await fn(...args);
		} finally {
			running -= 1;
			waiting.shift()?.();
		}
	};
}

/** How many keys are made at once: every core but one (one on a two-core machine). */
export const KEY_CONCURRENCY = Math.max(1, os.availableParallelism() - 1);

/** A CaSource over a signing root: intermediates are made on demand (KEY_CONCURRENCY at a time), each verified before it is handed out. */
export function caSource(root: SigningCa, options: KeyOptions & {concurrency?: number} = {}): CaSource {
	const [rootCert] = parseCertificates(root.certPem, 'the root certificate');
	const issue = limited(options.concurrency ?? KEY_CONCURRENCY, (cluster: string): Promise<CaBundle> => issueIntermediate(root, cluster, options));
	return {
		root: root.description,
		rootCertPem: root.certPem,
		issue,
		isRoot: (pem: string) => {
			try {
				return sameCertificate(parseCertificates(pem, 'root-cert.pem')[0]!, rootCert!);
			} catch {
				return false;
			}
		},
		describe: describeRootPem,
	};
}

/** Open the root in `dir` (root-cert.pem, root-key.pem; the key private to its owner) as a CaSource. */
export async function openRootDir(dir: string, options: KeyOptions = {}): Promise<CaSource> {
	const {files, certPem, keyPem} = readRootDir(dir);
	return caSource(await loadRoot(certPem, keyPem, {cert: files.certPath, key: files.keyPath}, options.now), options);
}
