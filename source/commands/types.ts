import type {Writable} from 'node:stream';

export interface CommandContext {
	stdout: Writable & {isTTY?: boolean; columns?: number};
	stderr: Writable & {isTTY?: boolean};
	env: NodeJS.ProcessEnv;
	/** Aborted on Ctrl-C / SIGTERM. */
	signal: AbortSignal;
}
