import type { Thread } from '../thread.js';

/** The outer key of a thread: its Page id, or a WhatsApp business id with `wa:` before it (never a Messenger one). */
const pageKey = (thread: Thread): string => (thread.channel === 'whatsapp' ? `wa:${thread.pageId}` : thread.pageId);

/**
 * A bounded map from thread to value, keyed page then PSID (no key string is
 * built on a lookup), evicting with second chance: the oldest entry goes unless
 * it was read since the hand last passed, in which case it moves to the back once.
 *
 * @example
 * const t = threadTable<number>(2); t.set({ pageId: '1', psid: '2' }, 5); t.get({ pageId: '1', psid: '2' }); // 5
 */
export const threadTable = <V>(maxEntries: number) => {
  interface Slot { value: V; used: boolean }
  const pages = new Map<string, Map<string, Slot>>();
  let size = 0;

  const evictOne = (): void => {
    for (;;) {
      const page = pages.entries().next().value;
      if (page === undefined) return;
      const [pageId, threads] = page;
      const oldest = threads.entries().next().value;
      if (oldest === undefined) {
        pages.delete(pageId);
        continue;
      }
      const [psid, slot] = oldest;
      threads.delete(psid);
      if (slot.used) {
        slot.used = false;
        threads.set(psid, slot);
        pages.delete(pageId); // let the other pages' entries take their turn
        pages.set(pageId, threads);
        continue;
      }
      size -= 1;
      if (threads.size === 0) pages.delete(pageId);
      return;
    }
  };

  return {
    /** The value, marking it recently used; undefined when absent. */
    get(thread: Thread): V | undefined {
      const slot = pages.get(pageKey(thread))?.get(thread.psid);
      if (slot === undefined) return undefined;
      slot.used = true;
      return slot.value;
    },
    /** The value without marking it used. */
    peek(thread: Thread): V | undefined {
      return pages.get(pageKey(thread))?.get(thread.psid)?.value;
    },
    set(thread: Thread, value: V): void {
      const slot = pages.get(pageKey(thread))?.get(thread.psid);
      if (slot !== undefined) {
        slot.value = value;
        return;
      }
      if (size >= maxEntries) evictOne();
      let threads = pages.get(pageKey(thread)); // after eviction, which may have dropped this page
      if (threads === undefined) {
        threads = new Map();
        pages.set(pageKey(thread), threads);
      }
      threads.set(thread.psid, { value, used: false });
      size += 1;
    },
    delete(thread: Thread): void {
      const threads = pages.get(pageKey(thread));
      if (threads?.delete(thread.psid) === true) {
        size -= 1;
        if (threads.size === 0) pages.delete(pageKey(thread));
      }
    },
    clear(): void {
      pages.clear();
      size = 0;
    },
    size: (): number => size,
  };
};
