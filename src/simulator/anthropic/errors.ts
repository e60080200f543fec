/** Anthropic's error envelope, `{"type":"error","error":{"type","message"},"request_id"}`, and its canned errors. */

export interface AnthropicErrorFields {
  /** `invalid_request_error`, `authentication_error`, `not_found_error`, `rate_limit_error`, `api_error`, ... */
  readonly type: string;
  readonly message: string;
}

export function anthropicErrorBody(fields: AnthropicErrorFields, requestId: string | null = null): object {
  return { type: 'error', error: { type: fields.type, message: fields.message }, request_id: requestId };
}

export function anthropicErrorResponse(
  status: number,
  fields: AnthropicErrorFields,
  headers: Record<string, string> = {},
): Response {
  const requestId = headers['request-id'] ?? null;
  return new Response(JSON.stringify(anthropicErrorBody(fields, requestId)), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Worded like the real API's (the wording is the simulator's own). */
export const anthropicErrors = {
  invalidRequest: (message: string): AnthropicErrorFields => ({ type: 'invalid_request_error', message }),
  // Never quotes the key that was sent: error bodies end up in logs.
  authentication: (): AnthropicErrorFields => ({
    type: 'authentication_error',
    message: 'invalid x-api-key',
  }),
  notFound: (what: string): AnthropicErrorFields => ({ type: 'not_found_error', message: what }),
  lowCredit: (): AnthropicErrorFields => ({
    type: 'invalid_request_error',
    message: 'Your credit balance is too low to access the Anthropic API. Add credits under Plans & Billing.',
  }),
  contextTooLong: (prompt: number, maxTokens: number, window: number): AnthropicErrorFields => ({
    type: 'invalid_request_error',
    message: `input length and \`max_tokens\` exceed context limit: ${prompt} + ${maxTokens} > ${window}, decrease input length or \`max_tokens\` and try again`,
  }),
  rateLimited: (limit: 'requests' | 'tokens', perMinute: number): AnthropicErrorFields => ({
    type: 'rate_limit_error',
    message: `This request would exceed the rate limit for your organization of ${perMinute} ${limit === 'requests' ? 'requests' : 'input tokens'} per minute. Wait for the reset in the anthropic-ratelimit headers, or lower your rate.`,
  }),
  tooLarge: (what: string): AnthropicErrorFields => ({ type: 'request_too_large', message: what }),
  apiError: (): AnthropicErrorFields => ({ type: 'api_error', message: 'Internal server error' }),
  overloaded: (): AnthropicErrorFields => ({ type: 'overloaded_error', message: 'Overloaded' }),
};
