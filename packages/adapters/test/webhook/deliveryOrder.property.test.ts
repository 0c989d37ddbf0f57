import { createCallPermissions, memoryStore, type Thread } from '@callperm/core';
import { createWebhookHandler } from '@callperm/adapters/webhook';
import {
  VirtualClock, callStatusItem, callsEntry, connectItem, inboundMessageEntry, pageWebhook, permissionReplyEntry, terminateItem,
  type ReplyShape, offlineGraph } from '@callperm/testing';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { signedPost } from './coreRequest.js';

const SECRET = 'order-secret';
const T0 = Date.UTC(2026, 2, 1);
const S = 1000;
const threads: readonly Thread[] = [{ pageId: '1001', psid: '2001' }, { pageId: '1001', psid: '2002' }];

const threadArb = fc.constantFrom(...threads);
const atArb = fc.integer({ min: 0, max: 3_600 }).map((s) => T0 + s * S);

/** One webhook body (a delivery) per element; a call contributes one delivery per item. */
const replyArb = fc.record({
  thread: threadArb, at: atArb, response: fc.constantFrom('approve' as const, 'reject' as const),
  expiresIn: fc.option(fc.integer({ min: 3_600, max: 10 * 86_400 }), { nil: null }),
  shape: fc.constantFrom<ReplyShape>('entry', 'messaging', 'changes'),
}).map((r) => [pageWebhook([permissionReplyEntry({
  ...r.thread, at: r.at, response: r.response, shape: r.shape, expiresAt: r.expiresIn === null ? null : r.at + r.expiresIn * S,
})])]);

const messageArb = fc.record({ thread: threadArb, at: atArb }).map((m) => [pageWebhook([inboundMessageEntry({ ...m.thread, at: m.at })])]);

/** A call's items; the call id comes from its place in the sequence (Meta's call ids are unique). */
const callArb = fc.record({
  thread: threadArb, at: atArb,
  kind: fc.constantFrom('user_missed', 'user_answered', 'business_accepted', 'business_unanswered'),
}).map(({ thread, at, kind }) => (n: number) => {
  const call = { ...thread, callId: `c_${n}` };
  const items = kind === 'user_missed' ? [connectItem(call, 'user_initiated', at), terminateItem(call, { at: at + 60 * S, startedAt: at, durationSec: null })]
    : kind === 'user_answered' ? [connectItem(call, 'user_initiated', at), terminateItem(call, { at: at + 100 * S, startedAt: at, durationSec: 90 })]
      : kind === 'business_accepted'
        ? [connectItem(call, 'business_initiated', at), callStatusItem(call, 'ringing', at + S), callStatusItem(call, 'accepted', at + 5 * S), terminateItem(call, { at: at + 95 * S, startedAt: at, durationSec: 90 })]
        : [connectItem(call, 'business_initiated', at), callStatusItem(call, 'ringing', at + S), terminateItem(call, { at: at + 60 * S, startedAt: at, durationSec: null })];
  return items.map((item) => pageWebhook([callsEntry(thread.pageId, [item])]));
});

/** Deliveries in order, once each. */
const sequenceArb = fc.array(fc.oneof(replyArb.map((d) => () => d), messageArb.map((d) => () => d), callArb), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.flatMap((part, n) => part(n)));

/** The same deliveries, some sent several times (Meta's retries), in any order. */
const faultedArb = (inOrder: readonly unknown[]) =>
  fc.tuple(...inOrder.map((d) => fc.integer({ min: 1, max: 3 }).map((n) => Array.from({ length: n }, () => d))))
    .map((copies) => copies.flat())
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));

/** Delivers bodies one by one to a fresh host and returns each thread's decision and record at one fixed instant. */
const outcome = async (deliveries: readonly unknown[]) => {
  const clock = new VirtualClock(T0 + 2 * 3_600 * S);
  const store = memoryStore();
  const graph = offlineGraph('offline');
  const permissions = createCallPermissions({ graph, store, clock });
  const { core } = createWebhookHandler({ appSecret: SECRET, verifyToken: 't', permissions });
  for (const d of deliveries) expect((await core.handle(signedPost(SECRET, JSON.stringify(d)))).status).toBe(200);
  return Promise.all(threads.map(async (t) => {
    const s = await permissions.status(t);
    const r = (await store.get(t))?.record;
    return {
      decision: { state: s.state, expiresAt: s.expiresAt, canStartCall: s.canStartCall, provisional: s.provisional, reason: s.reason },
      record: r === undefined ? null : { state: r.state, expiresAt: r.expiresAt, provisional: r.provisional, evidence: r.evidence, lastInboundAt: r.lastInboundAt },
    };
  }));
};

describe('delivery faults do not change the outcome', () => {
  test.prop([sequenceArb.chain((seq) => fc.tuple(fc.constant(seq), faultedArb(seq)))])(
    'any duplication and reordering of a delivery sequence ends in the state of the in-order, once-only delivery',
    async ([inOrder, faulted]) => {
      expect(await outcome(faulted)).toEqual(await outcome(inOrder));
    },
  );
});
