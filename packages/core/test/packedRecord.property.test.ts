import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { emptyRecord, lifecycleStates, packRecord, packedHead, RECORD_SCHEMA, unpackRecord, type PermissionRecord } from '../src/internals.js';
import { historyArb, play, policyArb, resolved } from './support/histories.js';
import { recordArb } from './support/records.js';

/** Any number JSON can carry, and then some: packing must keep each exactly. */
const anyNumber = fc.oneof(
  fc.integer({ min: 1_000_000_000_000, max: 4_102_444_800_000 }),
  fc.integer(),
  fc.constantFrom(-1, 0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e300),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const state = fc.constantFrom(...lifecycleStates);
const limit = fc.record({ periodMs: anyNumber, max: anyNumber, used: anyNumber, freesAt: fc.option(anyNumber, { nil: null }) });

const wildRecordArb: fc.Arbitrary<PermissionRecord> = fc.record({
  schema: fc.constant(RECORD_SCHEMA),
  state,
  expiresAt: maybe(anyNumber),
  provisional: fc.boolean(),
  evidence: maybe(fc.record({ at: anyNumber, rank: anyNumber, weight: anyNumber })),
  requests: fc.array(anyNumber, { maxLength: 5 }),
  pending: maybe(fc.record({
    at: anyNumber, messageId: maybe(fc.string({ unit: 'binary', maxLength: 40 })), ambiguous: fc.boolean(), prior: state,
    reminds: maybe(fc.record({ at: anyNumber, messageId: maybe(fc.string({ unit: 'binary', maxLength: 40 })) })),
  })),
  lastInboundAt: maybe(anyNumber),
  declinedAt: maybe(anyNumber),
  refusal: maybe(fc.record({ at: anyNumber, kind: fc.constantFrom('outside_window' as const, 'request_limit' as const, 'person_unavailable' as const) })),
  remote: maybe(fc.record({
    at: anyNumber, permitted: fc.boolean(), canRequest: maybe(fc.boolean()), requestLimits: fc.array(limit, { maxLength: 3 }),
    canStartCall: maybe(fc.boolean()), startCallLimits: fc.array(limit, { maxLength: 3 }),
  })),
  calls: fc.array(anyNumber, { maxLength: 5 }),
  callLimitAt: maybe(anyNumber),
  lastEventAt: maybe(anyNumber),
  dueAt: maybe(anyNumber),
});

describe('packRecord', () => {
  test.prop([fc.oneof(wildRecordArb, recordArb), fc.array(fc.nat(), { maxLength: 2 })])('unpacks to exactly what was packed, prefix included', (record, prefix) => {
    const packed = packRecord(record, prefix);
    const plain = JSON.parse(JSON.stringify(record)) as PermissionRecord; // arbitraries may build null-prototype objects
    expect(unpackRecord(packed, prefix.length)).toStrictEqual({ prefix, record: plain, format: RECORD_SCHEMA });
    expect(packedHead(packed, prefix.length)).toStrictEqual({ prefix, dueAt: record.dueAt });
    expect([...packed].every((c) => c.charCodeAt(0) < 256)).toBe(true);
  });

  test.prop([policyArb, historyArb])('a lived-in record packs small', (policy, moves) => {
    const { record } = play(moves, resolved(policy));
    const packed = packRecord(record);
    expect(unpackRecord(packed).record).toStrictEqual(record);
    expect(packed.length).toBeLessThan(JSON.stringify(record).length / 2);
  });

  it('refuses what is not a record, with its code', () => {
    expect(() => packRecord({ ...emptyRecord(), state: 'granted' as never })).toThrow(expect.objectContaining({ code: 'pack_record' }));
    expect(() => unpackRecord('\u0001')).toThrow(expect.objectContaining({ code: 'pack_record' }));
  });
});
