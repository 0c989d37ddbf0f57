import { durationMs, threadKey, type Instant, type QuotaWindow, type Thread } from '@callperm/core';
import type { FakeCall } from './FakeCall.js';
import type { FakeCallBook } from './FakeCallBook.js';
import { sessionError, type FakeConnectAnswer } from './FakeCallDesk.js';
import type { FakeConnectFacts, FakeConnectRefusal } from './FakeConnect.js';
import type { FakeAnswer, FakeGraphCore, FakeOptIn, FakeSendAnswer } from './FakeGraphCore.js';
import type { MetaErrorBody } from './fakeMetaErrors.js';
import type { FakeSendRefusal } from './FakeSend.js';
import type { FakeThreadBook } from './FakeThreadBook.js';
import { fakeWhatsAppErrors } from './fakeWhatsAppErrors.js';
import { isRecord, jsonField } from './jsonField.js';

/** WhatsApp's rules for a business number / user pair, as data (facts §9.2, §9.3). */
export interface FakeWhatsAppRules {
  /** Call-permission requests per pair: 1 per rolling 24 h and 2 per rolling 7 days, reset by any connected call. */
  readonly requestLimits: readonly QuotaWindow[];
  /** Connected business-initiated calls (calls the person picked up) per pair: 100 per rolling 24 h. */
  readonly connectedCallQuota: QuotaWindow;
  /** How long an accepted temporary permission lasts: 7 days. */
  readonly temporaryTtl: string;
  /** The customer-service window a person's message opens (free-form messages need it): 24 h. */
  readonly serviceWindow: string;
}

/**
 * WhatsApp's documented rules (facts §9): requests 1 / PT24H and 2 / P7D, 100
 * connected calls / PT24H, temporary permissions of 7 days, a 24 h window.
 *
 * @example
 * createFakeGraphApi({ whatsappNumbers: ['1065'], whatsappRules: { connectedCallQuota: { period: 'PT24H', max: 1 } } });
 */
export const defaultFakeWhatsAppRules: FakeWhatsAppRules = {
  requestLimits: [{ period: 'PT24H', max: 1 }, { period: 'P7D', max: 2 }],
  connectedCallQuota: { period: 'PT24H', max: 100 },
  temporaryTtl: 'P7D',
  serviceWindow: 'PT24H',
};

/** What the person granted the business number: `temporary` (until `expiresAt`), `permanent`, or nothing. */
export type FakeWhatsAppPermission =
  | { readonly status: 'no_permission' }
  | { readonly status: 'temporary'; readonly expiresAt: Instant }
  | { readonly status: 'permanent' };

/** One limit of an action, with its usage now and, when used up, when it frees again. */
export interface FakeWhatsAppLimit {
  readonly period: string;
  readonly max: number;
  readonly used: number;
  /** When the usage drops below `max` again (only when used up). */
  readonly freesAt?: Instant;
}

/** A WhatsApp pair as `call_permissions` reports it now. */
export interface FakeWhatsAppView {
  readonly permission: FakeWhatsAppPermission;
  readonly request: { readonly canPerform: boolean; readonly limits: readonly FakeWhatsAppLimit[] };
  readonly startCall: { readonly canPerform: boolean; readonly limits: readonly FakeWhatsAppLimit[] };
}

/** What the desk needs from its owner. */
export interface FakeWhatsAppDeskDeps {
  readonly core: FakeGraphCore;
  readonly book: FakeThreadBook;
  readonly calls: FakeCallBook;
  readonly rules: FakeWhatsAppRules;
  readonly requestRecorded: (request: FakeOptIn) => void;
}

/**
 * A WhatsApp thread on the business number `phoneNumberId` with the person `waId`.
 *
 * @example
 * whatsappThread('1065', '4915112345678'); // { channel: 'whatsapp', pageId: '1065', psid: '4915112345678' }
 */
export const whatsappThread = (phoneNumberId: string, waId: string): Thread => ({ channel: 'whatsapp', pageId: phoneNumberId, psid: waId });

/** A phone number as WhatsApp keys it (`+49 151-123` → `49151123`); any other id (a BSUID) as given. */
const waIdOf = (raw: string): string => (/^[+\d][\d\s().-]*$/.test(raw) ? raw.replace(/\D/g, '') : raw);

