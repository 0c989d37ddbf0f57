import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  countIn, decide, emptyRecord, requestMessageAt, fastStep, followUps, messengerPolicy, quotaExhausted, requestBlocker, resolvePolicy,
  type PermissionEvent, type PermissionRecord, type Policy, type RefusalKind, type RemotePermission, type ResolvedPolicy,
} from '../src/internals.js';
import { DAY, HOUR, T0, historyArb, play, policyArb } from './support/histories.js';

const run = (events: readonly PermissionEvent[], p: ResolvedPolicy, start: PermissionRecord = emptyRecord()): PermissionRecord =>
  events.reduce((r, e) => fastStep(r, e, p).record, start);

/** The person wrote at T0; an opt-in reserved at `t` went out (Meta's message id known). */
const sentAt = (t: number, p: ResolvedPolicy): PermissionRecord => run([
  { type: 'USER_MESSAGE', at: T0 },
  { type: 'REQUEST', at: t },
  { type: 'REQUEST_SENT', at: t, requestedAt: t, messageId: `m${t}` },
], p);

const messenger = resolvePolicy(messengerPolicy);
const withPolicy = (over: Partial<Policy>): ResolvedPolicy => resolvePolicy({ ...messengerPolicy, ...over });
const hours = (min: number, max: number) => fc.integer({ min: min * HOUR, max: max * HOUR });
const noPermission = (used: number, canPerform: boolean): RemotePermission => ({
  status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
  request: { canPerform, limits: [{ period: 'PT24H', max: 2, used }] }, startCall: null,
});

describe('reminders (rule 1): an unanswered opt-in holds the next one back only `reminderAfter`, or until the person writes', () => {
  test.prop([fc.integer({ min: 1, max: 23 }), hours(0, 1), hours(0, 23), fc.option(hours(0, 23), { nil: null })])(
    'pending_reply exactly while younger than reminderAfter and the person has not written since',
    (reminderHours, sendLag, probe, wroteAfter) => {
      const p = withPolicy({ reminderAfter: `PT${reminderHours}H` });
      const t = T0 + sendLag;
      let r = sentAt(t, p);
      const wrote = wroteAfter !== null && wroteAfter > 0 && wroteAfter <= probe;
      if (wrote) r = run([{ type: 'USER_MESSAGE', at: t + wroteAfter }], p, r);
      const at = t + probe;
      const young = probe < reminderHours * HOUR;
      expect(requestBlocker(r, at, p) === 'pending_reply').toBe(young && !wrote);
    },
  );

  test.prop([hours(0, 3)])('an opt-in whose send is still in flight holds even when the person writes', (probe) => {
    const r = run([{ type: 'USER_MESSAGE', at: T0 }, { type: 'REQUEST', at: T0 + 1 }, { type: 'USER_MESSAGE', at: T0 + 2 }], messenger);
    expect(requestBlocker(r, T0 + 2 + probe, messenger)).toBe('pending_reply');
  });

  test('a silent person gets the second daily opt-in: a reminder after 4 h, then the quota holds the third', () => {
    const first = sentAt(T0 + 1, messenger);
    const t = T0 + 4 * HOUR + 1;
    const second = run([{ type: 'REQUEST', at: t }, { type: 'REQUEST_SENT', at: t, requestedAt: t, messageId: 'm2' }], messenger, first);
    expect(second.requests).toHaveLength(2);
    expect(decide(second, T0 + 9 * HOUR, messenger).requestBlockedBy).toBe('quota_exhausted');
  });
});

