/** `volley worker` (and the `--queue` flag) as a user meets it: bad URLs, unreachable Redis, bad passwords. */
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { testIO } from './test-support/cli-io.js';
import { describeWithRedis, type RedisServer, startRedis } from './test-support/redis-server.js';

describe('volley worker', () => {
  it('exits 2 at once naming an unreachable Redis without its password, and why', async () => {
    const io = testIO(tmpdir(), {});
    const code = await runCli(['worker', '--queue', 'redis://:hunter2@127.0.0.1:1', '--sim'], io);
    expect(code).toBe(2);
    expect(io.err()).toContain('redis://:***@127.0.0.1:1');
    expect(io.err()).toMatch(/ECONNREFUSED/);
    expect(io.err()).not.toContain('hunter2');
  });

  it('exits 2 for a URL that is not a Redis URL', async () => {
    const io = testIO(tmpdir(), {});
    expect(await runCli(['worker', '--queue', 'http://user:pw@host:1', '--sim'], io)).toBe(2);
    expect(io.err()).toMatch(/redis:\/\//);
    expect(io.err()).not.toContain(':pw@');
  });
});

describeWithRedis('volley worker against a Redis that wants a password', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ password: 's3cret' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('exits 2 naming the auth error, never the password', async () => {
    for (const url of [`redis://:wrong@127.0.0.1:${server.port}`, `redis://127.0.0.1:${server.port}`]) {
      const io = testIO(tmpdir(), {});
      expect(await runCli(['worker', '--queue', url, '--sim'], io)).toBe(2);
      expect(io.err()).toMatch(/WRONGPASS|NOAUTH/);
      expect(io.err()).not.toContain('wrong@');
      expect(io.err()).not.toContain('s3cret');
    }
  });
});
