import { getShortestPaths } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import {
  emptyRecord, lifecycleStates, permissionEventTypes, permissionMachine, resolvePolicy, messengerPolicy, step,
  type PermissionEvent, type PermissionRecord,
} from '../src/internals.js';
import { DAY, HOUR, T0, buildRemote } from './support/histories.js';

type Snap = { value: unknown; context: { record: PermissionRecord } };

/** Events offered in every state, timed after the newest one applied, so each can matter. */
const eventsFor = (snapshot: Snap): PermissionEvent[] => {
  const r = snapshot.context.record;
  const at = (r.lastEventAt ?? T0) + HOUR;
  const requestedAt = r.pending?.at ?? at;
  return [
    { type: 'REQUEST', at },
    { type: 'REQUEST_SENT', at, requestedAt, messageId: 'm_1' },
    { type: 'REQUEST_FAILED', at, requestedAt, ambiguous: false },
    { type: 'REQUEST_FAILED', at, requestedAt, ambiguous: true },
    { type: 'REPLY_APPROVE', at, expiresAt: at + DAY },
    { type: 'REPLY_REJECT', at },
    { type: 'CALL_CONNECTED', at },
    { type: 'CONSUMER_CALL_MISSED', at },
    { type: 'REMOTE_SYNC', at, remote: buildRemote({ granted: true, expiresIn: 2 * DAY, used: 1, max: 2, canStart: true }, at) },
    { type: 'REMOTE_SYNC', at, remote: buildRemote({ granted: false, expiresIn: null, used: 2, max: 2, canStart: false }, at) },
    { type: 'USER_MESSAGE', at },
    { type: 'TICK', at: at + 8 * DAY },
    { type: 'CALL_START', at },
    { type: 'CALL_PLACED', at },
    { type: 'CALL_FAILED', at, placedAt: r.calls[r.calls.length - 1] ?? at, refusal: 'no_permission' },
    { type: 'CALL_FAILED', at, placedAt: r.calls[r.calls.length - 1] ?? at, refusal: 'call_limit' },
    { type: 'CALL_ANSWERED', at },
  ];
};

/** A coarse key: finite, so the traversal ends, yet fine enough that every event type leads somewhere new. */
const serializeState = (snapshot: Snap, event: PermissionEvent | undefined): string => {
  const r = snapshot.context.record;
  return JSON.stringify([
    snapshot.value, event?.type ?? null, r.provisional, r.pending === null ? null : [r.pending.ambiguous, r.pending.messageId !== null],
    r.calls.length > 0, r.callLimitAt !== null, r.requests.length > 0,
  ]);
};

describe('the machine as a graph', () => {
  // A policy where a connected call resets the request quota (WhatsApp's rule), so every event type can matter.
  const policy = resolvePolicy({ ...messengerPolicy, requestQuotaResetByCall: true });
  const paths = getShortestPaths(permissionMachine, {
    input: { record: emptyRecord(), policy },
    events: (s) => eventsFor(s as unknown as Snap),
    serializeState: (s, e) => serializeState(s as unknown as Snap, e),
    limit: 20_000,
  });

  it('reaches every state', () => {
    const reached = new Set(paths.map((p) => p.state.value as string));
    expect([...reached].sort()).toEqual([...lifecycleStates].sort());
  });

  it('exercises every event type', () => {
    const used = new Set(paths.flatMap((p) => p.steps.map((s) => s.event.type)).filter((t) => !t.startsWith('xstate.')));
    expect([...used].sort()).toEqual([...permissionEventTypes].sort());
  });

  it('step() reaches the same state along every path', () => {
    const policy = resolvePolicy(messengerPolicy);
    for (const path of paths) {
      let record = emptyRecord();
      for (const s of path.steps) if (!s.event.type.startsWith('xstate.')) record = step(record, s.event, policy).record;
      expect(record.state).toBe(path.state.value);
    }
    expect(paths.length).toBeGreaterThan(lifecycleStates.length);
  });
});
