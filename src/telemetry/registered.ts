/**
 * Whether a tracer provider is registered with `@opentelemetry/api` in this process (say by
 * `node --import ./tracing.js`), read from the global the API keeps for its major version, without
 * loading the API. The CLI loads OpenTelemetry only when there is a provider to give spans to: with
 * none, every call's span would be skipped anyway, and loading it delays the first request.
 */
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

export function tracerRegistered(): boolean {
  const api = (globalThis as { [API_GLOBAL]?: { trace?: unknown } })[API_GLOBAL];
  return api?.trace !== undefined;
}
