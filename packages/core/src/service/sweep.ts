import type { PermissionRecord } from '../machine/PermissionRecord.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Clock } from '../ports/Clock.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { Thread } from '../thread.js';
import { followUpFor } from './followUpFor.js';

/** Options of `sweep`. */
export interface SweepOptions {
  /** Threads, and inbox deliveries, taken from the store per sweep (default 100 of each). */
  readonly limit?: number;
  /** Follow-ups run at once (default 4): remote checks are Graph calls. */
  readonly concurrency?: number;
  /** Hears each failed follow-up (the thread stays due). Errors carry no secrets; log `code`/`name`. */
  readonly onError?: (thread: Thread, error: unknown) => void;
  /** Hears each inbox delivery that failed to apply (it stays in the inbox, due), by its slot key. */
  readonly onInboxError?: (key: string, error: unknown) => void;
}

/**
 * What one sweep did. A thread whose follow-up failed stays due and is tried again by the next sweep.
 *
 * @example
 * const { due, failed } = await permissions.sweep();
 * if (failed > 0) metrics.increment('callperm.sweep.failed', failed);
 */
export interface SweepReport {
  /** Threads and inbox deliveries the store listed as due. */
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
  /** Applies the delivery waiting in an inbox slot; resolves true when there was one. */
  readonly processInbox: (key: string) => Promise<boolean>;
}

type Outcome = 'checked' | 'expired' | 'inbox' | 'idle' | 'failed';

/** One piece of a sweep's work: a waiting inbox delivery, or a thread's follow-up. */
type Job = { readonly inbox: string } | { readonly thread: Thread };

const followUp = async (deps: SweepDeps, thread: Thread): Promise<Outcome> => {
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

const heard = (report: () => void): void => {
  try {
    report();
  } catch {
    // an observer's fault is the observer's
  }
};

/**
 * Runs the follow-ups that have fallen due: inbox deliveries left by a host that
 * stopped (first), then remote checks after implicit grants and ambiguous sends
 * and expiry announcements. At most `limit` deliveries and `limit` threads,
 * `concurrency` at a time. Safe from several hosts at once: every write is a
 * compare-and-set, a remote check only adds Meta's newest word, and replayed
 * inbox events are idempotent.
 *
 * @example
 * setInterval(() => void permissions.sweep({ limit: 100 }), 15_000);
 */
export const runSweep = async (deps: SweepDeps, options: SweepOptions = {}): Promise<SweepReport> => {
  const limit = Math.max(0, Math.trunc(options.limit ?? 100));
  const now = deps.clock.now();
  const [keys, threads] = limit === 0 ? [[], []] : await Promise.all([deps.store.dueDocs('inbox', now, limit), deps.store.due(now, limit)]);
  const jobs: Job[] = [...keys.map((inbox) => ({ inbox })), ...threads.map((thread) => ({ thread }))];
  const counts: Record<Outcome, number> = { checked: 0, expired: 0, inbox: 0, idle: 0, failed: 0 };
  let next = 0;
  const run = async (job: Job): Promise<Outcome> => {
    if ('thread' in job) return followUp(deps, job.thread);
    return (await deps.processInbox(job.inbox)) ? 'inbox' : 'idle';
  };
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next];
      next += 1;
      if (job === undefined) continue;
      const outcome = await run(job).catch((e: unknown): Outcome => {
        heard(() => ('thread' in job ? options.onError?.(job.thread, e) : options.onInboxError?.(job.inbox, e)));
        return 'failed';
      });
      counts[outcome] += 1;
    }
  };
  const width = Math.max(1, Math.min(jobs.length, Math.trunc(options.concurrency ?? 4)));
  await Promise.all(Array.from({ length: width }, worker));
  return { due: jobs.length, ...counts };
};
