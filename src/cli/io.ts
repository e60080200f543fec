/** Everything a command touches outside itself, injected so that tests run commands in-process. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on the first Ctrl-C (SIGINT) or SIGTERM: stop taking new work, let calls in flight finish. */
  readonly signal: AbortSignal;
  /** Aborted on the second Ctrl-C: cancel what is in flight now, write the summary, exit 130. */
  readonly hardSignal?: AbortSignal | undefined;
}

export interface Command {
  readonly name: string;
  /** @deprecated The line in `volley --help` is the one in `commands/index.ts`; this one is unused. */
  readonly summary?: string;
  /** The command's own help text. */
  readonly usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(args: readonly string[], io: CliIO): Promise<number>;
}
