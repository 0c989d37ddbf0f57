import type { Instant, Thread } from '@callperm/core';
import type { FakeThreadBook } from './FakeThreadBook.js';
import type { FakeThrottle } from './FakeThrottle.js';
import { fakeMetaErrors, type MetaErrorBody } from './fakeMetaErrors.js';
import { refusalOf, type FakeSend, type FakeSendRefusal } from './FakeSend.js';
import { isRecord, jsonField } from './jsonField.js';
import { renderPermissionCheck, type PermissionCheckVariant } from './renderPermissionCheck.js';

/** One answer of the fake, before it goes on the wire. */
export interface FakeAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** The answer to an opt-in send, with what Meta did (the fake's record, less its order). */
export interface FakeSendAnswer extends FakeAnswer {
  readonly outcome: Omit<FakeSend, 'seq' | 'fault'>;
}

/** An opt-in the fake accepted: what was sent, to whom, when. */
export interface FakeOptIn {
  readonly thread: Thread;
  readonly at: Instant;
  readonly messageId: string;
  readonly messagingType: string | undefined;
  readonly body: Readonly<Record<string, unknown>>;
}

/** What the core needs from its owner. */
export interface FakeGraphCoreDeps {
  readonly book: FakeThreadBook;
  readonly throttle: FakeThrottle;
  /** One token for every Page, or a token per Page id; absent = any non-empty token is fine. */
  readonly accessTokens?: string | Readonly<Record<string, string>> | undefined;
  /** Answer 104 to a request without a token, as Meta does (default true). */
  readonly requireToken?: boolean | undefined;
  readonly variant: () => PermissionCheckVariant;
  /** Render `limits` on `start_call` (default false, as Messenger's samples). */
  readonly startCallLimits?: boolean | undefined;
  readonly optInRecorded: (optIn: FakeOptIn) => void;
}

const MESSAGING_TYPES = new Set(['RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY']);

/**
 * The PSID an opt-in body is addressed to (JSON or form-encoded), if any.
 *
 * @example
 * optInRecipient({ recipient: '{"id":"2"}' }); // '2'
 */
export const optInRecipient = (body: unknown): string | undefined => {
  const recipient = isRecord(body) ? jsonField(body.recipient) : undefined;
  return isRecord(recipient) && typeof recipient.id === 'string' && recipient.id !== '' ? recipient.id : undefined;
};

const onlyKeys = (o: Record<string, unknown>, keys: readonly string[]): boolean => Object.keys(o).every((k) => keys.includes(k));

/**
 * The fake Graph API's behaviour without HTTP: token check, throttling, the
 * permission check, and the opt-in with its body validation, messaging window and
 * 2-per-24-h quota. The HTTP server and the batch endpoint call into it.
 *
 * @example
 * const answer = core.send('page-1', { recipient: { id: 'u1' }, message: {...} }, token);
 * answer.status; // 200, or 400 with Meta's error body
 */
export class FakeGraphCore {
  #messageSeq = 0;

  constructor(private readonly deps: FakeGraphCoreDeps) {}

  #fail(status: number, body: MetaErrorBody, pageId: string): FakeAnswer {
    return { status, body, headers: this.deps.throttle.headersFor([pageId]) };
  }

  #ok(body: unknown, pageId: string): FakeAnswer {
    return { status: 200, body, headers: this.deps.throttle.headersFor([pageId]) };
  }

  /** The usage headers for an answer touching these Pages. */
  usageHeaders(pageIds: readonly string[]): Readonly<Record<string, string>> {
    return this.deps.throttle.headersFor(pageIds);
  }

  /** Meta's checks shared by every call: the token, then throttling. */
  gate(pageId: string, token: string | undefined): FakeAnswer | undefined {
    const expected = this.deps.accessTokens;
    const missing = token === undefined || token === '';
    if (missing && (expected !== undefined || this.deps.requireToken !== false)) return this.#fail(400, fakeMetaErrors.missingToken, pageId);
    if (expected !== undefined) {
      const want = typeof expected === 'string' ? expected : expected[pageId];
      if (want !== token) return this.#fail(400, fakeMetaErrors.invalidToken, pageId);
    }
    const throttled = this.deps.throttle.errorFor(pageId);
    return throttled === undefined ? undefined : this.#fail(400, throttled, pageId);
  }

  /** `GET /{page-id}/messenger_call_permissions?psid=`; refused while calling is off for the Page. */
  check(pageId: string, psid: string | undefined, token: string | undefined): FakeAnswer {
    const refused = this.gate(pageId, token);
    if (refused !== undefined) return refused;
    if (psid === undefined || psid === '') return this.#fail(400, fakeMetaErrors.invalidParameter, pageId);
    // The check lists "Not allowed for business-initiated calling" among its errors (facts §1.4).
    if (!this.deps.book.pageCallingEnabled(pageId)) return this.#fail(400, fakeMetaErrors.callingNotEnabled, pageId);
    const view = this.deps.book.view({ pageId, psid });
    return this.#ok(renderPermissionCheck(view, this.deps.variant(), { startCallLimits: this.deps.startCallLimits === true }), pageId);
  }

  /**
   * `POST /{page-id}/business_messaging_feature_status` with
   * `{"features":[{"feature":"messenger_api_calling"}]}`: `enabled`, or `disabled`
   * while calling is off for the Page (`upper`: Meta's prose spelling, `ENABLED`).
   */
  featureStatus(pageId: string, body: Readonly<Record<string, unknown>>, token: string | undefined, upper = false): FakeAnswer {
    const refused = this.gate(pageId, token);
    if (refused !== undefined) return refused;
    const features = jsonField(body.features);
    const names = Array.isArray(features) ? features.map((f: unknown) => (isRecord(f) ? f.feature : undefined)) : [];
    if (names.length === 0 || names.some((n) => n !== 'messenger_api_calling')) return this.#fail(400, fakeMetaErrors.invalidParameter, pageId);
    const word = this.deps.book.pageCallingEnabled(pageId) ? 'enabled' : 'disabled';
    const status = upper ? word.toUpperCase() : word;
    return this.#ok({ data: [{ feature: 'messenger_api_calling', status }] }, pageId);
  }

  /**
   * `POST /{page-id}/messages` with the `calling_optin` template. Refused, in this
   * order: token and throttling, a bad body (100), calling off for the Page (10,
   * "Not allowed for business-initiated calling"), the person unavailable
   * (551/1545041), outside the 24 h window (10/2018278), the thread's quota
   * (613/2534040). Every answer says what Meta did.
   */
  send(pageId: string, body: Readonly<Record<string, unknown>>, token: string | undefined): FakeSendAnswer {
    const psid = optInRecipient(body);
    const at = this.deps.book.clock.now();
    const refuse = (a: FakeAnswer, refusal?: FakeSendRefusal): FakeSendAnswer => {
      const e = (a.body as MetaErrorBody).error;
      return {
        ...a,
        outcome: {
          at, pageId, psid, outcome: 'refused', refusal: refusal ?? refusalOf(a.body as MetaErrorBody),
          code: e.code, ...(e.error_subcode === undefined ? {} : { subcode: e.error_subcode }),
        },
      };
    };
    const refused = this.gate(pageId, token);
    if (refused !== undefined) return refuse(refused);
    const message = jsonField(body.message);
    const attachment = isRecord(message) ? message.attachment : undefined;
    const payload = isRecord(attachment) ? attachment.payload : undefined;
    const valid = psid !== undefined && isRecord(message) && onlyKeys(message, ['attachment'])
      && isRecord(attachment) && attachment.type === 'template' && onlyKeys(attachment, ['type', 'payload'])
      && isRecord(payload) && payload.template_type === 'calling_optin' && onlyKeys(payload, ['template_type'])
      && (body.messaging_type === undefined || (typeof body.messaging_type === 'string' && MESSAGING_TYPES.has(body.messaging_type)));
    if (!valid) return refuse(this.#fail(400, fakeMetaErrors.invalidParameter, pageId), 'invalid');
    const thread = { pageId, psid };
    const { book } = this.deps;
    if (!book.pageCallingEnabled(pageId)) return refuse(this.#fail(400, fakeMetaErrors.callingNotEnabled, pageId), 'calling_not_enabled');
    if (book.state(thread).unavailable) return refuse(this.#fail(400, fakeMetaErrors.personUnavailable, pageId), 'person_unavailable');
    if (!book.inWindow(thread)) return refuse(this.#fail(400, fakeMetaErrors.outsideWindow, pageId), 'outside_window');
    const view = book.view(thread);
    if (view.request.used >= view.request.window.max) return refuse(this.#fail(400, fakeMetaErrors.optInQuota, pageId), 'request_limit');
    book.recordOptIn(thread);
    const messageId = `m_fake_${++this.#messageSeq}`;
    const messagingType = typeof body.messaging_type === 'string' ? body.messaging_type : undefined;
    this.deps.optInRecorded({ thread, at, messageId, messagingType, body });
    return { ...this.#ok({ recipient: { id: psid }, message_id: messageId }, pageId), outcome: { at, pageId, psid, outcome: 'accepted', messageId } };
  }
}
