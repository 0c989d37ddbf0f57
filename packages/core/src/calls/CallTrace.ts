import * as t from 'io-ts';
import type { Instant } from '../thread.js';
import type { JsonFormat } from '../store/versionedJson.js';

/** How a call ended, as its `terminate` webhook said. */
export interface CallEnd {
  readonly at: Instant;
  /** Seconds connected; null when Meta left `duration` empty (the business never connected). */
  readonly durationSec: number | null;
  /** `completed` or `failed` (lower-cased), null when absent. */
  readonly status: string | null;
}

/**
 * Everything callperm has learnt about one call from its `calls` webhooks, in
 * whatever order they came. It is a join of the items seen: merging the same
 * items in any order, any number of times, gives the same trace (see
 * `mergeCallEvent`), so a host that restarts, or several hosts sharing a store,
 * converge on one trace per call.
 *
 * @example
 * const trace: CallTrace = emptyCallTrace('1234', 'c_1');
 * trace.psid; // null until a connect or call_status names the person
 */
export interface CallTrace {
  /** `whatsapp` for a WhatsApp call (`pageId` is then the business phone-number id); absent on Messenger. */
  readonly channel?: 'whatsapp';
  readonly pageId: string;
  readonly callId: string;
  /** The person on the call: from `connect` (`to`/`from`) or `call_status` (`recipient_id`). */
  readonly psid: string | null;
  /** From `connect` (or implied `business_initiated` by a `call_status`, which only such calls get). */
  readonly direction: 'business_initiated' | 'user_initiated' | null;
  /** The earliest `connect` instant seen. */
  readonly connectAt: Instant | null;
  /** The earliest `call_status: accepted` instant seen (the consumer picked up a business call). */
  readonly acceptedAt: Instant | null;
  readonly end: CallEnd | null;
}

/**
 * The trace of a call nothing is known about yet.
 *
 * @example
 * emptyCallTrace('1234', 'c_1').end; // null
 */
export const emptyCallTrace = (pageId: string, callId: string, channel?: 'whatsapp'): CallTrace => ({
  ...(channel === 'whatsapp' ? { channel } : {}), pageId, callId, psid: null, direction: null, connectAt: null, acceptedAt: null, end: null,
});

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);

/**
 * io-ts codec of {@link CallTrace}: a stored trace is checked when it is read back.
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js';
 * isRight(CallTraceCodec.decode(emptyCallTrace('1', 'c'))); // true
 */
export const CallTraceCodec: t.Type<CallTrace, CallTrace, unknown> = t.readonly(t.intersection([t.partial({ channel: t.literal('whatsapp') }), t.type({
  pageId: t.string,
  callId: t.string,
  psid: nullable(t.string),
  direction: nullable(t.keyof({ business_initiated: null, user_initiated: null })),
  connectAt: nullable(t.number),
  acceptedAt: nullable(t.number),
  end: nullable(t.readonly(t.type({ at: t.number, durationSec: nullable(t.number), status: nullable(t.string) }))),
})]), 'CallTrace');

/**
 * The call trace document's stored format. 1: release 0.1.0 (no version field);
 * 2: the version in `v`, nothing else changed; 3: `channel` (absent: Messenger,
 * as every older trace is).
 *
 * @example
 * encodeJson(callTraceFormat, trace); // '{"v":3,"pageId":"1234",...}'
 */
export const callTraceFormat: JsonFormat<CallTrace> = {
  name: 'call trace', field: 'v', version: 3, codec: CallTraceCodec, upgrades: [(v1) => ({ ...v1 }), (v2) => ({ ...v2 })],
};
