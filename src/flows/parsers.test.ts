import { describe, expect, it } from 'vitest';
import { JsonArrayScanner, jsonArrayItems } from './json-stream.js';
import { LineSplitter, listItem, parseJsonBlock, parseList } from './parsers.js';

describe('parsers', () => {
  it('reads numbered and bulleted list items and skips the text around them', () => {
    expect(
      parseList('Here are three:\n1. Moon\n2) **Sun**\n  - Wind \n* Rain\n• Snow\n(6) Hail\nThat is all.'),
    ).toEqual(['Moon', 'Sun', 'Wind', 'Rain', 'Snow', 'Hail']);
    expect(parseList('alpha\n\n beta \n')).toEqual(['alpha', 'beta']);
    expect(() => parseList(' \n')).toThrow(/empty/);
    expect(listItem('2024 was a year')).toBeUndefined();
    expect(listItem('10. Ten')).toBe('Ten');
  });

  it('finds JSON bare, fenced, or inside prose', () => {
    expect(parseJsonBlock(' {"a":1} ')).toEqual({ a: 1 });
    expect(parseJsonBlock('Here:\n```json\n[1,2]\n```\nDone')).toEqual([1, 2]);
    expect(parseJsonBlock('The object is {"a": {"b": 2}} as asked.')).toEqual({ a: { b: 2 } });
    expect(() => parseJsonBlock('{"a": ')).toThrow(/not valid JSON/);
  });

  it('splits streamed text into complete lines, across chunk boundaries and CRLF', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('1. Mo')).toEqual([]);
    expect(splitter.push('on\r')).toEqual([]);
    expect(splitter.push('\n2. Sun\n3. ')).toEqual(['1. Moon', '2. Sun']);
    expect(splitter.push('Wind')).toEqual([]);
    expect(splitter.end()).toEqual(['3. Wind']);
    expect(splitter.end()).toEqual([]);
  });
});

function scan(key: string, text: string, size: number): unknown[][] {
  const scanner = new JsonArrayScanner(key);
  const batches: unknown[][] = [];
  for (let i = 0; i < text.length; i += size) batches.push(scanner.push(text.slice(i, i + size)));
  return batches;
}

describe('JsonArrayScanner', () => {
  const answer =
    '{"title": "Tides, \\"the\\" [sea]", "sections": ["Moon", {"n": [1, 2]}, 3, "a]\\"b"], "audience": "sections", "x": [9]}';

  it('reports each element of the named array as soon as it is complete', () => {
    const batches = scan('sections', answer, 1);
    expect(batches.flat()).toEqual(['Moon', { n: [1, 2] }, 3, 'a]"b']);
    const moonAt = batches.findIndex((b) => b.includes('Moon'));
    // "Moon" is reported at the comma after it, long before the answer ends.
    expect(moonAt).toBe(answer.indexOf('"Moon"') + 6);
    expect(scan('sections', answer, 7).flat()).toHaveLength(4);
  });

  it('ignores arrays under other keys, nested ones, and keys that only look alike', () => {
    expect(scan('x', answer, 5).flat()).toEqual([9]);
    expect(scan('n', answer, 5).flat()).toEqual([]);
    expect(scan('sections', '{"sections": []}', 3).flat()).toEqual([]);
  });

  it('reads the same items from a whole value', () => {
    expect(jsonArrayItems(JSON.parse(answer), 'sections')).toHaveLength(4);
    expect(() => jsonArrayItems({}, 'sections')).toThrow('no "sections" array');
  });
});
