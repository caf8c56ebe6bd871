// Bundle the CLI into dist/ with esbuild: one entry, lazily loaded chunks per command.
import {build} from 'esbuild';
import {existsSync, readdirSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'dist');

function newestMtime(dir) {
	let newest = 0;
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const p = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
	}
	return newest;
}

if (process.argv.includes('--if-needed')) {
	const cli = path.join(out, 'cli.js');
	const inputs = Math.max(newestMtime(path.join(root, 'source')), statSync(path.join(root, 'package.json')).mtimeMs);
	if (existsSync(cli) && statSync(cli).mtimeMs >= inputs) process.exit(0);
}

rmSync(out, {recursive: true, force: true});
await build({
	entryPoints: {cli: path.join(root, 'source/cli.tsx')},
	outdir: out,
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	jsx: 'automatic',
	minify: true,
	legalComments: 'linked',
	chunkNames: 'chunks/[name]-[hash]',
	define: {'process.env.NODE_ENV': '"production"', 'process.env.DEV': 'undefined'},
	// Some dependencies are CommonJS and call require(); give the ESM bundle one.
	banner: {js: "import {createRequire as __ewCreateRequire} from 'node:module';const require=__ewCreateRequire(import.meta.url);"},
	// Only loaded by ink when DEV=true; not shipped.
	external: ['react-devtools-core'],
	logLevel: 'warning',
});
