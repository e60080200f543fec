/** Reads an OpenAI batch input file the way validation does: the envelope of each line, and the limits. */

/** One entry of a batch's `errors.data`. */
export interface BatchError {
  readonly code: string;
  readonly message: string;
  /** The input line, from 1; null for the whole file. */
  readonly line: number | null;
  readonly param: string | null;
}

export interface InputLine {
  /** From 1, as the provider numbers them. */
  readonly line: number;
  readonly customId: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export interface CheckedInput {
  readonly errors: readonly BatchError[];
  readonly lines: readonly InputLine[];
  /** The one model of the file; undefined when no line names one. */
  readonly model: string | undefined;
}

export const MAX_LINES = 50_000;
export const MAX_BYTES = 200 * 1024 * 1024;

/** Checks every line; a file with any error fails validation as a whole, as the real API does. */
export function checkInputFile(content: Uint8Array, endpoint: string): CheckedInput {
  const errors: BatchError[] = [];
  const fail = (code: string, message: string, line: number | null = null, param: string | null = null) =>
    errors.push({ code, message, line, param });
  if (content.byteLength > MAX_BYTES) {
    const mb = (content.byteLength / 1024 / 1024).toFixed(1);
    fail('file_too_large', `The input file is ${mb} MB; a batch input file may be at most 200 MB.`);
    return { errors, lines: [], model: undefined };
  }
  const texts = new TextDecoder().decode(content).split('\n');
  if (texts.at(-1) === '') texts.pop(); // the newline that ends the last line
  if (texts.length === 0) fail('empty_file', 'The batch input file is empty.');
  if (texts.length > MAX_LINES) {
    fail(
      'too_many_tasks',
      `The batch input file has ${texts.length} requests; a batch may hold at most 50000.`,
    );
  }
  const lines: InputLine[] = [];
  const seen = new Set<string>();
  let model: string | undefined;
  for (const [index, text] of texts.entries()) {
    const checked = checkLine(text, index + 1, endpoint, seen, model);
    if ('code' in checked) errors.push(checked);
    else {
      model ??= checked.body['model'] as string;
      lines.push(checked);
    }
  }
  return { errors, lines, model };
}

/** One line's envelope: JSON, a new `custom_id`, `POST` to the batch's endpoint, a body naming the model. */
function checkLine(
  text: string,
  line: number,
  endpoint: string,
  seen: Set<string>,
  model: string | undefined,
): InputLine | BatchError {
  const fail = (code: string, message: string, param: string | null = null) => ({
    code,
    message,
    line,
    param,
  });
  const fields = parseObject(text);
  if (!fields) return fail('invalid_json_line', 'This line is not parseable as valid JSON.');
  const { custom_id: customId, method, url, body } = fields;
  if (typeof customId !== 'string' || customId === '')
    return fail('missing_required_parameter', 'Missing required parameter: custom_id.', 'custom_id');
  if (seen.has(customId))
    return fail('duplicate_custom_id', `The custom_id '${customId}' is on an earlier line too.`, 'custom_id');
  seen.add(customId);
  if (method !== 'POST') return fail('invalid_request', "The method must be 'POST'.", 'method');
  if (url !== endpoint)
    return fail('url_mismatch', `The url does not match the batch's endpoint ${endpoint}.`, 'url');
  const request = typeof body === 'string' ? undefined : parseObject(body);
  if (!request) return fail('missing_required_parameter', 'Missing required parameter: body.', 'body');
  const lineModel = request['model'];
  if (typeof lineModel !== 'string' || lineModel === '')
    return fail('missing_required_parameter', 'Missing required parameter: body.model.', 'body.model');
  if (model !== undefined && lineModel !== model)
    return fail(
      'model_mismatch',
      `This line uses ${lineModel}; a batch file may use one model (${model}).`,
      'body.model',
    );
  return { line, customId, body: request };
}

/** A JSON object, from its text or as it is; undefined for anything else. */
function parseObject(text: unknown): Record<string, unknown> | undefined {
  let value = text;
  if (typeof text === 'string') {
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
