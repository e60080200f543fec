/**
 * OpenTelemetry for Volley calls: with a tracer provider registered in `@opentelemetry/api` (or a
 * tracer passed in), every call becomes a `chat {model}` client span from the moment it is queued to
 * the moment it settles, with the GenAI semantic-convention attributes (model, provider, token usage,
 * finish reason) and Volley's own (attempts, time queued, lane). Attempts, 429 pauses and retries
 * are span events. With no provider registered, each call costs one check and nothing else.
 */
import {
  type Attributes,
  type Context,
  context,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Volley } from '../client/volley.js';
import { providerName } from './provider-name.js';

/** The provider `@opentelemetry/api` hands out while none is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
const TRACER_NAME = 'volley';

/** Whether a tracer provider is registered with `@opentelemetry/api`. */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  if (provider instanceof ProxyTracerProvider) return provider.getDelegate() !== NOOP_PROVIDER;
  // A global set by another copy of the API: assume it records.
  return true;
}

export interface CallIdentity {
  readonly id: string;
  /** Lane key: provider id and model. */
  readonly lane: string;
  readonly model: string;
}

export interface InstrumentOptions {
  /** The tracer to use: spans are made whatever is registered globally. @default the global provider's */
  readonly tracer?: Tracer | undefined;
  /**
   * The parent of a call's span, e.g. the span of the flow step that made it. Called when the call
   * is queued. @default the context passed to `withParent`, else the active context
   */
  readonly parent?: ((call: CallIdentity) => Context | undefined) | undefined;
}

export interface Instrumentation {
  /**
   * Runs `fn`; the calls it queues (synchronously, as `volley.complete` does) get `parent` as their
   * parent, e.g. `withParent(trace.setSpan(context.active(), stepSpan), () => volley.complete(...))`.
   * Works without a context manager.
   */
  withParent<T>(parent: Context, fn: () => T): T;
  /** Stops listening; spans of calls still open are ended, marked `volley.unfinished`. */
  close(): void;
}

/** The part of a client that instrumentation uses: its events, and its provider for the server attributes. */
export type InstrumentableClient = Pick<Volley, 'on'> & {
  readonly options?: Pick<Volley['options'], 'provider'>;
};

export function instrument(volley: InstrumentableClient, options: InstrumentOptions = {}): Instrumentation {
  const spans = new Map<string, Span>();
  // One provider per client: its attributes are the same for every lane.
  const provider = volley.options?.provider;
  const server: Attributes = provider ? providerAttributes(provider) : {};
  let pendingParent: Context | undefined;

  const stops = [
    volley.on('queued', (e) => {
      if (!options.tracer && !tracingEnabled()) return;
      const tracer = options.tracer ?? trace.getTracer(TRACER_NAME);
      const parent = options.parent?.(e) ?? pendingParent ?? context.active();
      const span = tracer.startSpan(
        `chat ${e.model}`,
        {
          kind: SpanKind.CLIENT,
          startTime: e.at,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': e.model,
            ...server,
            'volley.lane': e.lane,
            'volley.call_id': e.id,
            'volley.priority': e.priority,
            'volley.estimated_tokens': e.estimatedTokens,
          },
        },
        parent,
      );
      spans.set(e.id, span);
    }),
    volley.on('started', (e) => {
      spans
        .get(e.id)
        ?.addEvent('volley.attempt', { 'volley.attempt': e.attempt, 'volley.waited_ms': e.waitedMs }, e.at);
    }),
    volley.on('rate-limited', (e) => {
      const span = spans.get(e.id);
      if (!span) return;
      const attributes: Attributes = { 'volley.pause_ms': e.pauseMs };
      if (e.status !== undefined) attributes['http.response.status_code'] = e.status;
      span.addEvent('volley.rate_limited', attributes, e.at);
    }),
    volley.on('retried', (e) => {
      const span = spans.get(e.id);
      if (!span) return;
      const attributes: Attributes = {
        'volley.attempt': e.attempt,
        'volley.delay_ms': e.delayMs,
        'error.type': e.error.code,
      };
      if (e.error.status !== undefined) attributes['http.response.status_code'] = e.error.status;
      span.addEvent('volley.retry', attributes, e.at);
    }),
    volley.on('finished', (e) => {
      const span = spans.get(e.id);
      if (!span) return;
      spans.delete(e.id);
      const { result } = e;
      const attributes: Attributes = {
        'gen_ai.response.model': result.model,
        'volley.attempts': result.timings.attempts,
        'volley.queued_ms': result.timings.queuedMs,
        'volley.latency_ms': result.timings.latencyMs,
      };
      if (result.usage) {
        attributes['gen_ai.usage.input_tokens'] = result.usage.promptTokens;
        attributes['gen_ai.usage.output_tokens'] = result.usage.completionTokens;
      }
      if (result.finishReason) attributes['gen_ai.response.finish_reasons'] = [result.finishReason];
      const responseId = (result.raw as { id?: unknown } | null | undefined)?.id;
      if (typeof responseId === 'string') attributes['gen_ai.response.id'] = responseId;
      span.setAttributes(attributes);
      span.end(e.at);
    }),
    volley.on('failed', (e) => {
      const span = spans.get(e.id);
      if (!span) return;
      spans.delete(e.id);
      const { error } = e;
      const attributes: Attributes = { 'error.type': error.code, 'volley.attempts': error.attempts };
      if (error.status !== undefined) attributes['http.response.status_code'] = error.status;
      span.setAttributes(attributes);
      span.recordException({ name: error.name, message: error.message, code: error.code }, e.at);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${error.code}: ${error.message}` });
      span.end(e.at);
    }),
  ];

  return {
    withParent(parent, fn) {
      const previous = pendingParent;
      pendingParent = parent;
      try {
        return context.with(parent, fn);
      } finally {
        pendingParent = previous;
      }
    },
    close() {
      for (const stop of stops) stop();
      for (const span of spans.values()) {
        span.setAttribute('volley.unfinished', true);
        span.end();
      }
      spans.clear();
    },
  };
}

/** `gen_ai.provider.name` (and the older `gen_ai.system`) and the server, from the provider itself. */
export function providerAttributes(
  provider: Parameters<typeof providerName>[0] & { readonly baseURL?: string | undefined },
): Attributes {
  const name = providerName(provider);
  const attributes: Attributes = { 'gen_ai.provider.name': name, 'gen_ai.system': name };
  if (provider.baseURL === undefined) return attributes;
  try {
    const url = new URL(provider.baseURL);
    attributes['server.address'] = url.hostname;
    const port =
      url.port === ''
        ? ({ 'https:': 443, 'http:': 80 } as Record<string, number>)[url.protocol]
        : Number(url.port);
    if (port !== undefined) attributes['server.port'] = port;
  } catch {
    // Not a URL: no server attributes.
  }
  return attributes;
}
