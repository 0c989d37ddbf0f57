import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, vi } from 'vitest';
import { deadlineQueue } from '../../src/webhook/deadlineQueue.js';

/** One step: register a deadline, cancel one registered earlier, or let time pass. */
type Step =
  | { readonly kind: 'add' }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'wait'; readonly ms: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ kind: 'add' as const }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 120 })) }),
);

describe('deadlineQueue: every budget on one timer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test.prop([fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 100 })), fc.array(stepArb, { maxLength: 40 })])(
    'a deadline fires once, in order, exactly when its time has come and it was not cancelled before',
    (ms, steps) => {
      const queue = deadlineQueue(ms);
      const added: { at: number; cancelledAt: number | null; firedAt: number | null; cancel: () => void }[] = [];
      const fired: number[] = [];
      for (const step of steps) {
        if (step.kind === 'add') {
          const i = added.length;
          const entry: { at: number; cancelledAt: number | null; firedAt: number | null; cancel: () => void } = { at: performance.now() + ms, cancelledAt: null, firedAt: null, cancel: () => undefined };
          added.push(entry);
          entry.cancel = queue.add(() => {
            expect(entry.firedAt).toBeNull();
            entry.firedAt = performance.now();
            fired.push(i);
          }).cancel;
        } else if (step.kind === 'cancel' && added.length > 0) {
          const e = added[step.pick % added.length]!;
          if (e.firedAt === null && e.cancelledAt === null) e.cancelledAt = performance.now();
          e.cancel();
        } else if (step.kind === 'wait') {
          vi.advanceTimersByTime(step.ms);
        }
      }
      vi.advanceTimersByTime(ms + 1);
      for (const e of added) {
        if (e.cancelledAt !== null) expect(e.firedAt).toBeNull();
        else expect(e.firedAt).not.toBeNull();
        if (e.firedAt !== null) expect(e.firedAt).toBeGreaterThanOrEqual(e.at);
      }
      expect(fired).toEqual([...fired].sort((a, b) => a - b));
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  test.prop([fc.integer({ min: 1, max: 5000 })])('a thousand deliveries answered in time use one timer, and none once they are done', (ms) => {
    const queue = deadlineQueue(ms);
    const deadlines = Array.from({ length: 1000 }, () => queue.add(() => {
      throw new Error('no delivery was late');
    }));
    expect(vi.getTimerCount()).toBe(1);
    for (const d of deadlines) d.cancel();
    vi.advanceTimersByTime(ms);
    expect(vi.getTimerCount()).toBe(0);
  });
});
