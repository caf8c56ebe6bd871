/** Exit codes (README "Exit codes") and the two errors every front-end reports the same way. */
export const EXIT = {ok: 0, failed: 1, usage: 2, unverified: 3, interrupted: 130} as const;

/** Bad input: printed as one line, exit 2. */
export class UsageError extends Error {
	constructor(
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'UsageError';
	}
}

/** The work failed for a reason the user can act on: printed as one line (plus hint), exit 1. */
export class WorkError extends Error {
	constructor(
		message: string,
		readonly hint?: string,
		readonly exitCode: number = EXIT.failed,
	) {
		super(message);
		this.name = 'WorkError';
	}
}
