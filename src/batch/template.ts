/**
 * `--template 'Summarise: {{text}}'`: a prompt filled from each line's fields. `{{a.b}}` reads a
 * nested field; strings go in as they are, other values as JSON. A field the line lacks is an
 * error naming it, never a silent blank.
 */

export interface Template {
  readonly source: string;
  /** Field paths the template reads, in order of appearance. */
  readonly fields: readonly string[];
  fill(values: Readonly<Record<string, unknown>>): { ok: true; text: string } | { ok: false; field: string };
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$0-9][\w$-]*)*$/;

/** Throws a `TypeError` naming the bad placeholder when the template cannot be used. */
export function compileTemplate(source: string): Template {
  const parts: string[] = [];
  const paths: string[][] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const path = match[1]!;
    if (!PATH.test(path)) {
      throw new TypeError(`The template placeholder '${match[0]}' is not a field name such as {{text}}.`);
    }
    parts.push(source.slice(last, match.index));
    paths.push(path.split('.'));
    last = match.index + match[0].length;
  }
  if (paths.length === 0) {
    throw new TypeError(
      `The template '${source}' has no {{field}} placeholder: every line would get the same prompt.`,
    );
  }
  const tail = source.slice(last);
  return {
    source,
    fields: paths.map((p) => p.join('.')),
    fill(values) {
      let text = '';
      for (let i = 0; i < paths.length; i++) {
        const value = lookup(values, paths[i]!);
        if (value === undefined || value === null) return { ok: false, field: paths[i]!.join('.') };
        text += parts[i]! + (typeof value === 'string' ? value : JSON.stringify(value));
      }
      return { ok: true, text: text + tail };
    },
  };
}

function lookup(values: unknown, path: readonly string[]): unknown {
  let current = values;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
