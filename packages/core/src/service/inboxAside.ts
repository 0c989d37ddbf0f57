import { CorruptDocError } from '../ports/CorruptDocError.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { WebhookEvent } from '../webhookEvent.js';
import { decodeDoc } from './decodeDoc.js';
import { inboxFormat } from './inbox.js';

/** An inbox delivery moved aside after failing too often, as `listMovedAside` describes it (no event contents). */
export type MovedAsideEntry =
  | {
    readonly key: string;
    readonly corrupt: false;
    readonly ids: readonly string[];
    readonly receivedAt: number;
    readonly movedAsideAt: number | null;
    readonly attempts: number;
    readonly lastError: string | null;
  }
  /** A document that does not decode (moved aside as it was): replay refuses it with `CorruptDocError`. */
  | { readonly key: string; readonly corrupt: true; readonly format: number | null };

/** The most entries `listMovedAside` returns when asked for none in particular. */
export const DEFAULT_ASIDE_LIMIT = 100;

/**
 * Lists inbox deliveries moved aside, oldest first, at most `limit`.
 *
 * @example
 * for (const e of await listMovedAside(store)) console.log(e.key, e.corrupt ? 'corrupt' : e.lastError);
 */
export const listMovedAside = async (store: PermissionStore, limit = DEFAULT_ASIDE_LIMIT): Promise<MovedAsideEntry[]> => {
  const keys = await store.dueDocs('inbox_aside', Number.MAX_SAFE_INTEGER, limit);
  const out: MovedAsideEntry[] = [];
  for (const key of keys) {
    const doc = await store.getDoc('inbox_aside', key);
    if (doc === null) continue;
    try {
      const e = decodeDoc('inbox_aside', key, doc.value, inboxFormat);
      out.push({ key, corrupt: false, ids: e.ids, receivedAt: e.receivedAt, movedAsideAt: e.movedAsideAt, attempts: e.attempts, lastError: e.lastError });
    } catch (e) {
      if (!(e instanceof CorruptDocError)) throw e;
      out.push({ key, corrupt: true, format: e.format });
    }
  }
  return out;
};

/**
 * Applies a delivery moved aside with `ingest` (events are idempotent), then
 * deletes it; resolves false when there is none under `key` (already replayed).
 * A failure leaves it where it is and rejects; one that does not decode rejects
 * with `CorruptDocError`.
 *
 * @example
 * await replayMovedAside(store, key, (events) => permissions.ingest(events)); // true
 */
export const replayMovedAside = async (
  store: PermissionStore,
  key: string,
  ingest: (events: readonly WebhookEvent[], receivedAt: number) => Promise<unknown>,
): Promise<boolean> => {
  const doc = await store.getDoc('inbox_aside', key);
  if (doc === null) return false;
  const entry = decodeDoc('inbox_aside', key, doc.value, inboxFormat);
  await ingest(entry.events, entry.receivedAt);
  await store.deleteDoc('inbox_aside', key, doc.version);
  return true;
};