/**
 * The person a WhatsApp `messages` or `calls` body names (`to`, else `recipient`), as a wa_id.
 *
 * @example
 * whatsappRecipient({ messaging_product: 'whatsapp', to: '+4915112345678' }); // '4915112345678'
 */
export const whatsappRecipient = (body: unknown): string | undefined => {
  if (!isRecord(body)) return undefined;
  const raw = typeof body.to === 'string' && body.to !== '' ? body.to : body.recipient;
  return typeof raw === 'string' && raw.trim() !== '' ? waIdOf(raw.trim()) : undefined;
};

/** Which request a `messages` body is: the interactive `call_permission_request`, a template (named, with a language), or neither. */
const requestMessageOf = (body: Readonly<Record<string, unknown>>): 'interactive' | 'template' | undefined => {
  if (body.type === 'interactive') {
    const interactive = jsonField(body.interactive);
    const action = isRecord(interactive) ? jsonField(interactive.action) : undefined;
    return isRecord(interactive) && interactive.type === 'call_permission_request' && isRecord(action) && action.name === 'call_permission_request'
      ? 'interactive' : undefined;
  }
  if (body.type !== 'template') return undefined;
  const template = jsonField(body.template);
  const language = isRecord(template) ? jsonField(template.language) : undefined;
  return isRecord(template) && typeof template.name === 'string' && template.name !== '' && isRecord(language) && typeof language.code === 'string'
    ? 'template' : undefined;
};

/**
 * The fake's WhatsApp side for business phone numbers (facts §9): `GET
 * /{phone-number-id}/call_permissions`, `POST /{phone-number-id}/messages` with an
 * interactive `call_permission_request`, `POST /{phone-number-id}/calls` with
 * `action: connect`. Threads are `{ channel: 'whatsapp', ... }`, kept apart from
 * Messenger's in the shared book (their key starts `wa:`). Requests are counted
 * here and forgotten when a call connects (either direction), as WhatsApp resets
 * the request limits; connected calls are the business's calls the person picked up.
 *
 * @example
 * const a = wa.check('1065', { user_wa_id: '4915112345678' }, token);
 * (a.body as { permission: { status: string } }).permission.status; // 'no_permission'
 */
export class FakeWhatsAppDesk {
  /** Requests sent per pair since the last connected call. */
  readonly #requests = new Map<string, Instant[]>();
  #messageSeq = 0;
  #callSeq = 0;

  constructor(private readonly deps: FakeWhatsAppDeskDeps) {}

  /** The rules in force. */
  get rules(): FakeWhatsAppRules {
    return this.deps.rules;
  }

