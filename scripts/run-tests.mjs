// Run node:test suites under test/ (TypeScript through tsx). `--e2e` runs test/e2e/ instead.
import {spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const e2e = process.argv.includes('--e2e');
const filters = process.argv.slice(2).filter(a => !a.startsWith('--'));

function find(dir) {
	return readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
		const p = path.join(dir, entry.name);
		if (entry.isDirectory()) return entry.name === 'e2e' && !e2e ? [] : find(p);
		return /\.test\.tsx?$/.test(entry.name) ? [p] : [];
	});
}

let files = find(path.join(root, e2e ? 'test/e2e' : 'test')).sort();
// With filters, files run in the order the filters are given (the e2e suites depend on it).
if (filters.length > 0) files = filters.flatMap(x => files.filter(f => f.includes(x))).filter((f, i, all) => all.indexOf(f) === i);
if (files.length === 0) {
	console.error('no test files found');
	process.exit(1);
}
const result = spawnSync(
	process.execPath,
	['--test', '--import', 'tsx', '--test-reporter=spec', ...(e2e ? ['--test-concurrency=1'] : []), ...files.map(f => path.relative(root, f))],
	{cwd: root, stdio: 'inherit', env: {...process.env, FORCE_COLOR: '0', NO_COLOR: '1'}},
);
process.exit(result.status ?? 1);
