import { CorruptDocError } from '../ports/CorruptDocError.js';
import type { WebhookEvent } from '../webhookEvent.js';
import { encodeJson } from '../store/versionedJson.js';
import { completeInbox, inboxFormat, readInbox, type InboxDeps, type InboxEntry } from './inbox.js';
import { failureCode, retryDelayMs, type ResolvedRetry } from './retryBackoff.js';

/** What one attempt at an inbox slot came to. */
export type InboxOutcome =
  /** The delivery was applied and its slot deleted. */
  | { readonly kind: 'applied' }
  /** The slot was empty (another host got there first). */
  | { readonly kind: 'empty' }
  /**
   * Applying it failed: the slot waits its backoff (`asideKey` null), or, after
   * `inboxMaxAttempts` failures or when it does not decode, was moved aside to
   * the `inbox_aside` document `asideKey`.
   */
  | { readonly kind: 'failed'; readonly error: unknown; readonly attempts: number; readonly asideKey: string | null };

const APPLIED: InboxOutcome = { kind: 'applied' };
const EMPTY: InboxOutcome = { kind: 'empty' };

/**
 * Copies a slot's text to a new `inbox_aside` document (due at `now`, so its due
 * index lists every entry moved aside; it never expires), then deletes the slot
 * at the version read. Two hosts moving the same slot aside at one instant write
 * one copy; a crash in between leaves the slot to be moved again (replaying a
 * copy twice is harmless: events are idempotent).
 */
const moveAside = async (deps: InboxDeps, key: string, version: number, text: string, now: number): Promise<string> => {
  const asideKey = `${key}@${now.toString(36)}`;
  await deps.store.putDoc('inbox_aside', asideKey, 0, text, { now, dueAt: now, expiresAt: null });
  if ((await deps.store.getDoc('inbox_aside', asideKey)) !== null) await deps.store.deleteDoc('inbox', key, version);
  return asideKey;
};

/**
 * Records a failed attempt at a slot: one more attempt and the failure's code in
 * the entry, due again after `retryDelayMs`; the `inboxMaxAttempts`-th failure
 * moves it aside instead. A slot changed meanwhile (applied or retried by another
 * host) is left as it is.
 */
const recordFailure = async (
  deps: InboxDeps, retry: ResolvedRetry, key: string, slot: { entry: InboxEntry; version: number }, error: unknown,
): Promise<InboxOutcome> => {
  const now = deps.clock.now();
  const attempts = slot.entry.attempts + 1;
  const lastError = failureCode(error);
  if (attempts >= retry.inboxMaxAttempts) {
    const aside: InboxEntry = { ...slot.entry, attempts, lastError, movedAsideAt: now };
    return { kind: 'failed', error, attempts, asideKey: await moveAside(deps, key, slot.version, encodeJson(inboxFormat, aside), now) };
  }
  const entry: InboxEntry = { ...slot.entry, attempts, lastError };
  await deps.store.putDoc('inbox', key, slot.version, encodeJson(inboxFormat, entry), {
    now, dueAt: now + retryDelayMs(retry, attempts), expiresAt: null,
  });
  return { kind: 'failed', error, attempts, asideKey: null };
};

/**
 * A slot that does not decode: one in a format newer than this release waits the
 * longest backoff (a newer host applies it); any other is moved aside as it is
 * (it can never apply), for an operator to inspect.
 */
const undecodable = async (deps: InboxDeps, retry: ResolvedRetry, key: string, error: CorruptDocError): Promise<InboxOutcome> => {
  const doc = await deps.store.getDoc('inbox', key);
  if (doc === null) return EMPTY;
  const now = deps.clock.now();
  if (error.format !== null && error.format > inboxFormat.version) {
    await deps.store.putDoc('inbox', key, doc.version, doc.value, { now, dueAt: now + retry.maxMs, expiresAt: null });
    return { kind: 'failed', error, attempts: 1, asideKey: null };
  }
  return { kind: 'failed', error, attempts: 1, asideKey: await moveAside(deps, key, doc.version, doc.value, now) };
};

/**
 * Applies the delivery waiting in a slot with `ingest`, then deletes it. A failure
 * is counted in the slot, which backs off exponentially (so it never holds back
 * the slots behind it) and is moved aside after `retry.inboxMaxAttempts`
 * failures: kept, listed by `listMovedAside`, replayable. Rejects only when the
 * store itself fails.
 *
 * @example
 * const outcome = await processInbox(deps, resolveRetry(), key, (events) => permissions.ingest(events));
 */
export const processInbox = async (
  deps: InboxDeps,
  retry: ResolvedRetry,
  key: string,
  ingest: (events: readonly WebhookEvent[], receivedAt: number) => Promise<unknown>,
): Promise<InboxOutcome> => {
  let slot;
  try {
    slot = await readInbox(deps.store, key);
  } catch (e) {
    if (e instanceof CorruptDocError) return undecodable(deps, retry, key, e);
    throw e;
  }
  if (slot === null) return EMPTY;
  try {
    await ingest(slot.entry.events, slot.entry.receivedAt);
  } catch (e) {
    return recordFailure(deps, retry, key, slot, e);
  }
  await completeInbox(deps, { key, ids: slot.entry.ids });
  return APPLIED;
};
