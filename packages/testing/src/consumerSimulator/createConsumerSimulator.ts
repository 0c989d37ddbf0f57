import { channelOf, durationMs, threadKey, type Instant, type Thread } from '@callperm/core';
import type { FakeGraphApi } from '../fakeGraph/createFakeGraphApi.js';
import type { FakeCall, FakeCallEnd } from '../fakeGraph/FakeCall.js';
import { ACCEPT_WINDOW_MS } from '../fakeGraph/FakeCallBook.js';
import type { FakeOptIn } from '../fakeGraph/FakeGraphCore.js';
import { callStatusItem, callsEntry, connectItem, terminateItem, type CallRef } from '../webhooks/callItems.js';
import { inboundMessageEntry } from '../webhooks/inboundMessageEntry.js';
import { metaSeconds } from '../webhooks/metaSeconds.js';
import { pageWebhook } from '../webhooks/pageWebhook.js';
import { permissionReplyEntry, type ReplyShape } from '../webhooks/permissionReplyEntry.js';
import {
  whatsappCallConnect, whatsappCallStatus, whatsappCallTerminate, whatsappPermissionReply, whatsappTextMessage, type WhatsAppCallSpec,
} from '../webhooks/whatsappWebhook.js';
import { callees, type CalleeBehaviour } from './CalleeAnswer.js';
import { consumers, type ConsumerAnswer, type ConsumerBehaviour } from './ConsumerAnswer.js';
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
  /**
   * How people handle the calls the host places through the fake (`connect`):
   * default {@link callees}`.answers()`, pick up after 8 s and talk 60 s.
   */
  readonly callBehaviour?: CalleeBehaviour;
}

/**
 * How a consumer-initiated call goes. The call is also open at the fake, so the
 * host may accept or reject it over HTTP within its 60 s instead; the person then
 * talks `talkMs` from the host's accept.
 */
export interface PlacedCall {
  /** The host picks up (it connects) or lets it ring out (a missed call). */
  readonly hostAnswers: boolean;
  /** Ringing before the host picks up (default 10 s; under 60 s); a missed call rings 60 s, Meta's limit. */
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
  /**
   * The person writes to the Page now: the messaging window opens at Meta, and the
   * host hears of it (on a WhatsApp thread, a `text` message in WhatsApp's envelope).
   */
  message(thread: Thread): void;
  /**
   * WhatsApp: the person grants a permanent permission now (an `accept` with
   * `is_permanent: true`, answering the latest request to them if any): the fake's
   * book holds it with no expiry, and the host hears of it.
   */
  grantPermanent(thread: Thread): void;
  /**
   * WhatsApp: Meta revokes the permission now (after unanswered calls): a `reject`
   * with `response_source: automatic` and no `context`; the fake's book holds none.
   */
  revokeAutomatically(thread: Thread): void;
  /** The person calls the Page now; returns the call. */
  placeCall(thread: Thread, how: PlacedCall): CallRef;
  /**
   * The Page calls the person now without a connect request (as if the host had
   * connected it at Meta); the person accepts or lets it ring. A call the host
   * places with `connect` at the fake needs nothing: `callBehaviour` answers it.
   */
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
 * host. When the host places a call (`connect` at the fake), the person answers,
 * declines or misses it per `callBehaviour`, and Meta POSTs the `calls` webhooks
 * (connect, call_status ringing and accepted, terminate); a host's terminate ends
 * it early. People also write to the Page and call it; the host answers or misses.
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
  const callBehaviour = options.callBehaviour ?? callees.answers();
  /** The calls whose connect webhook this simulator posted: it posts their terminate too. */
  const announced = new Set<string>();
  /** The person's calls still to be picked up, with how long they talk once someone does. */
  const talkOnAnswer = new Map<string, number>();
  let calls = 0;

  const reply = (thread: Thread, at: Instant, response: 'approve' | 'reject', expiresAt: Instant | null): void => {
    queue.deliver(pageWebhook([permissionReplyEntry({
      ...thread, at, response, expiresAt, ...(options.replyShape === undefined ? {} : { shape: options.replyShape }),
    })]), at);
  };

  const displayPhoneNumber = (pageId: string): string => `1555${pageId.replace(/\D/g, '').slice(-7).padStart(7, '0')}`;

  /** Meta posts a WhatsApp `call_permission_reply` for a WhatsApp thread. */
  const waReply = (thread: Thread, at: Instant, reply: {
    readonly response: 'accept' | 'reject';
    readonly permanent?: boolean;
    readonly expiresAt?: Instant;
    readonly source?: 'user_action' | 'automatic';
    readonly contextId?: string | null;
  }): void => {
    queue.deliver(whatsappPermissionReply({
      phoneNumberId: thread.pageId, displayPhoneNumber: displayPhoneNumber(thread.pageId), waId: thread.psid, at, ...reply,
    }), at);
  };

  /** The latest request Meta delivered to this WhatsApp person, if any. */
  const latestRequest = (thread: Thread): string | null =>
    fake.optIns.findLast((o) => o.thread.channel === 'whatsapp' && o.thread.pageId === thread.pageId && o.thread.psid === thread.psid)?.messageId ?? null;

