import type { Instant } from '@callperm/core';
import { metaSeconds } from './metaSeconds.js';

/** The three envelopes Meta documents for `call_permission_reply` (facts §3). */
export type ReplyShape =
  /** Shape A, the guide's sample: fields directly on `entry[]`, no `id`/`time`. */
  | 'entry'
  /** Shape B, the standard Messenger envelope: inside `entry[].messaging[]`. */
  | 'messaging'
  /** Shape C, the Graph Page-webhook reference: `entry[].changes[{field, value}]`. */
  | 'changes';

/** What a reply says. */
export interface ReplySpec {
  readonly pageId: string;
  readonly psid: string;
  /** When the person answered (epoch ms; written as Unix seconds). */
  readonly at: Instant;
  readonly response: 'approve' | 'reject';
  /** For `approve`: the expiry (epoch ms), written as Unix seconds; null = no `expiration_timestamp`. Default: 7 days after `at`. */
  readonly expiresAt?: Instant | null;
  /** Default `entry` (the guide's sample). */
  readonly shape?: ReplyShape;
  /** `expiration_timestamp` as a numeric string (the guide's sample quotes it) or a number. Default `string`. */
  readonly expiryAs?: 'string' | 'number';
}

const WEEK = 7 * 86_400_000;

/**
 * One `entry[]` carrying a `call_permission_reply` in the chosen envelope.
 *
 * @example
 * permissionReplyEntry({ pageId: '1234', psid: '5678', at: clock.now(), response: 'approve', shape: 'messaging' });
 */
export const permissionReplyEntry = (spec: ReplySpec): Record<string, unknown> => {
  const expiresAt = spec.response === 'reject' ? null : spec.expiresAt === undefined ? spec.at + WEEK : spec.expiresAt;
  const seconds = expiresAt === null ? null : metaSeconds(expiresAt);
  const reply: Record<string, unknown> = { response: spec.response };
  if (seconds !== null) reply.expiration_timestamp = spec.expiryAs === 'number' ? seconds : String(seconds);
  const item = {
    sender: { id: spec.psid }, recipient: { id: spec.pageId }, timestamp: metaSeconds(spec.at), call_permission_reply: reply,
  };
  switch (spec.shape ?? 'entry') {
    case 'entry':
      return item;
    case 'messaging':
      return { id: spec.pageId, time: spec.at, messaging: [item] };
    case 'changes':
      return { id: spec.pageId, time: metaSeconds(spec.at), changes: [{ field: 'call_permission_reply', value: item }] };
  }
};