  #answer(status: number, body: unknown, pageId: string): FakeAnswer {
    return { status, body, headers: this.deps.core.usageHeaders([pageId]) };
  }

  #refusal(e: { readonly status: number; readonly body: MetaErrorBody }, pageId: string): FakeAnswer {
    return this.#answer(e.status, e.body, pageId);
  }

  /** What the person granted, now. */
  permission(thread: Thread): FakeWhatsAppPermission {
    const g = this.deps.book.state(thread).grant;
    if (g === null || !this.deps.book.permitted(thread)) return { status: 'no_permission' };
    return g.expiresAt === null ? { status: 'permanent' } : { status: 'temporary', expiresAt: g.expiresAt };
  }

  /** A call connected (picked up) on this pair: the request limits start again; a business call counts against the call quota. */
  callConnected(call: FakeCall): void {
    if (call.thread.channel !== 'whatsapp' || call.answeredAt === null) return;
    this.#requests.delete(threadKey(call.thread));
    if (call.direction === 'business_initiated') this.deps.book.connectCall(call.thread, call.answeredAt);
  }

  /** Whether the person wrote to the business number in the last 24 h. */
  inServiceWindow(thread: Thread): boolean {
    const last = this.deps.book.state(thread).lastInboundAt;
    return last !== null && this.deps.book.clock.now() < last + durationMs(this.deps.rules.serviceWindow);
  }

  /** The pair as a permission check sees it now. */
  view(thread: Thread): FakeWhatsAppView {
    const { rules, book } = this.deps;
    const permission = this.permission(thread);
    const requests = this.#requests.get(threadKey(thread)) ?? [];
    const requestLimits = rules.requestLimits.map((q) => this.#limit(requests, q));
    const callLimits = [this.#limit(book.state(thread).connectedCalls, rules.connectedCallQuota)];
    const under = (ls: readonly FakeWhatsAppLimit[]): boolean => ls.every((l) => l.used < l.max);
    return {
      permission,
      request: { canPerform: permission.status !== 'permanent' && under(requestLimits), limits: requestLimits },
      startCall: { canPerform: permission.status !== 'no_permission' && under(callLimits), limits: callLimits },
    };
  }

  /** What held at Meta now for a connect to this pair. */
  facts(thread: Thread | null): FakeConnectFacts {
    if (thread === null) return { permitted: false, overQuota: false, pageAllowed: true };
    const v = this.view(thread);
    return { permitted: v.permission.status !== 'no_permission', overQuota: v.startCall.limits.some((l) => l.used >= l.max), pageAllowed: true };
  }

  #limit(list: readonly Instant[], q: QuotaWindow): FakeWhatsAppLimit {
    const periodMs = durationMs(q.period);
    const from = this.deps.book.clock.now() - periodMs;
    const inWindow = list.filter((t) => t > from).sort((a, b) => a - b);
    const used = inWindow.length;
    const oldest = inWindow[used - q.max];
    return { period: q.period, max: q.max, used, ...(used >= q.max && oldest !== undefined ? { freesAt: oldest + periodMs } : {}) };
  }

  /**
   * `GET /{phone-number-id}/call_permissions?user_wa_id=` (or `recipient=`): Meta's
   * `{messaging_product, permission, actions}` for the pair.
   */
  check(pageId: string, query: Readonly<Record<string, string>>, token: string | undefined): FakeAnswer {
    const refused = this.deps.core.gate(pageId, token);
    if (refused !== undefined) return refused;
    const raw = query.user_wa_id ?? query.recipient;
    if (raw === undefined || raw.trim() === '') return this.#refusal(fakeWhatsAppErrors.invalidParameter, pageId);
    return this.#answer(200, renderWhatsAppCheck(this.view(whatsappThread(pageId, waIdOf(raw.trim())))), pageId);
  }

  /**
   * `POST /{phone-number-id}/messages` with an interactive `call_permission_request`,
   * or a template (`type: template`, a name and a language code) asking the same.
   * Refused, in this order: token and throttling, a bad body (100), a permanent
   * permission held (138017), the request limits (138009, template and interactive
   * together), and, for the interactive message only, outside the 24 h
   * customer-service window (131047).
   */
  send(pageId: string, body: Readonly<Record<string, unknown>>, token: string | undefined): FakeSendAnswer {
    const at = this.deps.book.clock.now();
    const psid = whatsappRecipient(body);
    const refuse = (a: FakeAnswer, refusal: FakeSendRefusal): FakeSendAnswer => {
      const e = (a.body as MetaErrorBody).error;
      return { ...a, outcome: { at, pageId, psid, outcome: 'refused', refusal, code: e.code, channel: 'whatsapp' } };
    };
    const gated = this.deps.core.gate(pageId, token);
    if (gated !== undefined) return refuse(gated, gatedRefusal(gated));
    const message = requestMessageOf(body);
    if (psid === undefined || body.messaging_product !== 'whatsapp' || message === undefined) return refuse(this.#refusal(fakeWhatsAppErrors.invalidParameter, pageId), 'invalid');
    const thread = whatsappThread(pageId, psid);
    const view = this.view(thread);
    if (view.permission.status === 'permanent') return refuse(this.#refusal(fakeWhatsAppErrors.permanentHeld, pageId), 'permission_held');
    if (!view.request.canPerform) return refuse(this.#refusal(fakeWhatsAppErrors.requestLimit, pageId), 'request_limit');
    if (message === 'interactive' && !this.inServiceWindow(thread)) return refuse(this.#refusal(fakeWhatsAppErrors.reengagement, pageId), 'outside_window');
    const key = threadKey(thread);
    this.#requests.set(key, [...(this.#requests.get(key) ?? []), at]);
    const messageId = `wamid.FAKE${pageId}${(this.#messageSeq += 1).toString().padStart(6, '0')}`;
    this.deps.requestRecorded({ thread, at, messageId, messagingType: undefined, body });
    return {
      ...this.#answer(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to ?? body.recipient, wa_id: psid }], messages: [{ id: messageId }] }, pageId),
      outcome: { at, pageId, psid, outcome: 'accepted', messageId, channel: 'whatsapp', message },
    };
  }

  /**
   * `POST /{phone-number-id}/calls` with `action: connect`: rings the person, or
   * refuses: token and throttling, a bad body (100), no live permission (138006),
   * the connected-call quota (138012).
   */
  connect(pageId: string, body: Readonly<Record<string, unknown>>, token: string | undefined): FakeConnectAnswer {
    const at = this.deps.book.clock.now();
    const psid = whatsappRecipient(body);
    const thread = psid === undefined ? null : whatsappThread(pageId, psid);
    const facts = this.facts(thread);
    const base = { at, pageId, thread, ...facts, channel: 'whatsapp' as const };
    const refuse = (a: FakeAnswer, refusal: FakeConnectRefusal): FakeConnectAnswer => {
      const e = (a.body as MetaErrorBody).error;
      return { ...a, connect: { ...base, outcome: refusal, code: e.code } };
    };
    const gated = this.deps.core.gate(pageId, token);
    if (gated !== undefined) return refuse(gated, gatedRefusal(gated) === 'auth' ? 'auth' : 'throttled');
    if (thread === null || body.messaging_product !== 'whatsapp' || sessionError(body.session) !== undefined) {
      return refuse(this.#refusal(fakeWhatsAppErrors.invalidParameter, pageId), 'invalid');
    }
    if (!facts.permitted) return refuse(this.#refusal(fakeWhatsAppErrors.noPermission, pageId), 'no_call_permission');
    if (facts.overQuota) return refuse(this.#refusal(fakeWhatsAppErrors.callLimit, pageId), 'call_limit');
    const call = this.deps.calls.open(thread, 'business_initiated', at, `wacid.FAKE${pageId}${(this.#callSeq += 1).toString().padStart(6, '0')}`);
    return {
      ...this.#answer(200, { messaging_product: 'whatsapp', calls: [{ id: call.callId }] }, pageId),
      connect: { ...base, outcome: 'placed', callId: call.callId },
      call,
    };
  }
}

/** Token refusals are `auth`; the rest of the gate's refusals are throttling. */
const gatedRefusal = (a: FakeAnswer): 'auth' | 'throttled' => {
  const { code } = (a.body as MetaErrorBody).error;
  return [102, 104, 190].includes(code) ? 'auth' : 'throttled';
};

const seconds = (at: Instant): number => Math.floor(at / 1000);

const renderLimits = (limits: readonly FakeWhatsAppLimit[]): Record<string, unknown>[] =>
  limits.map((l) => ({
    time_period: l.period, max_allowed: l.max, current_usage: l.used,
    ...(l.freesAt === undefined ? {} : { limit_expiration_time: seconds(l.freesAt) }),
  }));

/**
 * A pair's view as WhatsApp's `call_permissions` answers it (facts §9.1):
 * `expiration_time` (Unix seconds) for a temporary permission only,
 * `limit_expiration_time` only on a used-up limit.
 *
 * @example
 * renderWhatsAppCheck(desk.view(thread)); // { messaging_product: 'whatsapp', permission: { status: 'no_permission' }, actions: [...] }
 */
export const renderWhatsAppCheck = (view: FakeWhatsAppView): unknown => ({
  messaging_product: 'whatsapp',
  permission: view.permission.status === 'temporary'
    ? { status: 'temporary', expiration_time: seconds(view.permission.expiresAt) }
    : { status: view.permission.status },
  actions: [
    { action_name: 'send_call_permission_request', can_perform_action: view.request.canPerform, limits: renderLimits(view.request.limits) },
    { action_name: 'start_call', can_perform_action: view.startCall.canPerform, limits: renderLimits(view.startCall.limits) },
  ],
});
