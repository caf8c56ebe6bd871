/**
 * The package installs the way CLIs are installed: `npm pack` ships the bundled program (built on prepack),
 * and a global install of the tarball adds no runtime packages, so it works with no registry at all.
 */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {ensureBuilt, root} from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

test('package.json: the bundle is built on prepack, and nothing is needed at run time besides it', () => {
	assert.match(pkg.scripts.prepack ?? '', /scripts\/build\.mjs/);
	assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], 'dist/cli.js bundles every library it loads');
	assert.deepEqual(pkg.files, ['dist']);
	assert.equal(pkg.bin.eastwest, 'dist/cli.js');
});

test('npm pack → npm install -g --offline into an empty prefix → a working eastwest, one package installed', () => {
	ensureBuilt();
	const dir = mkdtempSync(path.join(tmpdir(), 'eastwest-pack-'));
	try {
		// dist/ is already built by the test run; rebuilding here would race the other CLI tests.
		const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], {cwd: root, encoding: 'utf8'});
		const {filename, files} = (JSON.parse(out) as Array<{filename: string; files: Array<{path: string}>}>)[0]!;
		assert.ok(
			files.some(f => f.path === 'dist/cli.js'),
			'the tarball holds the program',
		);
		assert.ok(
			files.every(f => f.path.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE'].includes(f.path)),
			files.map(f => f.path).join(', '),
		);
		const prefix = path.join(dir, 'prefix');
		execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, path.join(dir, path.basename(filename))], {
			encoding: 'utf8',
		});
		const modules = readdirSync(path.join(prefix, 'lib', 'node_modules'));
		assert.deepEqual(modules, ['eastwest'], 'no runtime package besides eastwest itself');
		const bin = path.join(prefix, 'bin', 'eastwest');
		const env = {...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config')};
		assert.equal(execFileSync(bin, ['--version'], {encoding: 'utf8', env}).trim(), pkg.version);
		const yaml = execFileSync(bin, ['manifests', '--network', 'n1'], {encoding: 'utf8', env});
		assert.match(yaml, /^apiVersion: install\.istio\.io\/v1alpha1\nkind: IstioOperator\n/);
		assert.match(yaml, /ISTIO_META_REQUESTED_NETWORK_VIEW/);
		// The profile store (conf and its schema validation) loads from the bundle too.
		assert.match(execFileSync(bin, ['profiles', 'list'], {encoding: 'utf8', env}), /No profiles saved yet/);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
