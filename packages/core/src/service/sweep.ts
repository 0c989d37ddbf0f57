import type { Versioned } from '../ports/PermissionStore.js';
import type { ResolvedPolicy } from '../policy.js';
import type { Clock } from '../ports/Clock.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import type { Thread } from '../thread.js';
import { clearFollowUpBackoff, readFollowUpBackoff, recordFollowUpFailure, type LoadedBackoff } from './followUpBackoff.js';
import { deferredDueAt, followUpFor, remoteCheckDue } from './followUpFor.js';
import type { InboxOutcome } from './processInbox.js';
import { resolveRetry, type ResolvedRetry, type RetryOptions } from './retryBackoff.js';

/** Options of `sweep`. Failed items back off per item (`retryBaseMs` doubling up to `retryMaxMs`). */
export interface SweepOptions extends RetryOptions {
  /** Threads, and inbox deliveries, taken from the store per sweep (default 100 of each). */
  readonly limit?: number;
  /** Follow-ups run at once (default 4): remote checks are Graph calls. */
  readonly concurrency?: number;
  /** Hears each failed follow-up that threw (the thread backs off). Errors carry no secrets; log `code`/`name`. */
  readonly onError?: (thread: Thread, error: unknown) => void;
  /** Hears each inbox delivery that failed to apply (it backs off, or is moved aside), by its slot key. */
  readonly onInboxError?: (key: string, error: unknown) => void;
  /** Hears each inbox delivery moved aside: its slot key, the `inbox_aside` key to replay, its failed attempts. */
  readonly onInboxMovedAside?: (key: string, asideKey: string, attempts: number) => void;
}

/**
 * What one sweep did. A thread whose follow-up failed backs off (its next
 * attempt waits, doubling per failure) and leaves the head of the due index to
 * the others; an inbox delivery likewise, until it is moved aside.
 *
 * @example
 * const { due, failed, movedAside } = await permissions.sweep();
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
  /** Pages checked again: calling was off (`pageRecheckAfter` later), or a `call_settings_update` said the settings moved. */
  readonly pages: number;
  /** Threads that held nothing live for `threadRetention`, deleted (they read as never seen). */
  readonly retired: number;
  /** Due, but nothing to do yet. */
  readonly idle: number;
  /** Threads listed whose remote check is still backing off: only their due instant was moved on. */
  readonly deferred: number;
  /** Follow-ups and deliveries that failed: a Graph failure, or a store error. */
  readonly failed: number;
  /** Of the failed deliveries, those moved aside (kept for `callperm inbox replay`). */
  readonly movedAside: number;
}

/** The service's own operations a sweep runs. */
export interface SweepDeps {
  readonly store: PermissionStore;
  readonly clock: Clock;
  /** The policy a thread is judged by (its channel's). */
  readonly policyFor: (thread: Thread) => ResolvedPolicy;
  /** Refreshes from Meta; resolves true when Meta answered. */
  readonly remoteCheck: (thread: Thread) => Promise<boolean>;
  /** Steps a TICK; resolves true when the record changed. */
  readonly tick: (thread: Thread) => Promise<boolean>;
  /** Tries the delivery waiting in an inbox slot (counting a failure in the slot). */
  readonly processInbox: (key: string, retry: ResolvedRetry) => Promise<InboxOutcome>;
  /** Checks a Page's calling again; resolves true when Meta answered (the answer is stored either way). */
  readonly recheckPage: (pageId: string) => Promise<boolean>;
}

type Outcome = 'checked' | 'expired' | 'inbox' | 'pages' | 'retired' | 'idle' | 'deferred' | 'failed' | 'movedAside';

/** One piece of a sweep's work: a waiting inbox delivery, a Page to check again, or a thread's follow-up. */
type Job = { readonly inbox: string } | { readonly page: string } | { readonly thread: Thread };

/** Moves the thread's due instant past its backoff (a conflict means another writer derived it afresh: fine). */
const defer = async (deps: SweepDeps, thread: Thread, loaded: Versioned, checkAt: number, until: number): Promise<void> => {
  const dueAt = deferredDueAt(loaded.record, deps.policyFor(thread), checkAt, until);
  if (dueAt === loaded.record.dueAt) return;
  await deps.store.compareAndSet(thread, loaded.version, { ...loaded.record, dueAt });
};

/** A remote check that failed (false, or threw `error`): one more attempt in the backoff, the thread deferred. */
const checkFailed = async (
  deps: SweepDeps, retry: ResolvedRetry, thread: Thread, loaded: Versioned, backoff: LoadedBackoff | null, checkAt: number,
): Promise<void> => {
  const now = deps.clock.now();
  const next = await recordFollowUpFailure(deps.store, retry, thread, backoff, checkAt, now);
  // The record as read: had anything stepped it meanwhile, the compare-and-set conflicts and its writer's dueAt stands.
  await defer(deps, thread, loaded, checkAt, next.nextAttemptAt);
};

