/** What every front-end is handed by cli.tsx: the process's streams, environment and interrupt signal. */
export interface CommandContext {
	stdout: NodeJS.WritableStream & {isTTY?: boolean; columns?: number};
	stderr: NodeJS.WritableStream & {isTTY?: boolean};
	env: NodeJS.ProcessEnv;
	/** Aborted on Ctrl-C / SIGTERM. */
	signal: AbortSignal;
}
