/**
 * The fastest OpenAI-compatible server this machine can stand in for, for the scale-out bench: it
 * answers every request on a kept-alive connection with the same chat.completion (with usage and
 * high rate-limit headers, as a real server sends them and the shared limiter reads them), written
 * as one prebuilt buffer. It parses only what it must to find where a request ends (the head and
 * its Content-Length), so its CPU per call is the sockets' and little else: on 2 cores, what the
 * bench measures is then the workers and Redis, not a server that would be on another machine.
 * Prints `listening on URL`; SIGINT stops it.
 *
 *   node --import tsx bench/canned-server.ts
 */
import { createServer } from 'node:net';

const body = JSON.stringify({
  id: 'chatcmpl-canned',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'Firgai tin plaiplou dor rirgar malispe bre tikaim.',
        refusal: null,
      },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 9, completion_tokens: 21, total_tokens: 30 },
});
const head = [
  'HTTP/1.1 200 OK',
  'content-type: application/json',
  `content-length: ${Buffer.byteLength(body)}`,
  'connection: keep-alive',
  'x-request-id: req_canned',
  // Far above what the bench sends in a minute: the limiter reads them and never has to wait.
  'x-ratelimit-limit-requests: 1000000',
  'x-ratelimit-remaining-requests: 999999',
  'x-ratelimit-reset-requests: 1ms',
  'x-ratelimit-limit-tokens: 100000000',
  'x-ratelimit-remaining-tokens: 99999000',
  'x-ratelimit-reset-tokens: 1ms',
];
const answer = Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
const END = Buffer.from('\r\n\r\n');

const server = createServer((socket) => {
  socket.setNoDelay(true);
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let answers = 0;
    for (;;) {
      const end = pending.indexOf(END);
      if (end < 0) break;
      const length = /\r\ncontent-length: *(\d+)/i.exec(pending.subarray(0, end).toString('latin1'));
      // The SDK sends its JSON body with a length; anything else is not what this bench sends.
      if (!length && /^POST/.test(pending.toString('latin1', 0, 4))) {
        socket.destroy(new Error('canned server: a POST without content-length'));
        return;
      }
      const total = end + END.length + Number(length?.[1] ?? 0);
      if (pending.length < total) break;
      pending = pending.subarray(total);
      answers++;
    }
    // Requests that came in one read are answered in one write.
    if (answers > 0) socket.write(answers === 1 ? answer : Buffer.concat(Array(answers).fill(answer)));
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address)
    process.stdout.write(`listening on http://127.0.0.1:${address.port}/v1\n`);
});
process.on('SIGINT', () => process.exit(0));
