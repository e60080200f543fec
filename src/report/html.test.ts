import { describe, expect, it } from 'vitest';
import { decodeRun } from './decode.js';
import { renderReport, reportModel } from './page.js';
import type { RunRecord } from './record-format.js';
import { escapeHtml, html, trusted } from './template.js';

const HOSTILE = `</title><script>alert(1)</script>"><img src=x onerror=alert(2)>'&`;

/** Tags the report writes itself; anything else in the page would have come from the data. */
const OUR_TAGS = new Set(
  'html head meta title style body main h1 h2 p code br section div b span i table thead tbody tr th td caption figure figcaption svg g rect line text path footer'.split(
    ' ',
  ),
);

function hostileRun(): RunRecord[] {
  const records: RunRecord[] = [
    {
      e: 'run',
      v: 1,
      at: 0,
      wall: '2024-01-01T00:00:00.000Z',
      meta: { command: `volley run ${HOSTILE}`, model: HOSTILE, labels: { [HOSTILE]: HOSTILE } },
      limits: {},
    },
    { e: 'lane', l: 0, k: `openai:${HOSTILE}|${HOSTILE}`, m: HOSTILE },
    { e: 'ls', t: 0, l: 0, f: 1, q: 1, c: 1, w: HOSTILE },
  ];
  for (let k = 0; k < 3; k++) {
    const i = `${HOSTILE}-${k}`;
    records.push(
      { e: 'q', i, l: 0, t: k, n: 1 },
      { e: 's', i, l: 0, t: k + 1, a: 1 },
      { e: 'y', i, l: 0, t: k + 2, a: 1, ms: 5, c: HOSTILE, st: 500 },
      { e: 's', i, l: 0, t: k + 8, a: 2 },
      k === 0
        ? { e: 'f', i, l: 0, t: k + 20, a: 2, lat: 12, qd: 7, in: 5, out: 5, fr: HOSTILE, m: HOSTILE }
        : {
            e: 'x',
            i,
            l: 0,
            t: k + 20,
            a: 2,
            qd: 7,
            lat: 12,
            c: HOSTILE,
            st: 500,
            msg: `${HOSTILE}\u0000\ud800 end`,
          },
    );
  }
  records.push({ e: 'end', t: 30, wall: '2024-01-01T00:00:00.030Z' });
  return records;
}

describe('escaping', () => {
  it('escapes the five HTML-significant characters and drops control characters and lone surrogates', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('a\u0000b\u001fc\td\ne\ud800f😀')).toBe('abc\td\nef😀');
  });

  it('escapes every interpolated string, and only passes templates and trusted constants through', () => {
    const inner = html`<b>${'<i>'}</b>`;
    const out = html`<p title="${'"x"'}">${inner}${['<', 1, null, undefined, false, true]}${trusted('<br>')}${Number.NaN}</p>`;
    expect(out.text).toBe('<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;1<br></p>');
  });

  it('renders a report whose every string is hostile without a tag, attribute or resource from the data', () => {
    const model = reportModel(decodeRun(hostileRun())!, { source: HOSTILE });
    const page = renderReport(model, new Date(0));
    // The data is there, as text.
    expect(page).toContain(
      '&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;',
    );
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('\u0000');
    const tags = [...page.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)];
    expect(tags.length).toBeGreaterThan(100);
    for (const [tag, name, attributes] of tags) {
      expect(OUR_TAGS.has(name!.toLowerCase()), tag).toBe(true);
      expect(attributes, tag).not.toMatch(/\son\w+\s*=|\s(src|href|xlink:href)\s*=|url\(/i);
    }
    // The head keeps its one title, and the policy that forbids loading anything.
    const head = page.slice(0, page.indexOf('</head>'));
    expect(head.match(/<title>/g)).toHaveLength(1);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
  });
});
