/** Small text helpers shared by every layer. Pure. */

/** The first non-blank line of an error's message (or of any thrown value, or of a tool's output), trimmed, for one-line reports. */
export function firstLine(value: unknown): string {
	const text = value instanceof Error ? value.message : typeof value === 'string' ? value : String(value);
	return (
		text
			.split('\n')
			.map(l => l.trim())
			.find(Boolean) ?? ''
	);
}

/** The text ending in exactly one newline where it had none (PEM files end with one, as openssl writes them). */
export function withFinalNewline(text: string): string {
	return text.endsWith('\n') ? text : `${text}\n`;
}

/** "1 check", "2 checks": a count and its word, plural by adding s. */
export function plural(n: number, word: string): string {
	return `${n} ${word}${n === 1 ? '' : 's'}`;
}
