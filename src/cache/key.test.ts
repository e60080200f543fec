import { describe, expect, it } from 'vitest';
import { anthropic, openai } from '../providers/index.js';
import type { ProviderRequest } from '../providers/types.js';
import { cacheKey } from './key.js';

const request: ProviderRequest = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hello' }],
  temperature: 0,
  params: { seed: 7, top_p: 1 },
};

const provider = (apiKey: string, baseURL: string) => openai({ apiKey, baseURL, env: {} });

describe('cacheKey', () => {
  it('is 64 hex digits, the same for the same request whatever the key, the base URL or the order of fields', () => {
    const key = cacheKey(provider('sk-one', 'https://api.one.example/v1'), request);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const reordered: ProviderRequest = {
      params: { top_p: 1, seed: 7 },
      temperature: 0,
      messages: request.messages,
      model: 'gpt-4o-mini',
    };
    expect(cacheKey(provider('sk-two', 'http://localhost:8000/v1'), reordered)).toBe(key);
  });

  it.each([
    ['the model', { model: 'gpt-4o' }],
    ['a message', { messages: [{ role: 'user', content: 'Hello!' }] }],
    ['the temperature', { temperature: 0.7 }],
    ['an absent temperature', { temperature: undefined }],
    ['max tokens', { maxTokens: 10 }],
    ['a parameter', { params: { seed: 8, top_p: 1 } }],
  ] as const)('changes with %s', (_, change) => {
    const p = provider('k', 'http://a/v1');
    expect(cacheKey(p, { ...request, ...change } as ProviderRequest)).not.toBe(cacheKey(p, request));
  });

  it('differs between wire protocols and endpoints for the same request', () => {
    const o = cacheKey(provider('k', 'http://a/v1'), request);
    const a = cacheKey(anthropic({ apiKey: 'k', env: {} }), { ...request, maxTokens: 100 });
    expect(a).not.toBe(o);
    const fake = (endpoint: string | undefined) => ({
      kind: 'openai',
      endpoint: endpoint as string,
      requestBody: () => ({ model: 'm' }),
    });
    expect(cacheKey(fake('/v1/chat/completions'), request)).not.toBe(
      cacheKey(fake('/v1/responses'), request),
    );
    // A provider without an endpoint still has a key: the field is written as null.
    expect(cacheKey(fake(undefined), request)).toMatch(/^[0-9a-f]{64}$/);
  });
});
