import { describe, expect, it } from 'vitest';
import { contentHash, stableJSON } from './hash.js';

describe('contentHash', () => {
  // Digests journals already hold: a change here makes every resume send its lines again.
  it('keeps the digests earlier runs journaled', () => {
    const line = {
      e: '/v1/chat/completions',
      m: 'gpt-4o-mini',
      r: { messages: [{ role: 'user', content: 'Name a river.' }], max_tokens: 16, temperature: 0 },
    };
    expect(contentHash(line)).toBe('5af07d8506c27ef4');
    expect(contentHash('Tell me something about the number 7.')).toBe('f1d47cf9f8515f9f');
    expect(contentHash({ when: new Date(0) })).toBe('c12a4c3ebbe75dff');
  });

  it('does not depend on key order, at any depth', () => {
    const a = { r: { temperature: 0, messages: [{ role: 'user', content: 'x' }] }, m: 'm' };
    const b = { m: 'm', r: { messages: [{ content: 'x', role: 'user' }], temperature: 0 } };
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash({ list: [1, 2] })).not.toBe(contentHash({ list: [2, 1] }));
  });
});

describe('stableJSON', () => {
  it('sorts keys, leaves out undefined members and writes what JSON.stringify writes for the rest', () => {
    const value = {
      v: { b: [1, 'two', null, true, { z: 1, a: [] }, undefined], a: { y: undefined, x: 'é\u2028"' } },
    };
    expect(stableJSON(value)).toBe(
      '{"v":{"a":{"x":"é\u2028\\""},"b":[1,"two",null,true,{"a":[],"z":1},null]}}',
    );
    expect(JSON.parse(stableJSON(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(stableJSON(undefined)).toBe('null');
    expect(stableJSON({})).toBe('{}');
    expect(stableJSON([])).toBe('[]');
  });

  it('orders keys by UTF-16 code units, as the digest always has', () => {
    expect(stableJSON({ b: 1, B: 2, é: 3, a10: 4, a9: 5 })).toBe('{"B":2,"a10":4,"a9":5,"b":1,"é":3}');
    // More keys than the insertion sort takes: the same order.
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${19 - i}`, i]));
    const order = Object.keys(JSON.parse(stableJSON(many)) as object);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
    expect(order.slice(0, 3)).toEqual(['k0', 'k1', 'k10']);
  });
});
