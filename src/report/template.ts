/**
 * HTML by tagged templates that escape by default: every interpolated string is escaped for text
 * and quoted attributes alike, so a model name or an error message from the data can neither break
 * the markup nor add a script. Only `Html` values (other templates, or `trusted` constants) pass
 * through as they are.
 */

export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  // Lone surrogates and control characters (other than tab and newlines) are dropped too.
  return text
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '',
    )
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

export function html(strings: TemplateStringsArray, ...values: readonly Value[]): Html {
  let out = strings[0]!;
  for (let k = 0; k < values.length; k++) out += render(values[k]) + strings[k + 1]!;
  return new Html(out);
}

function render(value: Value): string {
  if (value instanceof Html) return value.text;
  if (value === null || value === undefined || value === false || value === true) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value as readonly Value[]) out += render(item);
    return out;
  }
  return escapeHtml(String(value));
}

/** Markup written in this code base, never data: passes through unescaped. */
export function trusted(text: string): Html {
  return new Html(text);
}

/** A coordinate for SVG: at most two decimals, no exponent. */
export function px(n: number): string {
  if (!Number.isFinite(n)) return '0';
  return String(Math.round(n * 100) / 100);
}
