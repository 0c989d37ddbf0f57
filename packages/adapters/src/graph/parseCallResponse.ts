import type { AcceptedCall, ConnectedCall } from '@callperm/core';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `session.sdp_response.sdp` when it is a non-empty string, else null. */
const sdpAnswerOf = (body: Readonly<Record<string, unknown>>): string | null => {
  const session = body.session;
  if (!isRecord(session) || !isRecord(session.sdp_response)) return null;
  const sdp = session.sdp_response.sdp;
  return typeof sdp === 'string' && sdp !== '' ? sdp : null;
};

/**
 * Reads Meta's answer to a connect (`POST /{page-id}/calls`, `action: connect`):
 * `{"success":true,"id":"c_…","session":{"sdp_response":{"sdp_type":"answer","sdp":"…"}}}`.
 * `null` unless it has a non-empty string `id` and SDP answer and does not say
 * `success: false` (the caller turns that into an ambiguous failure: Meta may have
 * placed the call).
 *
 * @example
 * parseConnectedCall({ success: true, id: 'c_1', session: { sdp_response: { sdp_type: 'answer', sdp: 'v=0…' } } }); // { callId: 'c_1', sdpAnswer: 'v=0…' }
 * parseConnectedCall({ success: true }); // null
 */
export const parseConnectedCall = (body: unknown): ConnectedCall | null => {
  if (!isRecord(body) || body.success === false) return null;
  const sdpAnswer = sdpAnswerOf(body);
  if (typeof body.id !== 'string' || body.id === '' || sdpAnswer === null) return null;
  return { callId: body.id, sdpAnswer };
};

/**
 * Reads Meta's answer to an accept (`action: accept`): `{success, session:{sdp_response:{sdp}}}`.
 * The SDP answer is null when Meta sent none; `null` (not read) when the body is not
 * an object or does not say `success: true`.
 *
 * @example
 * parseAcceptedCall({ success: true, session: { sdp_response: { sdp: 'v=0…' } } }); // { sdpAnswer: 'v=0…' }
 * parseAcceptedCall({ success: true }); // { sdpAnswer: null }
 */
export const parseAcceptedCall = (body: unknown): AcceptedCall | null =>
  isRecord(body) && body.success === true ? { sdpAnswer: sdpAnswerOf(body) } : null;

/**
 * Whether Meta acknowledged a terminate or a reject: `{"success":true}`.
 *
 * @example
 * isCallAcknowledged({ success: true }); // true
 * isCallAcknowledged({ success: false }); // false
 */
export const isCallAcknowledged = (body: unknown): boolean => isRecord(body) && body.success === true;
