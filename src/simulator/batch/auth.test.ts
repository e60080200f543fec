import { describe, expect, it } from 'vitest';
import { createSimulator } from '../handler.js';

const SENTINEL = 'sk-sentinel-never-echoed';

describe('the Batch API routes need the key when one is set, and never echo what they got', () => {
  const sim = createSimulator({ apiKey: 'sk-right' });
  it.each([
    ['POST', '/v1/files', { authorization: `Bearer ${SENTINEL}` }],
    ['GET', '/v1/files/file-x/content', { authorization: `Bearer ${SENTINEL}` }],
    ['POST', '/v1/batches', { authorization: `Bearer ${SENTINEL}` }],
    ['GET', '/v1/batches', {}],
    ['POST', '/v1/messages', { 'x-api-key': SENTINEL }],
    ['POST', '/v1/messages/batches', { 'x-api-key': SENTINEL }],
    ['GET', '/v1/messages/batches/msgbatch_x/results', { 'x-api-key': SENTINEL }],
  ])('%s %s', async (method, path, headers) => {
    const body =
      method === 'POST'
        ? '{"model":"claude-sonnet-4-6","max_tokens":5,"messages":[{"role":"user","content":"x"}]}'
        : undefined;
    const response = await sim.fetch(`http://sim${path}`, { method, headers, body });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).not.toContain(SENTINEL);
    expect(text).toMatch(path.startsWith('/v1/messages') ? /authentication_error/ : /invalid_api_key/);
  });

  it('answers 404 for a file or batch that does not exist', async () => {
    const open = createSimulator();
    for (const path of [
      '/v1/files/file-none',
      '/v1/batches/batch_none',
      '/v1/messages/batches/msgbatch_none',
    ]) {
      expect((await open.fetch(`http://sim${path}`)).status).toBe(404);
    }
  });
});