describe('a reminder that never reaches Meta', () => {
  const refusals = fc.constantFrom<RefusalKind | undefined>(undefined, 'outside_window', 'request_limit', 'person_unavailable');
  test.prop([hours(4, 20), refusals])('refused by Meta: the opt-in it reminds of is pending again, its slot kept, the reminder\'s given back', (lag, refusal) => {
    const first = sentAt(T0 + 1, messenger);
    const t = T0 + 1 + lag;
    const r = run([{ type: 'REQUEST', at: t }, { type: 'REQUEST_FAILED', at: t, requestedAt: t, ambiguous: false, refusal }], messenger, first);
    expect(r.state).toBe('requested');
    expect(r.pending).toEqual(first.pending);
    expect(r.requests).toEqual(first.requests);
    // A Decline of the first opt-in, delivered after, still answers it.
    expect(run([{ type: 'REPLY_REJECT', at: T0 + 2 }], messenger, r).state).toBe('rejected');
  });

  test.prop([hours(4, 20), fc.integer({ min: 1, max: HOUR })])(
    'ambiguous, then a check that does not count it: the opt-in it reminds of is pending again',
    (lag, checkLag) => {
      const first = sentAt(T0 + 1, messenger);
      const t = T0 + 1 + lag;
      const r = run([
        { type: 'REQUEST', at: t },
        { type: 'REQUEST_FAILED', at: t, requestedAt: t, ambiguous: true },
        { type: 'REMOTE_SYNC', at: t + checkLag, remote: noPermission(1, true) },
      ], messenger, first);
      expect(r.state).toBe('requested');
      expect(r.pending).toEqual(first.pending);
      expect(r.requests).toEqual(first.requests);
    },
  );

  test.prop([hours(4, 20)])('sent: the reminder is what is pending, and it no longer carries the first', (lag) => {
    const t = T0 + 1 + lag;
    const r = run([{ type: 'REQUEST', at: t }, { type: 'REQUEST_SENT', at: t, requestedAt: t, messageId: 'm2' }], messenger, sentAt(T0 + 1, messenger));
    expect(r.pending).toEqual({ at: t, messageId: 'm2', ambiguous: false, prior: 'none', reminds: null });
  });
});

describe('a Decline behind a check that could not see it', () => {
  test.prop([fc.integer({ min: 0, max: HOUR }), fc.integer({ min: 1, max: HOUR }), fc.integer({ min: 0, max: 3 * HOUR })])(
    'still answers the pending request: rejected, the check kept as evidence, no new request until the person writes',
    (tapLag, checkLag, probe) => {
      const sent = sentAt(T0 + 1, messenger);
      const tap = T0 + 1 + tapLag;
      const checked = run([{ type: 'REMOTE_SYNC', at: tap + checkLag, remote: noPermission(1, true) }], messenger, sent);
      const r = run([{ type: 'REPLY_REJECT', at: tap }], messenger, checked);
      expect(r.state).toBe('rejected');
      expect(r.pending).toBeNull();
      expect(r.declinedAt).toBe(tap);
      expect(r.evidence).toEqual(checked.evidence);
      expect(requestBlocker(r, tap + checkLag + probe, messenger)).toBe('rejected');
    },
  );

  test.prop([fc.integer({ min: 1, max: HOUR })])('but not behind a newer grant: an Accept after the Decline wins', (lag) => {
    const sent = sentAt(T0 + 1, messenger);
    const r = run([{ type: 'REPLY_APPROVE', at: T0 + 2 + lag, expiresAt: null }, { type: 'REPLY_REJECT', at: T0 + 2 }], messenger, sent);
    expect(r.state).toBe('approved');
  });

  test.prop([fc.integer({ min: 1, max: HOUR }), fc.integer({ min: 1, max: HOUR }), fc.integer({ min: 0, max: 3 * HOUR })])(
    'a Decline that revoked a permission, behind the check that found it gone: rejected, the check kept as evidence',
    (tapLag, checkLag, probe) => {
      const granted = run([{ type: 'USER_MESSAGE', at: T0 }, { type: 'REPLY_APPROVE', at: T0 + 1, expiresAt: null }], messenger);
      const tap = T0 + 1 + tapLag;
      const checked = run([{ type: 'REMOTE_SYNC', at: tap + checkLag, remote: noPermission(0, true) }], messenger, granted);
      expect(checked.state).toBe('none');
      const r = run([{ type: 'REPLY_REJECT', at: tap }], messenger, checked);
      expect(r.state).toBe('rejected');
      expect(r.declinedAt).toBe(tap);
      expect(r.evidence).toEqual(checked.evidence);
      expect(requestBlocker(r, tap + checkLag + probe, messenger)).toBe('rejected');
    },
  );

  test.prop([fc.integer({ min: 1, max: HOUR }), fc.integer({ min: 1, max: HOUR }), fc.constantFrom('approve' as const, 'message' as const)])(
    'but not when the person did something after it (an Accept or a message): the late Decline is only noted',
    (tapLag, afterLag, later) => {
      const granted = run([{ type: 'USER_MESSAGE', at: T0 }, { type: 'REPLY_APPROVE', at: T0 + 1, expiresAt: null }], messenger);
      const tap = T0 + 1 + tapLag;
      const after: PermissionEvent = later === 'approve'
        ? { type: 'REPLY_APPROVE', at: tap + afterLag, expiresAt: tap + afterLag + 1 }
        : { type: 'USER_MESSAGE', at: tap + afterLag };
      const checked = run([after, { type: 'REMOTE_SYNC', at: tap + afterLag + 2, remote: noPermission(0, true) }], messenger, granted);
      const r = run([{ type: 'REPLY_REJECT', at: tap }], messenger, checked);
      expect(r.state).toBe(checked.state);
      expect(r.state).not.toBe('rejected');
    },
  );
});

