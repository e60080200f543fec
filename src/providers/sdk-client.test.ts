import { describe, expect, it } from 'vitest';
import { clientOption, clientOptions, envURL, laneID } from './sdk-client.js';

describe('clientOptions', () => {
  it('turns the SDK retries, timeout and logging off, and passes fetch and headers on', () => {
    const fetch = async () => new Response('');
    const options = clientOptions('p()', { fetch, defaultHeaders: { a: 'b' } }, {}, 'X_LOG');
    expect(options).toMatchObject({ maxRetries: 0, logLevel: 'off', fetch, defaultHeaders: { a: 'b' } });
    expect(options.timeout).toBeGreaterThan(60 * 60 * 1000);
    expect(options.timeout).toBeLessThan(2 ** 31);
    expect(clientOptions('p()', {}, {}, 'X_LOG')).not.toHaveProperty('fetch');
  });

  it('takes the log level from the named variable, ignoring values the SDKs do not know', () => {
    expect(clientOptions('p()', {}, { X_LOG: 'debug' }, 'X_LOG').logLevel).toBe('debug');
    expect(clientOptions('p()', {}, { X_LOG: 'loud' }, 'X_LOG').logLevel).toBe('off');
  });
});

describe('clientOption', () => {
  const isClient = (value: unknown): value is { kind: 'client' } =>
    typeof value === 'object' && value !== null && 'kind' in value;

  it('returns the client, or undefined when there is none', () => {
    const client = { kind: 'client' as const };
    expect(clientOption('p()', { client }, isClient, 'a client', ['apiKey'])).toBe(client);
    expect(clientOption('p()', {}, isClient, 'a client', ['apiKey'])).toBeUndefined();
  });

  it('refuses what is not a client, and connection options next to one', () => {
    expect(() => clientOption('p()', { client: {} }, isClient, 'a client', [])).toThrow(
      'p(): option "client" must be a client.',
    );
    expect(() =>
      clientOption('p()', { client: { kind: 'client' }, apiKey: 'k' }, isClient, 'a client', ['apiKey']),
    ).toThrow(/"apiKey" cannot be combined with "client"/);
  });
});

describe('envURL and laneID', () => {
  it('checks a URL from the environment, naming the variable', () => {
    expect(envURL({ X_URL: ' http://h/v1 ' }, 'X_URL')).toBe('http://h/v1');
    expect(envURL({}, 'X_URL')).toBeUndefined();
    expect(() => envURL({ X_URL: 'localhost:1' }, 'X_URL')).toThrow(/X_URL must be/);
  });

  it('tells accounts apart without showing the key', () => {
    expect(laneID('p', 'http://h', 'secret-key')).toMatch(/^p:http:\/\/h#[0-9a-f]{8}$/);
    expect(laneID('p', 'http://h', 'secret-key')).not.toContain('secret');
    expect(laneID('p', 'http://h', undefined)).toBe('p:http://h#nokey');
    expect(laneID('p', 'http://h', undefined, 'entra')).toBe('p:http://h#entra');
  });
});
