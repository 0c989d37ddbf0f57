import type { Instant } from '../thread.js';

/**
 * The kinds of side documents a store keeps next to thread records: a call's
 * trace (`call`), a webhook delivery waiting in the inbox (`inbox`), one moved
 * aside after failing too often (`inbox_aside`, listed by its due index, kept
 * until replayed), a thread's failing remote check with its backoff
 * (`followup`), a Page whose calling Meta said is off (`page`), and a Page's last
 * feature and settings check (`page_status`). Each kind is
 * its own key space and its own due index.
 *
 * @example
 * const kind: DocKind = 'inbox';
 */
export type DocKind = 'call' | 'inbox' | 'inbox_aside' | 'followup' | 'page' | 'page_status';

/**
 * A side document as stored: its version (1 for the first write after it was
 * absent), its JSON text exactly as written, and when it falls due.
 *
 * @example
 * const doc = await store.getDoc('inbox', key);
 * if (doc !== null) JSON.parse(doc.value);
 */
export interface VersionedDoc {
  readonly version: number;
  /** JSON text, as written (the store never parses it). */
  readonly value: string;
  /** When `dueDocs` lists it (null: never). */
  readonly dueAt: Instant | null;
}

/**
 * How `putDoc` writes a document.
 *
 * @example
 * const now = clock.now();
 * await store.putDoc('call', key, 0, JSON.stringify(trace), { now, dueAt: null, expiresAt: now + 2 * 86_400_000 });
 */
export interface DocWrite {
  /** The writer's instant (epoch ms): documents whose `expiresAt` is at or before it may be deleted. */
  readonly now: Instant;
  /** When the document falls due for `dueDocs` (null: never). */
  readonly dueAt: Instant | null;
  /** When the store may delete the document (null: it stays until `deleteDoc`). */
  readonly expiresAt: Instant | null;
}
