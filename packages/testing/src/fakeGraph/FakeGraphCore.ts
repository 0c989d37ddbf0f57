import type { Instant, Thread } from '@callperm/core';
import type { FakeThreadBook } from './FakeThreadBook.js';
import type { FakeThrottle } from './FakeThrottle.js';
import { fakeMetaErrors, type MetaErrorBody } from './fakeMetaErrors.js';
import { renderPermissionCheck, type PermissionCheckVariant } from './renderPermissionCheck.js';

/** One answer of the fake, before it goes on the wire. */
export interface FakeAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
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
  /** One token for every Page, or a token per Page id; absent = any token is fine. */
  readonly accessTokens?: string | Readonly<Record<string, string>> | undefined;
  readonly variant: () => PermissionCheckVariant;
  readonly optInRecorded: (optIn: FakeOptIn) => void;
}

const MESSAGING_TYPES = new Set(['RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Form-encoded Send API fields carry JSON strings (`recipient={"id":"1"}`): read both forms. */
const jsonField = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
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
    if (expected !== undefined) {
      if (token === undefined || token === '') return this.#fail(400, fakeMetaErrors.missingToken, pageId);
      const want = typeof expected === 'string' ? expected : expected[pageId];
      if (want !== token) return this.#fail(400, fakeMetaErrors.invalidToken, pageId);
    }
    const throttled = this.deps.throttle.errorFor(pageId);
    return throttled === undefined ? undefined : this.#fail(400, throttled, pageId);
  }

  /** `GET /{page-id}/messenger_call_permissions?psid=`. */
  check(pageId: string, psid: string | undefined, token: string | undefined): FakeAnswer {
    const refused = this.gate(pageId, token);
    if (refused !== undefined) return refused;
    if (psid === undefined || psid === '') return this.#fail(400, fakeMetaErrors.invalidParameter, pageId);
    const view = this.deps.book.view({ pageId, psid });
    return this.#ok(renderPermissionCheck(view, this.deps.variant()), pageId);
  }

  /** `POST /{page-id}/messages` with the `calling_optin` template. */
  send(pageId: string, body: Readonly<Record<string, unknown>>, token: string | undefined): FakeAnswer {
    const refused = this.gate(pageId, token);
    if (refused !== undefined) return refused;
    const recipient = jsonField(body.recipient);
    const message = jsonField(body.message);
    const psid = isRecord(recipient) && typeof recipient.id === 'string' ? recipient.id : undefined;
    const attachment = isRecord(message) ? message.attachment : undefined;
    const payload = isRecord(attachment) ? attachment.payload : undefined;
    const valid = psid !== undefined && psid !== '' && isRecord(message) && onlyKeys(message, ['attachment'])
      && isRecord(attachment) && attachment.type === 'template' && onlyKeys(attachment, ['type', 'payload'])
      && isRecord(payload) && payload.template_type === 'calling_optin' && onlyKeys(payload, ['template_type'])
      && (body.messaging_type === undefined || (typeof body.messaging_type === 'string' && MESSAGING_TYPES.has(body.messaging_type)));
    if (!valid) return this.#fail(400, fakeMetaErrors.invalidParameter, pageId);
    const thread = { pageId, psid };
    const { book } = this.deps;
    if (!book.inWindow(thread)) return this.#fail(400, fakeMetaErrors.outsideWindow, pageId);
    const view = book.view(thread);
    if (view.request.used >= view.request.window.max) return this.#fail(400, fakeMetaErrors.optInQuota, pageId);
    book.recordOptIn(thread);
    const messageId = `m_fake_${++this.#messageSeq}`;
    const messagingType = typeof body.messaging_type === 'string' ? body.messaging_type : undefined;
    this.deps.optInRecorded({ thread, at: book.clock.now(), messageId, messagingType, body });
    return this.#ok({ recipient: { id: psid }, message_id: messageId }, pageId);
  }
}
