import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OptionError } from '../options/check.js';
import { UsageError } from './args.js';
import { commands } from './commands/index.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { Command } from './io.js';
import { runCli } from './main.js';
import { testIO } from './test-support/test-io.js';

async function folder(lines = ['"Name a river."']): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'volley-cli-'));
  await writeFile(join(dir, 'in.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}

/** Runs one command line in `dir` (a folder with `in.jsonl`) and gives its code and stderr. */
async function cli(argv: string[], env: Record<string, string> = { OPENAI_API_KEY: 'k' }, dir?: string) {
  const io = testIO({ cwd: dir ?? (await folder()), env });
  const code = await runCli(argv, io);
  return { code, err: io.err(), out: io.out() };
}

describe('volley', () => {
  it('lists every command for --help and exits 2 with no command', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const { name } of commands) expect(help.out).toContain(`  ${name}`);
    expect((await cli([])).code).toBe(2);
    const typo = await cli(['rn']);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/Unknown command 'rn'\. Did you mean 'run'\?/);
  });

  it('prints the version of the package', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect((await cli(['--version'])).out).toBe(`${pkg.version}\n`);
  });

  it('loads, for each entry of the table, the command of that name', async () => {
    for (const entry of commands) expect((await entry.load()).name).toBe(entry.name);
  });
});

describe('flags', () => {
  it.each([
    [['run', 'in.jsonl', '--rmp', '5'], /^volley: Unknown flag --rmp\. Did you mean --rpm\?$/m],
    [['run', 'in.jsonl', '--api-key', 'x'], /Unknown flag --api-key\. Did you mean --api-key-env\?/],
    [['run', 'in.jsonl', '-z'], /Unknown flag -z\.\nRun 'volley run --help' for its flags\./],
    [['flow', 'm.ts', '--exprot', 'x'], /Did you mean --export\?/],
    [['run', 'in.jsonl', '--out'], /--out needs a value\./],
    [['run', 'in.jsonl', '--out', '--quiet'], /--out needs a value, got the flag --quiet\./],
    [['run', 'in.jsonl', '--quiet=yes'], /--quiet takes no value, got 'yes'\./],
    [
      ['run', 'in.jsonl', '-o', 'o.jsonl', '--rpm', '-5'],
      /Expected `--rpm` to be a number greater than 0, got -5\./,
    ],
    [
      ['run', 'in.jsonl', '-o', 'o.jsonl', '--tpm', '-1.5e3'],
      /`--tpm` to be a number greater than 0, got -1500/,
    ],
    [['run', 'in.jsonl', '-o', 'o.jsonl', '--rpm', 'fast'], /--rpm takes a number, got 'fast'\./],
    [['run', 'in.jsonl', '-o', 'o.jsonl', '--concurrency', '2.5'], /`--concurrency` to be a whole number/],
    [['run', 'in.jsonl', '-o', 'o.jsonl', '--timeout', '-1s'], /--timeout takes a duration above 0/],
    [['run', 'in.jsonl', '-o', 'o.jsonl', '--max-outage', '0'], /--max-outage takes a duration above 0/],
    [['sim', '--rpm', '-5'], /`--rpm` to be a number greater than 0, got -5/],
    [['sim', '--port', '70000'], /--port takes a number from 0 to 65535/],
    [['sim', '--fail-500', '-0.1'], /--fail-500 takes a number from 0 to 1/],
    [['sim', '--reset-format', 'iso'], /--reset-format takes one of duration, seconds, timestamp, got 'iso'/],
    [['sim', '--fixed-reset', 'soon'], /--fixed-reset takes a duration above 0/],
    [['run', 'in.jsonl', '-o', 'o.jsonl', '--provider', 'antropic'], /Did you mean 'anthropic'\?/],
    [['run', 'in.jsonl', '-o', 'o.jsonl', '--sim', '--base-url', 'http://h/v1'], /--sim and --base-url/],
    [['run', 'in.jsonl', '-o', 'no/o.jsonl', '--sim'], /The folder \S+no does not exist: .* another --out\./],
    [
      ['run', 'in.jsonl', '-o', 'o.jsonl', '--errors', 'no/e.jsonl', '--sim'],
      /\S+no does not exist.*--errors/,
    ],
    [
      ['run', 'in.jsonl', '-o', 'o.jsonl', '--journal', 'no/j.jsonl', '--sim'],
      /\S+no does not exist.*--journal/,
    ],
    [['run', 'in.jsonl', '-o', '-', '--journal', 'no/j.jsonl', '--sim'], /\S+no does not exist.*--journal/],
  ])('%j is a usage error: %s', async (argv, message) => {
    const { code, err } = await cli(argv);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/positional|ERR_PARSE_ARGS|To specify/);
    expect(code).toBe(2);
  });

  it.each([
    ['http://127.0.0.1:/v1', /has a colon but no port/],
    ['http://[::1]:/v1', /has a colon but no port/],
    ['localhost:8000/v1', /must start with http:\/\/ or https:\/\//],
    ['not a url', /is not a URL; expected something like http:\/\/localhost:8000\/v1/],
  ])('rejects --base-url %s before anything starts', async (url, message) => {
    const dir = await folder();
    const { code, err } = await cli(['run', 'in.jsonl', '-o', 'o.jsonl', '--base-url', url], {}, dir);
    expect(err).toMatch(message);
    expect(code).toBe(2);
    await expect(readFile(join(dir, 'o.jsonl'))).rejects.toThrow(/ENOENT/);
  });

  it('rejects a malformed OPENAI_BASE_URL and names the variable', async () => {
    const { code, err } = await cli(['run', 'in.jsonl', '-o', 'o.jsonl'], {
      OPENAI_BASE_URL: 'http://h:/v1',
    });
    expect(err).toMatch(/^volley: OPENAI_BASE_URL 'http:\/\/h:\/v1' has a colon but no port/);
    expect(code).toBe(2);
  });

  it('gives unknown keys in the config file a did-you-mean', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'volley.json'), '{"rmp": 600}');
    const { code, err } = await cli(['run', 'in.jsonl', '-o', 'o.jsonl', '--config', 'volley.json'], {}, dir);
    expect(err).toMatch(/Unknown key 'rmp' in the config file volley\.json\. Did you mean 'rpm'\?/);
    expect(code).toBe(2);
  });
});

