import type { DocKind, DocWrite } from '../ports/VersionedDoc.js';
import type { Instant } from '../thread.js';
import type { RawDocRow } from './StoreDriver.js';

interface Slot {
  readonly version: number;
  readonly value: string;
  readonly dueAt: Instant | null;
  readonly expiresAt: Instant | null;
}

/**
 * The side documents of `memoryDriver`: one Map per kind (values are immutable
 * strings, so nothing is copied). `due` scans its kind's Map, as the driver's
 * due scan does the threads; `prune` drops documents whose `expiresAt` has come.
 * Synchronous: the driver wraps the answers in promises.
 *
 * @example
 * const docs = memoryDocs();
 * docs.put('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null }); // true
 * docs.due('inbox', 5, 10); // ['k']
 */
export const memoryDocs = () => {
  const kinds = new Map<DocKind, Map<string, Slot>>();
  const table = (kind: DocKind): Map<string, Slot> => {
    let t = kinds.get(kind);
    if (t === undefined) {
      t = new Map();
      kinds.set(kind, t);
    }
    return t;
  };

  return {
    get(kind: DocKind, key: string): RawDocRow | null {
      const slot = kinds.get(kind)?.get(key);
      return slot === undefined ? null : { version: slot.version, value: slot.value, dueAt: slot.dueAt };
    },
    /** Writes over `expectedVersion` (0 = absent); true when written. */
    put(kind: DocKind, key: string, expectedVersion: number, value: string, write: DocWrite): boolean {
      const t = table(kind);
      const current = t.get(key)?.version ?? 0;
      if (current !== expectedVersion) return false;
      t.set(key, { version: current + 1, value, dueAt: write.dueAt, expiresAt: write.expiresAt });
      return true;
    },
    /** Deletes at `expectedVersion`; true when the document is gone. */
    delete(kind: DocKind, key: string, expectedVersion: number): boolean {
      const t = table(kind);
      if ((t.get(key)?.version ?? 0) !== expectedVersion) return false;
      t.delete(key);
      return true;
    },
    due(kind: DocKind, before: Instant, limit: number): string[] {
      const hits: { key: string; dueAt: Instant }[] = [];
      for (const [key, slot] of kinds.get(kind) ?? []) {
        if (slot.dueAt !== null && slot.dueAt <= before) hits.push({ key, dueAt: slot.dueAt });
      }
      return hits.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit).map((h) => h.key);
    },
    /** Drops every document whose `expiresAt` is at or before `now`. */
    prune(now: Instant): void {
      for (const t of kinds.values()) {
        for (const [key, slot] of t) if (slot.expiresAt !== null && slot.expiresAt <= now) t.delete(key);
      }
    },
    clear: () => kinds.clear(),
  };
};
