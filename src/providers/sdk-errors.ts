/**
 * Maps whatever an official SDK (or the fetch beneath it) throws to a `VolleyError`. The `openai`
 * and `@anthropic-ai/sdk` packages come from the same generator and throw parallel error classes,
 * so one mapping serves both, given each provider's `SdkErrorProfile`.
 */
import { AbortError, APIError, ConnectionError, TimeoutError, VolleyError } from '../errors.js';
import { describeFailure, safeCause } from './error-causes.js';
import { genericAdvice } from './http-status.js';
import type { SdkErrorBody, SdkErrorContext, SdkErrorProfile, SdkStatusError } from './sdk-error-profile.js';
import { isRecord, quote, toHeaders } from './shared.js';

/**
 * Maps an error thrown by the profile's SDK, or by the fetch it uses, to a `VolleyError` whose
 * message tells the user what to do next. Pure: reads `error`, never changes it. Messages, causes
 * and `toJSON()` never contain `context.secrets` or anything shaped like an API key.
 */
export function mapSdkError<B extends SdkErrorBody>(
  error: unknown,
  profile: SdkErrorProfile<B>,
  context: SdkErrorContext,
): VolleyError {
  if (error instanceof VolleyError) return error;
  const { classes, api } = profile;
  const secrets = context.secrets ?? [];
  const where = context.baseURL ?? profile.server;
  const init = () => ({ cause: safeCause(error, secrets) });

  // Subclasses before their parents: a timeout is a connection error, and both are status errors.
  if (error instanceof classes.userAbort) return new AbortError();
  if (error instanceof classes.connectionTimeout) {
    const message = `The connection to ${where} timed out before an answer arrived. Check that the server is reachable and not overloaded; a later attempt may succeed.`;
    return new TimeoutError('timeout', message, init());
  }
  if (error instanceof classes.connection) return connectionError(error.cause ?? error, where, secrets);
  if (error instanceof classes.status || isStatusErrorLike(error))
    return statusError(error, profile, context);

  if (error instanceof SyntaxError) {
    const message = `The server at ${where} sent a body that is not valid JSON (${quote(error.message, secrets, 120)}). Check that the base URL points at ${api}.`;
    return new VolleyError('malformed_response', message, init());
  }
  if (error instanceof classes.base) {
    if (/no body/i.test(error.message)) {
      const message = `The server at ${where} sent a response without a body. Check that the base URL points at ${api}.`;
      return new VolleyError('malformed_response', message, init());
    }
    const message = `The ${profile.sdkName} SDK refused to send the request: ${quote(error.message, secrets)}. Check the provider options and the request parameters.`;
    return new VolleyError('invalid_request', message, init());
  }
  if (isRecord(error) && (error as { name?: unknown }).name === 'AbortError') {
    return new AbortError(undefined, { cause: error });
  }
  // Anything else comes from the transport, typically while a streamed body is read
  // (`TypeError: terminated`, an ECONNRESET), which the SDKs do not wrap.
  return connectionError(error, where, secrets);
}

/** A status error thrown by another copy of the SDK, which `instanceof` would miss. */
function isStatusErrorLike(error: unknown): error is SdkStatusError {
  return (
    error instanceof Error &&
    typeof (error as { status?: unknown }).status === 'number' &&
    'headers' in error &&
    'error' in error
  );
}

function statusError<B extends SdkErrorBody>(
  error: SdkStatusError,
  profile: SdkErrorProfile<B>,
  context: SdkErrorContext,
): APIError {
  const secrets = context.secrets ?? [];
  const body = profile.readBody(error);
  const status = typeof error.status === 'number' ? error.status : undefined;
  const code =
    status === undefined ? profile.classifyStreamError(body) : profile.classifyStatus(status, body);
  const received = toHeaders(error.headers);
  const headers = received === undefined ? undefined : (profile.adjustHeaders?.(received) ?? received);
  const requestID =
    nonEmpty(error.requestID) ?? nonEmpty(headers?.get(profile.requestIDHeader)) ?? body.requestID;
  const label = status === undefined ? 'in the stream' : String(status);
  const advice = profile.advise(code, label, status, body, context) ?? genericAdvice(code, label);
  const said = body.message ? ` Server said: "${quote(body.message, secrets)}"` : '';
  return new APIError(code, `${advice}${said}`, {
    status,
    headers,
    requestID,
    cause: safeCause(error, secrets),
  });
}

function connectionError(cause: unknown, where: string, secrets: readonly string[]): ConnectionError {
  return new ConnectionError(
    `Could not get an answer from ${where}: ${describeFailure(cause, secrets)}. ` +
      'Check the base URL, the network and that the server is running; a later attempt may succeed.',
    { cause: safeCause(cause, secrets) },
  );
}

/** `value` when it is a non-empty string. */
export function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The SDK's message minus its status prefix; nothing when it only says there was no body. */
export function sdkMessage(message: string): string | undefined {
  const rest = message.replace(/^\d{3} /, '');
  return rest === '' || /^status code \(no body\)$|^\(no status code or body\)$/.test(rest)
    ? undefined
    : rest;
}
