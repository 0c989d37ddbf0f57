/**
 * How webhook delivery misbehaves, like Meta's does: duplicates, reordering,
 * delays, and failed deliveries that are retried.
 *
 * @example
 * const faults: DeliveryFaults = { duplicates: 1, reverse: true, lose: { attempts: 1, where: 'response' } };
 */
export interface DeliveryFaults {
  /** Send each delivery this many extra times (Meta retries and duplicates). Default 0. */
  readonly duplicates?: number;
  /** Deliveries due together go out newest first. Default false. */
  readonly reverse?: boolean;
  /** Virtual ms added before every delivery. Default 0. */
  readonly delayMs?: number;
  /**
   * The first `attempts` tries of every delivery fail: `request` never reaches the
   * host; `response` reaches it (and is processed) but the answer is lost.
   */
  readonly lose?: { readonly attempts: number; readonly where: 'request' | 'response' };
}

/**
 * When Meta tries a failed delivery again (virtual ms after the failure): twice at
 * once, then backing off; after an hour of failures Messenger gives up (and
 * unsubscribes the app), so the delivery is dropped.
 *
 * @example
 * for (const delay of metaRetryDelaysMs.slice(2)) { clock.advance(delay); await sim.settle(); }
 */
export const metaRetryDelaysMs: readonly number[] = [0, 0, 30_000, 120_000, 300_000, 900_000, 1_800_000];
