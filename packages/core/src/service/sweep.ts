import type { PermissionRecord } from '../machine/PermissionRecord.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Clock } from '../ports/Clock.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { Thread } from '../thread.js';
import { followUpFor } from './followUpFor.js';
import { isSideThread, SIDE_PAGE_PREFIX } from './sideRecord.js';

/** Options of `sweep`. */
export interface SweepOptions {
  /** Threads taken from the store per sweep (default 100). */
  readonly limit?: number;
  /** Follow-ups run at once (default 4): remote checks are Graph calls. */
  readonly concurrency?: number;
  /** Hears each failed follow-up (the thread stays due). Errors carry no secrets; log `code`/`name`. */
  readonly onError?: (thread: Thread, error: unknown) => void;
}

/**
 * What one sweep did. A thread whose follow-up failed stays due and is tried again by the next sweep.
 *
 * @example
 * const { due, failed } = await permissions.sweep();
 * if (failed > 0) metrics.increment('callperm.sweep.failed', failed);
 */
export interface SweepReport {
  /** Threads the store listed as due. */
  readonly due: number;
  /** Remote checks that got Meta's answer. */
  readonly checked: number;
  /** Expiries stepped into the record (and announced through `onTransition`). */
  readonly expired: number;
  /** Inbox deliveries applied. */
  readonly inbox: number;
  /** Due, but nothing to do yet. */
  readonly idle: number;
  /** Follow-ups that failed: a Graph failure, or a store error. */
  readonly failed: number;
}

/** The service's own operations a sweep runs. */
export interface SweepDeps {
  readonly store: PermissionStore;
  readonly clock: Clock;
  readonly policy: ResolvedPolicy;
  /** Refreshes from Meta; resolves true when Meta answered. */
  readonly remoteCheck: (thread: Thread) => Promise<boolean>;
  /** Steps a TICK; resolves true when the record changed. */
  readonly tick: (thread: Thread) => Promise<boolean>;
  /** Applies a waiting inbox delivery; resolves true when there was one. */
  readonly processInbox: (thread: Thread) => Promise<boolean>;
}

type Outcome = 'checked' | 'expired' | 'inbox' | 'idle' | 'failed';

const followUp = async (deps: SweepDeps, thread: Thread): Promise<Outcome> => {
  if (isSideThread(thread)) {
    if (!thread.pageId.startsWith(`${SIDE_PAGE_PREFIX}inbox`)) return 'idle';
    return (await deps.processInbox(thread)) ? 'inbox' : 'idle';
  }
  const loaded = await deps.store.get(thread);
  const record: PermissionRecord | undefined = loaded?.record;
  if (record === undefined) return 'idle';
  switch (followUpFor(record, deps.clock.now(), deps.policy)) {
    case 'announce_expiry':
      return (await deps.tick(thread)) ? 'expired' : 'idle';
    case 'remote_check':
      return (await deps.remoteCheck(thread)) ? 'checked' : 'failed';
    case 'none':
      return 'idle';
  }
};

/**
 * Runs the follow-ups that have fallen due: remote checks after implicit grants
 * and ambiguous sends, expiry announcements, inbox deliveries left by a host that
 * stopped. At most `limit` threads, `concurrency` at a time. Safe from several
 * hosts at once: every write is a compare-and-set, a remote check only adds
 * Meta's newest word, and replayed inbox events are idempotent.
 *
 * @example
 * setInterval(() => void permissions.sweep({ limit: 100 }), 15_000);
 */
export const runSweep = async (deps: SweepDeps, options: SweepOptions = {}): Promise<SweepReport> => {
  const limit = Math.max(0, Math.trunc(options.limit ?? 100));
  const threads = limit === 0 ? [] : await deps.store.due(deps.clock.now(), limit);
  const counts: Record<Outcome, number> = { checked: 0, expired: 0, inbox: 0, idle: 0, failed: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < threads.length) {
      const thread = threads[next];
      next += 1;
      if (thread === undefined) continue;
      const outcome = await followUp(deps, thread).catch((e: unknown): Outcome => {
        try {
          options.onError?.(thread, e);
        } catch {
          // an observer's fault is the observer's
        }
        return 'failed';
      });
      counts[outcome] += 1;
    }
  };
  const width = Math.max(1, Math.min(threads.length, Math.trunc(options.concurrency ?? 4)));
  await Promise.all(Array.from({ length: width }, worker));
  return { due: threads.length, ...counts };
};
