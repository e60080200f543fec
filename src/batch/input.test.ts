import { describe, expect, it } from 'vitest';
import { type ParsedLine, parseLine } from './input.js';
import { compileTemplate } from './template.js';

function item(parsed: ParsedLine | undefined) {
  if (!parsed || !('item' in parsed)) throw new Error(`expected an item, got ${JSON.stringify(parsed)}`);
  return parsed.item;
}

function problem(parsed: ParsedLine | undefined) {
  if (!parsed || !('problem' in parsed)) throw new Error(`expected a problem, got ${JSON.stringify(parsed)}`);
  return parsed.problem;
}

describe('input lines', () => {
  it('takes a JSON string as the prompt, with line-N as its id', () => {
    expect(item(parseLine('"Say hi"', 7))).toEqual({
      line: 7,
      customId: 'line-7',
      request: { prompt: 'Say hi' },
    });
  });

  it('takes {prompt} and {messages}, with custom_id, model, max_tokens, temperature and system', () => {
    const a = item(
      parseLine('{"custom_id":"a","prompt":"hi","model":"m","max_tokens":5,"temperature":0.2}', 1),
    );
    expect(a).toEqual({
      line: 1,
      customId: 'a',
      request: { prompt: 'hi', model: 'm', maxTokens: 5, temperature: 0.2 },
    });
    const b = item(parseLine('{"messages":[{"role":"user","content":"hi"}]}', 2));
    expect(b.request).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
    const c = item(parseLine('{"system":"be brief","prompt":"hi"}', 3));
    expect(c.request.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('takes a Batch API request line unchanged; body.model and body fields go through', () => {
    const line = JSON.stringify({
      custom_id: 'request-1',
      method: 'POST',
      url: '/v1/chat/completions',
      body: {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        max_completion_tokens: 50,
        response_format: { type: 'json_object' },
        seed: 3,
      },
    });
    const { customId, request } = item(parseLine(line, 1));
    expect(customId).toBe('request-1');
    expect(request).toEqual({
      model: 'gpt-4o',
      maxTokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
      responseFormat: { type: 'json_object' },
      params: { max_completion_tokens: 50, seed: 3 },
    });
  });

  it('names the line and the field of what is wrong', () => {
    expect(problem(parseLine('{"prompt": "unterminated', 4)).message).toMatch(/^line 4: malformed JSON/);
    expect(problem(parseLine('{"text":"no prompt here"}', 5))).toMatchObject({ line: 5, field: 'prompt' });
    expect(problem(parseLine('{"custom_id":"x","prompt":""}', 6))).toMatchObject({
      customId: 'x',
      field: 'prompt',
    });
    expect(problem(parseLine('{"custom_id":7,"prompt":"hi"}', 7))).toMatchObject({ field: 'custom_id' });
    expect(problem(parseLine('{"messages":[{"role":"robot","content":"x"}]}', 8)).message).toMatch(
      /^line 8, field messages\[0\]\.role: must be one of/,
    );
    const batch = (body: unknown, extra = {}) => JSON.stringify({ custom_id: 'b', body, ...extra });
    expect(problem(parseLine(batch({ messages: [] }), 9))).toMatchObject({
      field: 'body.messages',
      customId: 'b',
    });
    expect(
      problem(parseLine(batch({ messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }), 10)).field,
    ).toBe('body.max_tokens');
    expect(
      problem(parseLine(batch({ messages: [{ role: 'user', content: 'x' }] }, { url: '/v1/embeddings' }), 11))
        .field,
    ).toBe('url');
    expect(problem(parseLine('[1,2]', 12)).message).toMatch(/got an array/);
  });

  it('skips blank lines', () => {
    expect(parseLine('', 1)).toBeUndefined();
    expect(parseLine('   \t', 2)).toBeUndefined();
  });
});

describe('--template', () => {
  const template = compileTemplate('Summarise in {{ words }} words: {{text}} ({{meta.lang}})');

  it('fills the prompt from the line fields, nested ones and non-strings included', () => {
    const parsed = parseLine('{"custom_id":"d1","text":"A long story.","words":12,"meta":{"lang":"en"}}', 1, {
      template,
    });
    expect(item(parsed)).toEqual({
      line: 1,
      customId: 'd1',
      request: { prompt: 'Summarise in 12 words: A long story. (en)' },
    });
  });

  it('offers a bare string line as {{text}}', () => {
    const simple = compileTemplate('Translate: {{text}}');
    expect(item(parseLine('"bonjour"', 3, { template: simple })).request).toEqual({
      prompt: 'Translate: bonjour',
    });
  });

  it('reports a field the line lacks, by name', () => {
    const p = problem(parseLine('{"text":"x","meta":{}}', 9, { template }));
    expect(p).toMatchObject({ line: 9, field: '{{words}}' });
    expect(p.message).toContain("needs 'words'");
  });

  it('rejects a template without placeholders or with a bad one', () => {
    expect(() => compileTemplate('no fields')).toThrow(/no \{\{field\}\}/);
    expect(() => compileTemplate('{{ two words }}')).toThrow(/not a field name/);
  });
});
