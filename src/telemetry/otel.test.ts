import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Volley } from '../client/volley.js';
import { openai } from '../providers/index.js';
import { createSimulator } from '../simulator/handler.js';
import { listen, type SimulatorServer } from '../simulator/listen.js';
import type { SimulatorOptions } from '../simulator/options.js';
import { instrument, providerAttributes, tracingEnabled } from './otel.js';
import { tracerRegistered } from './registered.js';

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider | undefined;
let servers: SimulatorServer[] = [];

function register(): void {
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
}

beforeEach(() => {
  exporter = new InMemorySpanExporter();
});
afterEach(async () => {
  trace.disable();
  await provider?.shutdown();
  provider = undefined;
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function client(sim: SimulatorOptions = {}, rpm?: number): Promise<Volley> {
  const server = await listen(
    createSimulator({ models: [], latencyMedianMs: 20, contextWindow: 10_000, ...sim }),
  );
  servers.push(server);
  return new Volley({
    provider: openai({ baseURL: server.url, apiKey: 'x', env: {} }),
    model: 'gpt-4o-mini',
    limits: { rpm },
    retry: { initialDelay: 10 },
  });
}

const byCall = (spans: ReadableSpan[], id: string) =>
  spans.find((s) => s.attributes['volley.call_id'] === id)!;

describe('OpenTelemetry', () => {
  it('tells from the API global, without loading the API, whether a tracer provider is registered', () => {
    expect(tracerRegistered()).toBe(false);
    register();
    expect(tracerRegistered()).toBe(true);
    trace.disable();
    expect(tracerRegistered()).toBe(false);
  });

  it('makes every call a GenAI client span, with usage, retries and failures', async () => {
    register();
    expect(tracingEnabled()).toBe(true);
    // One request of burst at the server while the client believes it may send 60,000 a minute.
    const volley = await client({ rpm: 600, burstWindowMs: 100 }, 60_000);
    const otel = instrument(volley);
    const results = await volley.settle(
      [{ prompt: 'first' }, { prompt: 'second' }, { prompt: 'too long', maxTokens: 1_000_000 }],
      {},
    );
    otel.close();
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(3);
    for (const span of spans) {
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.instrumentationScope.name).toBe('volley');
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.provider.name': 'openai',
        'gen_ai.system': 'openai',
        'server.address': '127.0.0.1',
        'volley.lane': expect.stringMatching(/^openai:http:\/\/127\.0\.0\.1:\d+\/v1#.*\|gpt-4o-mini$/),
      });
    }
    const ok = results[0]!.ok ? results[0]!.value : undefined;
    const first = byCall(spans, 'call-0');
    expect(first.status.code).toBe(SpanStatusCode.UNSET);
    expect(first.attributes).toMatchObject({
      'gen_ai.response.model': ok!.model,
      'gen_ai.usage.input_tokens': ok!.usage!.promptTokens,
      'gen_ai.usage.output_tokens': ok!.usage!.completionTokens,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.id': expect.stringMatching(/^chatcmpl-/),
      'volley.attempts': 1,
      'volley.queued_ms': ok!.timings.queuedMs,
    });
    expect(first.events.map((e) => e.name)).toEqual(['volley.attempt']);
    // The second call met the 429 and was retried: both are span events, and it counts 2 attempts.
    const second = byCall(spans, 'call-1');
    expect(second.events.map((e) => e.name)).toEqual([
      'volley.attempt',
      'volley.rate_limited',
      'volley.retry',
      'volley.attempt',
    ]);
    expect(second.events[2]!.attributes).toMatchObject({
      'error.type': 'rate_limited',
      'http.response.status_code': 429,
    });
    expect(second.attributes['volley.attempts']).toBe(2);
    expect(second.attributes['volley.queued_ms']).toBeGreaterThan(0);
    // The span lasts from queued to settled.
    const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
    expect(ms(second.duration)).toBeGreaterThanOrEqual(
      results[1]!.ok ? results[1]!.value.timings.latencyMs - 1 : 0,
    );
    // The failure is an error span with its type and the exception.
    const failed = byCall(spans, 'call-2');
    expect(failed.status).toMatchObject({
      code: SpanStatusCode.ERROR,
      message: expect.stringContaining('context_length_exceeded'),
    });
    expect(failed.attributes).toMatchObject({
      'error.type': 'context_length_exceeded',
      'http.response.status_code': 400,
      'volley.attempts': 1,
    });
    expect(failed.events.map((e) => e.name)).toContain('exception');
  });

  it('nests a call under the parent it is given, without a context manager', async () => {
    register();
    const volley = await client();
    const otel = instrument(volley);
    const tracer = trace.getTracer('test');
    const step = tracer.startSpan('step outline');
    const result = await otel.withParent(trace.setSpan(context.active(), step), () =>
      volley.complete({ prompt: 'hi' }),
    );
    step.end();
    await volley.complete({ prompt: 'outside' });
    otel.close();
    const spans = exporter.getFinishedSpans();
    const child = byCall(spans, result.id);
    expect(child.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
    expect(child.spanContext().traceId).toBe(step.spanContext().traceId);
    expect(byCall(spans, 'call-1').parentSpanContext).toBeUndefined();
  });

  it("takes a call's parent from the parent option, e.g. a flow step by call id", async () => {
    register();
    const volley = await client();
    const tracer = trace.getTracer('test');
    const flow = tracer.startSpan('flow article');
    const otel = instrument(volley, {
      parent: (call) => (call.id.startsWith('flow:') ? trace.setSpan(context.active(), flow) : undefined),
    });
    await volley.complete({ prompt: 'a' }, { id: 'flow:article#1/outline#1' });
    flow.end();
    otel.close();
    const child = byCall(exporter.getFinishedSpans(), 'flow:article#1/outline#1');
    expect(child.parentSpanContext?.spanId).toBe(flow.spanContext().spanId);
  });

  it('does nothing while no tracer provider is registered, and starts once one is', async () => {
    expect(tracingEnabled()).toBe(false);
    const volley = await client();
    const otel = instrument(volley);
    await volley.settle([{ prompt: 'a' }, { prompt: 'b' }]);
    expect(exporter.getFinishedSpans()).toEqual([]);
    register();
    await volley.complete({ prompt: 'c' });
    otel.close();
    expect(exporter.getFinishedSpans().map((s) => s.attributes['volley.call_id'])).toEqual(['call-2']);
  });

  it('ends the spans of calls still open when closed', async () => {
    register();
    const volley = await client({ latencyMedianMs: 300 });
    const otel = instrument(volley);
    const pending = volley.complete({ prompt: 'slow' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    otel.close();
    await pending;
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes['volley.unfinished']).toBe(true);
  });

  it('names the provider and server from the provider, not from its lane key', () => {
    const azure = {
      id: 'azure-openai:https://x.openai.azure.com/openai#entra',
      baseURL: 'https://x.openai.azure.com/openai',
    };
    expect(providerAttributes(azure)).toEqual({
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.system': 'azure.ai.openai',
      'server.address': 'x.openai.azure.com',
      'server.port': 443,
    });
    expect(
      providerAttributes({ id: 'anything', name: 'anthropic', baseURL: 'http://127.0.0.1:8080' }),
    ).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'server.port': 8080,
    });
    expect(providerAttributes({ id: 'echo' })).toEqual({
      'gen_ai.provider.name': 'echo',
      'gen_ai.system': 'echo',
    });
  });
});
