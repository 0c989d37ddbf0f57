import type { Instant } from './thread.js';

/** One quota reported by Meta for an action: `used` of `max` in a rolling `period` (ISO-8601). */
export interface RemoteLimit {
  readonly period: string;
  readonly max: number;
  readonly used: number;
  /** WhatsApp's `limit_expiration_time` (epoch ms), sent when the limit is used up: when it frees. */
  readonly freesAt?: Instant | null;
}

/** What Meta says about one action (`send_call_permission_request` or `start_call`). */
export interface RemoteAction {
  readonly canPerform: boolean;
  readonly limits: readonly RemoteLimit[];
}

/**
 * Meta's answer to a permission check, normalised from every documented shape
 * (flat, `data:[...]`-wrapped, `can_perform_action`, upper-case statuses).
 *
 * @example
 * const remote: RemotePermission = {
 *   status: 'has_permission', rawStatus: 'HAS_PERMISSION', expiresAt: 1745343479000,
 *   request: { canPerform: false, limits: [{ period: 'PT24H', max: 2, used: 2 }] },
 *   startCall: { canPerform: true, limits: [] },
 * };
 */
export interface RemotePermission {
  /** Unknown raw statuses read as `no_permission` (the raw value is kept). */
  readonly status: 'has_permission' | 'no_permission';
  readonly rawStatus: string;
  /** When the permission ends (epoch ms), or null when Meta gave no expiry. */
  readonly expiresAt: Instant | null;
  /** WhatsApp's `permanent` status: a permission with no expiry (`temporary` ones last 7 days). */
  readonly permanent?: boolean;
  /** `send_call_permission_request`, when Meta listed it. */
  readonly request: RemoteAction | null;
  /** `start_call`, when Meta listed it. */
  readonly startCall: RemoteAction | null;
  /** Meta's `x-fb-trace-id` for this answer, when the client saw one: kept in the consent history. */
  readonly fbtraceId?: string | null;
}
