/**
 * What a command loads before it runs, read from the static imports of the source (`import type` and
 * `import()` load nothing up front). `--help` and Tab must stay light, and remove must not pull in what
 * only apply needs (istioctl, the checks).
 */
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {root} from '../helpers/cli.js';

const source = path.join(root, 'source');

/** The source files a file loads, transitively, through static value imports. */
function staticGraph(entry: string): Set<string> {
	const seen = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		const text = readFileSync(file, 'utf8');
		for (const m of text.matchAll(/^import\s+(?!type\s)[^'";]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
			const target = path.resolve(path.dirname(file), m[1]!);
			const resolved = [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx')].find(f => existsSync(f));
			if (resolved) visit(resolved);
		}
	};
	visit(path.join(source, entry));
	return new Set([...seen].map(f => path.relative(source, f)));
}

test('the graph reader follows value imports and skips type imports', () => {
	const graph = staticGraph('commands/apply.ts');
	assert.ok(graph.has('istioctl/index.ts'), [...graph].join(', '));
	assert.ok(graph.has('commands/run-printer.ts'));
	// core/teardown.ts is only an `import type` of the run printer.
	assert.ok(!staticGraph('commands/run-printer.ts').has('core/teardown.ts'));
});

test('remove loads neither apply, istioctl nor the checks', () => {
	const graph = staticGraph('commands/remove.ts');
	for (const file of graph) assert.ok(!/^(?:commands\/apply\.ts|istioctl\/|checks\/)/.test(file), `remove loads ${file}`);
});

test('the CLI entry, the help and the completion load no layer with I/O, no UI and no command module', () => {
	for (const entry of ['cli.tsx', 'commands/help.ts', 'commands/complete.ts', 'commands/spec.ts']) {
		const graph = staticGraph(entry);
		const heavy = [...graph].filter(f => /^(?:kube|istioctl|store|ca|ui|engine|checks)\//.test(f) || /^commands\/(?!spec|help|args|complete)/.test(f));
		assert.deepEqual(heavy, [], `${entry} loads ${heavy.join(', ')}`);
	}
});
