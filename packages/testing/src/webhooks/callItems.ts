import type { Instant } from '@callperm/core';
import { metaSeconds } from './metaSeconds.js';

/** The call a `calls` item belongs to. */
export interface CallRef {
  readonly callId: string;
  readonly pageId: string;
  readonly psid: string;
}

/**
 * `connect` (§4.1): `to` is the callee, `from` the caller — Page and PSID swap with the direction.
 *
 * @example
 * connectItem(call, 'user_initiated', clock.now()); // { id, event: 'connect', to: pageId, from: psid, ... }
 */
export const connectItem = (call: CallRef, direction: 'business_initiated' | 'user_initiated', at: Instant): Record<string, unknown> => ({
  id: call.callId,
  event: 'connect',
  ...(direction === 'user_initiated' ? { to: call.pageId, from: call.psid } : { to: call.psid, from: call.pageId }),
  timestamp: metaSeconds(at),
  call_direction: direction,
});

/**
 * `call_status` (§4.2, business-initiated calls only): `ringing` or `accepted`.
 *
 * @example
 * callStatusItem(call, 'accepted', clock.now());
 */
export const callStatusItem = (call: CallRef, status: 'ringing' | 'accepted', at: Instant): Record<string, unknown> => ({
  id: call.callId, event: 'call_status', timestamp: metaSeconds(at), recipient_id: call.psid, call_status: status,
});

/**
 * `media_update` (§4.3): new SDP for the call; says nothing about permission.
 *
 * @example
 * mediaUpdateItem(call, 2, clock.now());
 */
export const mediaUpdateItem = (call: CallRef, version: number, at: Instant): Record<string, unknown> => ({
  id: call.callId, event: 'media_update', timestamp: metaSeconds(at),
  session: { version, sdp_renegotiation: { sdp_type: 'offer', sdp: 'v=0\r\n' } },
});

/**
 * `terminate` (§4.4): `duration` in seconds when the business connected, else
 * empty (`""`, as Meta's sample leaves it); `status` title-case as in Meta's sample.
 *
 * @example
 * terminateItem(call, { at: clock.now(), startedAt, durationSec: null }); // a call the business never connected
 */
export const terminateItem = (call: CallRef, spec: {
  readonly at: Instant;
  readonly startedAt?: Instant;
  readonly durationSec: number | null;
  readonly status?: 'Completed' | 'Failed';
}): Record<string, unknown> => ({
  id: call.callId,
  event: 'terminate',
  timestamp: metaSeconds(spec.at),
  status: spec.status ?? 'Completed',
  start_time: metaSeconds(spec.startedAt ?? spec.at),
  end_time: metaSeconds(spec.at),
  duration: spec.durationSec ?? '',
});

/**
 * One `entry[]` carrying `calls` items: in `entry[].calls[]` (the calling guide)
 * or as `changes[{field: "calls", value}]` items.
 *
 * @example
 * callsEntry('1234', [connectItem(call, 'user_initiated', t0), terminateItem(call, { at: t1, durationSec: null })]);
 */
export const callsEntry = (
  pageId: string,
  items: readonly Record<string, unknown>[],
  options: { readonly envelope?: 'calls' | 'changes'; readonly time?: Instant } = {},
): Record<string, unknown> => {
  const time = options.time === undefined ? undefined : metaSeconds(options.time);
  const head = time === undefined ? { id: pageId } : { id: pageId, time };
  return options.envelope === 'changes'
    ? { ...head, changes: items.map((value) => ({ field: 'calls', value })) }
    : { ...head, calls: items };
};
