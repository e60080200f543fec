import { describe, expect, it } from 'vitest';
import { OrderedWriter } from './ordered-writer.js';

describe('ordered writer', () => {
  it('in input order, holds a record back only until the gap before it closes', () => {
    const out: string[] = [];
    const writer = new OrderedWriter<string>('input', (s) => out.push(s));
    writer.put(1, 'b');
    writer.put(2, 'c');
    expect(out).toEqual([]);
    expect(writer.held).toBe(2);
    writer.put(0, 'a');
    expect(out).toEqual(['a', 'b', 'c']);
    expect(writer.held).toBe(0);
    writer.put(4, 'e');
    writer.skip(3); // cancelled: never comes
    expect(out).toEqual(['a', 'b', 'c', 'e']);
  });

  it('a skipped number that is not next yet is passed over when reached', () => {
    const out: string[] = [];
    const writer = new OrderedWriter<string>('input', (s) => out.push(s));
    writer.skip(1);
    writer.put(2, 'c');
    writer.put(0, 'a');
    expect(out).toEqual(['a', 'c']);
  });

  it('flushAll lets out what is held behind an unfinished record, in order', () => {
    const out: string[] = [];
    const writer = new OrderedWriter<string>('input', (s) => out.push(s));
    writer.put(3, 'd');
    writer.put(1, 'b');
    writer.skip(2);
    writer.flushAll();
    expect(out).toEqual(['b', 'd']);
    expect(writer.held).toBe(0);
  });

  it('in completion order, holds nothing', () => {
    const out: string[] = [];
    const writer = new OrderedWriter<string>('completion', (s) => out.push(s));
    writer.put(5, 'x');
    writer.put(0, 'y');
    expect(out).toEqual(['x', 'y']);
    expect(writer.held).toBe(0);
  });
});