  /** A WhatsApp request answered: Meta's book learns it, and posts the reply with the request's wamid as context. */
  const answerWhatsApp = (optIn: FakeOptIn, answer: Exclude<ConsumerAnswer, { kind: 'ignore' }>, at: Instant): void => {
    const { thread, messageId } = optIn;
    if (answer.kind === 'reject') {
      fake.reply(thread, { response: 'reject', at, optInMessageId: messageId });
      return waReply(thread, at, { response: 'reject', contextId: messageId });
    }
    const ttl = answer.expiresInMs ?? durationMs(fake.whatsapp.rules.temporaryTtl);
    const expiresAt = metaSeconds(at + ttl) * 1000;
    fake.reply(thread, { response: 'approve', at, optInMessageId: messageId, expiresAt });
    waReply(thread, at, { response: 'accept', expiresAt, contextId: messageId });
  };

  const answerOptIn = (optIn: FakeOptIn): void => {
    const answer = behaviour(optIn);
    if (answer.kind === 'ignore') return;
    const at = optIn.at + answer.afterMs;
    if (channelOf(optIn.thread) === 'whatsapp') return queue.at(at, () => answerWhatsApp(optIn, answer, at));
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

  const newCall = (thread: Thread): CallRef =>
    ({ ...thread, callId: `${channelOf(thread) === 'whatsapp' ? 'wacid.SIM' : 'c_sim_'}${thread.psid}_${(calls += 1)}` });

  /** WhatsApp: Meta posts a `calls` change for a call of a WhatsApp thread (facts §9.5). */
  const waCall = (thread: Thread, callId: string, direction: WhatsAppCallSpec['direction'], at: Instant, body: (spec: WhatsAppCallSpec) => unknown): void => {
    const spec: WhatsAppCallSpec = { phoneNumberId: thread.pageId, displayPhoneNumber: displayPhoneNumber(thread.pageId), waId: thread.psid, callId, direction };
    queue.deliver(body(spec), at);
  };
  /** WhatsApp: business calls unanswered or rejected in a row, per thread; the 4th revokes the permission (facts §9.3). */
  const unanswered = new Map<string, number>();
  const REVOKE_AFTER_UNANSWERED = 4;
  const businessCallOutcome = (thread: Thread, answered: boolean, at: Instant): void => {
    const key = threadKey(thread);
    const n = answered ? 0 : (unanswered.get(key) ?? 0) + 1;
    if (n < REVOKE_AFTER_UNANSWERED) {
      unanswered.set(key, n);
      return;
    }
    unanswered.delete(key);
    fake.reply(thread, { response: 'reject', at, optInMessageId: null });
    waReply(thread, at, { response: 'reject', source: 'automatic', contextId: null });
  };

  /** Meta's implicit grant from `at` (the usual lifetime), never shortening a longer one. */
  const implicitGrant = (thread: Thread, at: Instant): void => {
    const expiresAt = at + durationMs(fake.threads.rules.permissionTtl);
    const held = fake.threads.state(thread).grant;
    if (held !== null && (held.expiresAt === null || held.expiresAt >= expiresAt)) return;
    fake.grant(thread, expiresAt);
  };

  /** The host placed a call at the fake: it rings, and the person does as `callBehaviour` says. */
  const ring = (call: FakeCall): void => {
    const { thread, callId, startedAt: start } = call;
    const ref: CallRef = { pageId: thread.pageId, psid: thread.psid, callId };
    const messenger = channelOf(thread) === 'messenger';
    announced.add(callId);
    if (messenger) callItem(thread, [connectItem(ref, 'business_initiated', start), callStatusItem(ref, 'ringing', start)], start);
    else {
      waCall(thread, callId, 'BUSINESS_INITIATED', start, (s) => whatsappCallConnect(s, start));
      waCall(thread, callId, 'BUSINESS_INITIATED', start, (s) => whatsappCallStatus(s, 'RINGING', start));
    }
    const answer = callBehaviour(call);
    switch (answer.kind) {
      case 'answer': {
        const at = start + answer.afterMs;
        queue.at(at, () => {
          if (!fake.answerCall(callId, at)) return; // the host ended it first
          if (messenger && callsGrant) implicitGrant(thread, at);
          if (messenger) callItem(thread, [callStatusItem(ref, 'accepted', at)], at);
          else {
            businessCallOutcome(thread, true, at);
            waCall(thread, callId, 'BUSINESS_INITIATED', at, (s) => whatsappCallStatus(s, 'ACCEPTED', at));
          }
          const end = at + answer.talkMs;
          queue.at(end, () => void fake.endCall(callId, 'hung_up', end));
        });
        return;
      }
      case 'decline': {
        const at = start + answer.afterMs;
        return queue.at(at, () => {
          if (!messenger && fake.call(callId)?.endedAt === null) {
            waCall(thread, callId, 'BUSINESS_INITIATED', at, (s) => whatsappCallStatus(s, 'REJECTED', at));
          }
          if (fake.endCall(callId, 'declined', at) !== undefined && !messenger) businessCallOutcome(thread, false, at);
        });
      }
      case 'miss': {
        const at = start + (answer.ringMs ?? ACCEPT_WINDOW_MS);
        return queue.at(at, () => {
          if (fake.endCall(callId, 'missed', at) !== undefined && !messenger) businessCallOutcome(thread, false, at);
        });
      }
      case 'fail': {
        const at = start + answer.afterMs;
        return queue.at(at, () => void fake.endCall(callId, 'failed', at));
      }
    }
  };

  /** A call ended at the fake (the person, the host, or ringing out): Meta posts its terminate. */
  const ended = (end: FakeCallEnd): void => {
    if (!announced.has(end.callId)) return;
    announced.delete(end.callId);
    talkOnAnswer.delete(end.callId);
    if (channelOf(end.thread) === 'whatsapp') return endedOnWhatsApp(end);
    // A person's call grants when it connected or the business did not pick up (facts §4.5); not when it failed.
    if (end.direction === 'user_initiated' && callsGrant && end.status !== 'Failed') implicitGrant(end.thread, end.at);
    callItem(end.thread, [terminateItem({ ...end.thread, callId: end.callId }, {
      at: end.at, startedAt: end.startedAt, durationSec: end.durationSec, status: end.status,
    })], end.at);
  };

  /**
   * A WhatsApp call ended: Meta posts its terminate (the talk's times only when it
   * was picked up). A person's call the business did not pick up grants a temporary
   * callback permission, announced as an automatic reply naming the call (facts §9.3, §9.4).
   */
  const endedOnWhatsApp = (end: FakeCallEnd): void => {
    const direction = end.direction === 'user_initiated' ? 'USER_INITIATED' : 'BUSINESS_INITIATED';
    const status = end.status === 'Failed' ? 'FAILED' : 'COMPLETED';
    waCall(end.thread, end.callId, direction, end.at, (s) => whatsappCallTerminate(s, { at: end.at, status, pickedUpAt: end.answeredAt }));
    if (direction !== 'USER_INITIATED' || !callsGrant || status === 'FAILED' || end.answeredAt !== null) return;
    const expiresAt = metaSeconds(end.at + durationMs(fake.whatsapp.rules.temporaryTtl)) * 1000;
    fake.grant(end.thread, expiresAt);
    waReply(end.thread, end.at, { response: 'accept', expiresAt, source: 'automatic', contextId: end.callId });
  };

  /** A person's call was picked up (by the host's accept or the script): they talk, then hang up. */
  const pickedUp = (call: FakeCall): void => {
    const talk = talkOnAnswer.get(call.callId);
    if (talk === undefined || call.answeredAt === null) return;
    talkOnAnswer.delete(call.callId);
    const end = call.answeredAt + talk;
    queue.at(end, () => void fake.endCall(call.callId, 'hung_up', end));
  };

  const stopOptIns = fake.onOptIn(answerOptIn);
  const stopConnects = fake.onConnect(ring);
  const stopAnswers = fake.onCallAnswer(pickedUp);
  const stopEnds = fake.onCallEnd(ended);
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
      if (channelOf(thread) === 'whatsapp') {
        queue.deliver(whatsappTextMessage({ phoneNumberId: thread.pageId, displayPhoneNumber: displayPhoneNumber(thread.pageId), waId: thread.psid, at }), at);
        return;
      }
      queue.deliver(pageWebhook([inboundMessageEntry({ pageId: thread.pageId, psid: thread.psid, at })]), at);
    },
    grantPermanent(thread) {
      const at = clock.now();
      const contextId = latestRequest(thread);
      fake.reply(thread, { response: 'approve', at, optInMessageId: contextId, expiresAt: null });
      waReply(thread, at, { response: 'accept', permanent: true, contextId });
    },
    revokeAutomatically(thread) {
      const at = clock.now();
      fake.reply(thread, { response: 'reject', at, optInMessageId: null });
      waReply(thread, at, { response: 'reject', source: 'automatic', contextId: null });
    },
    placeCall(thread, how) {
      const call = newCall(thread);
      const { callId } = call;
      const start = clock.now();
      announced.add(callId);
      talkOnAnswer.set(callId, how.talkMs ?? 90_000);
      fake.incomingCall(thread, { at: start, callId });
      if (channelOf(thread) === 'whatsapp') waCall(thread, callId, 'USER_INITIATED', start, (s) => whatsappCallConnect(s, start));
      else callItem(thread, [connectItem(call, 'user_initiated', start)], start);
      // Unless the host accepts or rejects it over HTTP first, the script stands in for it.
      const decided = start + (how.hostAnswers ? how.ringMs ?? 10_000 : ACCEPT_WINDOW_MS);
      queue.at(decided, () => {
        if (how.hostAnswers) fake.answerCall(callId, decided);
        else fake.endCall(callId, 'missed', decided);
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
      stopConnects();
      stopAnswers();
      stopEnds();
      stopClock();
    },
  };
};
