import { describe, expect, it } from 'vitest';
import { MAX_REQUESTS, readBatchRequests } from './batch-requests.js';

describe('a message batch at create', () => {
  it('takes up to 100,000 requests and refuses one more', () => {
    const requests = (n: number) =>
      JSON.stringify({ requests: Array.from({ length: n }, (_, i) => ({ custom_id: `r${i}`, params: {} })) });
    expect(readBatchRequests(requests(MAX_REQUESTS))).toHaveLength(MAX_REQUESTS);
    expect(readBatchRequests(requests(MAX_REQUESTS + 1))).toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error', message: expect.stringMatching(/at most 100000/) },
    });
  });

  it('refuses broken JSON and a missing params object', () => {
    expect(readBatchRequests('{')).toMatchObject({ status: 400 });
    expect(readBatchRequests('{"requests":[{"custom_id":"a"}]}')).toMatchObject({
      error: { message: 'requests.0.params: Field required' },
    });
  });
});
