import { callTraceFormat, emptyCallTrace, type CallTrace } from '../calls/CallTrace.js';
import { encodeJson } from '../store/versionedJson.js';
import { mergeCallEvent, sameCallTrace } from '../calls/mergeCallEvent.js';
import type { Clock } from '../ports/Clock.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { CallEvent } from '../webhookEvent.js';
import { ContentionError } from './commitSteps.js';
import { decodeDoc } from './decodeDoc.js';

/**
 * How long a call's trace is kept after its last change (2 days), whatever the
 * policy: the items of one call come within seconds, Meta's retries within hours,
 * so a trace this old has nothing left to correlate.
 *
 * @example
 * createCallPermissions({ graph, store, callTraceTtlMs: DEFAULT_CALL_TRACE_TTL_MS });
 */
export const DEFAULT_CALL_TRACE_TTL_MS = 2 * 86_400_000;

/** What {@link recordCallEvent} needs. `traceTtlMs`: how long a trace is kept after its last write. */
export interface CallTraceDeps {
  readonly store: PermissionStore;
  readonly clock: Clock;
  readonly maxAttempts: number;
  readonly traceTtlMs: number;
}

/**
 * The key of a call's trace among the store's `call` documents: unambiguous
 * whatever the ids contain (the Page id's length comes first).
 *
 * @example
 * callTraceKey('1234', 'c_1'); // '4:1234:c_1'
 * await store.getDoc('call', callTraceKey('1234', 'c_1'));
 */
export const callTraceKey = (pageId: string, callId: string): string => `${pageId.length}:${pageId}:${callId}`;

/**
 * True when `after` newly shows a business-initiated call reaching the person:
 * its connect (with the person named) was not in `before`. What counts a call
 * against the connected-call quota when it was not placed through `startCall`
 * (which writes the trace first).
 *
 * @example
 * placedNews(emptyCallTrace('1', 'c'), mergeCallEvent(emptyCallTrace('1', 'c'), businessConnect)); // true
 */
export const placedNews = (before: CallTrace, after: CallTrace): boolean =>
  after.direction === 'business_initiated' && after.connectAt !== null && after.psid !== null
  && !(before.direction === 'business_initiated' && before.connectAt !== null && before.psid !== null);

/**
 * True when `after` newly shows the call connected (the person picked up a
 * business call, or the call ended with a duration): what resets WhatsApp's
 * request quota.
 *
 * @example
 * connectedNews(before, after); // true once the accept or the timed terminate arrives
 */
export const connectedNews = (before: CallTrace, after: CallTrace): boolean => {
  const connected = (t: CallTrace): boolean => t.acceptedAt !== null || (t.end !== null && t.end.durationSec !== null);
  return after.psid !== null && connected(after) && !(before.psid !== null && connected(before));
};

/**
 * Merges one `calls` item into its call's stored trace and resolves to the trace
 * after the merge, with the trace before it (`before`). The trace is a `call` document written by compare-and-set, so
 * hosts that restart or share a store agree on it; an item already reflected
 * writes nothing. Each write keeps the trace `traceTtlMs` longer, after which the
 * store may drop it.
 *
 * @example
 * const { trace } = await recordCallEvent({ store, clock, maxAttempts: 32, traceTtlMs: DEFAULT_CALL_TRACE_TTL_MS }, terminateItem);
 * implicitGrantOf(trace); // null until the connect naming the person has arrived too
 */
export const recordCallEvent = async (deps: CallTraceDeps, e: CallEvent): Promise<{ readonly trace: CallTrace; readonly before: CallTrace }> => {
  const key = callTraceKey(e.channel === 'whatsapp' ? `wa:${e.pageId}` : e.pageId, e.callId);
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const loaded = await deps.store.getDoc('call', key);
    const stored = loaded === null ? emptyCallTrace(e.pageId, e.callId, e.channel) : decodeDoc('call', key, loaded.value, callTraceFormat);
    const merged = mergeCallEvent(stored, e);
    if (loaded !== null && sameCallTrace(stored, merged)) return { trace: stored, before: stored };
    const now = deps.clock.now();
    const write = { now, dueAt: null, expiresAt: now + deps.traceTtlMs };
    const cas = await deps.store.putDoc('call', key, loaded?.version ?? 0, encodeJson(callTraceFormat, merged), write);
    if (cas.ok) return { trace: merged, before: stored };
  }
  throw new ContentionError({ kind: 'call', key }, deps.maxAttempts);
};
