/**
 * What `volley --help` loads, read from the sources: the modules `main.ts` imports statically,
 * and theirs. Commands, SDKs, the tokenizer and the simulator must be behind a dynamic `import()`,
 * so that a start-up stays close to a bare `node` (issue 9.5). No timing: the import graph is what
 * makes start-up fast or slow, and it does not depend on the machine.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');
// `import x from '...'`, `import { a, type B } from '...'`, `export * from '...'`, `import '...'`;
// not `import type` (erased) and not `import('...')` (lazy).
const STATIC = /^\s*(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC)) {
      if (specifier!.startsWith('.')) visit(join(dirname(file), specifier!.replace(/\.js$/, '.ts')));
      else if (!specifier!.startsWith('node:')) packages.add(specifier!);
    }
  };
  visit(join(SRC, entry));
  return { files: [...files].map((f) => relative(SRC, f)).sort(), packages: [...packages].sort() };
}

describe('start-up', () => {
  it('loads no package and no command before it knows which command runs', () => {
    const { files, packages } = staticGraph('cli/main.ts');
    expect(packages).toEqual([]);
    expect(files.filter((f) => f.startsWith('cli/commands/') && f !== 'cli/commands/index.ts')).toEqual([]);
    expect(
      files.filter((f) => /^(client|scheduler\/lane|simulator|tokens|batch\/run-batch|run\/)/.test(f)),
    ).toEqual([]);
  });

  it('sends the first request of `volley run` before loading the report page, OpenTelemetry, the dry run or the progress bar', () => {
    const { files, packages } = staticGraph('cli/commands/run.ts');
    // The provider and its SDK come in when the provider is built, and only the one asked for.
    expect(packages).toEqual([]);
    expect(files.filter((f) => /^providers\/(index|openai|anthropic)/.test(f))).toEqual([]);
    const later =
      /^(report\/(index|page|panels|decode|run-tally)|telemetry\/otel|batch\/dry-run|cli\/progress\/(tracker|render))/;
    expect(files.filter((f) => later.test(f))).toEqual([]);
  });
});
