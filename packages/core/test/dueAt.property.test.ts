import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { followUpFor, messengerPolicy, nextDueAt, resolvePolicy, step, emptyRecord } from '../src/internals.js';
import { DAY, HOUR, T0, buildRemote, historyArb, play, policyArb, resolved } from './support/histories.js';

describe('follow-ups', () => {
  test.prop([policyArb, historyArb, fc.integer({ min: -2 * DAY, max: 10 * DAY })])(
    'a thread needs a follow-up exactly when its indexed dueAt has come',
    (policy, moves, offset) => {
      const p = resolved(policy);
      const { record, now } = play(moves, p);
      const at = now + offset;
      const due = nextDueAt(record, p);
      expect(record.dueAt).toBe(record.lastEventAt === null ? null : due);
      expect(followUpFor(record, at, p) !== 'none').toBe(due !== null && due <= at);
    },
  );

  it('stops listing an unanswered request once a check after its timeout is stored', () => {
    const p = resolvePolicy(messengerPolicy);
    const reserved = step(emptyRecord(), { type: 'REQUEST', at: T0 }, p).record;
    const asked = step(reserved, { type: 'REQUEST_SENT', at: T0, requestedAt: T0, messageId: 'm1' }, p).record;
    expect(asked.dueAt).toBe(T0 + p.pendingReplyTimeoutMs);
    const checkAt = T0 + p.pendingReplyTimeoutMs + HOUR;
    const remote = buildRemote({ granted: false, expiresIn: null, used: 1, max: 2, canStart: false }, checkAt);
    const checked = step(asked, { type: 'REMOTE_SYNC', at: checkAt, remote }, p).record;
    expect(checked.state).toBe('requested');
    expect(checked.dueAt).toBeNull();
    expect(followUpFor(checked, checkAt + DAY, p)).toBe('none');
  });
});
