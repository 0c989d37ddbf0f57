import * as t from 'io-ts';
import { CorruptDocError } from '../ports/CorruptDocError.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import { encodeJson, type JsonFormat } from '../store/versionedJson.js';
import type { Instant, Thread } from '../thread.js';
import { decodeDoc } from './decodeDoc.js';
import { retryDelayMs, type ResolvedRetry } from './retryBackoff.js';

/**
 * A thread's failing remote check, kept as a `followup` document beside its
 * record (the record's packed layout is untouched): which follow-up failed (its
 * due instant `at`), how often, and when it may be tried again. Hosts sharing a
 * store share it, so they agree on the attempt count.
 */
export interface FollowUpBackoff {
  /** The due instant of the remote check that failed: a record with another one starts again at 0. */
  readonly at: Instant;
  readonly attempts: number;
  readonly nextAttemptAt: Instant;
}

const FollowUpBackoffCodec: t.Type<FollowUpBackoff, FollowUpBackoff, unknown> = t.readonly(t.type({
  at: t.number,
  attempts: t.number,
  nextAttemptAt: t.number,
}));

/**
 * The `followup` document's stored format. 1: the first (release with sweep backoff).
 *
 * @example
 * encodeJson(followUpBackoffFormat, { at: 0, attempts: 1, nextAttemptAt: 60_000 }); // '{"v":1,"at":0,...}'
 */
export const followUpBackoffFormat: JsonFormat<FollowUpBackoff> = {
  name: 'follow-up backoff', field: 'v', version: 1, codec: FollowUpBackoffCodec, upgrades: [],
};

/**
 * The key of a thread's `followup` document (unambiguous whatever the ids hold).
 *
 * @example
 * followUpKey({ pageId: '1234', psid: '5678' }); // '4:1234:5678'
 */
export const followUpKey = (thread: Thread): string => `${thread.pageId.length}:${thread.pageId}:${thread.psid}`;

/** A thread's backoff as read, with the document's version (for compare-and-set). */
export interface LoadedBackoff {
  readonly backoff: FollowUpBackoff;
  readonly version: number;
}

/** What a backoff document that does not decode counts as: about no follow-up, so the next failure writes over it. */
const UNREADABLE: FollowUpBackoff = { at: Number.NaN, attempts: 0, nextAttemptAt: 0 };

/**
 * Reads a thread's backoff document, or null when it has none. One that does not
 * decode counts for nothing (a backoff is only a retry hint: it must never make a
 * thread fail, or stop it from backing off, for good).
 *
 * @example
 * const loaded = await readFollowUpBackoff(store, thread);
 */
export const readFollowUpBackoff = async (store: PermissionStore, thread: Thread): Promise<LoadedBackoff | null> => {
  const key = followUpKey(thread);
  const doc = await store.getDoc('followup', key);
  if (doc === null) return null;
  try {
    return { backoff: decodeDoc('followup', key, doc.value, followUpBackoffFormat), version: doc.version };
  } catch (e) {
    if (e instanceof CorruptDocError) return { backoff: UNREADABLE, version: doc.version };
    throw e;
  }
};

/**
 * Records one more failure of the remote check due at `at`: the attempt count
 * goes up by one (from 0 when the stored backoff was about another follow-up)
 * and the next attempt waits `retryDelayMs`. The document expires one `maxMs`
 * after that next attempt, so a thread settled by other means leaves nothing
 * behind for long. A conflict (another host recorded the same failure) keeps
 * the other host's word.
 *
 * @example
 * const { nextAttemptAt } = await recordFollowUpFailure(store, retry, thread, loaded, at, now);
 */
export const recordFollowUpFailure = async (
  store: PermissionStore,
  retry: ResolvedRetry,
  thread: Thread,
  loaded: LoadedBackoff | null,
  at: Instant,
  now: Instant,
): Promise<FollowUpBackoff> => {
  const attempts = (loaded !== null && loaded.backoff.at === at ? loaded.backoff.attempts : 0) + 1;
  const backoff: FollowUpBackoff = { at, attempts, nextAttemptAt: now + retryDelayMs(retry, attempts) };
  await store.putDoc('followup', followUpKey(thread), loaded?.version ?? 0, encodeJson(followUpBackoffFormat, backoff), {
    now, dueAt: null, expiresAt: backoff.nextAttemptAt + retry.maxMs,
  });
  return backoff;
};

/**
 * Forgets a thread's backoff once its remote check got Meta's answer (a document
 * changed meanwhile is left to its writer).
 *
 * @example
 * if (loaded) await clearFollowUpBackoff(store, thread, loaded);
 */
export const clearFollowUpBackoff = async (store: PermissionStore, thread: Thread, loaded: LoadedBackoff): Promise<void> => {
  await store.deleteDoc('followup', followUpKey(thread), loaded.version);
};
