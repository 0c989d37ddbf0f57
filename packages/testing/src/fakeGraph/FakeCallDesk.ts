import type { FakeCall } from './FakeCall.js';
import type { FakeCallBook } from './FakeCallBook.js';
import { connectRefusalOf, type FakeConnect, type FakeConnectFacts, type FakeConnectRefusal } from './FakeConnect.js';
import type { FakeAnswer, FakeGraphCore } from './FakeGraphCore.js';
import { fakeMetaErrors, type MetaErrorBody } from './fakeMetaErrors.js';
import type { FakeThreadBook } from './FakeThreadBook.js';
import { isRecord, jsonField } from './jsonField.js';

/** The answer to a connect, with what Meta did (the fake's record, less its order) and the call placed. */
export interface FakeConnectAnswer extends FakeAnswer {
  readonly connect: Omit<FakeConnect, 'seq' | 'fault'>;
  readonly call?: FakeCall;
}

/** What the desk needs from its owner. */
export interface FakeCallDeskDeps {
  readonly core: FakeGraphCore;
  readonly book: FakeThreadBook;
  readonly calls: FakeCallBook;
}

/**
 * The SDP the fake answers a connect or an accept with (`session.sdp_response.sdp`):
 * a minimal audio answer, not meant for a real media stack.
 *
 * @example
 * fakeSdpAnswer.startsWith('v=0'); // true
 */
export const fakeSdpAnswer = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0', 'a=rtpmap:111 opus/48000/2', 'a=setup:active', 'a=sendrecv', '',
].join('\r\n');

/**
 * The PSID a connect body calls (`to`, JSON or form-encoded), if any.
 *
 * @example
 * connectRecipient({ platform: 'messenger', to: '2002', action: 'connect' }); // '2002'
 */
export const connectRecipient = (body: unknown): string | undefined => {
  const to = isRecord(body) ? body.to : undefined;
  return typeof to === 'string' && to !== '' ? to : undefined;
};

/** Why a connect or accept `session` is not a usable SDP offer (2018391, 2018392), or undefined. */
export const sessionError = (raw: unknown): MetaErrorBody | undefined => {
  const session = jsonField(raw);
  if (!isRecord(session) || session.sdp_type !== 'offer') return fakeMetaErrors.invalidConnection;
  return typeof session.sdp === 'string' && session.sdp.startsWith('v=0') ? undefined : fakeMetaErrors.invalidSdp;
};

/**
 * The fake Graph API's calling edges without HTTP: `GET /{page-id}/messenger_call_settings`
 * and `POST /{page-id}/calls` (`connect`, `terminate`, `accept`, `reject`, facts §5).
 * A connect is refused, in this order: token and throttling, a bad body (100,
 * 2018391, 2018392), the Page not allowed to call (2018389), audio off in the
 * Page's settings, no live permission ("Consumer has not given permission to
 * call"), the connected-call quota ("Call rate limit exceeded"). Every connect
 * answer carries its record, with the facts at that instant.
 *
 * @example
 * const a = desk.connect('1001', { platform: 'messenger', to: '2002', action: 'connect', session: { sdp_type: 'offer', sdp: 'v=0\r\n' } }, token);
 * a.connect.outcome; // 'placed', or why not
 */
export class FakeCallDesk {
  constructor(private readonly deps: FakeCallDeskDeps) {}

