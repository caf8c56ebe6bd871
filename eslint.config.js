import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// Each side effect has exactly one home (ARCHITECTURE.md, "Layers").
// execa has two: istioctl/ and helm/, each the only user of its tool.
const owners = {
	'@kubernetes/client-node': ['source/kube/'],
	execa: ['source/istioctl/', 'source/helm/'],
	conf: ['source/store/'],
	'@peculiar/x509': ['source/ca/'],
	'reflect-metadata': ['source/ca/'],
};

function restricted(except) {
	return Object.entries(owners)
		.filter(([, dirs]) => !dirs.includes(except))
		.map(([name, dirs]) => ({name, message: `Only ${dirs.join(' and ')} import${dirs.length === 1 ? 's' : ''} ${name}.`}));
}

const layerBlocks = [...new Set(Object.values(owners).flat())].map(dir => ({
	files: [`${dir}**/*.{ts,tsx}`],
	rules: {'no-restricted-imports': ['error', {paths: restricted(dir)}]},
}));

// Who may import whom, by relative path (ARCHITECTURE.md). UP matches a relative prefix at any depth
// (./, ../, ../../, …), so a rule holds wherever in the tree the importing file sits.
const UP = String.raw`^\.{1,2}/(?:\.\./)*`;
const into = (dirs, message) => ({regex: String.raw`${UP}(?:${dirs.join('|')})(?:/|$)`, message});
const APP = {regex: String.raw`${UP}app\.js$`, message: 'Only commands/wizard.tsx renders the app.'};
// The engine's public surface: its two entry modules, and to ui/ only their types.
const ENGINE_ENTRY = String.raw`(?:index|status-monitor)\.js$`;

const importBlocks = [
	{
		// The wizard and the status view are handed their services; they never reach for a layer with I/O.
		files: ['source/ui/**/*.{ts,tsx}', 'source/app.tsx'],
		patterns: [
			into(
				['kube', 'istioctl', 'helm', 'store', 'commands', 'ca'],
				'ui/ reaches clusters, istioctl, helm and profiles only through the services it is handed (ui/services.ts).',
			),
			{
				regex: String.raw`${UP}engine/${ENGINE_ENTRY}`,
				allowTypeImports: true,
				message: 'ui/ may only `import type` from engine/index.ts or engine/status-monitor.ts; the engine itself is handed in.',
			},
			{regex: String.raw`${UP}engine(?:$|/(?!${ENGINE_ENTRY}))`, message: "ui/ must not import the engine's internals."},
			{regex: String.raw`${UP}checks(?:$|/(?!run\.js$))`, message: "ui/ runs checks through checks/run.ts; reading facts is the services' job."},
		],
	},
	{
		// Front-ends render a UI only from the entries that start one (the wizard; status --watch).
		files: ['source/commands/**/*.{ts,tsx}'],
		ignores: ['source/commands/wizard.tsx', 'source/commands/status-live.tsx'],
		patterns: [
			{
				regex: String.raw`${UP}ui/services\.js$`,
				allowTypeImports: true,
				message: 'commands/ may only `import type` the services a UI is handed (ui/services.ts).',
			},
			into(['ui'], 'Only commands/wizard.tsx and commands/status-live.tsx render the UI (loaded lazily).'),
			APP,
		],
	},
	{
		// The engine runs a plan through the ports it is handed (core/ports.ts).
		files: ['source/engine/**/*.ts'],
		patterns: [
			into(
				['kube', 'istioctl', 'helm', 'store', 'ui', 'commands', 'ca'],
				'engine/ reaches clusters, istioctl and helm only through the ports it is handed (core/ports.ts).',
			),
			APP,
		],
	},
	{
		// The CA layer makes and reads certificates; it knows only core/ (its types).
		files: ['source/ca/**/*.ts'],
		patterns: [{regex: String.raw`${UP}(?:kube|istioctl|helm|store|ui|commands|engine|checks)(?:/|$)`, message: 'ca/ imports only core/.'}, APP],
	},
	{
		// The helm layer runs helm; it knows only core/ (the port it implements, the releases and values).
		files: ['source/helm/**/*.ts'],
		patterns: [{regex: String.raw`${UP}(?:kube|istioctl|store|ui|commands|engine|checks|ca)(?:/|$)`, message: 'helm/ imports only core/.'}, APP],
	},
	{
		// The checks read a cluster's cacerts with ca/inspect.ts (node:crypto only), never the generator.
		files: ['source/checks/**/*.ts'],
		patterns: [{regex: String.raw`${UP}ca(?:$|/(?!inspect\.js$))`, message: 'checks/ reads certificates with ca/inspect.ts only.'}],
	},
	{
		// core/ is flat and pure: nothing outside it.
		files: ['source/core/**/*.ts'],
		ignores: ['source/core/checks/*.ts'],
		patterns: [{regex: String.raw`^(?:\.\./)+(?!core/)`, message: 'core/ imports nothing outside core/.'}],
	},
	{
		// core/checks/ is core's one folder (the catalogue by area): ../ is core itself, anything further up is not.
		files: ['source/core/checks/*.ts'],
		patterns: [{regex: String.raw`^\.\./(?:\.\./)+(?!core/)`, message: 'core/ imports nothing outside core/.'}],
	},
].map(({patterns, ...block}) => ({...block, rules: {'@typescript-eslint/no-restricted-imports': ['error', {patterns}]}}));

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.lab/**']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		languageOptions: {globals: {...globals.node}},
		plugins: {'react-hooks': reactHooks},
		rules: {
			...reactHooks.configs.recommended.rules,
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
			'@typescript-eslint/consistent-type-imports': 'error',
		},
	},
	{
		files: ['source/**/*.{ts,tsx}'],
		rules: {'no-restricted-imports': ['error', {paths: restricted(undefined)}]},
	},
	...layerBlocks,
	...importBlocks,
	{
		// Tests poke at rendered objects field by field.
		files: ['test/**/*.{ts,tsx}', 'bench/**/*.{ts,tsx}'],
		rules: {'@typescript-eslint/no-explicit-any': 'off'},
	},
	{
		files: ['source/core/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: restricted(undefined),
					patterns: [
						{group: ['node:*', 'fs', 'child_process', 'http', 'https', 'net'], message: 'core/ is pure: no I/O.'},
						{group: ['ink', 'react', 'ink-*'], message: 'core/ knows nothing of the UI.'},
					],
				},
			],
		},
	},
);
