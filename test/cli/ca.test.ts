// `eastwest ca create` as a user runs it (the bundled CLI): a root written once, the key 0600, nothing secret printed.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {X509Certificate} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {runCli} from '../helpers/cli.js';

function keyBody(file: string): string[] {
	// Lines of the base64 body: none of them may appear anywhere else.
	return fs
		.readFileSync(file, 'utf8')
		.split('\n')
		.filter(l => l.length > 20 && !l.startsWith('-----'));
}

test('ca create --out DIR writes a root (key 0600) and prints paths, subject and fingerprint, never the key', async () => {
	const base = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-ca-cli-'));
	const dir = path.join(base, 'root');
	const r = await runCli(['ca', 'create', '--out', dir]);
	assert.equal(r.code, 0, r.stderr);
	const cert = new X509Certificate(fs.readFileSync(path.join(dir, 'root-cert.pem')));
	assert.equal(cert.subject, 'O=Istio\nCN=Root CA');
	assert.equal(fs.statSync(path.join(dir, 'root-key.pem')).mode & 0o777, 0o600);
	for (const file of ['root-cert.pem', 'root-key.pem']) {
		const text = fs.readFileSync(path.join(dir, file), 'utf8');
		assert.ok(text.endsWith('-----\n') && !text.endsWith('\n\n'), `${file} ends with one newline, as openssl writes PEM`);
	}
	assert.match(r.stdout, new RegExp(`${path.join(dir, 'root-cert.pem')}  O=Istio, CN=Root CA \\(sha256 ${cert.fingerprint256.slice(0, 23)}…\\)`));
	assert.match(r.stdout, /eastwest apply … --ca /);
	const body = keyBody(path.join(dir, 'root-key.pem'));
	assert.ok(body.length > 10);
	for (const line of body) assert.ok(!r.stdout.includes(line) && !r.stderr.includes(line), 'no key line in the output');
	assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY/);

	// A second run into the same directory is refused before any key is made, and leaves the files alone.
	const key = fs.readFileSync(path.join(dir, 'root-key.pem'), 'utf8');
	const again = await runCli(['ca', 'create', '--out', dir, '-o', 'json']);
	assert.equal(again.code, 2);
	assert.equal(again.stdout, '');
	assert.match(
		again.stderr,
		/^eastwest: .*root-cert\.pem and .*root-key\.pem already exist; eastwest never replaces a root: pick another directory, or move the files away\n$/,
	);
	assert.equal(fs.readFileSync(path.join(dir, 'root-key.pem'), 'utf8'), key);
});

test('ca create -o json: paths, subject, fingerprint and expiry; no key', async () => {
	const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-ca-cli-')), 'r');
	const r = await runCli(['ca', 'create', '--out', dir, '-o', 'json']);
	assert.equal(r.code, 0, r.stderr);
	const doc = JSON.parse(r.stdout);
	const cert = new X509Certificate(fs.readFileSync(path.join(dir, 'root-cert.pem')));
	assert.deepEqual(Object.keys(doc).sort(), ['dir', 'fingerprint', 'notAfter', 'root', 'rootCert', 'rootKey']);
	assert.equal(doc.fingerprint, cert.fingerprint256);
	assert.equal(doc.notAfter, new Date(cert.validTo).toISOString());
	assert.equal(r.stderr, '', 'json mode prints nothing else');
	for (const line of keyBody(doc.rootKey)) assert.ok(!r.stdout.includes(line));
});

test('ca: a missing subcommand, a missing --out and a stray argument are usage errors (exit 2, one line)', async () => {
	for (const [args, message] of [
		[['ca'], /^eastwest: eastwest ca needs a subcommand: create \(run 'eastwest ca --help'\)\n$/],
		[['ca', 'make'], /^eastwest: unknown subcommand "make": create/],
		[['ca', 'create'], /^eastwest: --out DIR is required/],
		[['ca', 'create', 'somewhere'], /^eastwest: eastwest ca create takes no arguments; unexpected "somewhere" \(did you mean --out somewhere\?\)\n$/],
	] as const) {
		const r = await runCli([...args]);
		assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
		assert.match(r.stderr, message);
		assert.equal(r.stderr.trim().split('\n').length, 1);
	}
});

test('ca create into a path that is a file fails in one line (exit 2) and writes nothing', async () => {
	const base = fs.mkdtempSync(path.join(os.tmpdir(), 'eastwest-ca-cli-'));
	const file = path.join(base, 'file');
	fs.writeFileSync(file, 'x');
	const r = await runCli(['ca', 'create', '--out', file]);
	assert.equal(r.code, 2);
	assert.match(r.stderr, /is not a directory; pick another directory\n$/);
	assert.equal(fs.readFileSync(file, 'utf8'), 'x');
});

test('the certificate library stays out of start-up: nothing cli.js loads statically holds it', async () => {
	const {root, ensureBuilt} = await import('../helpers/cli.js');
	ensureBuilt();
	const seen = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		const text = fs.readFileSync(file, 'utf8');
		// Static imports only (`import … from"./x.js"` / `import"./x.js"`); import("…") is lazy.
		for (const m of text.matchAll(/(?:^|[;\n])import\s*(?:[^"'()]*?from\s*)?["'](\.[^"']+)["']/g)) visit(path.resolve(path.dirname(file), m[1]!));
	};
	visit(path.join(root, 'dist/cli.js'));
	assert.ok(seen.size > 1, 'cli.js has static chunks');
	const chunks = fs
		.readdirSync(path.join(root, 'dist/chunks'))
		.map(f => path.join(root, 'dist/chunks', f))
		.filter(f => f.endsWith('.js'));
	const library = chunks.filter(f => fs.readFileSync(f, 'utf8').includes('X509CertificateGenerator'));
	assert.ok(library.length > 0, 'the library is in the bundle');
	for (const file of seen) assert.ok(!library.includes(file), `${path.basename(file)} is loaded at start-up and holds the certificate library`);
	for (const file of seen)
		assert.doesNotMatch(
			fs.readFileSync(file, 'utf8'),
			/Reflect\.defineMetadata\s*=|function defineMetadata/,
			`${path.basename(file)} holds the Reflect polyfill`,
		);
});