describe('after a Decline (rule 1): a new request waits for the person', () => {
  test.prop([hours(0, 20), hours(0, 48), fc.option(hours(0, 48), { nil: null })])(
    'next_message: blocked as rejected until the person writes after the Decline',
    (declineLag, probe, wroteLag) => {
      const t = T0 + HOUR;
      const d = t + declineLag;
      let r = run([{ type: 'REPLY_REJECT', at: d }], messenger, sentAt(t, messenger));
      const wrote = wroteLag !== null && wroteLag > 0 && wroteLag <= probe;
      if (wrote) r = run([{ type: 'USER_MESSAGE', at: d + wroteLag }], messenger, r);
      expect(r.state).toBe('rejected');
      expect(requestBlocker(r, d + probe, messenger) === 'rejected').toBe(!wrote);
    },
  );

  test.prop([fc.integer({ min: 1, max: 48 }), hours(0, 60)])('a duration: blocked as rejected until it has passed', (waitHours, probe) => {
    const p = withPolicy({ afterDecline: `PT${waitHours}H` });
    const d = T0 + 2 * HOUR;
    const r = run([{ type: 'REPLY_REJECT', at: d }], p, sentAt(T0 + HOUR, p));
    expect(requestBlocker(r, d + probe, p) === 'rejected').toBe(probe < waitHours * HOUR);
  });

  test.prop([hours(0, 3)])('the Decline itself counts as the person interacting, not as writing again', (lag) => {
    const r = run([{ type: 'REPLY_REJECT', at: T0 + HOUR + lag }], messenger, sentAt(T0 + HOUR, messenger));
    expect(r.lastInboundAt).toBe(T0 + HOUR + lag);
    expect(requestBlocker(r, T0 + 2 * HOUR + lag, messenger)).toBe('rejected');
  });
});

describe('replies count as the person interacting (rule 7)', () => {
  test.prop([policyArb, historyArb, hours(0, 48), fc.boolean()])('after any reply, the window runs from it at least', (policy, moves, lag, approve) => {
    const p = resolvePolicy(policy);
    const h = play(moves, p);
    const at = h.now + lag;
    const e: PermissionEvent = approve ? { type: 'REPLY_APPROVE', at, expiresAt: null } : { type: 'REPLY_REJECT', at };
    expect(fastStep(h.record, e, p).record.lastInboundAt).toBe(Math.max(h.record.lastInboundAt ?? at, at));
  });
});

const refusalKinds: readonly RefusalKind[] = ['outside_window', 'person_unavailable'];
const reasonOf: Record<'outside_window' | 'person_unavailable', string> = {
  outside_window: 'outside_messaging_window', person_unavailable: 'person_unavailable',
};

