import { frozenRecord } from '../machine/frozenRecord.js';
import type { PermissionRecord } from '../machine/PermissionRecord.js';
import type { Clock } from '../ports/Clock.js';
import type { PermissionStore, Versioned } from '../ports/PermissionStore.js';
import { threadKey, type Instant, type Thread } from '../thread.js';
import { threadTable } from './threadTable.js';

/** Options of {@link cachingStore}. */
export interface CachingStoreOptions {
  /** Reads the age of cached entries. */
  readonly clock: Clock;
  /**
   * How long a cached record may be served without reading the store again (ms).
   * `Infinity` is exact when every write to the store goes through this cache (one
   * process over memory or SQLite). With several writers (hosts sharing Redis or
   * PostgreSQL), reads may be this stale; writes never are (compare-and-set).
   * Default 1000.
   */
  readonly maxAgeMs?: number;
  /** Threads kept; the least recently read are dropped first (default 100 000). */
  readonly maxEntries?: number;
}

interface Entry {
  readonly value: Versioned | null;
  /** The same value as a settled promise, so a hit allocates nothing. */
  readonly answer: Promise<Versioned | null>;
  readonly loadedAt: Instant;
}

/** The cache's counters, for tuning and tests. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

interface Flight { dirty: boolean }

/**
 * A read-through cache of decoded, frozen records in front of any store. `get`
 * answers from memory while the entry is younger than `maxAgeMs`; a successful
 * compare-and-set (or `commitThread`) stores the new version in the cache, a conflict or error drops
 * the entry (so the next attempt reads the truth), `reset` and `retire` drop it
 * whatever they answer, and an answer that raced a write of its thread is
 * returned but not cached, so a slow answer never installs an old version.
 * Because records come out frozen, `decide` memoises on them: `status` and
 * `canStartCall` of a cached thread cost two lookups.
 *
 * @example
 * const store = cachingStore(sqliteStore({ path }), { clock, maxAgeMs: Infinity });
 * const permissions = createCallPermissions({ graph, store, clock });
 */
export const cachingStore = (
  inner: PermissionStore,
  options: CachingStoreOptions,
): PermissionStore & { stats(): CacheStats; invalidate(thread: Thread): void } => {
  const { clock } = options;
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const entries = threadTable<Entry>(Math.max(1, options.maxEntries ?? 100_000));
  /**
   * Operations in flight per thread. When a write of a thread ends, every other
   * operation on it still in flight is marked dirty: what it brings back may be
   * old already (a read that began before the write, a write whose answer was
   * overtaken), so it goes to its caller but never into the cache.
   */
  const flights = new Map<string, Set<Flight>>();
  const takeOff = (key: string): Flight => {
    const flight = { dirty: false };
    const set = flights.get(key);
    if (set === undefined) flights.set(key, new Set([flight]));
    else set.add(flight);
    return flight;
  };
  /** Ends an operation; a write dirties the others. True when its result may be cached. */
  const land = (key: string, flight: Flight, wrote: boolean): boolean => {
    const set = flights.get(key);
    if (set !== undefined) {
      set.delete(flight);
      if (wrote) for (const f of set) f.dirty = true;
      if (set.size === 0) flights.delete(key);
    }
    return !flight.dirty;
  };
  let hits = 0;
  let misses = 0;

  /** Keeps the newer of what is cached and what was just learned (versions only grow). */
  const learn = (thread: Thread, value: Versioned | null, loadedAt: Instant): void => {
    const known = entries.peek(thread);
    if (known !== undefined && (known.value?.version ?? 0) > (value?.version ?? 0)) return;
    entries.set(thread, { value, answer: Promise.resolve(value), loadedAt });
  };

  /** A write through the cache: on success the cache learns the frozen record, otherwise it forgets the thread. */
  const write = async <R extends { readonly ok: true; readonly version: number } | { readonly ok: false }>(
    thread: Thread, record: PermissionRecord, run: (frozen: PermissionRecord) => Promise<R>,
  ): Promise<R> => {
    const key = threadKey(thread);
    const frozen = frozenRecord(record);
    const flight = takeOff(key);
    let r: R;
    try {
      r = await run(frozen);
    } catch (e) {
      land(key, flight, true);
      entries.delete(thread);
      throw e;
    }
    if (land(key, flight, true) && r.ok) learn(thread, { version: r.version, record: frozen }, clock.now());
    else entries.delete(thread);
    return r;
  };

  return {
    get(thread) {
      const hit = entries.get(thread);
      if (hit !== undefined && (maxAgeMs === Infinity || clock.now() - hit.loadedAt <= maxAgeMs)) {
        hits += 1;
        return hit.answer;
      }
      misses += 1;
      const key = threadKey(thread);
      const loadedAt = clock.now();
      const flight = takeOff(key);
      return inner.get(thread).then((v) => {
        const value = v === null ? null : { version: v.version, record: frozenRecord(v.record) };
        if (land(key, flight, false)) learn(thread, value, loadedAt);
        return value;
      }, (e: unknown) => {
        land(key, flight, false);
        throw e;
      });
    },
    compareAndSet: (thread, expectedVersion, record) => write(thread, record, (frozen) => inner.compareAndSet(thread, expectedVersion, frozen)),
    commitThread: (commit) => (commit.record === null
      ? inner.commitThread(commit) // nothing written: the cached entry stays true
      : write(commit.thread, commit.record, (record) => inner.commitThread({ ...commit, record }))),
    remember: (eventId, now, until) => inner.remember(eventId, now, until),
    due: (before, limit) => inner.due(before, limit),
    // Side documents are read once per write that needs them: passed through, never cached.
    getDoc: (kind, key) => inner.getDoc(kind, key),
    putDoc: (kind, key, expectedVersion, value, write) => inner.putDoc(kind, key, expectedVersion, value, write),
    deleteDoc: (kind, key, expectedVersion) => inner.deleteDoc(kind, key, expectedVersion),
    dueDocs: (kind, before, limit) => inner.dueDocs(kind, before, limit),
    history: (thread, query) => inner.history(thread, query),
    // A reset replaces what the cache may hold: forget the thread before and after.
    async reset(thread, version, now) {
      entries.delete(thread);
      const key = threadKey(thread);
      const flight = takeOff(key);
      try {
        return await inner.reset(thread, version, now);
      } finally {
        land(key, flight, true);
        entries.delete(thread);
      }
    },
    // A retire removes the row, or (a conflict) finds it moved on: forget the thread before and after, so the next get reads the truth.
    async retire(thread, version) {
      entries.delete(thread);
      const key = threadKey(thread);
      const flight = takeOff(key);
      try {
        return await inner.retire(thread, version);
      } finally {
        land(key, flight, true);
        entries.delete(thread);
      }
    },
    async close() {
      entries.clear();
      await inner.close();
    },
    stats: () => ({ hits, misses, size: entries.size() }),
    invalidate(thread) {
      entries.delete(thread);
    },
  };
};
