import type { Metric } from './Metric.js';
import type { Stats } from './Stats.js';

interface MetricInput {
  metric: string; what: string; unit: string; baselineWhat: string;
  value: Stats; baseline: Stats; notes?: readonly string[];
}

const build = (m: MetricInput, target: string, pass: boolean): Metric => ({
  metric: m.metric, what: m.what, unit: m.unit, value: m.value, baseline: m.baseline, baselineWhat: m.baselineWhat,
  ratio: m.value.median / m.baseline.median, target, pass, ...(m.notes ? { notes: m.notes } : {}),
});

/**
 * A metric whose figure must be at least `atLeast` times its baseline (medians).
 *
 * @example
 * metricOf({ metric: 'P1', ..., atLeast: 0.25 });
 */
export const metricOf = (m: MetricInput & { atLeast: number }): Metric =>
  build(m, `>= ${m.atLeast}x`, m.value.median / m.baseline.median >= m.atLeast);

/**
 * A metric with an absolute floor on its median (the baseline is shown for context).
 *
 * @example
 * floorMetricOf({ metric: 'P3', ..., floor: 1_000_000 });
 */
export const floorMetricOf = (m: MetricInput & { floor: number }): Metric =>
  build(m, `>= ${m.floor.toLocaleString('en')} ${m.unit}`, m.value.median >= m.floor);

/**
 * A metric whose figure must stay at or below `atMost` times its baseline and/or
 * at or below `absolute` (lower is better).
 *
 * @example
 * ceilingMetricOf({ metric: 'P4:memory', ..., atMost: 1.2 });
 */
export const ceilingMetricOf = (m: MetricInput & { atMost?: number; absolute?: number }): Metric => {
  const ratio = m.value.median / m.baseline.median;
  const okRatio = m.atMost === undefined || ratio <= m.atMost;
  const okAbs = m.absolute === undefined || m.value.median <= m.absolute;
  const target = [m.atMost === undefined ? null : `<= ${m.atMost}x`, m.absolute === undefined ? null : `<= ${m.absolute} ${m.unit}`]
    .filter((x) => x !== null).join(' and ');
  return build(m, target, okRatio && okAbs);
};
