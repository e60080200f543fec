import { pseudoPhrase, pseudoText } from './pseudo-words.js';
import { pick, type Random, randomInt } from './rng.js';

/** The `json_object` answer: a small valid object, with `items` when the prompt asked for a list. */
export function jsonObjectAnswer(random: Random, count: number | undefined): string {
  const answer = pseudoText(random, 8);
  if (count === undefined) return JSON.stringify({ answer, n: answer.split(' ').length });
  const items = Array.from({ length: count }, () => pseudoPhrase(random, 2, 5));
  return JSON.stringify({ answer, n: count, items });
}

type Schema = Record<string, unknown>;

// Deep or self-referencing schemas stop here with null rather than recursing forever.
const MAX_DEPTH = 8;

/**
 * The `json_schema` answer: a value shaped by the schema (objects, arrays, strings, numbers, enums,
 * `$ref` into `$defs`), so structured-output code can be exercised offline. Not a full validator's
 * worth of JSON Schema: patterns and string formats other than dates are ignored.
 */
export function jsonSchemaAnswer(random: Random, schema: unknown, count: number | undefined): string {
  const root = isSchema(schema) ? schema : {};
  return JSON.stringify(valueFor(root, { random, root, count }, 0));
}

interface Context {
  readonly random: Random;
  readonly root: Schema;
  readonly count: number | undefined;
}

function valueFor(schema: Schema, context: Context, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  const { random } = context;
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return pick(random, schema['enum']);
  if (typeof schema['$ref'] === 'string')
    return valueFor(resolveRef(context.root, schema['$ref']), context, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      // The first alternative that is not plain null: schemas often spell "optional" as anyOf [T, null].
      const chosen = options.find((option) => isSchema(option) && option['type'] !== 'null') ?? options[0];
      return valueFor(isSchema(chosen) ? chosen : {}, context, depth + 1);
    }
  }
  const type = Array.isArray(schema['type']) ? schema['type'].find((t) => t !== 'null') : schema['type'];
  switch (type ?? (isSchema(schema['properties']) ? 'object' : 'string')) {
    case 'object': {
      const properties = isSchema(schema['properties']) ? schema['properties'] : {};
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        value[name] = valueFor(isSchema(property) ? property : {}, context, depth + 1);
      }
      return value;
    }
    case 'array': {
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 1;
      const max = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : Math.max(min, 3);
      // An array is where a prompt's "5 ideas" belongs, within what the schema allows.
      const length = Math.min(max, Math.max(min, context.count ?? randomInt(random, min, max)));
      const items = isSchema(schema['items']) ? schema['items'] : {};
      return Array.from({ length }, () => valueFor(items, context, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = typeof schema['minimum'] === 'number' ? Math.ceil(schema['minimum']) : 0;
      const max = typeof schema['maximum'] === 'number' ? Math.floor(schema['maximum']) : min + 100;
      return randomInt(random, min, Math.max(min, max));
    }
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    default:
      if (schema['format'] === 'date-time') return '2024-01-01T00:00:00Z';
      if (schema['format'] === 'date') return '2024-01-01';
      return pseudoPhrase(random, 1, 4);
  }
}

function resolveRef(root: Schema, ref: string): Schema {
  // Only local references ("#/$defs/Step"); anything else becomes an empty (string) schema.
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    node = isSchema(node) ? node[part.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  }
  return isSchema(node) ? node : {};
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
