/** Reading untyped values (API server answers, parsed JSON and YAML): one home for the guards every reader needs. */

export type Obj = Record<string, unknown>;

/** The value as a plain object; {} when it is none (null, an array, a scalar). */
export function rec(value: unknown): Obj {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
}

/** The value as an array; [] when it is none. */
export function list(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

/** The string-valued entries of an object (labels, annotations, a ConfigMap's data). */
export function strings(value: unknown): Record<string, string> {
	return Object.fromEntries(Object.entries(rec(value)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
