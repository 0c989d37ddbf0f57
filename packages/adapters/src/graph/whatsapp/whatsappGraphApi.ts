import {
  err,
  type AcceptedCall, type ConnectedCall, type GraphApi, type GraphFailure, type PageCallingStatus, type PageCallSettings,
  type RemotePermission, type Result, type SentOptIn, type Thread,
} from '@callperm/core';
import type { GraphOperation } from '../classifyMetaError.js';
import { GraphConfigError } from '../GraphConfigError.js';
import { graphClientBasics, type GraphClientOptions } from '../graphClientBasics.js';
import { sdpConcealed } from '../sdpConcealed.js';
import { readAcknowledged, readAnswer, readPermissionCheck } from '../readAnswer.js';
import { parseAcceptedCall } from '../parseCallResponse.js';
import { parseWhatsAppCallingStatus, parseWhatsAppCallSettings, parseWhatsAppConnect, parseWhatsAppSend } from './parseWhatsAppAnswers.js';

/** The longest body text of an interactive message the Cloud API takes (characters). */
export const MAX_REQUEST_BODY_TEXT = 1024;

/** How to reach the WhatsApp Cloud API. Only `accessTokens` is required. */
export interface WhatsAppGraphApiOptions extends GraphClientOptions {
  /**
   * One access token (system user or business token with `whatsapp_business_messaging`)
   * for every business number, or one per phone-number id. A thread whose number has
   * no token fails with an `auth` failure and nothing is sent. Sent only in `Authorization: Bearer`.
   */
  readonly accessTokens: string | Readonly<Record<string, string>>;
  /**
   * The body text of the `call_permission_request` message (the only part WhatsApp lets
   * a business word, at most 1024 characters); left out of the message when absent.
   */
  readonly requestBodyText?: string;
  /**
   * Your approved template with a `call_permission_request` component (MARKETING or
   * UTILITY), sent when the person is outside the customer-service window and the
   * policy says so (`templateOutsideWindow`). `components` go as given (the body's
   * parameters, when the template has any). Without it, a template request fails
   * as `invalid` and nothing is sent.
   */
  readonly requestTemplate?: WhatsAppRequestTemplate;
}

/** An approved WhatsApp template that asks for call permission: its name and language code (e.g. `en_US`). */
export interface WhatsAppRequestTemplate {
  readonly name: string;
  readonly language: string;
  readonly components?: readonly object[];
}

/** The `GraphApi` port for WhatsApp threads plus what only this adapter offers. */
export interface WhatsAppGraphApiClient extends GraphApi {
  /** When calls for a business number may resume, if Meta is throttling the app, the user, the number or its business. */
  throttledUntil(phoneNumberId: string): number | undefined;
  /** Closes the keep-alive sockets (only the agents the client made itself). */
  close(): void;
}

const templateOf = (t: WhatsAppRequestTemplate): object => ({
  name: t.name, language: { code: t.language }, ...(t.components === undefined ? {} : { components: t.components }),
});

/** A WhatsApp id (`wa_id`) is the phone number in digits; anything else is a business-scoped user id (BSUID). */
const userQuery = (psid: string): Record<string, string> => (/^\d+$/.test(psid) ? { user_wa_id: psid } : { recipient: psid });

/** Template names are lower-case letters, digits and underscores (at most 512); language codes like `en` or `en_US`. */
const checkRequestTemplate = (template: unknown): void => {
  if (template === undefined) return;
  const t = (typeof template === 'object' && template !== null ? template : {}) as { name?: unknown; language?: unknown; components?: unknown };
  const valid = typeof template === 'object' && template !== null
    && typeof t.name === 'string' && /^[a-z0-9_]{1,512}$/.test(t.name)
    && typeof t.language === 'string' && /^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(t.language)
    && (t.components === undefined || (Array.isArray(t.components) && t.components.every((c: unknown) => typeof c === 'object' && c !== null)));
  if (!valid) {
    throw new GraphConfigError('invalid_option', 'requestTemplate',
      'whatsappGraphApi option requestTemplate must be { name, language, components? }: the template name in lower case (letters, digits, _), a language code like en_US, and components as objects.');
  }
};

