/** JSON answers and the OpenAI error envelope: `{"error":{"message","type","param","code"}}`. */

export interface ErrorFields {
  readonly message: string;
  readonly type: string;
  readonly param?: string | null;
  readonly code?: string | null;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function errorResponse(
  status: number,
  fields: ErrorFields,
  headers: Record<string, string> = {},
): Response {
  const error = {
    message: fields.message,
    type: fields.type,
    param: fields.param ?? null,
    code: fields.code ?? null,
  };
  return jsonResponse(status, { error }, headers);
}

/** The canned errors, worded like the real API's (the wording is the simulator's own). */
export const errors = {
  badRequest: (message: string, param: string | null): ErrorFields => ({
    message,
    type: 'invalid_request_error',
    param,
    code: null,
  }),
  // Never quotes the key that was sent: error bodies end up in logs.
  invalidApiKey: (): ErrorFields => ({
    message: 'Incorrect API key provided.',
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  }),
  modelNotFound: (model: string): ErrorFields => ({
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    type: 'invalid_request_error',
    param: 'model',
    code: 'model_not_found',
  }),
  insufficientQuota: (): ErrorFields => ({
    message: 'You exceeded your current quota, please check your plan and billing details.',
    type: 'insufficient_quota',
    param: null,
    code: 'insufficient_quota',
  }),
  contextLengthExceeded: (window: number, prompt: number, completion: number): ErrorFields => ({
    message:
      `This model's maximum context length is ${window} tokens. However, you requested ` +
      `${prompt + completion} tokens (${prompt} in the messages, ${completion} in the completion). ` +
      'Please reduce the length of the messages or completion.',
    type: 'invalid_request_error',
    param: 'messages',
    code: 'context_length_exceeded',
  }),
  rateLimited: (
    model: string,
    limit: 'requests' | 'tokens',
    perMinute: number,
    wait: string,
  ): ErrorFields => ({
    message:
      `Rate limit reached for ${model} on ${limit} per min (${limit === 'requests' ? 'RPM' : 'TPM'}): ` +
      `Limit ${perMinute}. Please try again in ${wait}.`,
    type: limit,
    param: null,
    code: 'rate_limit_exceeded',
  }),
  requestTooLarge: (model: string, limit: number, requested: number): ErrorFields => ({
    message:
      `Request too large for ${model} on tokens per min (TPM): Limit ${limit}, Requested ${requested}. ` +
      'The input or output tokens must be reduced in order to run successfully.',
    type: 'tokens',
    param: null,
    code: 'rate_limit_exceeded',
  }),
  serverError: (): ErrorFields => ({
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    param: null,
    code: null,
  }),
  unavailable: (): ErrorFields => ({
    message: 'The server is overloaded or not ready yet. Please try again later.',
    type: 'server_error',
    param: null,
    code: null,
  }),
  simulatorBug: (error: unknown): ErrorFields => ({
    message: `The simulator failed: ${error instanceof Error ? error.message : String(error)}`,
    type: 'server_error',
    param: null,
    code: 'simulator_error',
  }),
  notFound: (method: string, path: string): ErrorFields => ({
    message: `Invalid URL (${method} ${path})`,
    type: 'invalid_request_error',
    param: null,
    code: 'unknown_url',
  }),
};
