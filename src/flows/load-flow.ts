/**
 * Loads a flow module: a `.ts` file (through tsx) or a `.js`/`.mjs` file that exports a flow, as
 * its default export, under the name asked for, or as its only flow export. A module that cannot
 * be loaded or exports no flow is the caller's mistake: an `OptionError` (exit 2 on the CLI).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OptionError } from '../options/check.js';
import { type Flow, isFlow } from './flow.js';

export async function loadFlow(
  path: string,
  exportName?: string,
  cwd = process.cwd(),
): Promise<Flow<unknown, unknown>> {
  const url = pathToFileURL(resolve(cwd, path)).href;
  let module: Record<string, unknown>;
  try {
    if (/\.[cm]?tsx?$/.test(path)) {
      const { tsImport } = await import('tsx/esm/api');
      module = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      module = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new OptionError(`Cannot load the flow module ${path}: ${detail}`, { cause: error });
  }
  if (exportName !== undefined) {
    const named = module[exportName];
    if (isFlow(named)) return named;
    throw new OptionError(
      `${path} has no flow exported as "${exportName}"; its flows: ${flowNames(module)}.`,
    );
  }
  if (isFlow(module['default'])) return module['default'];
  const flows = Object.values(module).filter(isFlow);
  if (flows.length === 1) return flows[0]!;
  throw new OptionError(
    flows.length === 0
      ? `${path} exports no flow; export one made with flow(name, fn).`
      : `${path} exports several flows (${flowNames(module)}); pick one with --export NAME.`,
  );
}

function flowNames(module: Record<string, unknown>): string {
  const names = Object.entries(module)
    .filter(([, value]) => isFlow(value))
    .map(([name]) => name);
  return names.length === 0 ? 'none' : names.join(', ');
}
