import type { Instant } from '@callperm/core';
import type { MetaErrorBody } from './fakeMetaErrors.js';
import type { FakeFault } from './FaultPlan.js';

/**
 * Why Meta refused an opt-in: `outside_window` (10/2018278), `request_limit`
 * (613/2534040, the thread's 2 per 24 h), `person_unavailable` (551/1545041),
 * `calling_not_enabled` (calling is off for the Page), `invalid` (a bad body or
 * id), `auth` (token), `throttled` (the Page or app is throttled), `permission_held`
 * (WhatsApp 138017: a permanent permission exists, nothing sent), `other`. On WhatsApp,
 * 138009 is `request_limit` and 131047 (outside the customer-service window) `outside_window`.
 */
export type FakeSendRefusal =
  | 'outside_window' | 'request_limit' | 'person_unavailable' | 'calling_not_enabled'
  | 'invalid' | 'auth' | 'throttled' | 'permission_held' | 'other';

/**
 * Every refusal reason, in the order reports list them.
 *
 * @example
 * for (const r of fakeSendRefusals) console.log(r, sends.filter((s) => s.refusal === r).length);
 */
export const fakeSendRefusals: readonly FakeSendRefusal[] = [
  'outside_window', 'request_limit', 'person_unavailable', 'calling_not_enabled', 'invalid', 'auth', 'throttled', 'permission_held', 'other',
];

/**
 * One opt-in send as Meta saw it (`POST /{page-id}/messages`), accepted or not.
 * - `accepted`: Meta sent the opt-in (it is in `optIns` with `messageId`); with
 *   a `fault` the client did not get the success answer.
 * - `refused`: Meta answered an error and sent nothing (`refusal`, `code`, `subcode`).
 * - `fault`: an injected fault stopped the request before Meta acted.
 */
export interface FakeSend {
  /** Order among all the fake's records (sends, messages, replies). */
  readonly seq: number;
  readonly at: Instant;
  readonly pageId: string;
  /** The recipient, when the body named one. */
  readonly psid: string | undefined;
  readonly outcome: 'accepted' | 'refused' | 'fault';
  readonly refusal?: FakeSendRefusal;
  readonly code?: number;
  readonly subcode?: number;
  readonly messageId?: string;
  /** `whatsapp` for a request sent from a business phone number; absent on Messenger. */
  readonly channel?: 'whatsapp';
  /** WhatsApp: `template` when the request was the approved template (outside the window allowed), else the interactive message. */
  readonly message?: 'interactive' | 'template';
  /** The injected fault this request met, if any. */
  readonly fault?: FakeFault['kind'];
}

/**
 * What an error body means for an opt-in, for errors the fake did not decide
 * itself (an injected `error` fault).
 *
 * @example
 * refusalOf(fakeMetaErrors.personUnavailable); // 'person_unavailable'
 */
export const refusalOf = (body: MetaErrorBody): FakeSendRefusal => {
  const { code, error_subcode: sub, message } = body.error;
  if (code === 613 && sub === 2534040) return 'request_limit';
  // WhatsApp (facts §6.4): the request limit, a permanent permission held, the re-engagement window.
  if (code === 138009) return 'request_limit';
  if (code === 138017) return 'permission_held';
  if (code === 131047) return 'outside_window';
  if (code === 10 && (sub === 2018278 || sub === 2534022)) return 'outside_window';
  if (code === 551 || sub === 1545041) return 'person_unavailable';
  if (code === 2018389 || /not allowed for business[- ]initiated calling|calling is not enabled/i.test(message)) return 'calling_not_enabled';
  if ([4, 17, 32, 341, 613, 80001, 80006].includes(code)) return 'throttled';
  if ([102, 104, 190].includes(code)) return 'auth';
  if (code === 100 || code === 2500) return 'invalid';
  return 'other';
};
