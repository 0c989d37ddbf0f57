import { messengerPolicy, resolvePolicy, threadKey, type Thread } from '@callperm/core';
import type { FakeGraphApi } from '@callperm/testing';
import { checkInvariants, type RequestCallRecord, type Violation } from '../../../src/simulate/checkInvariants.js';

/** What Meta's own records say about a run: broken promises, and each thread's accepted opt-ins. */
export interface MetaReading {
  /** Quota exceeded, a reservation sent twice, a reminder or a re-ask after a Decline too early (see `checkInvariants`). */
  readonly violations: readonly Violation[];
  /** Opt-ins Meta accepted (sent to the person), per thread key. */
  readonly acceptedPerThread: ReadonlyMap<string, number>;
  /** Sends Meta refused because the thread's request quota was used up (the host asked past the quota). */
  readonly refusedForQuota: number;
}

/**
 * Reads a run from the fake Meta's records alone, held to Messenger's rules (2
 * requests per rolling 24 h, `reminderAfter`, `afterDecline`), with the business's
 * asks telling reservations apart.
 *
 * @example
 * const { violations, acceptedPerThread } = metaViolations(fake, business.requestCalls, threads);
 */
export const metaViolations = (fake: FakeGraphApi, requestCalls: readonly RequestCallRecord[], threads: readonly Thread[]): MetaReading => {
  const policy = resolvePolicy(messengerPolicy);
  const violations = checkInvariants({ fake, requestCalls }, {
    quota: fake.threads.rules.optInQuota, reminderAfterMs: policy.reminderAfterMs, afterDeclineMs: policy.afterDeclineMs,
  });
  const acceptedPerThread = new Map(threads.map((t) => [threadKey(t), 0]));
  for (const s of fake.sends) {
    if (s.outcome !== 'accepted' || s.psid === undefined) continue;
    const key = threadKey({ pageId: s.pageId, psid: s.psid });
    acceptedPerThread.set(key, (acceptedPerThread.get(key) ?? 0) + 1);
  }
  return { violations, acceptedPerThread, refusedForQuota: fake.sends.filter((s) => s.refusal === 'request_limit').length };
};
