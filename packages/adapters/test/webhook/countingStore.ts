import { memoryStore, type PermissionStore } from '@callperm/core';

/**
 * A memory store that counts every write, to prove a refused or ignored body
 * changes nothing.
 *
 * @example
 * const { store, writes } = countingStore();
 */
export const countingStore = (): { store: PermissionStore; writes: () => number } => {
  const inner = memoryStore();
  let writes = 0;
  const store: PermissionStore = {
    ...inner,
    compareAndSet: (t, v, r) => { writes += 1; return inner.compareAndSet(t, v, r); },
    remember: (id, now, until) => { writes += 1; return inner.remember(id, now, until); },
    commitThread: (c) => { writes += 1; return inner.commitThread(c); },
    putDoc: (kind, key, v, value, write) => { writes += 1; return inner.putDoc(kind, key, v, value, write); },
    deleteDoc: (kind, key, v) => { writes += 1; return inner.deleteDoc(kind, key, v); },
    retire: (t, v) => { writes += 1; return inner.retire(t, v); },
  };
  return { store, writes: () => writes };
};
