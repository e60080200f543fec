/** `--prices FILE`: a JSON object of model names to prices per million tokens. */
import { readFile } from 'node:fs/promises';
import { OptionError } from '../options/check.js';
import type { ModelPrice, PriceTable } from './table.js';

/**
 * Reads `{"model": {"input": 0.15, "output": 0.6}, ...}` (optionally `batchInput`, `batchOutput`);
 * throws an `OptionError` (a usage error) naming the file and the bad entry.
 */
export async function readPriceFile(path: string): Promise<PriceTable> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new OptionError(`Cannot read the price file ${path}: ${(error as Error).message}`);
  }
  return checkPrices(parsed, path);
}

const FIELDS = ['input', 'output', 'batchInput', 'batchOutput'] as const;

export function checkPrices(value: unknown, where: string): PriceTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OptionError(
      `${where} must hold an object of model names to {"input", "output"} prices per million tokens.`,
    );
  }
  for (const [model, price] of Object.entries(value)) {
    const entry = (price ?? {}) as Partial<Record<(typeof FIELDS)[number], unknown>>;
    const bad = FIELDS.find((field) => {
      const v = entry[field];
      const required = field === 'input' || field === 'output';
      return (required || v !== undefined) && !(typeof v === 'number' && v >= 0);
    });
    if (bad !== undefined) {
      throw new OptionError(
        `${where}: the price of '${model}' needs "${bad}" as a number of at least 0 (USD per million tokens).`,
      );
    }
  }
  return value as Readonly<Record<string, ModelPrice>>;
}
