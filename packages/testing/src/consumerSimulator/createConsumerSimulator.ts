import type { Instant, Thread } from '@callperm/core';
import type { FakeGraphApi } from '../fakeGraph/createFakeGraphApi.js';
import type { FakeOptIn } from '../fakeGraph/FakeGraphCore.js';
import { callStatusItem, callsEntry, connectItem, terminateItem, type CallRef } from '../webhooks/callItems.js';
import { inboundMessageEntry } from '../webhooks/inboundMessageEntry.js';
import { metaSeconds } from '../webhooks/metaSeconds.js';
import { pageWebhook } from '../webhooks/pageWebhook.js';
import { permissionReplyEntry, type ReplyShape } from '../webhooks/permissionReplyEntry.js';
import { consumers, type ConsumerBehaviour } from './ConsumerAnswer.js';
import type { DeliveryFaults } from './DeliveryFaults.js';
import { DeliveryQueue, type DeliveryAttempt } from './DeliveryQueue.js';

/** Options of {@link createConsumerSimulator}. */
export interface ConsumerSimulatorOptions {
  /** The fake Meta: its clock drives the simulator, its opt-ins wake the consumers, its book learns their answers. */
  readonly fake: FakeGraphApi;
  /** The host's webhook URL (e.g. `http://127.0.0.1:4567/webhook`). */
  readonly hostUrl: string;
  /** The App Secret the host verifies signatures with. */
  readonly appSecret: string;
  /** How people answer opt-ins (default: approve after 30 s). */
  readonly behaviour?: ConsumerBehaviour;
  /** The envelope replies come in (default the guide's: fields on `entry[]`). */
  readonly replyShape?: ReplyShape;
  readonly faults?: DeliveryFaults;
  /** Meta grants a callback permission after a connected or missed call (default true; false: Meta disagrees with the inference). */
  readonly callsGrant?: boolean;
}

/** How a consumer-initiated call goes. */
export interface PlacedCall {
  /** The host picks up (it connects) or lets it ring out (a missed call). */
  readonly hostAnswers: boolean;
  /** Ringing before the host picks up (default 10 s); a missed call rings 60 s, Meta's limit. */
  readonly ringMs?: number;
  /** Talk time of an answered call (default 90 s). */
  readonly talkMs?: number;
}

/**
 * A running simulation of the people on the other side of the Page.
 *
 * @example
 * sim.placeCall(thread, { hostAnswers: false });
 * clock.advance(60_000);
 * await sim.settle(); // the missed call's terminate has reached the host
 */
export interface ConsumerSimulator {
  /** Every POST made, in order. */
  readonly attempts: readonly DeliveryAttempt[];
  /** Deliveries Meta gave up on after an hour of failures. */
  readonly dropped: readonly number[];
  /** The person writes to the Page now: the messaging window opens at Meta, and the host hears of it. */
  message(thread: Thread): void;
  /** The person calls the Page now; returns the call. */
  placeCall(thread: Thread, how: PlacedCall): CallRef;
  /** The Page calls the person now (the host already connected it at Meta); the person accepts or lets it ring. */
  receiveCall(thread: Thread, how: { readonly accepts: boolean; readonly talkMs?: number }): CallRef;
  /** Sends any webhook body now, signed, with the configured faults. */
  deliver(body: unknown, at?: Instant): number;
  /** Resolves when everything due at the current virtual instant has been done and delivered. */
  settle(): Promise<void>;
  /** Stops listening to the fake and the clock. */
  close(): void;
}

/**
 * The consumers of a simulated Meta, joined to the fake Graph API: when the fake
 * records an opt-in, the person answers (approve / reject / ignore) after a delay
 * on the virtual clock, and Meta POSTs the signed `call_permission_reply` to the
 * host. People also write to the Page and call it; the host answers or misses.
 * Deliveries can be duplicated, reordered, delayed, and fail and be retried like
 * Meta retries them. Nothing happens between clock moves: advance the clock, then
 * `await sim.settle()`.
 *
 * @example
 * const sim = createConsumerSimulator({ fake, hostUrl: `${host}/webhook`, appSecret, behaviour: consumers.approveAfter(30_000) });
 * await permissions.request(thread);
 * fake.clock.advance(30_000);
 * await sim.settle(); // the approval has reached the host
 */
