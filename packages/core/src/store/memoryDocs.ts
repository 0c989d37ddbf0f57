import type { CasResult, PermissionStore } from './ports/PermissionStore.js';
import type { DocKind, VersionedDoc } from './ports/VersionedDoc.js';
import type { Instant } from './thread.js';

interface Slot {
  readonly version: number;
  readonly value: string;
  readonly dueAt: Instant | null;
  readonly expiresAt: Instant | null;
}

/** The document half of the `PermissionStore` port. */
export type DocMethods = Pick<PermissionStore, 'getDoc' | 'putDoc' | 'deleteDoc' | 'dueDocs'>;

/** Expired documents are looked for at most this often, in the instants writers pass. */
const PRUNE_EVERY_MS = 60_000;

const CONFLICT: CasResult = { ok: false, reason: 'conflict' };

const settle = <T>(open: () => void, f: () => T): Promise<T> => {
  try {
    open();
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
};

/**
 * The side documents of `memoryStore`: one map per kind (values are immutable
 * strings, so nothing is copied). `dueDocs` scans its kind's map, as `due` scans
 * the threads; expired documents are dropped when a writer's `now` has moved a
 * minute past the last look. `open` throws once the store is closed.
 *
 * @example
 * const docs = memoryDocs(() => undefined);
 * await docs.putDoc('inbox', 'k', 0, '{}', { now: 0, dueAt: 5, expiresAt: null }); // { ok: true, version: 1 }
 * await docs.dueDocs('inbox', 5, 10); // ['k']
 */
export const memoryDocs = (open: () => void): DocMethods & { clear(): void } => {
  const kinds = new Map<DocKind, Map<string, Slot>>();
  let lastPrune = -Infinity;
  const table = (kind: DocKind): Map<string, Slot> => {
    let t = kinds.get(kind);
    if (t === undefined) {
      t = new Map();
      kinds.set(kind, t);
    }
    return t;
  };
  const prune = (now: Instant): void => {
    lastPrune = now;
    for (const t of kinds.values()) {
      for (const [key, slot] of t) if (slot.expiresAt !== null && slot.expiresAt <= now) t.delete(key);
    }
  };

  return {
    getDoc: (kind, key) => settle(open, (): VersionedDoc | null => {
      const slot = kinds.get(kind)?.get(key);
      return slot === undefined ? null : { version: slot.version, value: slot.value, dueAt: slot.dueAt };
    }),
    putDoc: (kind, key, expectedVersion, value, write) => settle(open, (): CasResult => {
      if (write.now - lastPrune >= PRUNE_EVERY_MS) prune(write.now);
      const t = table(kind);
      const current = t.get(key)?.version ?? 0;
      if (current !== expectedVersion) return CONFLICT;
      const version = current + 1;
      t.set(key, { version, value, dueAt: write.dueAt, expiresAt: write.expiresAt });
      return { ok: true, version };
    }),
    deleteDoc: (kind, key, expectedVersion) => settle(open, (): CasResult => {
      const t = table(kind);
      if ((t.get(key)?.version ?? 0) !== expectedVersion) return CONFLICT;
      t.delete(key);
      return { ok: true, version: 0 };
    }),
    dueDocs: (kind, before, limit) => settle(open, (): string[] => {
      if (limit <= 0) return [];
      const hits: { key: string; dueAt: Instant }[] = [];
      for (const [key, slot] of kinds.get(kind) ?? []) {
        if (slot.dueAt !== null && slot.dueAt <= before) hits.push({ key, dueAt: slot.dueAt });
      }
      return hits.sort((a, b) => a.dueAt - b.dueAt).slice(0, Math.trunc(limit)).map((h) => h.key);
    }),
    clear: () => kinds.clear(),
  };
};