describe('refusals teach the thread (rule 2)', () => {
  test.prop([fc.constantFrom(...refusalKinds), hours(0, 20), fc.option(hours(0, 20), { nil: null })])(
    'outside the window / person unavailable: said until the person writes after the refused send',
    (kind, probe, wroteLag) => {
      const t = T0 + HOUR;
      let r = run([
        { type: 'USER_MESSAGE', at: T0 }, { type: 'REQUEST', at: t },
        { type: 'REQUEST_FAILED', at: t, requestedAt: t, ambiguous: false, refusal: kind },
      ], messenger);
      expect(r.requests).toEqual([]); // the slot is given back: Meta did not count it
      const wrote = wroteLag !== null && wroteLag > 0 && wroteLag <= probe;
      if (wrote) r = run([{ type: 'USER_MESSAGE', at: t + wroteLag }], messenger, r);
      const blocker = requestBlocker(r, t + probe, messenger);
      expect(blocker === reasonOf[kind as 'outside_window']).toBe(!wrote);
      if (!wrote) expect(decide(r, t + probe, messenger).nextRequestAt).toBeNull();
    },
  );

  test.prop([fc.array(hours(1, 23), { maxLength: 1 }), hours(0, 30)])(
    'the per-thread limit: the quota counts as full from the refusal, and frees no later than one window after it',
    (earlier, probe) => {
      const r0 = T0 + 24 * HOUR;
      const prior: PermissionEvent[] = earlier.flatMap((ago) => [
        { type: 'REQUEST' as const, at: r0 - ago }, { type: 'REQUEST_SENT' as const, at: r0 - ago, requestedAt: r0 - ago, messageId: 'm0' },
        { type: 'REPLY_REJECT' as const, at: r0 - ago }, { type: 'USER_MESSAGE' as const, at: r0 - ago + 1 },
      ]);
      const r = run([
        { type: 'USER_MESSAGE', at: r0 - 24 * HOUR + 1 }, ...prior, { type: 'USER_MESSAGE', at: r0 - 1 },
        { type: 'REQUEST', at: r0 }, { type: 'REQUEST_FAILED', at: r0, requestedAt: r0, ambiguous: false, refusal: 'request_limit' },
      ], messenger);
      expect(quotaExhausted(r, r0, messenger)).toBe(true);
      // Meta counted 2 at r0. What the log explains ages out with the log (a logged request leaves the
      // window 24 h after it was sent); the rest is held one window from the refusal.
      const freesAt = earlier.length === 0 ? r0 + 24 * HOUR : r0 - earlier[0]! + 24 * HOUR;
      expect(quotaExhausted(r, r0 + probe, messenger)).toBe(r0 + probe < freesAt);
      const next = decide(r, r0, messenger).nextRequestAt;
      expect(next === null || (next > r0 && next <= r0 + 24 * HOUR)).toBe(true);
    },
  );

  test.prop([policyArb, historyArb, fc.constantFrom<RefusalKind>('outside_window', 'person_unavailable', 'request_limit'), hours(0, 30)])(
    'a refused send leaves canRequest false right after it, so the next request does not hit Meta again',
    (policy, moves, kind, probe) => {
      const p = resolvePolicy(policy);
      const h = play(moves, p);
      const t = h.now + probe;
      const reserved = fastStep(fastStep(h.record, { type: 'TICK', at: t }, p).record, { type: 'REQUEST', at: t }, p);
      fc.pre(reserved.effects.length === 1);
      const r = fastStep(reserved.record, { type: 'REQUEST_FAILED', at: t, requestedAt: t, ambiguous: false, refusal: kind }, p).record;
      // With a template for outside the window, a window refusal sends the next request as the template instead.
      const asTemplate = kind === 'outside_window' && p.templateOutsideWindow && decide(r, t, p).canRequest;
      if (asTemplate) expect(requestMessageAt(r, t, p)).toBe('template');
      else expect(decide(r, t, p).canRequest).toBe(false);
    },
  );
});

describe('an ambiguous send is reconciled by the next check (rule 3)', () => {
  test.prop([hours(0, 2), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 10 * 60_000 })])(
    'usage below the log: not delivered (slot back, thread where it was); otherwise an ordinary pending opt-in',
    (inboundAgo, used, after) => {
      const t = T0 + 3 * HOUR;
      const r = run([
        { type: 'USER_MESSAGE', at: t - inboundAgo }, { type: 'REQUEST', at: t },
        { type: 'REQUEST_FAILED', at: t, requestedAt: t, ambiguous: true },
      ], messenger);
      expect(r.pending?.ambiguous).toBe(true);
      const checked = fastStep(r, { type: 'REMOTE_SYNC', at: t + after, remote: noPermission(used, used < 2) }, messenger).record;
      const logged = countIn(r.requests, t + after - DAY, t + after);
      if (used < logged) {
        expect(checked.state).toBe('none');
        expect(checked.pending).toBeNull();
        expect(checked.requests).toEqual([]);
        expect(decide(checked, t + after, messenger).canRequest).toBe(true);
      } else {
        expect(checked.state).toBe('requested');
        expect(checked.pending).toMatchObject({ at: t, ambiguous: false });
        expect(checked.requests).toEqual([t]);
      }
    },
  );
});

