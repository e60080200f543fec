/** The limits: as configured, and the last in force per lane (provider and model). */
import { formatCount, formatDuration } from '../../format/index.js';
import type { ReportContext } from '../context.js';
import { lastSegment } from '../events.js';
import type { ConfiguredLimits } from '../record-format.js';
import { type Html, html } from '../template.js';
import { clip } from '../timeline-svg.js';

export interface LaneSummary {
  /** Provider and model, as a person reads them. */
  readonly label: string;
  readonly model: string;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  readonly concurrency: number | undefined;
}

export interface LimitsModel {
  readonly configured: ConfiguredLimits;
  readonly lanes: readonly LaneSummary[];
}

export function buildLimits(ctx: ReportContext): LimitsModel {
  const last = new Map<number, (typeof ctx.run.states)[number]>();
  for (const s of ctx.run.states) last.set(s.lane, s);
  return {
    configured: lastSegment(ctx.run)?.limits ?? {},
    lanes: ctx.run.lanes.map((lane) => {
      const s = last.get(lane.index);
      return {
        label: ctx.laneName(lane.index),
        model: lane.model,
        rpm: s?.rpm,
        tpm: s?.tpm,
        concurrency: s?.concurrency,
      };
    }),
  };
}

export function renderLimits(m: LimitsModel): Html {
  const l = m.configured;
  const configured = [
    l.rpm === undefined ? 'rpm learned from the server' : `${formatCount(l.rpm)} rpm`,
    l.tpm === undefined ? 'tpm learned from the server' : `${formatCount(l.tpm)} tpm`,
    l.concurrency === undefined
      ? `adaptive concurrency${l.maxConcurrency === undefined ? '' : ` up to ${formatCount(l.maxConcurrency)}`}`
      : `concurrency ${formatCount(l.concurrency)}`,
    ...(l.maxAttempts === undefined ? [] : [`${l.maxAttempts} attempts per call`]),
    ...(l.timeoutMs === undefined ? [] : [`timeout ${formatDuration(l.timeoutMs)}`]),
  ].join(' · ');
  if (m.lanes.length === 0) return html`<p class="note">Limits: ${configured}.</p>`;
  const cell = (n: number | undefined) => (n === undefined ? '–' : formatCount(n));
  const rows = m.lanes.map(
    (lane) =>
      html`<tr><td>${clip(lane.label, 120)}</td><td class="n">${cell(lane.rpm)}</td><td class="n">${cell(lane.tpm)}</td><td class="n">${cell(lane.concurrency)}</td></tr>`,
  );
  return html`<h2>Limits</h2><p class="note">Configured: ${configured}. Last in force per lane:</p>
<table><thead><tr><th>lane (provider · model)</th><th class="n">rpm</th><th class="n">tpm</th><th class="n">concurrency</th></tr></thead><tbody>${rows}</tbody></table>`;
}
