/**
 * A root CA on disk: DIR/root-cert.pem and DIR/root-key.pem (the key mode 0600). Written without ever
 * replacing a file; read only when the key is private to its owner. Errors name files, never their content.
 */
import fs from 'node:fs';
import path from 'node:path';
import {CaError} from './inspect.js';
import {withFinalNewline} from '../core/text.js';

export const ROOT_CERT_FILE = 'root-cert.pem';
export const ROOT_KEY_FILE = 'root-key.pem';

export interface RootFiles {
	dir: string;
	certPath: string;
	keyPath: string;
}

export function rootFiles(dir: string): RootFiles {
	return {dir, certPath: path.join(dir, ROOT_CERT_FILE), keyPath: path.join(dir, ROOT_KEY_FILE)};
}

/** Why a root cannot be written to `dir` (files already there), or undefined. Checked before any key is made. */
export function writeProblem(dir: string): string | undefined {
	const files = rootFiles(dir);
	const present = [files.certPath, files.keyPath].filter(p => fs.existsSync(p));
	if (present.length > 0)
		return `${present.join(' and ')} already exist${present.length === 1 ? 's' : ''}; eastwest never replaces a root: pick another directory, or move the files away`;
	if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) return `${dir} is not a directory; pick another directory`;
	return undefined;
}

/**
 * Write a root: the directory (0700 when created), the certificate (0644) and the key (0600), each created
 * exclusively so an existing file is never replaced. On a failure nothing half-written is left behind.
 */
export function writeRoot(dir: string, certPem: string, keyPem: string): RootFiles {
	const problem = writeProblem(dir);
	if (problem) throw new CaError(problem);
	const files = rootFiles(dir);
	const written: string[] = [];
	try {
		fs.mkdirSync(dir, {recursive: true, mode: 0o700});
		// The key first: if it cannot be written, no certificate without its key is left.
		fs.writeFileSync(files.keyPath, withFinalNewline(keyPem), {flag: 'wx', mode: 0o600});
		written.push(files.keyPath);
		fs.chmodSync(files.keyPath, 0o600);
		fs.writeFileSync(files.certPath, withFinalNewline(certPem), {flag: 'wx', mode: 0o644});
		written.push(files.certPath);
	} catch (error) {
		for (const p of written) fs.rmSync(p, {force: true});
		const e = error as NodeJS.ErrnoException;
		if (e.code === 'EEXIST') throw new CaError(`${e.path ?? dir} appeared while writing; nothing was replaced: pick another directory`);
		throw new CaError(`could not write the root to ${dir}: ${e.code ?? 'error'}${e.path ? ` on ${e.path}` : ''}`, 'pick a directory you can write to');
	}
	return files;
}

/** Read DIR/root-cert.pem and DIR/root-key.pem; refuses a key group or others may read. */
export function readRootDir(dir: string): {files: RootFiles; certPem: string; keyPem: string} {
	const files = rootFiles(dir);
	if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
		throw new CaError(
			`${dir} is not a directory holding a root CA`,
			`create one with 'eastwest ca create --out ${dir}', or give the directory of ${ROOT_CERT_FILE} and ${ROOT_KEY_FILE}`,
		);
	}
	return {files, ...readRootFiles(files.certPath, files.keyPath, dir)};
}

/** Read a root certificate and key from two paths; refuses a key group or others may read. */
function readRootFiles(certPath: string, keyPath: string, dir?: string): {certPem: string; keyPem: string} {
	const where = dir ?? path.dirname(keyPath);
	for (const p of [certPath, keyPath]) {
		if (!fs.existsSync(p)) {
			throw new CaError(
				`${p} does not exist`,
				dir
					? `a root directory holds ${ROOT_CERT_FILE} and ${ROOT_KEY_FILE}; create one with 'eastwest ca create --out ${where}'`
					: 'give the paths of the root certificate and its key',
			);
		}
	}
	const mode = fs.statSync(keyPath).mode & 0o777;
	if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
		throw new CaError(
			`${keyPath} is readable by ${mode & 0o007 ? 'others' : 'its group'} (mode 0${mode.toString(8)}); a root key must be private to its owner`,
			`run 'chmod 600 ${keyPath}' and check who could have copied it`,
		);
	}
	try {
		return {certPem: fs.readFileSync(certPath, 'utf8'), keyPem: fs.readFileSync(keyPath, 'utf8')};
	} catch (error) {
		const e = error as NodeJS.ErrnoException;
		throw new CaError(`could not read ${e.path ?? where}: ${e.code ?? 'error'}`, 'check the file permissions');
	}
}