describe('remote evidence read for what it says (rule 4)', () => {
  test.prop([hours(1, 7 * 24), hours(0, 48)])('a request refusal explained by a held permission ends with that permission', (ttl, probe) => {
    const at = T0 + HOUR;
    const r = run([{ type: 'USER_MESSAGE', at }, {
      type: 'REMOTE_SYNC', at, remote: {
        status: 'has_permission', rawStatus: 'has_permission', expiresAt: at + ttl,
        request: { canPerform: false, limits: [{ period: 'PT24H', max: 2, used: 0 }] }, startCall: { canPerform: true, limits: [] },
      },
    }], messenger);
    expect(r.remote?.permitted).toBe(true);
    const blocker = requestBlocker(r, at + ttl + probe, messenger);
    expect(blocker).not.toBe('remote_request_denied');
    expect(blocker).not.toBe('already_permitted');
  });

  test.prop([hours(0, 48)])('an unexplained refusal without a permission still holds until the person writes', (probe) => {
    const r = run([{ type: 'USER_MESSAGE', at: T0 }, { type: 'REMOTE_SYNC', at: T0 + HOUR, remote: noPermission(0, false) }], messenger);
    expect(requestBlocker(r, T0 + HOUR + probe, messenger)).toBe('remote_request_denied');
  });

  test.prop([hours(0, 5 * 24)])('a start_call denial without limits schedules a follow-up check', (checkLag) => {
    const p = messenger;
    const at = T0 + checkLag;
    const r = run([{
      type: 'REMOTE_SYNC', at, remote: {
        status: 'has_permission', rawStatus: 'has_permission', expiresAt: T0 + 7 * DAY,
        request: null, startCall: { canPerform: false, limits: [] },
      },
    }], p);
    expect(decide(r, at, p).callBlockedBy).toBe('remote_start_call_denied');
    const recheck = at + p.startCallRecheckMs;
    const due = followUps(r, p).filter((f) => f.kind === 'remote_check').map((f) => f.at);
    expect(due).toEqual(recheck < T0 + 7 * DAY ? [recheck] : []);
    expect(r.dueAt).toBe(Math.min(recheck < T0 + 7 * DAY ? recheck : Infinity, T0 + 7 * DAY));
  });

  test.prop([fc.integer({ min: 0, max: 2 }), hours(0, 30)])(
    'reported usage the log accounts for ages with the log: the quota reads as the log alone',
    (logged, probe) => {
      const sends: PermissionEvent[] = Array.from({ length: logged }, (_, i) => T0 + (i + 1) * HOUR).flatMap((t) => [
        { type: 'REQUEST' as const, at: t }, { type: 'REQUEST_SENT' as const, at: t, requestedAt: t, messageId: `m${t}` },
        { type: 'REPLY_REJECT' as const, at: t + 1 }, { type: 'USER_MESSAGE' as const, at: t + 2 },
      ]);
      const base = run([{ type: 'USER_MESSAGE', at: T0 }, ...sends], messenger);
      const checkAt = T0 + 3 * HOUR;
      const checked = fastStep(base, { type: 'REMOTE_SYNC', at: checkAt, remote: noPermission(logged, logged < 2) }, messenger).record;
      const at = checkAt + probe;
      expect(quotaExhausted(checked, at, messenger)).toBe(quotaExhausted({ ...checked, remote: null }, at, messenger));
    },
  );
});

describe('hosts whose clocks disagree', () => {
  test.prop([fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 60_000 })])(
    'a request reserved later than a host\'s now (a host whose clock runs ahead) still counts against the quota',
    (ahead, gap) => {
      const t = T0 + HOUR;
      const r = run([
        { type: 'USER_MESSAGE', at: T0 },
        { type: 'REQUEST', at: t + ahead }, { type: 'REQUEST_SENT', at: t + ahead, requestedAt: t + ahead, messageId: 'a' },
        { type: 'USER_MESSAGE', at: t + ahead + 1 },
        { type: 'REQUEST', at: t + ahead + gap + 1 },
      ], withPolicy({ reminderAfter: 'PT0.001S' }));
      expect(r.requests).toHaveLength(2);
      expect(quotaExhausted(r, t, messenger)).toBe(true);
    },
  );
});
