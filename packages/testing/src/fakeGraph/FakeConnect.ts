import type { Instant, Thread } from '@callperm/core';
import type { MetaErrorBody } from './fakeMetaErrors.js';
import type { FakeFault } from './FaultPlan.js';

/**
 * Why Meta refused a connect: `calling_not_enabled` (2018389, the Page is not
 * allowed to call), `audio_disabled` ("Audio calling is not enabled" in the Page's
 * call settings), `no_call_permission` ("Consumer has not given permission to
 * call"), `call_limit` ("Call rate limit exceeded", the connected-call quota),
 * `invalid` (a bad body: 100, 2018391, 2018392), `auth` (token), `throttled`,
 * `other`.
 */
export type FakeConnectRefusal =
  | 'calling_not_enabled' | 'audio_disabled' | 'no_call_permission' | 'call_limit'
  | 'invalid' | 'auth' | 'throttled' | 'other';

/**
 * Every refusal reason, in the order reports list them.
 *
 * @example
 * for (const r of fakeConnectRefusals) console.log(r, fake.connects.filter((c) => c.outcome === r).length);
 */
export const fakeConnectRefusals: readonly FakeConnectRefusal[] = [
  'calling_not_enabled', 'audio_disabled', 'no_call_permission', 'call_limit', 'invalid', 'auth', 'throttled', 'other',
];

/**
 * What held at Meta at the instant of a connect, whatever became of it:
 * `permitted` the person held a live permission (granted and not expired, or an
 * implicit grant), `overQuota` the thread's connected-call quota was used up,
 * `pageAllowed` the Page's calling was on and audio enabled in its settings.
 */
export interface FakeConnectFacts {
  readonly permitted: boolean;
  readonly overQuota: boolean;
  readonly pageAllowed: boolean;
}

/**
 * One connect request (`POST /{page-id}/calls`, `action: connect`) as Meta saw it.
 * - `placed`: Meta rang the person (`callId`); with a `fault` the client did not get
 *   the answer, yet the call was placed.
 * - a {@link FakeConnectRefusal}: Meta answered an error (`code`) and placed nothing.
 * - `fault`: an injected fault stopped the request before Meta acted.
 *
 * The facts let a run be checked from Meta's side: a connect with
 * `permitted: false` reached Meta without a live permission; one with
 * `overQuota: true` went over the connected-call quota.
 */
export interface FakeConnect extends FakeConnectFacts {
  /** Order among all the fake's records. */
  readonly seq: number;
  readonly at: Instant;
  readonly pageId: string;
  /** The thread called, or null when the body named no person. */
  readonly thread: Thread | null;
  readonly outcome: 'placed' | 'fault' | FakeConnectRefusal;
  readonly callId?: string;
  readonly code?: number;
  readonly subcode?: number;
  /** `whatsapp` for a connect from a business phone number (WhatsApp 138006 / 138012 refusals); absent on Messenger. */
  readonly channel?: 'whatsapp';
  /** The injected fault this request met, if any. */
  readonly fault?: FakeFault['kind'];
}

const THROTTLING = [4, 17, 32, 341, 613, 80001, 80006];

/**
 * What an error body means for a connect. The permission, rate-limit and audio
 * refusals carry no code of Meta's: their wording decides.
 *
 * @example
 * connectRefusalOf(fakeMetaErrors.noCallPermission); // 'no_call_permission'
 */
export const connectRefusalOf = (body: MetaErrorBody): FakeConnectRefusal => {
  const { code, message } = body.error;
  if (code === 138006 || /has not given permission to call/i.test(message)) return 'no_call_permission';
  if (code === 138012) return 'call_limit';
  if (/call rate limit/i.test(message)) return 'call_limit';
  if (/audio calling is not enabled/i.test(message)) return 'audio_disabled';
  if (code === 2018389 || /not allowed for business[- ]initiated calling/i.test(message)) return 'calling_not_enabled';
  if (THROTTLING.includes(code)) return 'throttled';
  if ([102, 104, 190].includes(code)) return 'auth';
  if ([100, 2500, 2018391, 2018392].includes(code)) return 'invalid';
  return 'other';
};
