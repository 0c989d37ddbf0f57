import { packedBytesHead } from '../machine/packedRecord.js';
import { byteSlab } from '../memory/byteSlab.js';
import { memoryDocs } from './memoryDocs.js';
import type { Instant, Thread } from '../thread.js';
import type { DriverCommit, PruneRequest, RawThreadRow, StoreDriver, StoredHistoryEntry } from './StoreDriver.js';
import { threadPairKey as keyOf } from './pairKey.js';


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

/** A history entry as the memory driver keeps it: its order key (version, index) beside the stored entry. */
interface HistoryRow extends StoredHistoryEntry {
  readonly version: number;
  readonly idx: number;
}

const newestFirst = (a: HistoryRow, b: HistoryRow): number => b.at - a.at || b.version - a.version || b.idx - a.idx;

// A slot holds the row's version (a varint) then the record's bytes; one scratch buffer builds it.
let scratch = new Uint8Array(128);

const slotBytes = (version: number, record: Uint8Array): Uint8Array => {
  if (scratch.length < record.length + 8) scratch = new Uint8Array(record.length * 2 + 8);
  let n = 0;
  let v = version;
  while (v >= 128) {
    scratch[n++] = (v % 128) + 128;
    v = Math.floor(v / 128);
  }
  scratch[n++] = v;
  scratch.set(record, n);
  return scratch.subarray(0, n + record.length);
};

/** Reads a slot: the version, then the record's bytes (a view of the slab, copied by nobody: the wrapper decodes it at once). */
const rowOfSlot = (chunk: Uint8Array, start: number, end: number): RawThreadRow => {
  let version = 0;
  let m = 1;
  let at = start;
  for (;;) {
    const b = chunk[at]!;
    at += 1;
    version += (b & 127) * m;
    if (b < 128) break;
    m *= 128;
  }
  return { version, record: chunk.subarray(at, end) };
};
const versionOfSlot = (chunk: Uint8Array, start: number): number => {
  let version = 0;
  let m = 1;
  for (let at = start; ; at += 1) {
    const b = chunk[at]!;
    version += (b & 127) * m;
    if (b < 128) return version;
    m *= 128;
  }
};

/** Reads a slot's `dueAt`: past the version, the packed record's head. */
const dueAtOfSlot = (chunk: Uint8Array, start: number, end: number): Instant | null => {
  let at = start;
  while (chunk[at]! >= 128) at += 1;
  return packedBytesHead(chunk, at + 1, end).dueAt;
};

/** The memory driver, with what tests need beside the contract. */
export interface MemoryDriver extends StoreDriver<'bytes'> {
  /** Threads stored. */
  size(): number;
  /** Plants `data` as the thread's stored record at its next version, as a crash or a foreign writer would (tests). */
  corrupt(thread: Thread, data: unknown): void;
}

/**
 * The in-memory {@link StoreDriver}: for tests, simulations and a host that runs
 * one instance. Each thread is its version and packed record bytes (~50 bytes) in
 * a slot of a preallocated slab, found through Maps of small integers: a
 * fraction of a record object's heap, rewritten in place (no garbage per write,
 * so a million threads cost the GC what a thousand do). Documents are a Map per
 * kind; history is a list per thread. Everything it does is synchronous, so
 * every call is atomic, and reads, commits and deletes answer at once (no promise).
 *
 * @example
 * const store = storeFromDriver(memoryDriver());
 * await store.get({ pageId: '1', psid: '2' }); // null
 */
