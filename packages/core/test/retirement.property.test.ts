import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decide, emptyRecord, followUpFor, resolvePolicy, retireAt, step,
  type DecisionReason, type PermissionRecord, type ResolvedPolicy,
} from '../src/internals.js';
import { DAY, HOUR, buildRemote, historyArb, play, policyArb, remoteParamsArb } from './support/histories.js';

/** The request rules that wait for the person to write again: all a retired thread may forget. */
const waitsForThePerson: readonly (DecisionReason | null)[] = [
  null, 'rejected', 'outside_messaging_window', 'person_unavailable', 'remote_request_denied', 'messaging_window_unknown',
];

/** What a host acts on; the state's name may differ (a retired `rejected` thread reads `none`). */
const answers = (r: PermissionRecord, at: number, p: ResolvedPolicy) => {
  const d = decide(r, at, p);
  return { canStartCall: d.canStartCall, canRequest: d.canRequest, requestBlockedBy: d.requestBlockedBy, nextRequestAt: d.nextRequestAt, expiresAt: d.expiresAt };
};

describe('retiring a thread', () => {
  it('is due only for a record with nothing live, and never before its newest instant plus threadRetention', () => {
    fc.assert(fc.property(policyArb, historyArb, (policy, moves) => {
      const p = resolvePolicy(policy);
      const { record } = play(moves, p);
      const at = retireAt(record, p);
      if (record.state === 'approved' || record.state === 'requested' || record.pending !== null) expect(at).toBeNull();
      if (at === null) return;
      const known = [record.lastInboundAt, record.declinedAt, record.expiresAt, record.evidence?.at, record.refusal?.at, record.remote?.at,
        record.callLimitAt, ...record.requests, ...record.calls].filter((t): t is number => typeof t === 'number');
      expect(at).toBeGreaterThanOrEqual(Math.max(...known) + p.threadRetentionMs);
      expect(record.dueAt).not.toBeNull();
      expect(record.dueAt!).toBeLessThanOrEqual(at);
      expect(followUpFor(record, at, p)).toBe('retire');
      expect(followUpFor(record, at - 1, p)).not.toBe('retire');
    }));
  });

  it('forgets only what waits for the person to write, and once they do and Meta is asked, decides as the kept record would', () => {
    const later = fc.integer({ min: 0, max: 40 * DAY });
    fc.assert(fc.property(policyArb, historyArb, later, fc.integer({ min: 0, max: 2 * HOUR }), remoteParamsArb, historyArb, (policy, moves, wait, gap, remote, after) => {
      const p = resolvePolicy(policy);
      const kept = play(moves, p).record;
      const due = retireAt(kept, p);
      fc.pre(due !== null);
      const at = due + wait;
      // Retired: nothing may be called, and any request blocker left is one the person's next message lifts.
      expect(decide(kept, at, p).canStartCall).toBe(false);
      expect(waitsForThePerson).toContain(decide(kept, at, p).requestBlockedBy);
      // The person writes, and the check every request starts with (preflight) asks Meta: it replaces what an
      // old check said of Meta's limits, the one thing a retired thread forgets that no message restores.
      // From then on, every event leaves both answering alike.
      const wrote = at + gap;
      const sync = { type: 'REMOTE_SYNC', at: wrote, remote: buildRemote(remote, wrote) } as const;
      const k = step(step(kept, { type: 'USER_MESSAGE', at: wrote }, p).record, sync, p).record;
      const r = step(step(emptyRecord(), { type: 'USER_MESSAGE', at: wrote }, p).record, sync, p).record;
      expect(answers(r, wrote, p)).toEqual(answers(k, wrote, p));
      // Later events come after the check. A reply dated before it is left out: the Decline rule reads the stored
      // state, which the kept thread holds from before its retirement (`rejected`) and the retired one does not.
      const fresh = after.map((m) => ('lag' in m ? { ...m, lag: 0 } : m));
      const keptAfter = play(fresh, p, k, wrote + 1);
      const retiredAfter = play(fresh, p, r, wrote + 1);
      for (const t of [keptAfter.now, keptAfter.now + HOUR, keptAfter.now + 8 * DAY]) {
        expect(answers(retiredAfter.record, t, p)).toEqual(answers(keptAfter.record, t, p));
      }
    }));
  });
});
