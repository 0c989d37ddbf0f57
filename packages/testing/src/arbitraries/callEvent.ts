import fc from 'fast-check';
import type { CallEvent } from '@callperm/core';
import { anyCaseArb } from './anyCase.js';
import type { GeneratedEntry } from './Generated.js';
import { callIdArb, pageIdArb, psidArb } from './metaIds.js';
import { eventTimeArb, instantArb, timestampEncodingArb } from './metaTimestamp.js';
import { callNoiseArb, surroundedBy } from './noise.js';

/**
 * A `calls` webhook item as callperm reads it, plus the `session.version` of a
 * `media_update` (part of the dedupe id, not of the event).
 *
 * @example
 * fc.sample(callEventSpecArb, 1)[0]?.content.event; // e.g. 'connect'
 */
export interface CallEventSpec {
  readonly content: Omit<CallEvent, 'id'>;
  readonly version: number | null;
}

const directionArb = fc.constantFrom('business_initiated' as const, 'user_initiated' as const, null);

/**
 * One call event of each documented kind with the fields Meta sends for it.
 *
 * @example
 * fc.sample(callEventSpecArb, 1); // e.g. [{ content: { kind: 'call', event: 'terminate', ... }, version: null }]
 */
export const callEventSpecArb: fc.Arbitrary<CallEventSpec> = fc
  .record({
    pageId: pageIdArb,
    callId: callIdArb,
    at: instantArb,
    direction: directionArb,
    psid: psidArb,
    hasRecipient: fc.boolean(),
    event: fc.constantFrom('connect' as const, 'call_status' as const, 'media_update' as const, 'terminate' as const),
    callStatus: fc.constantFrom('ringing', 'accepted', null),
    terminateStatus: fc.constantFrom('completed', 'failed', null),
    durationSec: fc.option(fc.nat({ max: 7200 }), { nil: null }),
    version: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
  })
  .map((g) => ({
    content: {
      kind: 'call' as const,
      at: g.at,
      pageId: g.pageId,
      psid: g.event === 'connect' || (g.event === 'call_status' && g.hasRecipient) ? g.psid : null,
      callId: g.callId,
      event: g.event,
      direction: g.direction,
      callStatus: g.event === 'call_status' ? g.callStatus : null,
      terminateStatus: g.event === 'terminate' ? g.terminateStatus : null,
      durationSec: g.event === 'terminate' ? g.durationSec : null,
    },
    version: g.event === 'media_update' ? g.version : null,
  }));

/** `key` with a value, or the ways Meta says "nothing here": absent, `null` or `""`. */
const optional = (key: string, value: fc.Arbitrary<unknown> | null): fc.Arbitrary<Record<string, unknown>> =>
  value === null
    ? fc.constantFrom<Record<string, unknown>>({}, { [key]: null }, { [key]: '' })
    : value.map((v) => ({ [key]: v }));

/** The event-specific members of the item; `entryHasId` false means the Page must be read from `to`/`from`. */
const renderFields = (spec: CallEventSpec, entryHasId: boolean): fc.Arbitrary<Record<string, unknown>> => {
  const c = spec.content;
  const direction = c.direction === null
    ? fc.constantFrom<Record<string, unknown>>({}, { call_direction: '[business_initiated|user_initiated]' })
    : anyCaseArb(c.direction).map((d) => ({ call_direction: d }));
  switch (c.event) {
    case 'connect': {
      const psid = c.psid ?? '';
      const pageFirst = { to: c.pageId, from: psid };
      const psidFirst = { to: psid, from: c.pageId };
      const ends = c.direction === 'business_initiated' ? fc.constant(psidFirst)
        : c.direction === 'user_initiated' || !entryHasId ? fc.constant(pageFirst)
          : fc.constantFrom(pageFirst, psidFirst);
      return fc.tuple(ends, direction).map(([e, d]) => ({ ...e, ...d }));
    }
    case 'call_status':
      return fc.tuple(
        direction,
        c.psid === null ? fc.constant({}) : fc.constant({ recipient_id: c.psid }),
        optional('call_status', c.callStatus === null ? null : anyCaseArb(c.callStatus)),
      ).map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);
    case 'media_update':
      return fc.tuple(direction, fc.constant(spec.version === null ? {} : {
        session: { version: spec.version, sdp_renegotiation: { sdp_type: 'offer', sdp: 'v=0' } },
      })).map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);
    case 'terminate':
      return fc.tuple(
        direction,
        optional('status', c.terminateStatus === null ? null : anyCaseArb(c.terminateStatus)),
        optional('duration', c.durationSec === null ? null : fc.constantFrom(c.durationSec, String(c.durationSec))),
        fc.record({ start_time: instantArb.chain(timestampEncodingArb), end_time: instantArb.chain(timestampEncodingArb) }),
      ).map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);
  }
};

/**
 * One `entry[]` carrying the call item in `calls[]` (for a `connect`, sometimes
 * with no `entry.id`, the Page then read from `to`/`from`) or in
 * `changes[{field: "calls"}]` (the value being the item or holding a `calls`
 * array); events, statuses and directions in any case.
 *
 * @example
 * fc.sample(callEventSpecArb.chain(renderCallEvent), 1);
 */
export const renderCallEvent = (spec: CallEventSpec): fc.Arbitrary<GeneratedEntry> => {
  const c = spec.content;
  const container = c.event === 'connect'
    ? fc.constantFrom('calls', 'calls-no-entry-id', 'change-item', 'change-array')
    : fc.constantFrom('calls', 'change-item', 'change-array');
  return fc.record({ container, time: eventTimeArb(c.at), event: anyCaseArb(c.event) }).chain(({ container: where, time, event }) =>
    renderFields(spec, where !== 'calls-no-entry-id').chain((fields) => {
      const item = { id: c.callId, event, ...time.item, ...fields };
      const head = where === 'calls-no-entry-id' ? { ...time.entry } : { id: c.pageId, ...time.entry };
      const entry = where === 'change-item' ? fc.constant({ ...head, changes: [{ field: 'calls', value: item }] })
        : where === 'change-array' ? fc.constant({ ...head, changes: [{ field: 'calls', value: { calls: [item] } }] })
          : surroundedBy(callNoiseArb, item).map((calls) => ({ ...head, calls }));
      return entry.map((e): GeneratedEntry => ({ entry: e, expected: [c] }));
    }));
};

/**
 * A call-event entry with the event it means.
 *
 * @example
 * fc.sample(callEventEntryArb, 1);
 */
export const callEventEntryArb: fc.Arbitrary<GeneratedEntry> = callEventSpecArb.chain(renderCallEvent);
