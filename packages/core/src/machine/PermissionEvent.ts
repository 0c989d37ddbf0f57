import type { RemotePermission } from '../remotePermission.js';
import type { RefusalKind } from './PermissionRecord.js';
import type { Instant } from '../thread.js';

/**
 * What can happen to a thread. Every event carries the instant it happened (`at`,
 * epoch ms): the machine decides expiry and quotas from these, never from a timer.
 *
 * @example
 * const e: PermissionEvent = { type: 'REPLY_APPROVE', at: 1_700_000_000_000, expiresAt: null };
 */
export type PermissionEvent =
  /** The host asks for permission: reserve a quota slot and send the opt-in. */
  | { readonly type: 'REQUEST'; readonly at: Instant }
  /** Meta accepted the opt-in reserved at `requestedAt`. */
  | { readonly type: 'REQUEST_SENT'; readonly at: Instant; readonly requestedAt: Instant; readonly messageId: string }
  /**
   * The opt-in reserved at `requestedAt` failed; `ambiguous` when Meta may have
   * processed it anyway. `refusal`: Meta refused it for a reason that teaches the
   * thread something (outside the window, the per-thread limit, the person unavailable).
   */
  | {
    readonly type: 'REQUEST_FAILED'; readonly at: Instant; readonly requestedAt: Instant; readonly ambiguous: boolean;
    readonly refusal?: RefusalKind | undefined;
  }
  /** The person approved; `expiresAt` null: the policy's TTL, unless `permanent` (WhatsApp's `is_permanent`): no expiry. */
  | { readonly type: 'REPLY_APPROVE'; readonly at: Instant; readonly expiresAt: Instant | null; readonly permanent?: boolean | undefined }
  | { readonly type: 'REPLY_REJECT'; readonly at: Instant }
  /** Implicit grant: a fully connected call between the Page and the person. */
  | { readonly type: 'CALL_CONNECTED'; readonly at: Instant }
  /** Implicit grant: the person called the Page and the Page did not pick up. */
  | { readonly type: 'CONSUMER_CALL_MISSED'; readonly at: Instant }
  /** A remote check's answer: the truth for status, expiry and quota usage. */
  | { readonly type: 'REMOTE_SYNC'; readonly at: Instant; readonly remote: RemotePermission }
  /** The person wrote to the Page (opens the messaging window). */
  | { readonly type: 'USER_MESSAGE'; readonly at: Instant }
  /** Time passed: lets an expired permission read as `expired` in the stored state too. */
  | { readonly type: 'TICK'; readonly at: Instant }
  /** The host places a call (`startCall`): reserve a connected-call slot, then connect. */
  | { readonly type: 'CALL_START'; readonly at: Instant }
  /** Meta's calls webhook told of a business-initiated call callperm did not place: it counts against the quota. */
  | { readonly type: 'CALL_PLACED'; readonly at: Instant }
  /**
   * The connect reserved at `placedAt` definitely failed: its slot is given back.
   * `refusal`: Meta said the person has not given permission (the permission is
   * gone until a newer grant), or the call rate limit is used up (the quota counts
   * as full at `placedAt`).
   */
  | { readonly type: 'CALL_FAILED'; readonly at: Instant; readonly placedAt: Instant; readonly refusal?: CallRefusalKind | undefined }
  /**
   * A call between the business and the person connected (either direction): on
   * WhatsApp it resets the request quota (`policy.requestQuotaResetByCall`).
   */
  | { readonly type: 'CALL_ANSWERED'; readonly at: Instant };

/** Why Meta refused a connect in a way that teaches the thread something. */
export type CallRefusalKind = 'no_permission' | 'call_limit';

/** The names of every event type, in the order the chart lists them. */
export const permissionEventTypes = [
  'REQUEST', 'REQUEST_SENT', 'REQUEST_FAILED', 'REPLY_APPROVE', 'REPLY_REJECT',
  'CALL_CONNECTED', 'CONSUMER_CALL_MISSED', 'REMOTE_SYNC', 'USER_MESSAGE', 'TICK',
  'CALL_START', 'CALL_PLACED', 'CALL_FAILED', 'CALL_ANSWERED',
] as const satisfies readonly PermissionEvent['type'][];
