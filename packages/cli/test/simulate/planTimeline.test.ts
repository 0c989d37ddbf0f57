import { describe, expect, it } from 'vitest';
import { createPersonas } from '../../src/simulate/Persona.js';
import { planTimeline } from '../../src/simulate/planTimeline.js';
import { seededRandom } from '../../src/simulate/seededRandom.js';
import { DAY } from '../../src/simulate/SimulationConfig.js';

const start = Date.UTC(2026, 0, 1);
const plan = (seed: number, threads: number, days: number) =>
  planTimeline(seededRandom(seed), createPersonas(seededRandom(seed + 1), threads), { threads, days, seed, faults: 'none' }, start);

describe('planTimeline: one Page has calling off for a while', () => {
  it('switches one Page off and back on inside the run, one to two days later, the same for the same seed', () => {
    for (const [seed, threads, days] of [[7, 1000, 30], [11, 60, 4], [3, 10, 1]] as const) {
      const switches = plan(seed, threads, days).flatMap((a) => (a.kind === 'page_calling' ? [a] : []));
      expect(switches.map((a) => a.enabled)).toEqual([false, true]);
      const [off, on] = [switches[0]!, switches[1]!];
      expect(on.pageId).toBe(off.pageId);
      expect(off.at).toBeGreaterThanOrEqual(start);
      expect(on.at).toBeLessThanOrEqual(start + days * DAY);
      expect(on.at - off.at).toBeLessThanOrEqual(2 * DAY);
      expect(plan(seed, threads, days)).toEqual(plan(seed, threads, days));
    }
  });
});
