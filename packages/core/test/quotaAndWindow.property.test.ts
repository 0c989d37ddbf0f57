import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { historyArb, play, policyArb, resolved } from './support/histories.js';

// Rule a: no rolling window ever holds more opt-ins than the policy allows,
// counting the usage Meta reported on the last check.
// Rule b: an opt-in goes out only inside the messaging window (strict: only when it is known).
describe('quota and messaging window', () => {
  test.prop([policyArb, historyArb])('no rolling window exceeds its maximum', (policy, moves) => {
    const p = resolved(policy);
    const { sends, resets } = play(moves, p);
    sends.forEach((s, i) => {
      // A send still counts at send i unless a quota reset (a connected call, where the policy says so) came between.
      const counts = (j: number): boolean => !resets.some((r) => r > j && r <= i);
      for (const w of p.quota) {
        const inWindow = sends.filter((o, j) => j <= i && o.at > s.at - w.periodMs && o.at <= s.at && counts(j)).length;
        expect(inWindow).toBeLessThanOrEqual(w.max);
      }
    });
  });

  test.prop([policyArb, historyArb])('remote usage from the last check counts against the quota', (policy, moves) => {
    const p = resolved(policy);
    const { sends } = play(moves, p);
    for (const s of sends) {
      const remote = s.remote;
      if (!remote) continue;
      for (const l of remote.requestLimits) {
        // Meta's word on when a used-up limit frees (limit_expiration_time) ends what the check counts.
        if (s.at >= (l.freesAt ?? remote.at + l.periodMs)) continue;
        const local = p.quota.find((q) => q.periodMs === l.periodMs);
        const max = Math.min(l.max, local?.max ?? Infinity);
        const since = sends.filter((o) => o.at > remote.at && o.at <= s.at).length;
        expect(l.used + since).toBeLessThanOrEqual(max);
      }
    }
  });

  test.prop([policyArb, historyArb])('opt-ins go out only inside the messaging window, but for templates where the policy has one', (policy, moves) => {
    const p = resolved(policy);
    const { sends } = play(moves, p);
    for (const s of sends) {
      if (s.message === 'template') {
        expect(p.templateOutsideWindow).toBe(true);
        continue;
      }
      if (s.lastInboundAt === null) expect(p.requireKnownMessagingWindow).toBe(false);
      else expect(s.at).toBeLessThan(s.lastInboundAt + p.messagingWindowMs);
    }
  });
});
