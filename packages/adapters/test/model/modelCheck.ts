import { expect } from 'vitest';
import type { Decision } from '@callperm/core';
import type { FakeGraphApi } from '@callperm/testing';
import { DAY, expectedDecision, type ExpectedDecision } from './referenceModel.js';
import { THREADS, type Model, type World } from './modelWorld.js';

const FIELDS = ['state', 'canRequest', 'canStartCall', 'requestBlockedBy', 'callBlockedBy', 'reason', 'provisional', 'expiresAt'] as const;

/** The fields of `actual` the model has an expectation for. */
const comparable = (expected: ExpectedDecision, actual: Decision): ExpectedDecision =>
  Object.fromEntries(FIELDS.filter((f) => f in expected).map((f) => [f, actual[f]]));

/**
 * After every command: each thread's decision from the service (`status`, the
 * store alone) equals the model's on every field the model tells.
 */
export const expectDecisionsMatch = async (m: Model, w: World, after: string): Promise<void> => {
  expect(w.clock.now(), 'the model and the world share one instant').toBe(m.now);
  for (const [ti, thread] of THREADS.entries()) {
    const own = expectedDecision(m.threads[ti]!, m.now);
    // While calling is off for the Page, neither a call nor a request may go, whatever the thread's record says.
    const expected: ExpectedDecision = m.pagesOff.has(thread.pageId) && 'state' in own
      ? { ...own, canRequest: false, canStartCall: false, requestBlockedBy: 'calling_not_enabled', callBlockedBy: 'calling_not_enabled', reason: 'calling_not_enabled' }
      : own;
    if (!('state' in expected)) {
      m.tally.unsure += 1;
      continue;
    }
    m.tally.comparisons += 1;
    const actual = await w.permissions.status(thread);
    expect(comparable(expected, actual), `thread ${ti} after ${after}`).toEqual(expected);
  }
};

/**
 * The quota, from Meta's own records: no rolling 24 h holds more than 2 opt-ins
 * Meta accepted for a thread, and the service never asked Meta beyond it (no 613
 * Meta decided itself: an injected one is counted as a fault).
 */
export const expectQuotaHeld = (fake: FakeGraphApi): void => {
  for (const [ti, thread] of THREADS.entries()) {
    const mine = fake.sends.filter((s) => s.pageId === thread.pageId && s.psid === thread.psid);
    expect(mine.filter((s) => s.outcome === 'refused' && s.refusal === 'request_limit' && s.fault === undefined), `thread ${ti}: asked beyond Meta's quota`).toEqual([]);
    const accepted = mine.filter((s) => s.outcome === 'accepted').map((s) => s.at);
    for (const at of accepted) {
      const inWindow = accepted.filter((a) => a > at - DAY && a <= at).length;
      expect(inWindow, `thread ${ti}: opt-ins Meta accepted in the 24 h up to ${at}`).toBeLessThanOrEqual(2);
    }
  }
};
