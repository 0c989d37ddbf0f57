import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  decodeRecord, encodeRecord, inboxFormat, callTraceFormat, packRecord, recordUpgrades, RECORD_SCHEMA, StoredFormatError,
  decodeJson, encodeJson, type PermissionRecord,
} from '../../src/internals.js';
import { recordArb } from '../support/records.js';

const plain = (r: PermissionRecord): PermissionRecord => JSON.parse(JSON.stringify(r)) as PermissionRecord;
const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('the stored record format', () => {
  test.prop([recordArb])('both forms round-trip at the newest format', (record) => {
    expect(decodeRecord(encodeRecord('text', record))).toStrictEqual(plain(record));
    expect(decodeRecord(Uint8Array.from(encodeRecord('bytes', record)))).toStrictEqual(plain(record));
    expect(JSON.parse(encodeRecord('text', record)).schema).toBe(RECORD_SCHEMA);
    expect(encodeRecord('bytes', record)[0]).toBe(128 + RECORD_SCHEMA);
  });

  test.prop([recordArb])('format 1 as release 0.1.0 stored it reads as the newest: JSON with schema 1, packed bytes with no header', (record) => {
    expect(decodeRecord(JSON.stringify({ ...record, schema: 1 }))).toStrictEqual(plain(record));
    // Format 1's packed layout is format 2's without the header byte (the corpus holds bytes 0.1.0 really wrote).
    expect(decodeRecord(bytesOf(packRecord(record)).subarray(1))).toStrictEqual(plain(record));
  });

  test.prop([recordArb])('step 1 → 2 keeps every field', (record) => {
    const { schema: _s, ...fields } = record;
    expect(recordUpgrades[0]!({ ...fields, schema: 1 })).toEqual({ ...fields, schema: 1 });
    expect(recordUpgrades).toHaveLength(RECORD_SCHEMA - 1);
  });

  test.prop([recordArb, fc.integer({ min: RECORD_SCHEMA + 1, max: 127 })])('a newer format is refused, in both forms', (record, newer) => {
    expect(() => decodeRecord(JSON.stringify({ ...record, schema: newer }))).toThrow(StoredFormatError);
    const bytes = Uint8Array.from(encodeRecord('bytes', record));
    bytes[0] = 128 + newer;
    expect(() => decodeRecord(bytes)).toThrow(StoredFormatError);
  });

  test('documents stored by release 0.1.0 (no version field) read as the newest format', () => {
    const trace = { pageId: '1', callId: 'c', psid: null, direction: null, connectAt: null, acceptedAt: null, end: null };
    expect(decodeJson(callTraceFormat, JSON.stringify(trace), false)).toEqual(trace);
    const entry = { ids: ['a'], events: [], receivedAt: 5 };
    expect(decodeJson(inboxFormat, JSON.stringify(entry), false)).toEqual({ ...entry, attempts: 0, lastError: null, movedAsideAt: null });
  });
});

describe('the inbox entry format', () => {
  const v2 = { v: 2, ids: ['a', 'b'], events: [], receivedAt: 5 };
  const never = { attempts: 0, lastError: null, movedAsideAt: null };

  test('is version 3, with one upgrade step per older version', () => {
    expect(inboxFormat.version).toBe(3);
    expect(inboxFormat.upgrades).toHaveLength(2);
  });

  test('step 1 → 2 keeps every field', () => {
    const { v: _v, ...v1 } = v2;
    expect(inboxFormat.upgrades[0]!(v1)).toEqual(v1);
  });

  test('step 2 → 3 reads a delivery stored before as never tried, in the inbox', () => {
    expect(inboxFormat.upgrades[1]!(v2)).toEqual({ ...v2, ...never });
    const { v: _v, ...fields } = v2;
    expect(decodeJson(inboxFormat, JSON.stringify(v2), false)).toEqual({ ...fields, ...never });
  });

  test.prop([fc.nat({ max: 100 }), fc.option(fc.constantFrom('corrupt_doc', 'Error')), fc.option(fc.nat())])(
    'format 3 round-trips its counters',
    (attempts, lastError, movedAsideAt) => {
      const entry = { ids: ['a'], events: [], receivedAt: 5, attempts, lastError, movedAsideAt };
      const text = encodeJson(inboxFormat, entry);
      expect(JSON.parse(text).v).toBe(3);
      expect(decodeJson(inboxFormat, text, false)).toEqual(entry);
    },
  );

  test('a format newer than 3 is refused with its version', () => {
    expect(() => decodeJson(inboxFormat, JSON.stringify({ ...v2, v: 4 }), false)).toThrow(StoredFormatError);
  });
});
