/** Starting a TypeScript test-support script as a real child process, and waiting on it by events. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function startChild(script: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: 'pipe' });
}

/** The child's stdout, a line at a time, as each arrives. */
export async function* stdoutLines(child: ChildProcessWithoutNullStreams): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of child.stdout) {
    const text = rest + String(chunk);
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  if (rest !== '') yield rest;
}

/** Resolves with the exit code or signal once the child has exited. */
export function exited(child: ChildProcessWithoutNullStreams): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? 0)));
}

/** The child's stderr so far, for a failure's message. */
export function collectStderr(child: ChildProcessWithoutNullStreams): () => string {
  let text = '';
  child.stderr.on('data', (chunk) => (text += String(chunk)));
  return () => text;
}
