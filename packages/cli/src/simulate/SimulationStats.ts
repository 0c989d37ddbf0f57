import type { DecisionReason, LifecycleState, SweepReport, TransitionNotice } from '@callperm/core';

/** A count per key (a reason, a state), printed in key order. */
export type Tally = Record<string, number>;

const bump = (t: Tally, key: string, by = 1): void => {
  t[key] = (t[key] ?? 0) + by;
};

/** What the host did and saw during a run, from its own side (the invariants are checked from Meta's). */
export interface HostCounts {
  /** `request()` calls that sent an opt-in Meta accepted. */
  readonly requestsSent: number;
  /** `request()` calls that sent nothing or failed, by reason (`send_failed:<kind>` for Graph refusals). */
  readonly requestRefusals: Tally;
  /** Transitions the host committed, by what they mean. */
  readonly approvals: number;
  readonly rejections: number;
  readonly expiries: number;
  readonly implicitGrants: number;
  readonly remoteSyncs: number;
  /** The business wanted to call (`startCall`): placed at Meta, refused locally by reason, or refused by Meta (`connect_refused:<kind>`). */
  readonly callsPlaced: number;
  readonly callsBlocked: Tally;
  readonly callsRefusedByMeta: Tally;
  /** Follow-ups the sweeps ran. */
  readonly sweep: { readonly due: number; readonly idle: number; readonly checked: number; readonly expired: number; readonly inbox: number; readonly retired: number; readonly failed: number };
}

/**
 * Counts a run as it happens: committed transitions (from `onTransition`), the
 * business's call attempts and requests, and the sweeps.
 *
 * @example
 * const stats = new SimulationStats(new Set(['1000001']));
 * createCallPermissions({ graph, store, onTransition: (n) => stats.transition(n) });
 */
export class SimulationStats {
  #requestsSent = 0;
  readonly #refusals: Tally = {};
  #approvals = 0;
  #rejections = 0;
  #expiries = 0;
  #implicit = 0;
  #syncs = 0;
  #callsPlaced = 0;
  readonly #callsBlocked: Tally = {};
  readonly #callsRefusedByMeta: Tally = {};
  readonly #sweep = { due: 0, idle: 0, checked: 0, expired: 0, inbox: 0, retired: 0, failed: 0 };

  constructor(private readonly pages: ReadonlySet<string>) {}

  transition(n: TransitionNotice): void {
    if (!this.pages.has(n.thread.pageId)) return;
    if (n.event === 'REPLY_APPROVE' && n.to === 'approved') this.#approvals += 1;
    if (n.event === 'REPLY_REJECT' && n.to === 'rejected') this.#rejections += 1;
    if (n.to === 'expired' && n.from !== 'expired') this.#expiries += 1;
    if (n.event === 'CALL_CONNECTED' || n.event === 'CONSUMER_CALL_MISSED') this.#implicit += 1;
    if (n.event === 'REMOTE_SYNC') this.#syncs += 1;
  }

  requestSent(): void {
    this.#requestsSent += 1;
  }

  requestRefused(reason: DecisionReason | 'send_failed' | 'send_ambiguous' | 'check_failed' | (string & {}), failureKind?: string): void {
    bump(this.#refusals, failureKind === undefined ? reason : `${reason}:${failureKind}`);
  }

  callPlaced(): void {
    this.#callsPlaced += 1;
  }

  callRefusedByMeta(reason: 'connect_refused' | 'connect_ambiguous', failureKind: string): void {
    bump(this.#callsRefusedByMeta, `${reason}:${failureKind}`);
  }

  callBlocked(reason: DecisionReason | 'invalid_offer' | null): void {
    bump(this.#callsBlocked, reason ?? 'unknown');
  }

  swept(r: SweepReport): void {
    this.#sweep.due += r.due;
    this.#sweep.idle += r.idle;
    this.#sweep.checked += r.checked;
    this.#sweep.expired += r.expired;
    this.#sweep.inbox += r.inbox;
    this.#sweep.retired += r.retired;
    this.#sweep.failed += r.failed;
  }

  counts(): HostCounts {
    return {
      requestsSent: this.#requestsSent,
      requestRefusals: sortTally(this.#refusals),
      approvals: this.#approvals,
      rejections: this.#rejections,
      expiries: this.#expiries,
      implicitGrants: this.#implicit,
      remoteSyncs: this.#syncs,
      callsPlaced: this.#callsPlaced,
      callsBlocked: sortTally(this.#callsBlocked),
      callsRefusedByMeta: sortTally(this.#callsRefusedByMeta),
      sweep: { ...this.#sweep },
    };
  }
}

/** A tally with its keys in order, so printing it is stable. */
export const sortTally = (t: Readonly<Tally>): Tally =>
  Object.fromEntries(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Threads per state, every state listed (zeros included) in lifecycle order. */
export const stateTally = (states: readonly LifecycleState[], order: readonly string[]): Tally => {
  const t: Tally = Object.fromEntries(order.map((s) => [s, 0]));
  for (const s of states) bump(t, s);
  return t;
};

/**
 * How many times each key occurs.
 *
 * @example
 * tallyOf(['placed', 'call_limit', 'placed']); // { placed: 2, call_limit: 1 }
 */
export const tallyOf = (keys: readonly string[]): Tally => {
  const t: Tally = {};
  for (const k of keys) bump(t, k);
  return t;
};
