import type { CallEvent } from '../webhookEvent.js';
import type { CallEnd, CallTrace } from './CallTrace.js';

const minOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** Two non-null values that disagree are settled the same way in any order: the smaller wins. */
const settle = <T extends string>(a: T | null, b: T | null): T | null =>
  a === null ? b : b === null ? a : a <= b ? a : b;

/** The order of preference between two `terminate` items of one call (Meta sends one; retries repeat it). */
const endKey = (e: CallEnd): readonly [number, number, number, string] =>
  [e.durationSec === null ? 0 : 1, e.at, e.durationSec ?? -1, e.status ?? ''];

const laterEnd = (a: CallEnd | null, b: CallEnd | null): CallEnd | null => {
  if (a === null) return b;
  if (b === null) return a;
  const ka = endKey(a);
  const kb = endKey(b);
  for (let i = 0; i < ka.length; i += 1) {
    if (ka[i] !== kb[i]) return (ka[i] ?? 0) > (kb[i] ?? 0) ? a : b;
  }
  return a;
};

/**
 * Folds one `calls` webhook item into the trace of its call. The merge is a
 * join: commutative, associative and idempotent, so duplicates and any delivery
 * order (a `terminate` before its `connect`) end in the same trace. Items of
 * another call, and `media_update` items (they say nothing about permission),
 * leave the trace as it is.
 *
 * @example
 * const t1 = mergeCallEvent(emptyCallTrace('1', 'c'), terminateEvent); // end known, psid still null
 * const t2 = mergeCallEvent(t1, connectEvent);                          // psid and direction now known
 */
export const mergeCallEvent = (trace: CallTrace, e: CallEvent): CallTrace => {
  if (e.pageId !== trace.pageId || e.callId !== trace.callId) return trace;
  switch (e.event) {
    case 'connect':
      return {
        ...trace,
        psid: settle(trace.psid, e.psid),
        direction: settle(trace.direction, e.direction),
        connectAt: minOf(trace.connectAt, e.at),
      };
    case 'call_status':
      return {
        ...trace,
        psid: settle(trace.psid, e.psid),
        // Meta sends call_status for business-initiated calls only.
        direction: settle(trace.direction, e.direction ?? 'business_initiated'),
        acceptedAt: e.callStatus === 'accepted' ? minOf(trace.acceptedAt, e.at) : trace.acceptedAt,
      };
    case 'terminate':
      return {
        ...trace,
        direction: settle(trace.direction, e.direction),
        end: laterEnd(trace.end, { at: e.at, durationSec: e.durationSec, status: e.terminateStatus }),
      };
    case 'media_update':
      return trace;
  }
};

/**
 * True when two traces hold the same facts (a merge that changed nothing).
 *
 * @example
 * sameCallTrace(t, mergeCallEvent(t, duplicateOfAnItemAlreadyIn_t)); // true
 */
export const sameCallTrace = (a: CallTrace, b: CallTrace): boolean =>
  a.psid === b.psid && a.direction === b.direction && a.connectAt === b.connectAt && a.acceptedAt === b.acceptedAt
  && a.end?.at === b.end?.at && a.end?.durationSec === b.end?.durationSec && a.end?.status === b.end?.status;
