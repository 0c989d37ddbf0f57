import type { CallPermissions, IngestReport, WebhookEvent } from '@callperm/core';
import { deadlineQueue, type DeadlineQueue } from './deadlineQueue.js';
import { WebhookError } from './WebhookError.js';

/** What happened to a delivery's events by the time the receiver answers. */
export type BudgetOutcome =
  /** Applied (and deduplicated) before the budget ran out. */
  | { readonly kind: 'applied'; readonly report: IngestReport }
  /** Not applied in time: recorded in the inbox, still being applied in the background. */
  | { readonly kind: 'deferred' }
  /** Neither applied nor recorded: the delivery must be refused so Meta retries it. */
  | { readonly kind: 'failed'; readonly error: WebhookError };

/** The parts of the service the receiver uses. */
export type WebhookPermissions = Pick<CallPermissions, 'ingest' | 'inbox'>;

/** One deadline queue per budget length, shared by every receiver in the process. */
const queues = new Map<number, DeadlineQueue>();
const queueFor = (budgetMs: number): DeadlineQueue => {
  let q = queues.get(budgetMs);
  if (q === undefined) {
    q = deadlineQueue(budgetMs);
    queues.set(budgetMs, q);
  }
  return q;
};

/**
 * Applies a delivery's events, but answers by the budget: when `ingest` has not
 * finished after `budgetMs`, the events are recorded in the store's inbox first
 * (so an acknowledged event is never lost) and `ingest` goes on in the
 * background, marking the inbox entry done when it ends. `track` receives that
 * background work (for `drain`); its failures go to `onError` and leave the entry
 * for `sweep`. The budget timers of all deliveries share one timer (`deadlineQueue`).
 *
 * @example
 * const outcome = await applyWithinBudget(permissions, events, 3000, (p) => pending.add(p), onError);
 * if (outcome.kind === 'failed') return refuse('store_unavailable');
 */
export const applyWithinBudget = (
  permissions: WebhookPermissions,
  events: readonly WebhookEvent[],
  budgetMs: number,
  track: (work: Promise<void>) => void,
  onError: (error: WebhookError) => void,
): Promise<BudgetOutcome> => new Promise<BudgetOutcome>((resolve) => {
  let answered = false;
  let work: Promise<IngestReport>;
  try {
    work = permissions.ingest(events);
  } catch (e) {
    work = Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  const deadline = queueFor(budgetMs).add(() => {
    if (answered) return;
    answered = true;
    resolve(defer(permissions, events, work, track, onError));
  });
  work.then((report) => {
    if (answered) return;
    answered = true;
    deadline.cancel();
    resolve({ kind: 'applied', report });
  }, (e: unknown) => {
    if (answered) return;
    answered = true;
    deadline.cancel();
    resolve({ kind: 'failed', error: new WebhookError('apply_failed', { cause: e }) });
  });
});

/** The budget ran out: record the events in the inbox, then let `work` finish in the background. */
const defer = async (
  permissions: WebhookPermissions,
  events: readonly WebhookEvent[],
  work: Promise<IngestReport>,
  track: (work: Promise<void>) => void,
  onError: (error: WebhookError) => void,
): Promise<BudgetOutcome> => {
  let ticket;
  try {
    ticket = await permissions.inbox.put(events);
  } catch (e) {
    work.catch(() => undefined); // still running; its outcome no longer decides the answer
    return { kind: 'failed', error: new WebhookError('inbox_failed', { cause: e }) };
  }
  const recorded = ticket;
  track(work.then(
    () => permissions.inbox.done(recorded),
  ).catch((e: unknown) => onError(new WebhookError('background_failed', { cause: e }))));
  return { kind: 'deferred' };
};
