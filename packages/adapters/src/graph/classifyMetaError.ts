import type { GraphFailureKind, MetaError } from '@callperm/core';

/**
 * Which Graph call failed: the same code means different things on different calls
 * (613 on the opt-in is the thread's request limit, elsewhere a rate limit).
 * `check` = `GET messenger_call_permissions`, `opt_in` = `POST /{page}/messages`
 * with `calling_optin`, `page_status` = `POST business_messaging_feature_status`,
 * `batch` = a batch request or one of its items (checks), `call_settings` =
 * `GET messenger_call_settings`, and `call_connect`, `call_accept`,
 * `call_terminate`, `call_reject` = `POST /{page}/calls` with that `action`.
 */
export type GraphOperation =
  | 'check' | 'opt_in' | 'page_status' | 'batch'
  | 'call_settings' | 'call_connect' | 'call_accept' | 'call_terminate' | 'call_reject';

/** The actions on `POST /{page}/calls`: the call rules below apply to these only. */
const CALL_ACTIONS: ReadonlySet<GraphOperation> = new Set(['call_connect', 'call_accept', 'call_terminate', 'call_reject']);

/** App, user and business-use-case throttling codes (Graph error handling and rate-limiting pages). */
const THROTTLE_CODES = new Set([4, 17, 32, 341, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009]);
/** Send API subcodes for "sent outside the allowed window" (both documented with code 10). */
const OUTSIDE_WINDOW_SUBCODES = new Set([2018278, 2534022]);
/** Messenger calling: Page not allowlisted for calling. */
const CALLING_NOT_ALLOWED = new Set([2018389]);
/** Messenger calling: invalid call id, page not a member of the call, cannot join a failed or an ended call. */
const CALL_GONE = new Set([2018390, 2018393, 2018395, 2018396]);
/** Messenger calling: invalid connection parameter, invalid SDP. */
const CALL_PAYLOAD = new Set([2018391, 2018392]);
/** Every calling code of a bad call or payload: off any other operation (a check, the opt-in), a bad parameter. */
const CALL_INVALID = new Set([...CALL_GONE, ...CALL_PAYLOAD]);
/** Messenger calling: insufficient permissions to join the call. */
const CALL_PERMISSION = new Set([2018394]);
/**
 * The calling pages list these failures without numeric codes, so their wording is
 * the only signal: "Not allowed for business-initiated calling", "Audio calling is
 * not enabled", and "Call Settings Not Enabled" (seen by integrators).
 */
