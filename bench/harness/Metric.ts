import type { Stats } from './Stats.js';

/** One measured target: the product's figure next to its in-run baseline. */
export interface Metric {
  /** `P1`, `P2:sqlite`, ... as printed by `--json`. */
  readonly metric: string;
  /** What was measured, in a few words. */
  readonly what: string;
  readonly unit: string;
  readonly value: Stats;
  readonly baseline: Stats;
  /** What the baseline is. */
  readonly baselineWhat: string;
  /** value.median / baseline.median. */
  readonly ratio: number;
  /** The target, as text (e.g. `>= 0.25x`). */
  readonly target: string;
  readonly pass: boolean;
  /** Extra figures worth printing (e.g. the XState path for comparison). */
  readonly notes?: readonly string[];
}

/** A metric that could not be measured here (server unreachable, not built yet). */
export interface Skipped {
  readonly metric: string;
  readonly why: string;
}

export type Outcome = Metric | Skipped;

export const isSkipped = (o: Outcome): o is Skipped => 'why' in o;