export const memoryDriver = (): MemoryDriver => {
  const rows = new ThreadRows();
  const slab = byteSlab();
  /** Rows planted by `corrupt` (tests): kept raw, beside the slab. */
  const planted = new Map<string, RawThreadRow>();
  const remembered = new Map<string, Instant>();
  /** History lists by Page, then PSID, like the rows: no key string is built per append. */
  const history = new Map<string, Map<string, HistoryRow[]>>();
  const docs = memoryDocs();
  // The service reads a thread and then writes it: remember the last row found, valid
  // while no row was added, moved or dropped, so the write skips a second Map lookup.
  let layout = 0;
  let lastThread: Thread | null = null;
  let lastPage = '';
  let lastPsid = '';
  let lastRef: number | undefined;
  let lastLayout = -1;
  const find = (thread: Thread): number | undefined => {
    if (thread !== lastThread || lastLayout !== layout || thread.pageId !== lastPage || thread.psid !== lastPsid) {
      lastRef = rows.get(thread);
      lastThread = thread;
      lastPage = thread.pageId;
      lastPsid = thread.psid;
      lastLayout = layout;
    }
    return lastRef;
  };
  const versionOf = (thread: Thread): number => {
    const bad = planted.size === 0 ? undefined : planted.get(keyOf(thread));
    if (bad !== undefined) return Number(bad.version);
    const ref = find(thread);
    return ref === undefined ? 0 : slab.read(ref, versionOfSlot);
  };

  const rememberNow = (eventId: string, now: Instant, until: Instant): boolean => {
    const known = remembered.get(eventId);
    if (known !== undefined && known > now) return false;
    remembered.set(eventId, until);
    return true;
  };

  const prune = ({ now, historyBefore }: PruneRequest): void => {
    for (const [id, until] of remembered) if (until <= now) remembered.delete(id);
    docs.prune(now);
    for (const [pageId, psids] of history) {
      for (const [psid, list] of psids) {
        const kept = list.filter((h) => h.at >= historyBefore);
        if (kept.length === 0) psids.delete(psid);
        else if (kept.length !== list.length) psids.set(psid, kept);
      }
      if (psids.size === 0) history.delete(pageId);
    }
  };

  const append = (thread: Thread, version: number, entries: readonly StoredHistoryEntry[]): void => {
    let psids = history.get(thread.pageId);
    if (psids === undefined) {
      psids = new Map();
      history.set(thread.pageId, psids);
    }
    let list = psids.get(thread.psid);
    if (list === undefined) {
      list = [];
      psids.set(thread.psid, list);
    }
    for (let idx = 0; idx < entries.length; idx += 1) {
      const e = entries[idx]!;
      list.push({ at: e.at, text: e.text, version, idx });
    }
  };

  const commitNow = (c: DriverCommit<'bytes'>): readonly boolean[] | null => {
    if (c.prune !== null) prune(c.prune);
    if (c.record !== null) {
      if (versionOf(c.thread) !== c.expectedVersion) return null;
      const version = c.expectedVersion + 1;
      const ref = find(c.thread);
      const next = slab.write(ref ?? null, slotBytes(version, c.record));
      if (next !== ref) {
        rows.set(c.thread, next);
        layout += 1;
      }
      if (planted.size > 0) planted.delete(keyOf(c.thread));
      if (c.history.length > 0) append(c.thread, version, c.history);
    }
    const first: boolean[] = [];
    for (const id of c.eventIds) first.push(rememberNow(id, c.now, c.until));
    return first;
  };

  /** Drops the thread's row (its slot, or a planted one) if it is at `expectedVersion`; the due index is the rows themselves. */
  const deleteNow = (thread: Thread, expectedVersion: number): boolean => {
    if (versionOf(thread) !== expectedVersion) return false;
    if (planted.size > 0) planted.delete(keyOf(thread));
    const ref = find(thread);
    if (ref === undefined) return true;
    slab.free(ref);
    rows.delete(thread);
    layout += 1;
    return true;
  };

  return {
    name: 'memory',
    recordForm: 'bytes',
    getThread(thread) {
      const bad = planted.size === 0 ? undefined : planted.get(keyOf(thread));
      if (bad !== undefined) return bad;
      const ref = find(thread);
      return ref === undefined ? null : slab.read(ref, rowOfSlot);
    },
    commit: commitNow,
    deleteThread: deleteNow,
    dueThreads(before, limit) {
      const hits: { thread: Thread; dueAt: Instant }[] = [];
      for (const [pageId, psids] of rows.pages) {
        for (const [psid, ref] of psids) {
          const dueAt = slab.read(ref, dueAtOfSlot);
          if (dueAt !== null && dueAt <= before) hits.push({ thread: { pageId, psid }, dueAt });
        }
      }
      return Promise.resolve(hits.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit).map((h) => h.thread));
    },
    getDoc: (kind, key) => Promise.resolve(docs.get(kind, key)),
    putDoc(kind, key, expectedVersion, value, write, pruneRequest) {
      if (pruneRequest !== null) prune(pruneRequest);
      return Promise.resolve(docs.put(kind, key, expectedVersion, value, write));
    },
    deleteDoc: (kind, key, expectedVersion) => Promise.resolve(docs.delete(kind, key, expectedVersion)),
    dueDocs: (kind, before, limit) => Promise.resolve(docs.due(kind, before, limit)),
    readHistory(thread, before, limit) {
      const list = history.get(thread.pageId)?.get(thread.psid) ?? [];
      const hits = list.filter((h) => h.at < before).sort(newestFirst).slice(0, limit);
      return Promise.resolve(hits.map((h) => ({ at: h.at, text: h.text })));
    },
    close() {
      rows.clear();
      slab.clear();
      layout += 1;
      planted.clear();
      remembered.clear();
      history.clear();
      docs.clear();
      return Promise.resolve();
    },
    size: () => rows.size + planted.size,
    corrupt(thread, data) {
      planted.set(keyOf(thread), { version: versionOf(thread) + 1, record: data });
      const ref = rows.get(thread);
      if (ref !== undefined) slab.free(ref);
      rows.delete(thread);
      layout += 1;
    },
  };
};
