import type { CallPermissions, IngestReport, WebhookEvent } from '@callperm/core';
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

const LATE = Symbol('late');

/**
 * Applies a delivery's events, but answers by the budget: when `ingest` has not
 * finished after `budgetMs`, the events are recorded in the store's inbox first
 * (so an acknowledged event is never lost) and `ingest` goes on in the
 * background, marking the inbox entry done when it ends. `track` receives that
 * background work (for `drain`); its failures go to `onError` and leave the entry
 * for `sweep`.
 *
 * @example
 * const outcome = await applyWithinBudget(permissions, events, 3000, (p) => pending.add(p), onError);
 * if (outcome.kind === 'failed') return refuse('store_unavailable');
 */
export const applyWithinBudget = async (
  permissions: WebhookPermissions,
  events: readonly WebhookEvent[],
  budgetMs: number,
  track: (work: Promise<void>) => void,
  onError: (error: WebhookError) => void,
): Promise<BudgetOutcome> => {
  const work = permissions.ingest(events);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), Math.max(0, budgetMs));
  });
  try {
    const first = await Promise.race([work, late]);
    if (first !== LATE) return { kind: 'applied', report: first };
  } catch (e) {
    return { kind: 'failed', error: new WebhookError('apply_failed', { cause: e }) };
  } finally {
    clearTimeout(timer);
  }
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
