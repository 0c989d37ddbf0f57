import { isSkipped, type Metric, type Outcome } from './Metric.js';
import { spreadOf, type Stats } from './Stats.js';

const fmt = (x: number): string => {
  if (x >= 1_000_000) return `${(x / 1_000_000).toFixed(2)} M`;
  if (x >= 10_000) return `${(x / 1000).toFixed(1)} k`;
  if (x >= 100) return x.toFixed(0);
  return x.toFixed(2);
};
const cell = (s: Stats): string => `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})`;

/**
 * The human table: one row per target with medians, min-max, ratio, target, verdict
 * and how far the rounds spread; notes below.
 *
 * @example
 * console.log(table(outcomes));
 */
export const table = (outcomes: readonly Outcome[]): string => {
  const head = ['metric', 'value: median (min-max)', 'baseline: median (min-max)', 'ratio', 'target', 'pass', 'spread v/b', 'unit'];
  const rows = outcomes.map((o) => (isSkipped(o)
    ? [o.metric, `skipped: ${o.why}`, '', '', '', 'n/a', '', '']
    : [o.metric, cell(o.value), cell(o.baseline), `${o.ratio.toFixed(2)}x`, o.target, o.pass ? 'PASS' : 'FAIL',
      `${(spreadOf(o.value) * 100).toFixed(0)}% / ${(spreadOf(o.baseline) * 100).toFixed(0)}%`, o.unit]));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const out = [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  const metrics = outcomes.filter((o): o is Metric => !isSkipped(o));
  out.push('', ...metrics.flatMap((m) => [`${m.metric}: ${m.what}; baseline: ${m.baselineWhat}`, ...(m.notes ?? []).map((n) => `    ${n}`)]));
  return out.join('\n');
};

/**
 * The `--json` form: one object per target.
 *
 * @example
 * console.log(JSON.stringify(jsonReport(outcomes)));
 */
export const jsonReport = (outcomes: readonly Outcome[]): unknown[] => outcomes.map((o) => (isSkipped(o)
  ? { metric: o.metric, value: null, baseline: null, ratio: null, target: null, pass: false, skipped: o.why }
  : { metric: o.metric, value: o.value.median, baseline: o.baseline.median, ratio: o.ratio, target: o.target, pass: o.pass, unit: o.unit }));
