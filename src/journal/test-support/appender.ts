/**
 * A child process for the kill -9 test: appends records to the log at argv[2] as fast as it can,
 * 64 in flight, and prints each record's sequence number once its append has resolved (stdout to
 * a pipe is synchronous on Linux, so what the parent reads was acknowledged first). Runs until it
 * is killed, or its stdin closes.
 */
import { AppendLog } from '../append-log.js';

/** The record for `seq`: its content depends on `seq` only, so the parent can check it whole. */
export function recordFor(seq: number): { seq: number; text: string } {
  return { seq, text: `${seq}:`.padEnd(200 + (seq % 7) * 300, String.fromCharCode(97 + (seq % 26))) };
}

if (process.argv[2]) {
  const log = await AppendLog.open(process.argv[2]);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  let next = 0;
  const one = async (): Promise<void> => {
    for (;;) {
      const seq = next++;
      await log.append(recordFor(seq));
      process.stdout.write(`${seq}\n`);
    }
  };
  await Promise.all(Array.from({ length: 64 }, one));
}
