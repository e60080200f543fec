import { describe, expect, it } from 'vitest';
import { countTextTokens } from '../tokens/count.js';
import { type AnswerInput, composeAnswer } from './answers.js';
import { requestedCount } from './list-request.js';
import { digest } from './rng.js';

function answer(text: string, overrides: Partial<AnswerInput> = {}) {
  return composeAnswer({
    seed: 1,
    key: digest(['gpt-4o-mini', text]),
    lastUserText: text,
    responseFormat: undefined,
    outputTokens: 20,
    maxTokens: undefined,
    ...overrides,
  });
}

describe('requestedCount', () => {
  it.each([
    ['Write an outline with 3 sections', 3],
    ['List 5 ideas for a birthday party', 5],
    ['give me 4 bullet points', 4],
    ['Name three reasons to learn Rust', 3],
    ['Suggest 7 short, catchy titles', 7],
    ['Explain step 3 of the 5 steps', 5],
    ['Write 12 questions about topic X', 12],
    ['List 1000 items', 100],
    ['Summarise this paragraph', undefined],
    ['In 2024 the weather was odd', undefined],
    ['List 0 ideas', undefined],
  ])('%s → %s', (text, expected) => {
    expect(requestedCount(text)).toBe(expected);
  });
});

describe('composeAnswer', () => {
  it('answers a request for N sections with a numbered list of exactly N lines', () => {
    const { content, finishReason, completionTokens } = answer('Write an outline with 3 sections');
    const lines = content.split('\n');
    expect(lines).toHaveLength(3);
    for (const [i, line] of lines.entries())
      expect(line).toMatch(new RegExp(`^${i + 1}\\. [A-Z][a-z]+( [a-z]+)+$`));
    expect(finishReason).toBe('stop');
    expect(completionTokens).toBe(countTextTokens(content));
  });

  it('caps a list at 100 lines', () => {
    expect(answer('List 250 ideas').content.split('\n')).toHaveLength(100);
  });

  it('gives the same request the same answer, and another seed another one', () => {
    const text = 'Tell me about the sea';
    expect(answer(text).content).toBe(answer(text).content);
    expect(answer(text, { seed: 2 }).content).not.toBe(answer(text).content);
    expect(answer('Tell me about the sky').content).not.toBe(answer(text).content);
  });

  it('writes free text of roughly outputTokens tokens', () => {
    for (const outputTokens of [5, 20, 80]) {
      const { content } = answer('Say something', { outputTokens });
      const tokens = countTextTokens(content);
      expect(tokens).toBeGreaterThanOrEqual(outputTokens);
      expect(tokens).toBeLessThan(outputTokens * 1.5 + 6);
      expect(content).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('cuts at max_tokens and says so with finish_reason length', () => {
    const full = answer('Say something', { outputTokens: 40 });
    const cut = answer('Say something', { outputTokens: 40, maxTokens: 7 });
    expect(cut).toMatchObject({ completionTokens: 7, finishReason: 'length' });
    expect(full.content.startsWith(cut.content)).toBe(true);
    expect(answer('Say something', { maxTokens: 1000 }).finishReason).toBe('stop');
  });

  it('answers json_object requests with a valid JSON object', () => {
    const plain = JSON.parse(answer('Reply in json', { responseFormat: { type: 'json_object' } }).content);
    expect(plain).toEqual({ answer: expect.any(String), n: expect.any(Number) });
    const list = JSON.parse(
      answer('Give 4 ideas as json', { responseFormat: { type: 'json_object' } }).content,
    );
    expect(list.n).toBe(4);
    expect(list.items).toHaveLength(4);
  });

  it('answers json_schema requests with a value of the schema’s shape', () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        steps: { type: 'array', items: { $ref: '#/$defs/step' } },
        level: { enum: ['easy', 'hard'] },
        done: { type: 'boolean' },
        note: { anyOf: [{ type: 'null' }, { type: 'string' }] },
      },
      $defs: { step: { type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: 9 } } } },
    };
    const format = { type: 'json_schema', json_schema: { name: 'plan', schema, strict: true } };
    const value = JSON.parse(answer('Plan 3 steps', { responseFormat: format }).content);
    expect(value).toEqual({
      title: expect.any(String),
      steps: [{ n: expect.any(Number) }, { n: expect.any(Number) }, { n: expect.any(Number) }],
      level: expect.stringMatching(/^(easy|hard)$/),
      done: expect.any(Boolean),
      note: expect.any(String),
    });
    for (const step of value.steps) expect(step.n).toBeGreaterThanOrEqual(1);
  });
});
