/**
 * A value that must never be shown (a remote secret's kubeconfig with its token). Printing it, logging
 * it, putting it in JSON or in an error all give a placeholder; only `reveal()` gives the value, and only
 * the layer that hands it to the API server calls it.
 */
const PLACEHOLDER = '[redacted]';

export class Sealed<T> {
	readonly #value: T;

	constructor(value: T) {
		this.#value = value;
	}

	reveal(): T {
		return this.#value;
	}

	toString(): string {
		return PLACEHOLDER;
	}

	toJSON(): string {
		return PLACEHOLDER;
	}

	[Symbol.for('nodejs.util.inspect.custom')](): string {
		return `Sealed ${PLACEHOLDER}`;
	}
}