const followUp = async (deps: SweepDeps, retry: ResolvedRetry, thread: Thread): Promise<Outcome> => {
  const loaded = await deps.store.get(thread);
  if (loaded === null) return 'idle';
  const { record } = loaded;
  const now = deps.clock.now();
  const policy = deps.policyFor(thread);
  const checkAt = remoteCheckDue(record, now, policy);
  // Only a thread with a remote check that has come reads its backoff document.
  const read = checkAt === null ? null : await readFollowUpBackoff(deps.store, thread);
  const backoff = read !== null && read.backoff.at === checkAt ? read : null;
  const until = backoff === null ? null : backoff.backoff.nextAttemptAt;
  switch (followUpFor(record, now, policy, until)) {
    case 'announce_expiry':
      return (await deps.tick(thread)) ? 'expired' : 'idle';
    case 'retire':
      // At the version read: had anything stepped the thread since, it is live again and stays.
      return (await deps.store.retire(thread, loaded.version)).ok ? 'retired' : 'idle';
    case 'remote_check': {
      let answered: boolean;
      try {
        answered = await deps.remoteCheck(thread);
      } catch (e) {
        await checkFailed(deps, retry, thread, loaded, read, checkAt!);
        throw e;
      }
      if (answered) {
        if (read !== null) await clearFollowUpBackoff(deps.store, thread, read);
        return 'checked';
      }
      await checkFailed(deps, retry, thread, loaded, read, checkAt!);
      return 'failed';
    }
    case 'none':
      if (until === null || checkAt === null) return 'idle';
      await defer(deps, thread, loaded, checkAt, until);
      return 'deferred';
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
 * stopped (first), Pages whose calling was off to check again, then remote checks
 * after implicit grants and ambiguous sends, expiry announcements and the
 * retirement of threads that hold nothing live any more. At most `limit` deliveries and `limit` threads,
 * `concurrency` at a time. Safe from several hosts at once: every write is a
 * compare-and-set, a remote check only adds Meta's newest word, and replayed
 * inbox events are idempotent. What fails backs off per item, moving its due
 * instant on, so failing items never starve the ones behind them; an inbox
 * delivery is moved aside after `inboxMaxAttempts` failures.
 *
 * @example
 * setInterval(() => void permissions.sweep({ limit: 100 }), 15_000);
 */
export const runSweep = async (deps: SweepDeps, options: SweepOptions = {}): Promise<SweepReport> => {
  const limit = Math.max(0, Math.trunc(options.limit ?? 100) || 0);
  const retry = resolveRetry(options);
  const now = deps.clock.now();
  const [keys, offPages, stalePages, threads] = limit === 0 ? [[], [], [], []] : await Promise.all([
    deps.store.dueDocs('inbox', now, limit), deps.store.dueDocs('page', now, limit), deps.store.dueDocs('page_status', now, limit), deps.store.due(now, limit),
  ]);
  // A Page due for both (calling off, and its settings moved) is checked once.
  const pages = [...new Set([...offPages, ...stalePages])];
  const jobs: Job[] = [...keys.map((inbox) => ({ inbox })), ...pages.map((page) => ({ page })), ...threads.map((thread) => ({ thread }))];
  const counts: Record<Outcome, number> = { checked: 0, expired: 0, inbox: 0, pages: 0, retired: 0, idle: 0, deferred: 0, failed: 0, movedAside: 0 };
  let next = 0;
  const inbox = async (key: string): Promise<Outcome> => {
    const outcome = await deps.processInbox(key, retry);
    if (outcome.kind !== 'failed') return outcome.kind === 'applied' ? 'inbox' : 'idle';
    heard(() => options.onInboxError?.(key, outcome.error));
    if (outcome.asideKey === null) return 'failed';
    const asideKey = outcome.asideKey;
    heard(() => options.onInboxMovedAside?.(key, asideKey, outcome.attempts));
    return 'movedAside';
  };
  const page = async (pageId: string): Promise<Outcome> => ((await deps.recheckPage(pageId)) ? 'pages' : 'failed');
  const run = (job: Job): Promise<Outcome> =>
    ('thread' in job ? followUp(deps, retry, job.thread) : 'page' in job ? page(job.page) : inbox(job.inbox));
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next];
      next += 1;
      if (job === undefined) continue;
      const outcome = await run(job).catch((e: unknown): Outcome => {
        heard(() => ('thread' in job ? options.onError?.(job.thread, e) : 'inbox' in job ? options.onInboxError?.(job.inbox, e) : undefined));
        return 'failed';
      });
      counts[outcome] += 1;
    }
  };
  const width = Math.max(1, Math.min(jobs.length, Math.trunc(options.concurrency ?? 4) || 1));
  await Promise.all(Array.from({ length: width }, worker));
  const { movedAside, ...rest } = counts;
  return { due: jobs.length, ...rest, failed: rest.failed + movedAside, movedAside };
};
