import {
  emptyRecord, fastStep,
  type Instant, type PermissionEvent, type PermissionRecord, type RefusalKind, type RemotePermission, type ResolvedPolicy,
} from '../../packages/core/src/internals.js';
import { random, type Random } from './random.js';

export const T0: Instant = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const remoteOf = (rnd: Random, at: Instant): RemotePermission => {
  const granted = rnd.chance(0.5);
  const used = rnd.int(3);
  return {
    status: granted ? 'has_permission' : 'no_permission',
    rawStatus: granted ? 'has_permission' : 'no_permission',
    expiresAt: granted ? at + (1 + rnd.int(7 * 24)) * HOUR : null,
    request: { canPerform: used < 2, limits: [{ period: 'PT24H', max: 2, used }] },
    startCall: { canPerform: granted, limits: [] },
  };
};

/**
 * One thread's life as the service would feed it to a stepper: messages, requests
 * (with the send's outcome fed back), replies arriving late, remote checks, calls,
 * ticks, and Meta's duplicates and reorderings. `length` events, roughly.
 *
 * @example
 * const events = threadHistory(random(1), policy, 20);
 */
/** How a definite failure reads: most teach nothing, the rest are Meta's refusals that do. */
const refusals: readonly (RefusalKind | undefined)[] = [undefined, undefined, 'outside_window', 'request_limit', 'person_unavailable'];

export const threadHistory = (rnd: Random, policy: ResolvedPolicy, length: number): PermissionEvent[] => {
  const events: PermissionEvent[] = [];
  let record: PermissionRecord = emptyRecord();
  let now = T0 + rnd.int(24 * HOUR);
  const push = (e: PermissionEvent): boolean => {
    events.push(e);
    const r = fastStep(record, e, policy);
    record = r.record;
    return r.effects.length > 0;
  };
  push({ type: 'USER_MESSAGE', at: now });
  while (events.length < length) {
    now += rnd.int(6 * HOUR);
    const roll = rnd.next();
    if (roll < 0.25) push({ type: 'USER_MESSAGE', at: now });
    else if (roll < 0.45) {
      push({ type: 'TICK', at: now });
      if (push({ type: 'REQUEST', at: now })) {
        if (rnd.chance(0.85)) push({ type: 'REQUEST_SENT', at: now + 300, requestedAt: now, messageId: `m.${now}` });
        else {
          const ambiguous = rnd.chance(0.5);
          const refusal = ambiguous ? undefined : rnd.pick(refusals);
          push({ type: 'REQUEST_FAILED', at: now + 300, requestedAt: now, ambiguous, ...(refusal === undefined ? {} : { refusal }) });
        }
      }
    } else if (roll < 0.57) push({ type: 'REPLY_APPROVE', at: now - rnd.int(HOUR), expiresAt: rnd.chance(0.5) ? null : now + 7 * 24 * HOUR });
    else if (roll < 0.65) push({ type: 'REPLY_REJECT', at: now - rnd.int(HOUR) });
    else if (roll < 0.75) push({ type: 'REMOTE_SYNC', at: now, remote: remoteOf(rnd, now) });
    else if (roll < 0.8) push({ type: rnd.chance(0.5) ? 'CALL_CONNECTED' : 'CONSUMER_CALL_MISSED', at: now });
    else if (roll < 0.88) push({ type: 'TICK', at: now });
    else push(rnd.pick(events)); // Meta's retries: an old event again
  }
  return events;
};

/**
 * `threads` histories from one seed.
 *
 * @example
 * const all = eventHistories(1000, 20, policy);
 */
export const eventHistories = (threads: number, length: number, policy: ResolvedPolicy, seed = 7): PermissionEvent[][] => {
  const rnd = random(seed);
  return Array.from({ length: threads }, () => threadHistory(rnd, policy, length));
};
