import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { callQuotaExhausted, decide, step, type PermissionEvent } from '../src/internals.js';
import { DAY, HOUR, buildRemote, historyArb, play, policyArb, remoteParamsArb, resolved } from './support/histories.js';

const later = fc.integer({ min: 1, max: 10 * DAY });

describe('expiry (rule c)', () => {
  test.prop([policyArb, historyArb, later, fc.integer({ min: HOUR, max: 9 * DAY }), fc.integer({ min: -10 * DAY, max: 10 * DAY })])(
    'an approval with expiry E reads as expired exactly from E on',
    (policy, moves, gap, ttl, probe) => {
      const p = resolved(policy);
      const h = play(moves, p);
      const at = h.now + gap;
      const E = at + ttl;
      const r = step(h.record, { type: 'REPLY_APPROVE', at, expiresAt: E }, p).record;
      const t = E + probe;
      expect(decide(r, t, p).state).toBe(t >= E ? 'expired' : 'approved');
      // Before E only the connected-call quota may hold a call back; from E on, the expiry does.
      expect(decide(r, t, p).callBlockedBy).toBe(t >= E ? 'expired' : callQuotaExhausted(r, t, p) ? 'call_quota_exhausted' : null);
    },
  );

  test.prop([policyArb, historyArb, later, fc.integer({ min: 0, max: 1000 * DAY })])(
    'a permission without an expiry does not expire',
    (policy, moves, gap, probe) => {
      const p = resolved(policy);
      const h = play(moves, p);
      const at = h.now + gap;
      const remote = buildRemote({ granted: true, expiresIn: null, used: 0, max: 2, canStart: true }, at);
      let r = step(h.record, { type: 'REMOTE_SYNC', at, remote }, p).record;
      r = step(r, { type: 'TICK', at: at + probe }, p).record;
      expect(decide(r, at + probe, p).state).toBe('approved');
    },
  );
});

/** Picks an event of the history's kinds whose instant is strictly older than the newest of its kind. */
const staleOf = (events: readonly PermissionEvent[], pick: number, back: number): PermissionEvent | null => {
  const kinds = [['REPLY_APPROVE', 'REPLY_REJECT'], ['REMOTE_SYNC']] as const;
  const candidates = kinds.flatMap((group) => {
    const same = events.filter((e) => (group as readonly string[]).includes(e.type));
    if (same.length === 0) return [];
    const newest = Math.max(...same.map((e) => e.at));
    return same.map((e) => ({ ...e, at: Math.min(e.at, newest - back) }));
  });
  return candidates.length === 0 ? null : candidates[pick % candidates.length]!;
};

describe('staleness and idempotence (rule d)', () => {
  test.prop([policyArb, historyArb, fc.nat(), fc.integer({ min: 1, max: DAY })])(
    'an event older than the last of its kind changes nothing',
    (policy, moves, pick, back) => {
      const p = resolved(policy);
      const h = play(moves, p);
      const stale = staleOf(h.events, pick, back);
      fc.pre(stale !== null);
      const r = step(h.record, stale, p);
      expect(r.changed).toBe(false);
      expect(r.record).toEqual(h.record);
    },
  );

  test.prop([policyArb, historyArb, fc.nat()])('applying an event twice equals applying it once', (policy, moves, pick) => {
    const p = resolved(policy);
    const h = play(moves, p);
    fc.pre(h.events.length > 0);
    const e = h.events[pick % h.events.length]!;
    // A call slot is a count: two starts are two calls. Webhook placements are deduped upstream, by call id.
    fc.pre(e.type !== 'CALL_START' && e.type !== 'CALL_PLACED');
    const once = step(h.record, e, p);
    const twice = step(once.record, e, p);
    expect(twice.changed).toBe(false);
    expect(twice.record).toEqual(once.record);
  });
});

describe('replies out of order (rule e)', () => {
  test.prop([policyArb, historyArb, later, fc.option(fc.integer({ min: HOUR, max: 8 * DAY }), { nil: null })])(
    'an approve newer than everything is honoured in any state',
    (policy, moves, gap, ttl) => {
      const p = resolved(policy);
      const h = play(moves, p);
      const at = h.now + gap;
      const r = step(h.record, { type: 'REPLY_APPROVE', at, expiresAt: ttl === null ? null : at + ttl }, p).record;
      expect(r.state).toBe('approved');
      expect(r.expiresAt).toBe(at + (ttl ?? p.permissionTtlMs));
      expect(r.provisional).toBe(false);
    },
  );

  test.prop([policyArb, historyArb, later, fc.integer({ min: 1, max: 3 * DAY })])(
    'a reject older than an applied approve is ignored',
    (policy, moves, gap, back) => {
      const p = resolved(policy);
      const h = play(moves, p);
      const at = h.now + gap;
      const approved = step(h.record, { type: 'REPLY_APPROVE', at, expiresAt: null }, p).record;
      const r = step(approved, { type: 'REPLY_REJECT', at: at - back }, p);
      expect(r.record.state).toBe('approved');
      // The permission is untouched; only what any reply tells (a Decline seen, the person interacting) is noted.
      const { declinedAt, lastInboundAt, lastEventAt: _l, dueAt: _d, ...rest } = r.record;
      const { declinedAt: _dd, lastInboundAt: _li, lastEventAt: _ll, dueAt: _du, ...before } = approved;
      expect(rest).toStrictEqual(before);
      expect(declinedAt).toBe(Math.max(approved.declinedAt ?? -Infinity, at - back));
      expect(lastInboundAt).toBe(approved.lastInboundAt);
    },
  );
});

describe('implicit grants (rule f)', () => {
  test.prop([policyArb, historyArb, later, fc.boolean(), fc.integer({ min: 1, max: 9 * DAY }), remoteParamsArb])(
    'an implicit grant is provisional with the default TTL until a remote check confirms or corrects it',
    (policy, moves, gap, missed, syncAfter, remoteParams) => {
      const p = resolved(policy);
      const h = play(moves, p);
      const at = h.now + gap;
      const granted = step(h.record, { type: missed ? 'CONSUMER_CALL_MISSED' : 'CALL_CONNECTED', at }, p).record;
      expect(granted.state).toBe('approved');
      expect(granted.provisional).toBe(true);
      expect(granted.expiresAt).toBe(at + p.permissionTtlMs);
      expect(decide(granted, at, p).provisional).toBe(true);

      const syncAt = at + syncAfter;
      const remote = buildRemote(remoteParams, syncAt);
      const synced = step(step(granted, { type: 'TICK', at: syncAt }, p).record, { type: 'REMOTE_SYNC', at: syncAt, remote }, p).record;
      expect(synced.provisional).toBe(false);
      if (remote.status === 'has_permission') {
        expect(synced.state).toBe('approved');
        expect(synced.expiresAt).toBe(remote.expiresAt);
      } else {
        expect(synced.state).toBe(syncAt >= at + p.permissionTtlMs ? 'expired' : 'none');
      }
      expect(synced.remote?.at).toBe(syncAt);
      expect(synced.remote?.requestLimits[0]?.used).toBe(remoteParams.used);
    },
  );
});
