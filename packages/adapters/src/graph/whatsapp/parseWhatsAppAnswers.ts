import type { ConnectedCall, PageCallingStatus, PageCallSettings, SentOptIn } from '@callperm/core';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `id` of the first object in `list` when it is a non-empty string, else null. */
const firstId = (list: unknown): string | null => {
  if (!Array.isArray(list)) return null;
  const first = (list as unknown[]).find(isRecord);
  return first !== undefined && typeof first.id === 'string' && first.id !== '' ? first.id : null;
};

/**
 * Reads the Cloud API's answer to `POST /{phone-number-id}/messages`:
 * `{"messaging_product":"whatsapp","contacts":[{"input":"…","wa_id":"…"}],"messages":[{"id":"wamid.…"}]}`.
 * Only `messages[0].id` matters; `null` when it is missing (the caller turns that into an
 * ambiguous failure: Meta probably sent the request).
 *
 * @example
 * parseWhatsAppSend({ messaging_product: 'whatsapp', messages: [{ id: 'wamid.HBg' }] }); // { messageId: 'wamid.HBg' }
 * parseWhatsAppSend({ messages: [] }); // null
 */
export const parseWhatsAppSend = (body: unknown): SentOptIn | null => {
  if (!isRecord(body)) return null;
  const messageId = firstId(body.messages);
  return messageId === null ? null : { messageId };
};

/**
 * Reads the Cloud API's answer to a business-initiated connect
 * (`POST /{phone-number-id}/calls`, `action: connect`): `{"messaging_product":"whatsapp","calls":[{"id":"wacid.…"}]}`
 * (facts §9.5). WhatsApp sends the SDP answer in the call's `connect` webhook, so `sdpAnswer`
 * is null here. `null` without a call id or when the body says `success: false`.
 *
 * @example
 * parseWhatsAppConnect({ messaging_product: 'whatsapp', calls: [{ id: 'wacid.ABG' }] }); // { callId: 'wacid.ABG', sdpAnswer: null }
 * parseWhatsAppConnect({ success: true }); // null
 */
export const parseWhatsAppConnect = (body: unknown): ConnectedCall | null => {
  if (!isRecord(body) || body.success === false) return null;
  const callId = firstId(body.calls);
  return callId === null ? null : { callId, sdpAnswer: null };
};

/** The status given when the settings carry no `calling.status` (calling never configured on the number). */
export const MISSING_CALLING_STATUS = 'missing';

/**
 * The `calling` object of `GET /{phone-number-id}/settings`: at the top level as Meta's
 * settings page shows it, else inside a `data` object or the first object of a `data` list.
 */
const callingOf = (body: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> | null => {
  if (isRecord(body.calling)) return body.calling;
  const data = Array.isArray(body.data) ? (body.data as unknown[]).find(isRecord) : body.data;
  return isRecord(data) && isRecord(data.calling) ? data.calling : null;
};

/**
 * Reads whether calling is on for a WhatsApp business number from
 * `GET /{phone-number-id}/settings`. What we found (search of the stored docs): Meta's
 * "Configure Call Settings" page (developers.facebook.com/documentation/business-messaging/whatsapp/calling/call-settings)
 * documents `POST /{phone-number-id}/settings` with `{"calling":{"status":"ENABLED"|"DISABLED",
 * "call_icon_visibility","call_hours":{…},"callback_permission_status","sip":{…},"audio":{…}}}`
 * and says the same endpoints "view and configure" the settings; a third-party API that
 * passes Meta's GET through documents its answer as the same `calling` object
 * (`{"calling":{"status":"ENABLED","call_icon_visibility":"DEFAULT","callback_permission_status":"ENABLED",…}}`,
 * docs.pilotstatus.com.br). So `calling.status` is read, compared case-insensitively,
 * Meta's word kept. Lenient: no `calling` object or no string status means not enabled,
 * status `missing`; `null` only when the body is not an object.
 *
 * @example
 * parseWhatsAppCallingStatus({ calling: { status: 'ENABLED', call_icon_visibility: 'DEFAULT' } }); // { enabled: true, status: 'ENABLED' }
 * parseWhatsAppCallingStatus({}); // { enabled: false, status: 'missing' }
 * parseWhatsAppCallingStatus('on'); // null
 */
export const parseWhatsAppCallingStatus = (body: unknown): PageCallingStatus | null => {
  if (!isRecord(body)) return null;
  const status = callingOf(body)?.status;
  if (typeof status !== 'string' || status.trim() === '') return { enabled: false, status: MISSING_CALLING_STATUS };
  return { enabled: status.trim().toLowerCase() === 'enabled', status };
};

/**
 * The same answer as `PageCallSettings`: WhatsApp documents one switch for the Calling
 * API (`calling.status`), read as `audioEnabled` (null when absent or neither
 * `ENABLED` nor `DISABLED`). No video switch and no ring target are documented for a
 * WhatsApp number (calls ring where the Cloud API or SIP sends them), so both are null.
 * `null` only when the body is not an object.
 *
 * @example
 * parseWhatsAppCallSettings({ calling: { status: 'DISABLED' } }); // { audioEnabled: false, videoEnabled: null, ringTarget: null }
 */
export const parseWhatsAppCallSettings = (body: unknown): PageCallSettings | null => {
  if (!isRecord(body)) return null;
  const status = callingOf(body)?.status;
  const word = typeof status === 'string' ? status.trim().toLowerCase() : '';
  const audioEnabled = word === 'enabled' ? true : word === 'disabled' ? false : null;
  return { audioEnabled, videoEnabled: null, ringTarget: null };
};
