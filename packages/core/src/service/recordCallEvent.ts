import { isRight } from 'fp-ts/lib/Either.js';
import { CallTraceCodec, emptyCallTrace, type CallTrace } from '../calls/CallTrace.js';
import { mergeCallEvent, sameCallTrace } from '../calls/mergeCallEvent.js';
import type { Clock } from '../ports/Clock.js';
import { CorruptRecordError, type PermissionStore } from '../ports/PermissionStore.js';
import type { CallEvent } from '../webhookEvent.js';
import { ContentionError } from './commitSteps.js';
import { packSideRecord, sideThread, unpackSideRecord } from './sideRecord.js';

/** What {@link recordCallEvent} needs. */
export interface CallTraceDeps {
  readonly store: PermissionStore;
  readonly clock: Clock;
  readonly maxAttempts: number;
}

/**
 * Merges one `calls` item into its call's stored trace and resolves to the trace
 * after the merge. The trace is a side record (`~callperm/call/<pageId>`, call id)
 * written by compare-and-set, so hosts that restart or share a store agree on it;
 * an item already reflected writes nothing.
 *
 * @example
 * const trace = await recordCallEvent({ store, clock, maxAttempts: 32 }, terminateItem);
 * implicitGrantOf(trace); // null until the connect naming the person has arrived too
 */
export const recordCallEvent = async (deps: CallTraceDeps, e: CallEvent): Promise<CallTrace> => {
  const thread = sideThread('call', e.callId, e.pageId);
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const loaded = await deps.store.get(thread);
    let stored = emptyCallTrace(e.pageId, e.callId);
    if (loaded !== null) {
      const decoded = CallTraceCodec.decode(unpackSideRecord(loaded.record)?.data);
      if (!isRight(decoded)) throw new CorruptRecordError(thread, 'the stored call trace does not match the schema');
      stored = decoded.right;
    }
    const merged = mergeCallEvent(stored, e);
    if (loaded !== null && sameCallTrace(stored, merged)) return stored;
    const cas = await deps.store.compareAndSet(thread, loaded?.version ?? 0, packSideRecord('call', merged, deps.clock.now(), null));
    if (cas.ok) return merged;
  }
  throw new ContentionError(thread, deps.maxAttempts);
};
