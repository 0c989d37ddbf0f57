import { threadKey, type PermissionRecord, type PermissionStore, type Thread } from '@callperm/core';
import type { Violation } from '../../../src/simulate/checkInvariants.js';
import { metaTrail } from './metaTrail.js';
import { metaViolations } from './metaViolations.js';
import type { ReliabilityRig } from './ReliabilityRig.js';
import { requestedWithoutFollowUp, type StrandedRequest } from './requestedWithoutFollowUp.js';
import { unappliedDeliveries, type Unapplied } from './unappliedDeliveries.js';

/** A thread that did not end approved after exactly one opt-in, with its story from both sides. */
export interface Unsettled {
  readonly thread: string;
  readonly accepted: number | undefined;
  readonly record: Pick<PermissionRecord, 'state' | 'dueAt' | 'pending'> | null;
  readonly meta: readonly string[];
  readonly history: readonly string[];
}

/** How a run ended, read from Meta's records and the store after the final sweep. */
export interface RunOutcome {
  readonly violations: readonly Violation[];
  readonly refusedForQuota: number;
  readonly unapplied: readonly Unapplied[];
  readonly stranded: readonly StrandedRequest[];
  readonly unsettled: readonly Unsettled[];
  /** The counts a run prints. */
  readonly figures: {
    readonly sends: number;
    readonly accepted: number;
    readonly refused: number;
    readonly deliveriesAcknowledged: number;
    readonly deliveriesApplied: number;
    readonly deliveriesDropped: number;
    readonly threadsSettled: string;
  };
}

/**
 * Reads a finished run: Meta's records (no send twice, no quota exceeded, no
 * reminder or re-ask out of turn, no refusal for the quota), every delivery a host
 * answered 200 against the store, threads left `requested` without a due
 * follow-up, and which threads did not end approved after exactly one accepted
 * opt-in (with both sides' story, to read a failure).
 *
 * @example
 * const outcome = await readOutcome(rig, store, threads);
 * expect(outcome.unsettled).toEqual([]);
 */
export const readOutcome = async (rig: ReliabilityRig, store: PermissionStore, threads: readonly Thread[]): Promise<RunOutcome> => {
  const acked = rig.lb.acknowledged;
  const unapplied = await unappliedDeliveries(acked, store, rig.clock.now());
  const meta = metaViolations(rig.fake, rig.business.requestCalls, threads);
  const unsettled: Unsettled[] = [];
  for (const t of threads) {
    const record = (await store.get(t))?.record ?? null;
    const accepted = meta.acceptedPerThread.get(threadKey(t));
    if (accepted === 1 && record?.state === 'approved') continue;
    unsettled.push({
      thread: threadKey(t), accepted, record: record && { state: record.state, dueAt: record.dueAt, pending: record.pending },
      meta: metaTrail(rig.fake, t),
      history: (await store.history(t)).reverse().map((h) => `${h.at} ${h.event} ${h.from ?? '?'}->${h.to} ${h.source.kind}`),
    });
  }
  return {
    violations: meta.violations,
    refusedForQuota: meta.refusedForQuota,
    unapplied,
    stranded: await requestedWithoutFollowUp(store, threads),
    unsettled,
    figures: {
      sends: rig.fake.sends.length,
      accepted: rig.fake.sends.filter((s) => s.outcome === 'accepted').length,
      refused: rig.fake.sends.filter((s) => s.outcome === 'refused').length,
      deliveriesAcknowledged: acked.length,
      deliveriesApplied: acked.length - new Set(unapplied.map((u) => u.delivery)).size,
      deliveriesDropped: rig.sim.dropped.length,
      threadsSettled: `${threads.length - unsettled.length}/${threads.length}`,
    },
  };
};
