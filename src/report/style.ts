/** The report page's only style sheet (inline; the page loads nothing) and its Content-Security-Policy. */

export const CSS = `
:root{color-scheme:light;--fg:#1d2330;--muted:#5b6475;--line:#e3e6ec;--bg:#f6f7f9;
--queued:#b4bcc8;--limit:#f0a202;--flight:#3a7bec;--backoff:#a35be8;--done:#1f9d63;--failed:#e0453f;--crit:#d6336c}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1000px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px}
.sub{color:var(--muted);margin:0 0 16px;word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.card b{display:block;font-size:19px;font-variant-numeric:tabular-nums}.card span{color:var(--muted);font-size:12px}
.card.bad b{color:var(--failed)}
.panel{background:#fff;border:1px solid var(--line);border-radius:6px;margin:12px 0;padding:10px 12px}
figcaption{font-weight:600;margin-bottom:4px}
.note{color:var(--muted);margin:4px 0;font-size:13px}
.notice{background:#fff8e6;border:1px solid #f3d48a;border-radius:6px;padding:8px 10px;margin:8px 0}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--muted);margin:2px 0 6px}
.key{display:inline-block;width:12px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.key.dashed{height:0;border-top:2px dashed;width:16px;border-radius:0;vertical-align:3px}
svg{display:block;font-family:inherit}svg.chart{width:100%;height:auto}
.grid{stroke:#eef0f4;stroke-width:1}.axis{stroke:#9aa3b2;stroke-width:1}
.tick{fill:var(--muted);font-size:11px}.empty{fill:#9aa3b2;font-size:14px}
.line{fill:none;stroke-width:2}.line.dashed{stroke-dasharray:6 4;stroke-width:1.5}
.band{stroke:none;opacity:.9}.bar{opacity:.9}
.s-queued,.c-queued{fill:var(--queued);background:var(--queued)}
.s-limit,.c-limit-wait{fill:var(--limit);background:var(--limit)}
.s-flight,.c-flight{fill:var(--flight);background:var(--flight)}
.s-backoff,.c-backoff{fill:var(--backoff);background:var(--backoff)}
.s-done{fill:var(--done);background:var(--done)}.s-failed{fill:var(--failed);background:var(--failed)}
.c-sent{stroke:#3a7bec;background:#3a7bec}.c-done{stroke:#1f9d63;background:#1f9d63}
.c-tokens{stroke:#0c8fb8;background:#0c8fb8}.c-limit{stroke:#1d2330;border-color:#1d2330;color:#1d2330}
.c-429{fill:var(--failed);background:var(--failed)}.c-retry{fill:var(--backoff);background:var(--backoff)}
.c-fail{fill:#7a1d1a;background:#7a1d1a}
.critical-mark,.c-crit{fill:var(--crit);background:var(--crit)}
.inv{stroke:#5b6475;stroke-width:1;stroke-dasharray:3 3}.inv-label{fill:var(--muted);font-size:11px}
.timeline-scroll{max-height:max(640px,70vh);overflow:auto;border-bottom:1px solid var(--line)}
.row:hover rect{opacity:.75}.row-label{font-size:11px;fill:var(--fg)}.critical .row-label{fill:var(--crit);font-weight:600}
.group-bg{fill:#f0f2f6}.group-label{font-size:12px;font-weight:600;fill:var(--fg)}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f6;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.msg{word-break:break-word;max-width:420px}code{font-size:12px}
footer{color:var(--muted);font-size:12px;margin-top:32px}
caption{text-align:left}
`;

/** A Content-Security-Policy that lets the page use its own inline styles and nothing else. */
export const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
