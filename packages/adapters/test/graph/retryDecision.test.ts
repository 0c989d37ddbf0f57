import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { GraphFailureKind } from '@callperm/core';
import { defaultRetryPolicy, retryDecision, type RetryPolicy } from '@callperm/adapters/graph';

const kinds: readonly GraphFailureKind[] = [
  'throttled', 'request_limit', 'auth', 'permission', 'outside_window', 'person_unavailable', 'invalid', 'calling_not_enabled', 'transient', 'unknown',
];
const failure = fc.record({
  kind: fc.constantFrom(...kinds),
  processed: fc.constantFrom('no' as const, 'unknown' as const),
  retryAfterMs: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
});
const policy: fc.Arbitrary<RetryPolicy> = fc.record({
  limit: fc.integer({ min: 0, max: 5 }), baseDelayMs: fc.integer({ min: 1, max: 1000 }), maxDelayMs: fc.integer({ min: 1, max: 10_000 }),
});
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((r) => () => r);

describe('retryDecision', () => {
  test.prop([failure, policy, fc.integer({ min: 1, max: 8 }), random])(
    'never retries a write (the opt-in) that Meta may have processed',
    (f, p, attempt, rnd) => {
      const d = retryDecision({ effect: 'write', attempt, failure: { ...f, processed: 'unknown' }, policy: p, random: rnd });
      expect(d.retry).toBe(false);
    },
  );

  test.prop([failure, policy, fc.integer({ min: 1, max: 8 }), fc.constantFrom('read' as const, 'write' as const), random])(
    'retries only throttling and passing faults, within the limit, after 1 ms..max',
    (f, p, attempt, effect, rnd) => {
      const d = retryDecision({ effect, attempt, failure: f, policy: p, random: rnd });
      if (!d.retry) return;
      expect(['throttled', 'transient']).toContain(f.kind);
      expect(attempt).toBeLessThanOrEqual(p.limit);
      expect(d.delayMs).toBeGreaterThanOrEqual(1);
      expect(d.delayMs).toBeLessThanOrEqual(Math.max(1, p.maxDelayMs));
    },
  );

  test.prop([policy, fc.integer({ min: 1, max: 5 }), random])('reads retry passing faults until the limit', (p, attempt, rnd) => {
    const d = retryDecision({ effect: 'read', attempt, failure: { kind: 'transient', processed: 'unknown' }, policy: p, random: rnd });
    expect(d.retry).toBe(attempt <= p.limit);
  });

  // Was: a throttled write with no wait was retried. Now only Meta's own short wait is slept on (below).
  test.prop([fc.constantFrom({ kind: 'throttled' as const, retryAfterMs: 1_000 }, { kind: 'transient' as const })])(
    'a write refused before processing may be retried',
    (f) => {
      const d = retryDecision({ effect: 'write', attempt: 1, failure: { ...f, processed: 'no' }, policy: defaultRetryPolicy, random: () => 0.5 });
      expect(d.retry).toBe(true);
    },
  );

  test.prop([failure, policy, fc.integer({ min: 1, max: 8 }), fc.constantFrom('read' as const, 'write' as const), random])(
    'a throttle is retried only after the wait Meta gave, and only when it fits maxDelayMs',
    (f, p, attempt, effect, rnd) => {
      const d = retryDecision({ effect, attempt, failure: { ...f, kind: 'throttled' }, policy: p, random: rnd });
      if (f.retryAfterMs === undefined || f.retryAfterMs > p.maxDelayMs) expect(d.retry).toBe(false);
      if (d.retry) expect(d.delayMs).toBe(Math.max(1, Math.ceil(f.retryAfterMs ?? 0)));
    },
  );

  test.prop([failure, policy, fc.integer({ min: 1, max: 8 }), fc.constantFrom('read' as const, 'write' as const), random])(
    'the opt-in request limit is never retried',
    (f, p, attempt, effect, rnd) => {
      expect(retryDecision({ effect, attempt, failure: { ...f, kind: 'request_limit' }, policy: p, random: rnd }).retry).toBe(false);
    },
  );

  test.prop([fc.integer({ min: 5_001, max: 3_600_000 })])('a throttle asking to wait longer than allowed is returned, not slept on', (wait) => {
    const d = retryDecision({ effect: 'read', attempt: 1, failure: { kind: 'throttled', processed: 'no', retryAfterMs: wait }, policy: defaultRetryPolicy });
    expect(d).toEqual({ retry: false, why: 'wait_too_long' });
  });

  test.prop([fc.integer({ min: 1, max: 4 })])('backoff doubles and is capped, with jitter in the upper half', (attempt) => {
    const p = { limit: 10, baseDelayMs: 100, maxDelayMs: 500 };
    const step = Math.min(500, 100 * 2 ** (attempt - 1));
    const low = retryDecision({ effect: 'read', attempt, failure: { kind: 'transient', processed: 'no' }, policy: p, random: () => 0 });
    const high = retryDecision({ effect: 'read', attempt, failure: { kind: 'transient', processed: 'no' }, policy: p, random: () => 0.999999 });
    expect(low).toEqual({ retry: true, delayMs: step / 2 });
    expect(high).toEqual({ retry: true, delayMs: step });
  });
});