describe('no silent simulator', () => {
  it.each([
    [[], 'OPENAI_API_KEY'],
    [['--provider', 'anthropic'], 'ANTHROPIC_API_KEY'],
    [['--api-key-env', 'MY_KEY'], 'MY_KEY'],
  ])('without a key or --base-url, run %j exits 2 naming %s and --sim', async (extra, variable) => {
    const dir = await folder();
    const { code, err } = await cli(['run', 'in.jsonl', '-o', 'o.jsonl', ...extra], {}, dir);
    expect(err).toContain(`set ${variable}`);
    expect(err).toContain('--sim');
    expect(err).not.toMatch(/--api-key[^-]/);
    expect(code).toBe(2);
    await expect(readFile(join(dir, 'o.jsonl'))).rejects.toThrow(/ENOENT/);
  });

  it('does the same for volley flow', async () => {
    const dir = await folder(['"tides"']);
    const module = join(dir, 'echo-flow.mts');
    const flows = new URL('../flows/index.ts', import.meta.url).pathname;
    await writeFile(
      module,
      `import { flow } from '${flows}';\nexport default flow('echo', async (x: string) => x);\n`,
    );
    const { code, err } = await cli(['flow', module, '-i', 'in.jsonl', '-o', 'o.jsonl'], {}, dir);
    expect(err).toMatch(/No API key: set OPENAI_API_KEY .* or --sim/);
    expect(code).toBe(2);
  });

  it('answers from the simulator with --sim, and a dry run needs no key', async () => {
    const dir = await folder(['"a"', '"b"', '"c"']);
    const sim = ['--sim', '--sim-latency', '5ms', '-q'];
    const run = await cli(['run', 'in.jsonl', '-o', 'o.jsonl', ...sim], {}, dir);
    expect(run.code).toBe(0);
    const lines = (await readFile(join(dir, 'o.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).response.status_code)).toEqual([200, 200, 200]);
    const dry = await cli(['run', 'in.jsonl', '--dry-run'], {}, dir);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/3 to send/);
  });

  it('answers as Anthropic from the simulator with --sim --provider anthropic', async () => {
    const dir = await folder(['"a"']);
    const argv = [
      'run',
      'in.jsonl',
      '-o',
      'o.jsonl',
      '--provider',
      'anthropic',
      '--sim',
      '--sim-latency',
      '5ms',
      '-q',
    ];
    expect((await cli(argv, {}, dir)).code).toBe(0);
    const record = JSON.parse(await readFile(join(dir, 'o.jsonl'), 'utf8'));
    expect(record.response.body.type).toBe('message'); // the Messages API's own body
  });
});

describe('--provider anthropic', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it('reaches the Anthropic Messages API with ANTHROPIC_API_KEY', async () => {
    const seen: { path?: string; key?: string | string[]; model?: string } = {};
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const key = req.headers['x-api-key'] ?? req.headers.authorization;
        Object.assign(seen, { path: req.url, key, model: JSON.parse(body).model });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-sonnet-4-5',
            content: [{ type: 'text', text: 'The Nile.' }],
            stop_reason: 'end_turn',
            usage: { input_tokens: 5, output_tokens: 3 },
          }),
        );
      });
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    const dir = await folder();
    const argv = ['run', 'in.jsonl', '-o', 'o.jsonl', '--provider', 'anthropic', '-q'];
    const { code, err } = await cli(
      argv,
      { ANTHROPIC_API_KEY: 'anthropic-key', ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` },
      dir,
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(seen).toMatchObject({ path: '/v1/messages', model: 'claude-sonnet-4-5' });
    expect(String(seen.key)).toContain('anthropic-key'); // x-api-key, or a bearer token
    const record = JSON.parse(await readFile(join(dir, 'o.jsonl'), 'utf8'));
    expect(record.response.body.content[0].text).toBe('The Nile.'); // the provider's own body
  });
});

describe('exit codes', () => {
  const failing = (error: unknown) => [
    {
      name: 'boom',
      summary: '',
      load: async (): Promise<Command> => ({ name: 'boom', usage: '', run: () => Promise.reject(error) }),
    },
  ];
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    syscall: 'write',
    code: 'ENOSPC',
  });

  it.each([
    [new UsageError('bad'), EXIT.usage],
    [new OptionError('bad'), EXIT.usage],
    [enospc, EXIT.fatal],
    [new TypeError("Cannot read properties of undefined (reading 'x')"), EXIT.internal],
    [new RangeError('Invalid array length'), EXIT.internal],
    [new Error('unexpected'), EXIT.internal],
    ['a string', EXIT.internal],
  ])('maps %s to %i', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });

  it('calls an internal error a bug, with the command, and the stack only with VOLLEY_DEBUG=1', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'lanes')");
    const io = testIO();
    expect(await runCli(['boom', '--flag'], io, failing(bug))).toBe(70);
    expect(io.err()).toContain(
      "volley: internal error: Cannot read properties of undefined (reading 'lanes')",
    );
    expect(io.err()).toContain(
      'This is a bug in Volley, please report it with the command: volley boom --flag',
    );
    expect(io.err()).not.toContain('at ');
    const debug = testIO({ env: { VOLLEY_DEBUG: '1' } });
    expect(await runCli(['boom'], debug, failing(bug))).toBe(70);
    expect(debug.err()).toContain('main.test.ts');
  });

  it('never shows the key of --api-key-env in an error', async () => {
    const key = 'sk-sentinel-0123456789abcdef';
    const io = testIO({ env: { TEAM_KEY: key } });
    const code = await runCli(['boom', '--api-key-env', 'TEAM_KEY'], io, failing(new Error(`sent ${key}`)));
    expect(code).toBe(70);
    expect(io.err()).toContain('sent ');
    expect(io.err()).not.toContain(key);
  });
});
