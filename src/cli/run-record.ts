/**
 * What `volley run` and `volley flow` write beside their output so that a run can be looked at
 * later: the run record (`<stem>.run.jsonl`, read by `volley status` and `volley report`), spans
 * for an OpenTelemetry tracer when one is registered, and with `--report` the HTML page. Each
 * invocation appends its own segment to the run record, so a resumed run keeps its history; only
 * starting over (`--force`) starts the record afresh.
 */
import { recordRun } from '../report/recorder.js';
import { tracerRegistered } from '../telemetry/registered.js';
import type { CliClient } from './client-flags.js';
import type { CliIO } from './io.js';

export interface Recording {
  /** Path of the run record. */
  readonly path: string;
  /** Stops recording; safe to call more than once. */
  close(): Promise<void>;
  /** Writes the HTML report of the record beside the output, and says where. */
  writeReport(): Promise<void>;
}

export async function startRecording(
  client: CliClient,
  io: CliIO,
  run: {
    readonly stem: string;
    readonly command: string;
    readonly total?: number | undefined;
    /** The run starts over (`--force`): earlier invocations' history is dropped. @default false */
    readonly fresh?: boolean | undefined;
  },
): Promise<Recording> {
  const path = `${run.stem}.run.jsonl`;
  const recorder = await recordRun(client.volley, {
    path,
    meta: { command: run.command, model: client.model, total: run.total },
    append: !run.fresh,
    onError: (error) =>
      io.stderr.write(`volley: the run record ${path} could not be written: ${String(error)}\n`),
  });
  // OpenTelemetry and the report page are loaded only when used: neither is on the way to the first request.
  const tracing = tracerRegistered()
    ? (await import('../telemetry/otel.js')).instrument(client.volley)
    : undefined;
  let closed: Promise<void> | undefined;
  return {
    path,
    close() {
      closed ??= (async () => {
        tracing?.close();
        await recorder.close();
      })();
      return closed;
    },
    async writeReport() {
      const html = `${run.stem}.report.html`;
      const { writeReport } = await import('../report/index.js');
      await writeReport(path, html);
      io.stderr.write(`Report: ${html}\n`);
    },
  };
}
