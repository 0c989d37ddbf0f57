import { isRight } from 'fp-ts/lib/Either.js';
import { memoryDocs } from './memoryDocs.js';
import { packedBytesHead, packRecordToBytes, unpackRecordBytes } from './machine/packedRecord.js';
import { byteSlab } from './memory/byteSlab.js';
import { PermissionRecordCodec, type PermissionRecord } from './machine/PermissionRecord.js';
import { CorruptRecordError, type CasResult, type CommitResult, type PermissionStore, type Versioned } from './ports/PermissionStore.js';
import type { Instant, Thread } from './thread.js';

/** An unambiguous key whatever the ids contain: the page id's length, then both ids. */
const keyOf = (t: Thread): string => `${t.pageId.length}:${t.pageId}${t.psid}`;

/**
 * Slab slots by Page, then PSID. The caller's own id strings are the keys, so a
 * lookup builds no key string, and a big store's lookups touch a small Map of
 * Pages and then that Page's threads (fewer cache misses than one Map of every
 * thread under a composite key, so the cost per event stays flat as threads grow).
 */
class ThreadRows {
  readonly pages = new Map<string, Map<string, number>>();
  size = 0;

  get(t: Thread): number | undefined {
    return this.pages.get(t.pageId)?.get(t.psid);
  }

  set(t: Thread, ref: number): void {
    let psids = this.pages.get(t.pageId);
    if (psids === undefined) {
      psids = new Map();
      this.pages.set(t.pageId, psids);
    }
    if (!psids.has(t.psid)) this.size += 1;
    psids.set(t.psid, ref);
  }

  delete(t: Thread): void {
    const psids = this.pages.get(t.pageId);
    if (psids === undefined || !psids.delete(t.psid)) return;
    this.size -= 1;
    if (psids.size === 0) this.pages.delete(t.pageId);
  }

  clear(): void {
    this.pages.clear();
    this.size = 0;
  }
}

const settle = <T>(f: () => T): Promise<T> => {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
};

/**
 * A `PermissionStore` in this process's memory: for tests, simulations and a host
 * that runs one instance. Each thread is its packed bytes (`packRecord`, version
 * in front, ~50 bytes) in a slot of a preallocated slab, found through a Map of
 * small integers: a fraction of a record object's heap, rewritten in place (no
 * garbage per write, so a million threads cost the GC what a thousand do), and
 * every read builds a fresh copy, so callers cannot change a stored record.
 *
 * @example
 * const store = memoryStore();
 * await store.get({ pageId: '1', psid: '2' }); // null
 */
