/**
 * What the Batch API executor needs of a provider's batch endpoints, in one shape for OpenAI
 * (a file uploaded, then a batch created from it) and Anthropic (a batch created with its
 * requests). Each method is one remote call through the official SDK; failures are `VolleyError`s
 * mapped at the provider boundary. `find*` look an earlier invocation's work up by the chunk's
 * name, for a run killed between a remote call and its journal entry.
 */
import type { VolleyError } from '../errors.js';

/** How much one batch may hold: its requests and its bytes (the input file, or the request body). */
export interface BatchLimits {
  readonly lines: number;
  readonly bytes: number;
}

/** A batch as the executor follows it, whichever API it is on. */
export interface BatchView {
  readonly id: string;
  /** The provider's own status word: `validating`, `in_progress`, `ended`, ... */
  readonly status: string;
  /** Nothing will change any more: its results can be read. */
  readonly ended: boolean;
  readonly counts: { readonly total: number; readonly done: number; readonly failed: number };
  /** OpenAI validation `failed`: the errors, with the file's 1-based line where one is named. */
  readonly failure?: readonly {
    readonly code: string;
    readonly message: string;
    readonly line: number | null;
  }[];
}

/**
 * One line of an ended batch: its answer's body, or its error mapped as `send` would have mapped
 * it (a 4xx or 5xx nested in the line), or a line the batch never ran (`batch_expired`,
 * `batch_cancelled`, both retryable).
 */
export type LineResult =
  | { readonly ok: true; readonly body: unknown; readonly requestId: string | null }
  | { readonly ok: false; readonly error: VolleyError };

export interface BatchRemote {
  readonly kind: 'openai' | 'anthropic';
  readonly limits: BatchLimits;
  /** One line of the batch's input for this request body (a JSON text, without the newline). */
  line(customId: string, body: Record<string, unknown>): string;
  /** OpenAI: uploads the chunk's file, named after the chunk; its file id. Anthropic has none. */
  upload?(chunk: string, lines: readonly string[]): Promise<string>;
  /** The file an earlier invocation uploaded for the chunk, if any. */
  findFile?(chunk: string): Promise<string | undefined>;
  /** Creates the batch: from the uploaded file (OpenAI), or with the lines (Anthropic). */
  create(
    chunk: string,
    input: { readonly file?: string; readonly lines?: readonly string[] },
  ): Promise<BatchView>;
  /** The batch an earlier invocation created for the chunk, if one can be told apart. */
  findBatch(
    chunk: string,
    hint: { readonly file?: string; readonly size: number; readonly after: number },
  ): Promise<BatchView | undefined>;
  /** Undefined when the API does not know the batch yet (Anthropic's 404 just after create). */
  retrieve(id: string): Promise<BatchView | undefined>;
  cancel(id: string): Promise<void>;
  /** Every line of an ended batch, by custom id: answers and errors, from every file it left. */
  results(batch: BatchView): AsyncIterable<readonly [string, LineResult]>;
}
