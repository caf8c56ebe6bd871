import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// Each side effect has exactly one home (see "Layers" in the README).
const owners = {
	'@kubernetes/client-node': 'source/kube/',
	execa: 'source/istioctl/',
	conf: 'source/store/',
};

function restricted(except) {
	return Object.entries(owners)
		.filter(([, dir]) => dir !== except)
		.map(([name, dir]) => ({name, message: `Only ${dir} imports ${name}.`}));
}

const layerBlocks = Object.values(owners).map(dir => ({
	files: [`${dir}**/*.{ts,tsx}`],
	rules: {'no-restricted-imports': ['error', {paths: restricted(dir)}]},
}));

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
	{
		// Tests poke at rendered objects field by field.
		files: ['test/**/*.{ts,tsx}', 'bench/**/*.{ts,tsx}'],
		rules: {'@typescript-eslint/no-explicit-any': 'off'},
	},
	{
		files: ['source/core/**/*.ts'],
		rules: {
			'no-restricted-imports': ['error', {
				paths: restricted(undefined),
				patterns: [
					{group: ['node:*', 'fs', 'child_process', 'http', 'https', 'net'], message: 'core/ is pure: no I/O.'},
					{group: ['ink', 'react', 'ink-*'], message: 'core/ knows nothing of the UI.'},
				],
			}],
		},
	},
);
