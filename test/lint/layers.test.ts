// The layer rules in eslint.config.js, run through ESLint on virtual files: each import a layer may not
// make is an error, at every relative depth, and the imports the layers do make stay allowed.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ESLint} from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({cwd: root});

/** The restricted-import messages ESLint reports for `code` placed at `file` (relative to the repo). */
async function restricted(file: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, {filePath: path.join(root, file)});
	return result!.messages.filter(m => m.ruleId?.endsWith('no-restricted-imports')).map(m => m.message);
}

const cases: Array<{file: string; code: string; error?: RegExp}> = [
	// ui/ and app.tsx: no kube, istioctl, store or commands, however deep the file sits.
	{file: 'source/ui/theme.ts', code: "import '../kube/index.js';\n", error: /ui\/ reaches clusters/},
	{file: 'source/ui/screens/X.tsx', code: "import '../../kube/index.js';\n", error: /ui\/ reaches clusters/},
	{file: 'source/ui/screens/deep/X.tsx', code: "import '../../../istioctl/index.js';\n", error: /ui\/ reaches clusters/},
	{file: 'source/ui/hooks/X.ts', code: "import '../../store/profiles.js';\n", error: /ui\/ reaches clusters/},
	{file: 'source/ui/status/X.tsx', code: "import '../../commands/status-format.js';\n", error: /ui\/ reaches clusters/},
	{file: 'source/app.tsx', code: "import './kube/index.js';\n", error: /ui\/ reaches clusters/},
	{file: 'source/app.tsx', code: "import './commands/args.js';\n", error: /ui\/ reaches clusters/},
	// The engine's public surface reaches ui/ as types only; its internals not at all.
	{file: 'source/ui/status/X.tsx', code: "import type {StatusMonitor} from '../../engine/status-monitor.js';\nexport type M = StatusMonitor;\n"},
	{
		file: 'source/ui/status/X.tsx',
		code: "import {StatusMonitor} from '../../engine/status-monitor.js';\nexport const M = StatusMonitor;\n",
		error: /only `import type`/,
	},
	{file: 'source/app.tsx', code: "import {createRunPlan} from './engine/index.js';\nexport const r = createRunPlan;\n", error: /only `import type`/},
	{file: 'source/ui/X.ts', code: "import type {S} from '../engine/steps.js';\nexport type T = S;\n", error: /engine's internals/},
	{file: 'source/ui/X.ts', code: "import '../engine';\n", error: /engine's internals/},
	// ui/ runs checks through the one runner, and never reads facts itself.
	{file: 'source/ui/hooks/X.ts', code: "import '../../checks/run.js';\n"},
	{file: 'source/ui/hooks/X.ts', code: "import '../../checks/collect.js';\n", error: /runs checks through checks\/run\.ts/},
	// ui/ may use core/.
	{file: 'source/ui/screens/X.tsx', code: "import '../../core/model.js';\n"},
	// engine/: no kube, istioctl (or anything above it).
	{file: 'source/engine/index.ts', code: "import '../kube/index.js';\n", error: /engine\/ reaches clusters/},
	{file: 'source/engine/sub/x.ts', code: "import '../../istioctl/index.js';\n", error: /engine\/ reaches clusters/},
	{file: 'source/engine/index.ts', code: "import '../ui/services.js';\n", error: /engine\/ reaches clusters/},
	{file: 'source/engine/index.ts', code: "import '../core/ports.js';\n"},
	// core/: nothing outside core, nothing with I/O.
	{file: 'source/core/status.ts', code: "import './model.js';\n"},
	{file: 'source/core/status.ts', code: "import '../kube/index.js';\n", error: /core\/ imports nothing outside core/},
	{file: 'source/core/status.ts', code: "import '../commands/args.js';\n", error: /core\/ imports nothing outside core/},
	{file: 'source/core/status.ts', code: "import 'node:fs';\n", error: /no I\/O/},
	// core/checks/: the catalogue's folder reaches the rest of core one level up, and nothing beyond it.
	{file: 'source/core/checks/preflight.ts', code: "import '../model.js';\nimport './helpers.js';\n"},
	{file: 'source/core/checks/preflight.ts', code: "import '../../kube/index.js';\n", error: /core\/ imports nothing outside core/},
	{file: 'source/core/checks/run.ts', code: "import '../../../engine/index.js';\n", error: /core\/ imports nothing outside core/},
	{file: 'source/core/checks/run.ts', code: "import 'node:crypto';\n", error: /no I\/O/},
	{file: 'source/core/other/x.ts', code: "import '../model.js';\n", error: /core\/ imports nothing outside core/},
	// commands/: only the UI entries render the UI; the wiring may name the services' type.
	{file: 'source/commands/apply.ts', code: "import '../ui/theme.js';\n", error: /render the UI/},
	{file: 'source/commands/apply.ts', code: "import '../app.js';\n", error: /renders the app/},
	{file: 'source/commands/wizard.tsx', code: "import '../app.js';\nimport '../ui/theme.js';\n"},
	{file: 'source/commands/wizard-services.ts', code: "import type {WizardServices} from '../ui/services.js';\nexport type W = WizardServices;\n"},
	// ca/: the only user of the certificate library; it knows only core/, and only commands/ (and checks/, for inspect.ts) know it.
	{file: 'source/ca/issue.ts', code: "import '@peculiar/x509';\nimport 'reflect-metadata';\n"},
	{file: 'source/kube/client.ts', code: "import '@peculiar/x509';\n", error: /Only source\/ca\/ imports @peculiar\/x509/},
	{file: 'source/checks/collect.ts', code: "import 'reflect-metadata';\n", error: /Only source\/ca\/ imports reflect-metadata/},
	// execa: istioctl/ and helm/ only.
	{file: 'source/kube/client.ts', code: "import 'execa';\n", error: /Only source\/istioctl\/ and source\/helm\/ import execa/},
	{file: 'source/helm/index.ts', code: "import 'execa';\n"},
	{file: 'source/helm/index.ts', code: "import '../kube/index.js';\n", error: /helm\/ imports only core\//},
	{file: 'source/engine/x.ts', code: "import '../helm/index.js';\n", error: /engine\/ reaches clusters/},
	{file: 'source/ui/x.tsx', code: "import '../helm/index.js';\n", error: /ui\/ reaches clusters/},
	{file: 'source/ca/issue.ts', code: "import '../core/ports.js';\n"},
	{file: 'source/ca/issue.ts', code: "import '../kube/index.js';\n", error: /ca\/ imports only core/},
	{file: 'source/ca/sub/x.ts', code: "import '../../engine/index.js';\n", error: /ca\/ imports only core/},
	{file: 'source/checks/collect.ts', code: "import '../ca/inspect.js';\n"},
	{file: 'source/checks/collect.ts', code: "import '../ca/issue.js';\n", error: /checks\/ reads certificates with ca\/inspect\.ts only/},
	{file: 'source/engine/index.ts', code: "import '../ca/index.js';\n", error: /engine\/ reaches clusters/},
	{file: 'source/ui/screens/X.tsx', code: "import '../../ca/index.js';\n", error: /ui\/ reaches clusters/},
	{file: 'source/core/plan.ts', code: "import '../ca/inspect.js';\n", error: /core\/ imports nothing outside core/},
	{file: 'source/commands/ca.ts', code: "import '../ca/index.js';\n"},
];

for (const c of cases) {
	test(`${c.file}: ${c.code.split('\n')[0]} ${c.error ? 'is an error' : 'is allowed'}`, async () => {
		const messages = await restricted(c.file, c.code);
		if (c.error) {
			assert.equal(messages.length, 1, messages.join('\n'));
			assert.match(messages[0]!, c.error);
		} else {
			assert.deepEqual(messages, []);
		}
	});
}