export const memoryStore = (): PermissionStore & { size(): number; corrupt(thread: Thread, raw: unknown): void } => {
  const rows = new ThreadRows();
  const slab = byteSlab();
  /** Rows planted by `corrupt` (tests): kept raw, checked by the codec on read. */
  const planted = new Map<string, { version: number; raw: unknown }>();
  const remembered = new Map<string, Instant>();
  let pruneAt = 1024;
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('This memory store is closed; create a new one.');
  };
  const docs = memoryDocs(open);
  // The service reads a thread and then writes it: remember the last row found, valid
  // while no row was added, moved or dropped, so the write skips a second Map lookup.
  let layout = 0;
  let lastThread: Thread | null = null;
  let lastPage = '';
  let lastPsid = '';
  let lastKey = '';
  let lastRef: number | undefined;
  // lastKey: the thread's key among planted (corrupted) rows, built only while there are any.
  let lastLayout = -1;
  /** Looks `thread` up (or reuses the last lookup); the answer is in `lastKey` / `lastRef`. */
  const find = (thread: Thread): void => {
    if (thread === lastThread && lastLayout === layout && thread.pageId === lastPage && thread.psid === lastPsid) return;
    lastKey = planted.size === 0 ? '' : keyOf(thread);
    lastRef = rows.get(thread);
    lastThread = thread;
    lastPage = thread.pageId;
    lastPsid = thread.psid;
    lastLayout = layout;
  };
  // Slab readers made once, not per call.
  const headOf = (b: Uint8Array, start: number, end: number) => packedBytesHead(b, start, end, 1);
  const rowOf = (b: Uint8Array, start: number, end: number) => unpackRecordBytes(b, start, end, 1);

  const versionAt = (ref: number): number => slab.read(ref, headOf).prefix[0] ?? 0;
  const versionOf = (thread: Thread): number => {
    const bad = planted.get(keyOf(thread));
    if (bad !== undefined) return bad.version;
    const ref = rows.get(thread);
    return ref === undefined ? 0 : versionAt(ref);
  };

  const rememberNow = (eventId: string, now: Instant, until: Instant): boolean => {
    const known = remembered.get(eventId);
    if (known !== undefined && known > now) return false;
    if (remembered.size >= pruneAt) {
      for (const [id, u] of remembered) if (u <= now) remembered.delete(id);
      pruneAt = Math.max(1024, remembered.size * 2);
    }
    remembered.set(eventId, until);
    return true;
  };

  /** Compare-and-set in place: the new version, or 0 on a conflict. */
  const writeNow = (thread: Thread, expectedVersion: number, record: PermissionRecord): number => {
    // One lookup of the row for the check and the write (each costs cache misses in a big store).
    find(thread);
    const key = lastKey;
    const ref = lastRef;
    const bad = planted.size === 0 ? undefined : planted.get(key);
    const current = bad !== undefined ? bad.version : ref === undefined ? 0 : versionAt(ref);
    if (current !== expectedVersion) return 0;
    const version = current + 1;
    const next = slab.write(ref ?? null, packRecordToBytes(record, [version]));
    if (next !== ref) {
      rows.set(thread, next);
      layout += 1;
    }
    if (bad !== undefined) planted.delete(key);
    return version;
  };

  return {
    get: (thread): Promise<Versioned | null> => settle(() => {
      open();
      find(thread);
      const key = lastKey;
      const ref = lastRef;
      const bad = planted.size === 0 ? undefined : planted.get(key);
      if (bad !== undefined) {
        const r = PermissionRecordCodec.decode(bad.raw);
        if (isRight(r)) return { version: bad.version, record: structuredClone(r.right) };
        throw new CorruptRecordError(thread, 'the record does not match the schema');
      }
      if (ref === undefined) return null;
      try {
        const { prefix, record } = slab.read(ref, rowOf);
        return { version: prefix[0] ?? 0, record };
      } catch (e) {
        throw new CorruptRecordError(thread, 'the stored bytes do not unpack', { cause: e });
      }
    }),
    compareAndSet: (thread, expectedVersion, record: PermissionRecord): Promise<CasResult> => settle(() => {
      open();
      const version = writeNow(thread, expectedVersion, record);
      return version === 0 ? { ok: false, reason: 'conflict' } as const : { ok: true, version } as const;
    }),
    remember(eventId, now, until): Promise<boolean> {
      open();
      return Promise.resolve(rememberNow(eventId, now, until));
    },
    commitThread: ({ thread, expectedVersion, record, eventIds, now, until }): Promise<CommitResult> => settle(() => {
      open();
      const version = record === null ? expectedVersion : writeNow(thread, expectedVersion, record);
      if (version === 0 && record !== null) return { ok: false, reason: 'conflict' } as const;
      const first = eventIds.map((id) => rememberNow(id, now, until));
      return { ok: true, version, first } as const;
    }),
    due: (before, limit): Promise<Thread[]> => settle(() => {
      open();
      const hits: { thread: Thread; dueAt: Instant }[] = [];
      for (const [pageId, psids] of rows.pages) {
        for (const [psid, ref] of psids) {
          const { dueAt } = slab.read(ref, headOf);
          if (dueAt !== null && dueAt <= before) hits.push({ thread: { pageId, psid }, dueAt });
        }
      }
      return hits.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit).map((h) => h.thread);
    }),
    getDoc: docs.getDoc,
    putDoc: docs.putDoc,
    deleteDoc: docs.deleteDoc,
    dueDocs: docs.dueDocs,
    close(): Promise<void> {
      closed = true;
      rows.clear();
      slab.clear();
      layout += 1;
      planted.clear();
      remembered.clear();
      docs.clear();
      return Promise.resolve();
    },
    size: () => rows.size + planted.size,
    corrupt(thread, raw): void {
      planted.set(keyOf(thread), { version: versionOf(thread) + 1, raw });
      const ref = rows.get(thread);
      if (ref !== undefined) slab.free(ref);
      rows.delete(thread);
      layout += 1;
    },
  };
};