export const createConsumerSimulator = (options: ConsumerSimulatorOptions): ConsumerSimulator => {
  const { fake } = options;
  const clock = fake.clock;
  const queue = new DeliveryQueue(clock, options.hostUrl, options.appSecret, options.faults);
  const behaviour = options.behaviour ?? consumers.approveAfter(30_000);
  const callsGrant = options.callsGrant ?? true;
  let calls = 0;

  const reply = (thread: Thread, at: Instant, response: 'approve' | 'reject', expiresAt: Instant | null): void => {
    queue.deliver(pageWebhook([permissionReplyEntry({
      ...thread, at, response, expiresAt, ...(options.replyShape === undefined ? {} : { shape: options.replyShape }),
    })]), at);
  };

  const answerOptIn = (optIn: FakeOptIn): void => {
    const answer = behaviour(optIn);
    if (answer.kind === 'ignore') return;
    const at = optIn.at + answer.afterMs;
    queue.at(at, () => {
      if (answer.kind === 'reject') {
        fake.reply(optIn.thread, { response: 'reject', at, optInMessageId: optIn.messageId });
        reply(optIn.thread, at, 'reject', null);
        return;
      }
      // Meta's webhook carries whole seconds: the fake holds the same expiry as the host will.
      const expiresAt = metaSeconds(at + (answer.expiresInMs ?? 7 * 86_400_000)) * 1000;
      fake.reply(optIn.thread, { response: 'approve', at, optInMessageId: optIn.messageId, expiresAt });
      reply(optIn.thread, at, 'approve', expiresAt);
    });
  };

  const callItem = (thread: Thread, items: readonly Record<string, unknown>[], at: Instant): void => {
    queue.deliver(pageWebhook([callsEntry(thread.pageId, items, { time: at })]), at);
  };

  const newCall = (thread: Thread): CallRef => ({ ...thread, callId: `c_sim_${thread.psid}_${(calls += 1)}` });

  const stopOptIns = fake.onOptIn(answerOptIn);
  const stopClock = clock.onAdvance(() => queue.kick());

  return {
    get attempts() {
      return queue.attempts;
    },
    get dropped() {
      return queue.dropped;
    },
    message(thread) {
      const at = clock.now();
      fake.inbound(thread, at);
      queue.deliver(pageWebhook([inboundMessageEntry({ ...thread, at })]), at);
    },
    placeCall(thread, how) {
      const call = newCall(thread);
      const start = clock.now();
      callItem(thread, [connectItem(call, 'user_initiated', start)], start);
      const ring = how.hostAnswers ? how.ringMs ?? 10_000 : 60_000;
      const talk = how.hostAnswers ? how.talkMs ?? 90_000 : 0;
      const end = start + ring + talk;
      queue.at(end, () => {
        if (callsGrant) fake.grant(thread);
        callItem(thread, [terminateItem(call, {
          at: end, startedAt: start, durationSec: how.hostAnswers ? Math.round(talk / 1000) : null,
        })], end);
      });
      return call;
    },
    receiveCall(thread, how) {
      const call = newCall(thread);
      const start = clock.now();
      callItem(thread, [connectItem(call, 'business_initiated', start), callStatusItem(call, 'ringing', start)], start);
      const pickUp = start + 5_000;
      const end = how.accepts ? pickUp + (how.talkMs ?? 90_000) : start + 60_000;
      if (how.accepts) {
        queue.at(pickUp, () => {
          fake.connectCall(thread, pickUp);
          if (callsGrant) fake.grant(thread);
          callItem(thread, [callStatusItem(call, 'accepted', pickUp)], pickUp);
        });
      }
      queue.at(end, () => {
        callItem(thread, [terminateItem(call, {
          at: end, startedAt: start, durationSec: how.accepts ? Math.round((end - pickUp) / 1000) : null,
        })], end);
      });
      return call;
    },
    deliver: (body, at) => queue.deliver(body, at ?? clock.now()),
    settle: () => queue.settle(),
    close() {
      stopOptIns();
      stopClock();
    },
  };
};
