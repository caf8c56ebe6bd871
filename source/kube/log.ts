/**
 * The `-v` sink of the kube layer: off unless a command turns it on. Every line passes through the
 * redaction of core/log.ts, with the secrets this process has seen (kubeconfig tokens, plugin tokens).
 */
import {redactText} from '../core/log.js';

let sink: ((line: string) => void) | undefined;
const secrets = new Set<string>();

/** Where `-v` lines go (undefined: nowhere). */
export function setKubeLog(next: ((line: string) => void) | undefined): void {
	sink = next;
}

export function kubeLogging(): boolean {
	return sink !== undefined;
}

/** A secret that must never appear in a line (it is redacted from every line from now on). */
export function rememberSecret(value: unknown): void {
	if (typeof value === 'string' && value.length >= 4) secrets.add(value);
}

/** Redact a text with every secret remembered so far (for error messages too). */
export function redactKnown(text: string): string {
	return redactText(text, secrets);
}

export function kubeLog(line: string): void {
	if (sink) sink(redactKnown(line));
}