  #answer(status: number, body: unknown, pageId: string): FakeAnswer {
    return { status, body, headers: this.deps.core.usageHeaders([pageId]) };
  }

  /** What held at Meta now for a connect to `psid` (nothing, when no person was named). */
  facts(pageId: string, psid: string | undefined): FakeConnectFacts {
    const { book } = this.deps;
    const pageAllowed = book.pageCallingEnabled(pageId) && book.callSettings(pageId).audioEnabled;
    if (psid === undefined) return { permitted: false, overQuota: false, pageAllowed };
    const thread = { pageId, psid };
    return { permitted: book.permitted(thread), overQuota: book.overCallQuota(thread), pageAllowed };
  }

  /** `GET /{page-id}/messenger_call_settings`: `{"data":[{audio_enabled, video_enabled, call_routing:{ring_target}}]}`. */
  settings(pageId: string, token: string | undefined): FakeAnswer {
    const refused = this.deps.core.gate(pageId, token);
    if (refused !== undefined) return refused;
    const s = this.deps.book.callSettings(pageId);
    return this.#answer(200, { data: [{ audio_enabled: s.audioEnabled, video_enabled: s.videoEnabled, call_routing: { ring_target: s.ringTarget } }] }, pageId);
  }

  /** `POST /{page-id}/calls` with `action: connect`: rings the person, or refuses as Meta would. */
  connect(pageId: string, body: Readonly<Record<string, unknown>>, token: string | undefined): FakeConnectAnswer {
    const { book, calls, core } = this.deps;
    const at = book.clock.now();
    const psid = connectRecipient(body);
    const facts = this.facts(pageId, psid);
    const base = { at, pageId, thread: psid === undefined ? null : { pageId, psid }, ...facts };
    const refuse = (a: FakeAnswer, refusal?: FakeConnectRefusal): FakeConnectAnswer => {
      const e = (a.body as MetaErrorBody).error;
      const connect = { ...base, outcome: refusal ?? connectRefusalOf(a.body as MetaErrorBody), code: e.code, ...(e.error_subcode === undefined ? {} : { subcode: e.error_subcode }) };
      return { ...a, connect };
    };
    const refused = core.gate(pageId, token);
    if (refused !== undefined) return refuse(refused);
    if (psid === undefined || (body.platform !== undefined && body.platform !== 'messenger')) {
      return refuse(this.#answer(400, fakeMetaErrors.invalidParameter, pageId), 'invalid');
    }
    const badSession = sessionError(body.session);
    if (badSession !== undefined) return refuse(this.#answer(400, badSession, pageId), 'invalid');
    if (!book.pageCallingEnabled(pageId)) return refuse(this.#answer(400, fakeMetaErrors.callingNotAllowed, pageId), 'calling_not_enabled');
    if (!book.callSettings(pageId).audioEnabled) return refuse(this.#answer(400, fakeMetaErrors.audioNotEnabled, pageId), 'audio_disabled');
    if (!facts.permitted) return refuse(this.#answer(400, fakeMetaErrors.noCallPermission, pageId), 'no_call_permission');
    if (facts.overQuota) return refuse(this.#answer(400, fakeMetaErrors.callRateLimit, pageId), 'call_limit');
    const thread = { pageId, psid };
    book.connectCall(thread, at);
    const call = calls.open(thread, 'business_initiated', at);
    const answer = { success: true, id: call.callId, session: { sdp_response: { sdp_type: 'answer', sdp: fakeSdpAnswer } } };
    return { ...this.#answer(200, answer, pageId), connect: { ...base, outcome: 'placed', callId: call.callId }, call };
  }

  /**
   * `POST /{page-id}/calls` with `terminate` (any live call of the Page), `accept`
   * or `reject` (a person's call still ringing, within its 60 s). An unknown call
   * is 2018390, another Page's 2018393, an ended one 2018396 (2018395 when it failed).
   */
  act(pageId: string, body: Readonly<Record<string, unknown>>, token: string | undefined): FakeAnswer {
    const { calls, core, book } = this.deps;
    const refused = core.gate(pageId, token);
    if (refused !== undefined) return refused;
    const { action, call_id: callId } = body;
    const known = action === 'terminate' || action === 'accept' || action === 'reject';
    if (!known || typeof callId !== 'string' || callId === '' || (body.platform !== undefined && body.platform !== 'messenger')) {
      return this.#answer(400, fakeMetaErrors.invalidParameter, pageId);
    }
    const call = calls.get(callId);
    if (call === undefined) return this.#answer(400, fakeMetaErrors.invalidCallId, pageId);
    if (call.thread.pageId !== pageId) return this.#answer(400, fakeMetaErrors.pageNotInCall, pageId);
    if (call.endedAt !== null) return this.#answer(400, call.cause === 'failed' ? fakeMetaErrors.failedCall : fakeMetaErrors.endedCall, pageId);
    const now = book.clock.now();
    if (action === 'terminate') {
      calls.end(callId, now, 'terminated');
      return this.#answer(200, { success: true }, pageId);
    }
    // accept and reject: only a person's call that still rings.
    if (call.direction !== 'user_initiated' || call.answeredAt !== null) return this.#answer(400, fakeMetaErrors.invalidParameter, pageId);
    if (action === 'reject') {
      calls.end(callId, now, 'rejected');
      return this.#answer(200, { success: true }, pageId);
    }
    const badSession = sessionError(body.session);
    if (badSession !== undefined) return this.#answer(400, badSession, pageId);
    calls.answer(callId, now);
    return this.#answer(200, { success: true, session: { sdp_response: { sdp_type: 'answer', sdp: fakeSdpAnswer } } }, pageId);
  }
}