const CALLING_TEXT = /not allowed for business[- ]initiated calling|calling is not enabled|call settings not enabled/i;
/** "Call rate limit exceeded": Meta's code for it is literally "TBD" (facts §5), so only the words tell. */
const CALL_RATE_LIMIT_TEXT = /call rate limit/i;
/** "Consumer has not given permission to call": published without a code (facts §5). */
const NO_CALL_PERMISSION_TEXT = /(?:has not|hasn't|have not|haven't) given (?:\w+ )?permission to call/i;
/** Terminate's worded refusals (facts §5): "call already terminated", "cannot terminate failed/completed call". */
const CALL_GONE_TEXT = /call (?:has )?already (?:been )?terminated|can(?:not|'t| not) terminate/i;

/**
 * WhatsApp calling codes (facts §6.4, 138000 range), each unique to WhatsApp calling.
 * 138000 calling not enabled on the number, 138013 business-initiated calling not
 * available for it, 138014 calling temporarily disabled (low quality), 138015
 * calling cannot be enabled (messaging limit), 138018 technical prerequisites not
 * met (no `calls` subscription, SIP).
 */
const WA_CALLING_OFF = new Set([138000, 138013, 138014, 138015, 138018]);
/** WhatsApp: 138012 connected-call limit per business and user pair (100 / 24 h), 138005 call rate limit per business number. */
const WA_CALL_LIMIT = new Set([138005, 138012]);
/** WhatsApp: 138004 connection error, 138007 connect timeout (SDP not applied in time); both answered with HTTP 500. */
const WA_TRANSIENT = new Set([138004, 138007]);

const either = (set: ReadonlySet<number>, e: MetaError): boolean =>
  set.has(e.code) || (e.subcode !== undefined && set.has(e.subcode));

/**
 * Decides what a Meta error means for the caller, one rule per line, first match
 * wins. `operation` is the call that failed; `httpStatus` the status the error
 * came with, when known. WhatsApp's calling codes (138000 range) are read on
 * every operation, the call kinds among them (`no_call_permission`,
 * `call_limit`) only on a call action, like Messenger's.
 *
 * @example
 * classifyMetaError({ message: 'outside window', code: 10, subcode: 2018278 }, 'opt_in'); // 'outside_window'
 * classifyMetaError({ message: 'rate limit', code: 613, subcode: 2534040 }, 'opt_in'); // 'request_limit'
 * classifyMetaError({ message: 'rate limit', code: 613 }, 'check'); // 'throttled'
 * classifyMetaError({ message: 'Consumer has not given permission to call', code: 10 }, 'call_connect'); // 'no_call_permission'
 * classifyMetaError({ message: 'Invalid call id', code: 100, subcode: 2018390 }, 'call_terminate'); // 'call_gone'
 * classifyMetaError({ message: 'No approved call permission', code: 138006 }, 'call_connect', 401); // 'no_call_permission'
 * classifyMetaError({ message: 'Call limit reached', code: 138012 }, 'call_connect'); // 'call_limit'
 */
export const classifyMetaError = (e: MetaError, operation: GraphOperation, httpStatus?: number): GraphFailureKind => {
  // 613 on the opt-in (any subcode: 1893016 "multiple opt-in requests", 2534040 rate limit): the thread's
  // 2-per-24 h request limit is used up. Waiting seconds does not help and nothing else is blocked.
  if (operation === 'opt_in' && e.code === 613) return 'request_limit';
  const call = CALL_ACTIONS.has(operation);
  // A call action refused for the call rate limit (no code, "TBD"): its words win over any code, throttling included.
  if (call && CALL_RATE_LIMIT_TEXT.test(e.message)) return 'call_limit';
  // WhatsApp 138006: no approved call permission from the person (HTTP 401, not a token problem).
  if (call && e.code === 138006) return 'no_call_permission';
  // WhatsApp 138012 (connected calls per pair) and 138005 (calls per business number, HTTP 429): the quota is used up, not a short wait.
  if (call && WA_CALL_LIMIT.has(e.code)) return 'call_limit';
  // WhatsApp 138009: the pair's permission-request limit (1 / 24 h, 2 / 7 days, reset by a connected call) is used up.
  if (e.code === 138009) return 'request_limit';
  // WhatsApp 131047: more than 24 h since the person last wrote: the interactive request needs the customer-service window.
  if (e.code === 131047) return 'outside_window';
  // WhatsApp 138002: 1000 concurrent calls on the number; one ending frees a place, so wait and retry.
  if (e.code === 138002) return 'throttled';
  // WhatsApp 138000, 138013, 138014, 138015, 138018: calling off, unavailable or not set up for this business number.
  if (WA_CALLING_OFF.has(e.code)) return 'calling_not_enabled';
  // WhatsApp 138001: the receiver cannot be called (not on WhatsApp, terms not accepted, client too old).
  if (e.code === 138001) return 'person_unavailable';
  // WhatsApp 138003: a call to this person is already ongoing; the same connect fails again while it lasts.
  if (e.code === 138003) return 'invalid';
  // WhatsApp 138017: a permanent permission already exists, so the request was not sent. No kind says "already
  // granted": `invalid` (the same request fails again, teaches the thread nothing false) is the closest; the
  // thread learns the permission from the next check. Not `request_limit` (that would record a used-up quota
  // Meta never reported) nor `permission` (that is the app's or Page's rights, not the person's).
  if (e.code === 138017) return 'invalid';
  // WhatsApp 138004 connection error, 138007 connect timeout: a passing fault on Meta's side.
  if (WA_TRANSIENT.has(e.code)) return 'transient';
  // 368: temporarily blocked for policy violations. A long wait, not a missing permission (default 1 h, throttleGate).
  if (e.code === 368) return 'throttled';
  // 9/2018352: the user (the Page or system user behind the token) is performing too many actions.
  if (e.code === 9 && e.subcode === 2018352) return 'throttled';
  // Throttling: every throttling code (and HTTP 429) means "wait, then the same call works".
  if (THROTTLE_CODES.has(e.code) || httpStatus === 429) return 'throttled';
  // The person has not given permission to call: only worded, so the words win over whatever code came with them.
  if (call && NO_CALL_PERMISSION_TEXT.test(e.message)) return 'no_call_permission';
  // "Call already terminated", "cannot terminate failed/completed call": the call is over.
  if (call && CALL_GONE_TEXT.test(e.message)) return 'call_gone';
  // Calling off or not allowed for this Page, worded ("Audio calling is not enabled", ...): the words win over any code.
  if (call && CALLING_TEXT.test(e.message)) return 'calling_not_enabled';
  // 2018390 invalid call id, 2018393 Page not on the call, 2018395/2018396 failed or ended call: nothing left to control.
  if (call && either(CALL_GONE, e)) return 'call_gone';
  // 2018391 invalid connection parameter, 2018392 invalid SDP: the same request fails again.
  if (call && either(CALL_PAYLOAD, e)) return 'invalid';
  // 2018394: insufficient permissions to join the call.
  if (call && either(CALL_PERMISSION, e)) return 'permission';
  // 10/2018278 and 10/2534022: the person has not written in the last 24 h.
  if (e.code === 10 && e.subcode !== undefined && OUTSIDE_WINDOW_SUBCODES.has(e.subcode)) return 'outside_window';
  // Calling switched off or not allowed for this Page (2018389 not allowlisted, or only worded).
  if (either(CALLING_NOT_ALLOWED, e) || CALLING_TEXT.test(e.message)) return 'calling_not_enabled';
  // 190 invalid or expired token (subcodes 458-467 say why), 102 session expired, 104 token missing.
  if (e.code === 190 || e.code === 102 || e.code === 104) return 'auth';
  // 551 (any subcode), 200/1545041 person not available, 10/2018108 cannot receive now, 230 their settings.
  if (e.code === 551 || e.subcode === 1545041 || (e.code === 10 && e.subcode === 2018108) || e.code === 230) {
    return 'person_unavailable';
  }
  // 100 (incl. 100/33, 100/2018001), 2500 unknown path, calling codes off a call action.
  if (e.code === 100 || e.code === 2500 || either(CALL_INVALID, e)) return 'invalid';
  // Meta says it will pass, or 1 (unknown) / 2 (service): try again later.
  if (e.isTransient === true || e.code === 1 || e.code === 2) return 'transient';
  // 3 capability, 10 permission denied, 200-299 permissions, 2018394 cannot join call.
  if (e.code === 3 || e.code === 10 || (e.code >= 200 && e.code <= 299) || either(CALL_PERMISSION, e)) return 'permission';
  // Meta's own 5xx with an unlisted code: a passing fault on its side.
  if (httpStatus !== undefined && httpStatus >= 500) return 'transient';
  return 'unknown';
};
