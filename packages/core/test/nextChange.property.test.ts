import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  decide, decisionValidUntil, nextRequestAt, requestBlocker, resolvePolicy, type PermissionRecord, type ResolvedPolicy,
} from '../src/internals.js';
import { DAY, policyArb } from './support/histories.js';
import { instantArb, recordArb } from './support/records.js';

/**
 * Instants where some rule may change its answer: every instant the record holds,
 * plus every duration the policy and the last check know, and one ms either side.
 * Built here from the record and the policy, apart from the rules' own `changesAt`.
 */
const edgesOf = (r: PermissionRecord, p: ResolvedPolicy): number[] => {
  const marks = [
    r.expiresAt, r.lastInboundAt, r.declinedAt, r.refusal?.at, r.pending?.at, r.remote?.at, r.evidence?.at, ...r.requests,
  ].filter((x): x is number => typeof x === 'number');
  const spans = [
    0, p.reminderAfterMs, p.afterDeclineMs ?? 0, p.messagingWindowMs, p.pendingReplyTimeoutMs, ...p.quota.map((q) => q.periodMs),
    ...(r.remote?.requestLimits ?? []).map((l) => l.periodMs), ...(r.remote?.startCallLimits ?? []).map((l) => l.periodMs),
  ];
  return marks.flatMap((m) => spans.flatMap((s) => [m + s - 1, m + s, m + s + 1]));
};

describe('one source for "when does the answer change" (rule 8)', () => {
  test.prop([policyArb, recordArb, instantArb])('nextRequestAt is exact: a request may go then, and at no edge before it', (policy, record, at) => {
    const p = resolvePolicy(policy);
    const next = nextRequestAt(record, at, p);
    const edges = edgesOf(record, p).filter((t) => t >= at && t <= at + 30 * DAY);
    if (next === null) {
      for (const t of edges) expect(requestBlocker(record, t, p)).not.toBeNull();
      return;
    }
    expect(requestBlocker(record, next, p)).toBeNull();
    for (const t of [at, ...edges].filter((x) => x < next)) expect(requestBlocker(record, t, p)).not.toBeNull();
  });

  test.prop([policyArb, recordArb, instantArb])('decisionValidUntil: at no edge before it does the decision change', (policy, record, at) => {
    const p = resolvePolicy(policy);
    const until = decisionValidUntil(record, at, p);
    const first = decide(record, at, p);
    for (const t of edgesOf(record, p).filter((x) => x > at && x < until)) {
      expect(decide(record, t, p)).toStrictEqual(first.canRequest ? { ...first, nextRequestAt: t } : first);
    }
  });
});
