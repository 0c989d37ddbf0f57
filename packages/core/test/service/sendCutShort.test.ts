import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, emptyRecord, fastStep, followUpFor, memoryStore, messengerPolicy, requestBlocker, resolvePolicy,
  type GraphApi, type PermissionEvent, type PermissionRecord, type RemotePermission, type Thread,
} from '../../src/internals.js';
import { DAY, HOUR, T0 } from '../support/histories.js';
import { inProcessGraph } from '../support/inProcessGraph.js';

/*
 * A send cut short: the host reserved the slot, then died (or lost the store)
 * before writing the outcome. Nobody will write it, so after `sendOutcomeTimeout`
 * a remote check tells whether the send reached Meta; the thread is not held for
 * `pendingReplyTimeout`, and a business that keeps asking gets exactly one opt-in.
 */
const p = resolvePolicy(messengerPolicy);
const MINUTE = 60_000;
const thread: Thread = { pageId: '111', psid: '222' };

const run = (events: readonly PermissionEvent[], start: PermissionRecord = emptyRecord()): PermissionRecord =>
  events.reduce((r, e) => fastStep(r, e, p).record, start);
/** The person wrote at T0; an opt-in was reserved at T0 + 1 and its host died. */
const cutShort = (): PermissionRecord => run([{ type: 'USER_MESSAGE', at: T0 }, { type: 'REQUEST', at: T0 + 1 }]);
const check = (used: number): RemotePermission => ({
  status: 'no_permission', rawStatus: 'no_permission', expiresAt: null,
  request: { canPerform: used < 2, limits: [{ period: 'PT24H', max: 2, used }] }, startCall: null,
});

describe('a send with no outcome written', () => {
  test.prop([fc.integer({ min: 0, max: 30 * DAY })])('holds every new request until its outcome or a check, however long', (probe) => {
    expect(requestBlocker(cutShort(), T0 + 1 + probe, p)).toBe('pending_reply');
  });

  it('is due for a remote check sendOutcomeTimeout after its reservation, not at pendingReplyTimeout', () => {
    const r = cutShort();
    expect(p.sendOutcomeTimeoutMs).toBe(5 * MINUTE);
    expect(r.dueAt).toBe(T0 + 1 + 5 * MINUTE);
    expect(followUpFor(r, T0 + 5 * MINUTE, p)).toBe('none');
    expect(followUpFor(r, T0 + 1 + 5 * MINUTE, p)).toBe('remote_check');
  });

  test.prop([fc.integer({ min: 5 * MINUTE, max: 20 * HOUR })])(
    'a check after the timeout that does not count it gives the slot back: the next request may go',
    (lag) => {
      const at = T0 + 1 + lag;
      const r = run([{ type: 'REMOTE_SYNC', at, remote: check(0) }], cutShort());
      expect(r.state).toBe('none');
      expect(r.pending).toBeNull();
      expect(r.requests).toEqual([]);
      expect(requestBlocker(r, at, p)).toBeNull();
    },
  );

  test.prop([fc.integer({ min: 5 * MINUTE, max: 3 * HOUR })])(
    'a check after the timeout that counts it settles it as sent: the reminder rule applies, no more checks for it',
    (lag) => {
      const at = T0 + 1 + lag;
      const r = run([{ type: 'REMOTE_SYNC', at, remote: check(1) }], cutShort());
      expect(r.state).toBe('requested');
      expect(r.requests).toEqual([T0 + 1]);
      expect(r.dueAt).toBe(T0 + 1 + p.pendingReplyTimeoutMs);
      expect(requestBlocker(r, T0 + 1 + p.reminderAfterMs - 1, p)).toBe('pending_reply');
      expect(requestBlocker(r, T0 + 1 + p.reminderAfterMs, p)).toBeNull();
    },
  );

  test.prop([fc.integer({ min: 1, max: 5 * MINUTE - 2 }), fc.integer({ min: 0, max: 1 })])(
    'a check before the timeout gives nothing back (the send may still be on its way) and settles it as an ordinary pending opt-in',
    (lag, used) => {
      const r = run([{ type: 'REMOTE_SYNC', at: T0 + 1 + lag, remote: check(used) }], cutShort());
      expect(r.state).toBe('requested');
      expect(r.requests).toEqual([T0 + 1]);
      expect(r.dueAt).toBe(T0 + 1 + p.pendingReplyTimeoutMs);
      expect(requestBlocker(r, T0 + 1 + p.reminderAfterMs, p)).toBeNull();
    },
  );

  it('the check that reconciles an ambiguous send and finds it counted settles it: no second check, the reminder rule applies', () => {
    const ambiguous = run([{ type: 'REQUEST_FAILED', at: T0 + 2, requestedAt: T0 + 1, ambiguous: true }], cutShort());
    const r = run([{ type: 'REMOTE_SYNC', at: T0 + 1 + MINUTE, remote: check(1) }], ambiguous);
    expect(r.pending).toMatchObject({ at: T0 + 1, messageId: null, ambiguous: false });
    expect(r.dueAt).toBe(T0 + 1 + p.pendingReplyTimeoutMs);
    expect(requestBlocker(r, T0 + 1 + 10 * MINUTE, p)).toBe('pending_reply');
    expect(requestBlocker(r, T0 + 1 + p.reminderAfterMs, p)).toBeNull();
  });

  it('its outcome arriving late still lands: a message id ends the doubt', () => {
    const r = run([{ type: 'REQUEST_SENT', at: T0 + 2 * MINUTE, requestedAt: T0 + 1, messageId: 'm1' }], cutShort());
    expect(r.pending?.messageId).toBe('m1');
    expect(r.dueAt).toBe(T0 + 1 + p.pendingReplyTimeoutMs);
  });
});

describe('a host dies mid-send; another host on the same store carries on', () => {
  /** A Graph client whose opt-in send never answers (its host is killed), after Meta got it or not. */
  const dying = (graph: GraphApi, reachedMeta: boolean): GraphApi => ({
    ...graph,
    sendPermissionRequest: (t) => {
      if (reachedMeta) void graph.sendPermissionRequest(t);
      return new Promise(() => undefined);
    },
  });

  for (const reachedMeta of [false, true]) {
    it(`the sweep checks after the timeout and the business gets exactly one opt-in (send ${reachedMeta ? 'reached' : 'never reached'} Meta)`, async () => {
      let now = T0;
      const clock = { now: () => now };
      const store = memoryStore();
      const fake = inProcessGraph({ remote: () => check(fake.sent.length) });
      const first = createCallPermissions({ graph: dying(fake.graph, reachedMeta), store, clock });
      await first.ingest([{ kind: 'inbound_message', id: 'in-1', thread, at: now }]);
      void first.request(thread); // the process is killed while this send is in flight
      await new Promise((resolve) => setImmediate(resolve));
      expect((await store.get(thread))?.record.pending?.messageId).toBeNull();

      const second = createCallPermissions({ graph: fake.graph, store, clock });
      const early = await second.request(thread);
      expect(!early.ok && early.error.reason).toBe('pending_reply');
      now += 5 * MINUTE + 1;
      const swept = await second.sweep();
      expect(swept.checked).toBe(1);
      // Keeps asking, as a business does: one opt-in in all, whichever way the send went.
      for (let k = 0; k < 3; k += 1) {
        await second.request(thread);
        now += 10 * MINUTE;
      }
      expect(fake.sent).toHaveLength(1);
      expect((await second.status(thread)).state).toBe('requested');
    });
  }
});
