import { describe, expect, it } from 'vitest';
import type { RecordMeta } from './entries.js';
import { RunState } from './state.js';

const meta = (k: string, s: RecordMeta['s'] = 'ok', l = 1): RecordMeta => ({
  k,
  h: '0123456789abcdef',
  l,
  s,
  a: 1,
  u: [10, 5],
  c: 0.5,
});

describe('run state', () => {
  it('gives no slot to a key only this invocation recorded, and still counts and spends it', () => {
    const state = new RunState();
    for (let i = 1; i <= 10_000; i++) state.commit(meta(`line-${i}`, i % 10 === 0 ? 'failed' : 'ok', i));
    state.commit(meta('custom-a'));
    // No per-key row: a fresh run of a million lines holds none either.
    expect(state.size).toBe(0);
    expect(state.slot('line-5')).toBe(-1);
    expect(state.counts).toEqual({ ok: 9_001, failed: 1_000, invalid: 0, duplicate: 0 });
    expect(state.spent).toEqual({ tokens: 150_015, usd: 5_000.5 });
    expect(state.answers.answers).toBe(9_001);
    expect([state.answered('line-5'), state.answered('line-10'), state.answered('custom-a')]).toEqual([
      true,
      false,
      true,
    ]);
    expect(state.answered('line-10001')).toBe(false);
  });

  it('a key an earlier invocation recorded keeps its slot when this one records it again', () => {
    const state = new RunState();
    state.replay(meta('line-1', 'failed'), true, 0, 100);
    state.replay(meta('line-2'), true, 100, 100);
    state.commit(meta('line-1'));
    expect(state.size).toBe(2);
    expect(state.kind(state.slot('line-1'))).toBe('ok');
    expect(state.counts).toEqual({ ok: 2, failed: 0, invalid: 0, duplicate: 0 });
    expect(state.answered('line-1')).toBe(true);
    // line-1 was read (and answered) by this invocation; line-2 was not.
    expect([...state.unseen()]).toEqual([state.slot('line-2')]);
  });
});