const checkRequestBodyText = (text: unknown): void => {
  if (text === undefined) return;
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_REQUEST_BODY_TEXT) {
    throw new GraphConfigError('invalid_option', 'requestBodyText',
      `whatsappGraphApi option requestBodyText must be a non-empty string of at most ${MAX_REQUEST_BODY_TEXT} characters, or left out.`);
  }
};

/**
 * The `GraphApi` port for WhatsApp threads (`{ channel: 'whatsapp', pageId: <phone-number-id>, psid: <wa_id or BSUID> }`)
 * on the Cloud API's calling endpoints (facts §9), on the same transport as `graphApi`:
 * timeouts, keep-alive, safe retries, typed errors, throttling per scope (the phone-number
 * id stands where a Page id would), a response size cap, https only off loopback and
 * `appsecret_proof` when `appSecret` is given. A Messenger thread is refused with an
 * `invalid` failure before anything is sent. Bad options throw a `GraphConfigError` at
 * construction. Every method resolves to a `Result`; none rejects.
 *
 * Retries: the check, the settings reads, terminate and reject are retried like reads
 * (repeating them changes nothing at Meta); the permission request, connect and accept are
 * writes, sent again only when the failure proves Meta did not act (an error answer, a refused connection).
 *
 * @example
 * const wa = whatsappGraphApi({ accessTokens: { '1065': process.env.WA_TOKEN! }, requestBodyText: 'May we call you about your order?' });
 * const thread = { channel: 'whatsapp', pageId: '1065', psid: '4915112345678' } as const;
 * const r = await wa.checkPermission(thread); // GET /1065/call_permissions?user_wa_id=4915112345678
 * const call = await wa.connectCall(thread, offer); // { ok: true, value: { callId: 'wacid.…', sdpAnswer: null } }: the answer comes in the connect webhook
 * wa.close();
 */
