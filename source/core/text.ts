/** Small text helpers shared by every layer. Pure. */

/** The first line of an error's message (or of any thrown value), for one-line reports. */
export function firstLine(value: unknown): string {
	const text = value instanceof Error ? value.message : typeof value === 'string' ? value : String(value);
	return text.split('\n')[0] ?? '';
}
