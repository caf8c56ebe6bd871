/**
 * The CA layer's entry for the commands and the wizard's wiring: make a root directory, or open one as the
 * CaSource the engine issues cluster intermediates from. Loaded with import() only when a CA is asked for.
 */
import type {CaBundle, CaSource} from '../core/ports.js';
import {createRoot, issueIntermediate, loadRoot, type KeyOptions, type SigningCa} from './issue.js';
import {readRootDir, readRootFiles, writeProblem, writeRoot, type RootFiles} from './files.js';
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

/** A CaSource over a signing root: intermediates are made on demand, each verified before it is handed out. */
export function caSource(root: SigningCa, options: KeyOptions = {}): CaSource {
	const [rootCert] = parseCertificates(root.certPem, 'the root certificate');
	return {
		root: root.description,
		rootCertPem: root.certPem,
		issue: (cluster: string): Promise<CaBundle> => issueIntermediate(root, cluster, options),
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

/** Open a root from two paths (the wizard's "use my root"). */
export async function openRootFiles(certPath: string, keyPath: string, options: KeyOptions = {}): Promise<CaSource> {
	const {certPem, keyPem} = readRootFiles(certPath, keyPath);
	return caSource(await loadRoot(certPem, keyPem, {cert: certPath, key: keyPath}, options.now), options);
}