export const whatsappGraphApi = (options: WhatsAppGraphApiOptions): WhatsAppGraphApiClient => {
  checkRequestBodyText(options.requestBodyText);
  checkRequestTemplate(options.requestTemplate);
  const { requestTemplate } = options;
  const { accessTokens } = options;
  // A number without its own token gives '' and the transport fails it as `auth` before any request.
  const tokenFor = (phoneNumberId: string): string => {
    if (typeof accessTokens === 'string') return accessTokens;
    const token: unknown = Object.hasOwn(accessTokens, phoneNumberId) ? accessTokens[phoneNumberId] : undefined;
    return typeof token === 'string' ? token : '';
  };
  const { gate, transport, unforeseen } = graphClientBasics(options, tokenFor);
  const number = (id: string): string => encodeURIComponent(id);
  /** The mirror of `graphApi`'s guard: a Messenger thread is refused before anything is sent (a Page id is no phone-number id). */
  const notWhatsApp = (thread: Thread): Result<never, GraphFailure> | null =>
    (thread.channel === 'whatsapp'
      ? null
      : err({ kind: 'invalid', processed: 'no', message: 'This Graph client speaks the WhatsApp Cloud API; a Messenger thread needs the Messenger endpoints (graphApi).' }));
  const callAction = (phoneNumberId: string, operation: GraphOperation, effect: 'read' | 'write', json: object, conceal: readonly string[] = []) =>
    transport.request({ pageId: phoneNumberId, operation, method: 'POST', effect, path: `${number(phoneNumberId)}/calls`, json, conceal });
  const readSettings = (phoneNumberId: string, operation: GraphOperation) =>
    transport.request({ pageId: phoneNumberId, operation, method: 'GET', path: `${number(phoneNumberId)}/settings` });
  const interactive = {
    type: 'call_permission_request', action: { name: 'call_permission_request' },
    ...(options.requestBodyText === undefined ? {} : { body: { text: options.requestBodyText } }),
  };

  return {
    checkPermission: (thread) => (async (): Promise<Result<RemotePermission, GraphFailure>> => {
      const refused = notWhatsApp(thread);
      if (refused !== null) return refused;
      return readPermissionCheck(await transport.request({
        pageId: thread.pageId, operation: 'check', method: 'GET', path: `${number(thread.pageId)}/call_permissions`, searchParams: userQuery(thread.psid),
      }));
    })().catch(unforeseen),

    sendPermissionRequest: (thread, request) => (async (): Promise<Result<SentOptIn, GraphFailure>> => {
      const refused = notWhatsApp(thread);
      if (refused !== null) return refused;
      const asTemplate = request?.message === 'template';
      if (asTemplate && requestTemplate === undefined) {
        return err({ kind: 'invalid', processed: 'no', message: 'A template permission request needs whatsappGraphApi\'s requestTemplate ({ name, language }); nothing was sent.' });
      }
      // A message the person sees (and one of their 1 / 24 h, 2 / 7 days): a write, at most once like the Messenger opt-in.
      const to = { messaging_product: 'whatsapp', recipient_type: 'individual', to: thread.psid };
      const json = asTemplate && requestTemplate !== undefined
        ? { ...to, type: 'template', template: templateOf(requestTemplate) }
        : { ...to, type: 'interactive', interactive };
      return readAnswer(await transport.request({ pageId: thread.pageId, operation: 'opt_in', method: 'POST', path: `${number(thread.pageId)}/messages`, json }), parseWhatsAppSend);
    })().catch(unforeseen),

    checkPageCalling: (phoneNumberId) => (async (): Promise<Result<PageCallingStatus, GraphFailure>> => {
      return readAnswer(await readSettings(phoneNumberId, 'page_status'), parseWhatsAppCallingStatus);
    })().catch(unforeseen),

    checkCallSettings: (phoneNumberId) => (async (): Promise<Result<PageCallSettings, GraphFailure>> => {
      return readAnswer(await readSettings(phoneNumberId, 'call_settings'), parseWhatsAppCallSettings);
    })().catch(unforeseen),

    connectCall: (thread, sdpOffer) => (async (): Promise<Result<ConnectedCall, GraphFailure>> => {
      const refused = notWhatsApp(thread);
      if (refused !== null) return refused;
      // Rings a person: a write, sent again only where the failure proves Meta did not act (as the request).
      const json = { messaging_product: 'whatsapp', to: thread.psid, action: 'connect', session: { sdp_type: 'offer', sdp: sdpOffer } };
      return readAnswer(await callAction(thread.pageId, 'call_connect', 'write', json, sdpConcealed(sdpOffer)), parseWhatsAppConnect);
    })().catch(unforeseen),

    terminateCall: (phoneNumberId, callId) => (async (): Promise<Result<null, GraphFailure>> => {
      // Ending a call twice ends nothing more: retried like a read, as in graphApi.
      return readAcknowledged(await callAction(phoneNumberId, 'call_terminate', 'read', { messaging_product: 'whatsapp', call_id: callId, action: 'terminate' }));
    })().catch(unforeseen),

    acceptCall: (phoneNumberId, callId, sdp) => (async (): Promise<Result<AcceptedCall, GraphFailure>> => {
      // The person's offer came in the connect webhook: the host's SDP goes as `sdp_type: 'answer'`
      // (Meta's user-initiated calls page). Picks up the call: a write, at most once.
      const json = { messaging_product: 'whatsapp', call_id: callId, action: 'accept', session: { sdp_type: 'answer', sdp } };
      return readAnswer(await callAction(phoneNumberId, 'call_accept', 'write', json, sdpConcealed(sdp)), parseAcceptedCall);
    })().catch(unforeseen),

    rejectCall: (phoneNumberId, callId) => (async (): Promise<Result<null, GraphFailure>> => {
      // Declining twice declines nothing more: retried like a read, as terminate.
      return readAcknowledged(await callAction(phoneNumberId, 'call_reject', 'read', { messaging_product: 'whatsapp', call_id: callId, action: 'reject' }));
    })().catch(unforeseen),

    throttledUntil: (phoneNumberId) => gate.blockedUntil(phoneNumberId),
    close: () => transport.close(),
  };
};
