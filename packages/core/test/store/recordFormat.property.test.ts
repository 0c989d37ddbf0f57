import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  decodeRecord, encodeRecord, inboxFormat, callTraceFormat, packRecord, recordUpgrades, RECORD_SCHEMA, StoredFormatError,
  decodeJson, emptyRecord, encodeJson, type PermissionRecord,
} from '../../src/internals.js';
import { recordArb } from '../support/records.js';

const plain = (r: PermissionRecord): PermissionRecord => JSON.parse(JSON.stringify(r)) as PermissionRecord;
const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * A record as format 2 held it (without the fields format 3 added), and what it
 * must read as: the step 2 → 3 rules stated here apart from the step itself.
 */
const olderForm = (r: PermissionRecord): { older: Record<string, unknown>; upgraded: PermissionRecord } => {
  const { declinedAt: _d, refusal: _r, remote: newestRemote, calls: _c, callLimitAt: _l, pending, ...rest } = plain(r);
  const remote = newestRemote === null ? null : withoutFreesAt(newestRemote);
  const { permitted: _p, ...olderRemote } = remote ?? { permitted: false };
  const older = { ...rest, pending: withoutReminds(pending), remote: remote === null ? null : olderRemote };
  const ev = rest.evidence;
  const permitted = remote !== null && ev !== null && ev.rank === 4 && ev.at === remote.at && ev.weight !== -1;
  const upgraded: PermissionRecord = plain({
    ...rest,
    pending: unreminded(pending),
    declinedAt: rest.state === 'rejected' ? ev?.at ?? rest.lastEventAt : null,
    refusal: null,
    remote: newestRemote === null ? null : { ...unfreed(newestRemote), permitted },
    calls: [],
    callLimitAt: null,
  });
  return { older, upgraded };
};

type Pending = PermissionRecord['pending'];
/** A pending request as formats 1 to 5 held it: no `reminds`. */
const withoutReminds = (pd: Pending): Record<string, unknown> | null => {
  if (pd === null) return null;
  const { reminds: _r, ...older } = pd;
  return older;
};
/** What such a request reads as: `reminds` null (a reminder's reminded opt-in was not kept). */
const unreminded = (pd: Pending): Pending => (pd === null ? null : { ...pd, reminds: null });

type Remote = NonNullable<PermissionRecord['remote']>;
/** A check's limits as formats 1 to 4 held them: no `freesAt`. */
const withoutFreesAt = (rv: Remote): Record<string, unknown> => {
  const strip = (ls: Remote['requestLimits']) => ls.map(({ freesAt: _f, ...l }) => l);
  return { ...rv, requestLimits: strip(rv.requestLimits), startCallLimits: strip(rv.startCallLimits) };
};
/** What such limits read as: `freesAt` null (Meta's word on when they free was not kept). */
const unfreed = (rv: Remote): Remote => {
  const nulled = (ls: Remote['requestLimits']) => ls.map((l) => ({ ...l, freesAt: null }));
  return { ...rv, requestLimits: nulled(rv.requestLimits), startCallLimits: nulled(rv.startCallLimits) };
};

describe('the stored record format', () => {
  test.prop([recordArb])('both forms round-trip at the newest format', (record) => {
    expect(decodeRecord(encodeRecord('text', record))).toStrictEqual(plain(record));
    expect(decodeRecord(Uint8Array.from(encodeRecord('bytes', record)))).toStrictEqual(plain(record));
    expect(JSON.parse(encodeRecord('text', record)).schema).toBe(RECORD_SCHEMA);
    expect(encodeRecord('bytes', record)[0]).toBe(128 + RECORD_SCHEMA);
  });

  test.prop([recordArb])('formats 1 to 3 as earlier releases stored them read as the newest, the new fields derived', (newest) => {
    const { older, upgraded } = olderForm(newest);
    expect(decodeRecord(JSON.stringify({ ...older, schema: 1 }))).toStrictEqual(upgraded);
    expect(decodeRecord(JSON.stringify({ ...older, schema: 2 }))).toStrictEqual(upgraded);
    // Format 6's packed layout is format 5's when no reminder is pending; format 5's is format 4's plus one byte (0: no limit says when it frees); format 4's is format
    // 3's plus one byte (0: no calls, no limit); format 3's is format 2's plus one flags byte (0 when no new field
    // is set); format 1's has no header.
    const bare = { ...upgraded, declinedAt: null, remote: upgraded.remote === null ? null : { ...upgraded.remote, permitted: false } };
    const packed = bytesOf(packRecord(bare));
    expect([...packed.subarray(packed.length - 3)]).toEqual([0, 0, 0]);
    expect(decodeRecord(Uint8Array.from([128 + 5, ...packed.subarray(1)]))).toStrictEqual(bare);
    const v4 = Uint8Array.from([128 + 4, ...packed.subarray(1, packed.length - 1)]);
    expect(decodeRecord(v4)).toStrictEqual(bare);
    const v3 = Uint8Array.from([128 + 3, ...packed.subarray(1, packed.length - 2)]);
    expect(decodeRecord(v3)).toStrictEqual(bare);
    const v2 = Uint8Array.from([128 + 2, ...packed.subarray(1, packed.length - 3)]);
    expect(decodeRecord(v2)).toStrictEqual(upgraded);
    expect(decodeRecord(v2.subarray(1))).toStrictEqual(upgraded);
  });

  test.prop([recordArb])('format 3 as an earlier release stored it reads with an empty call log', (newest) => {
    const { calls: _c, callLimitAt: _l, remote, pending, ...v3 } = plain(newest);
    const older = { ...v3, pending: withoutReminds(pending), remote: remote === null ? null : withoutFreesAt(remote) };
    const expected = plain({ ...newest, pending: unreminded(pending), calls: [], callLimitAt: null, remote: remote === null ? null : unfreed(remote) });
    expect(decodeRecord(JSON.stringify({ ...older, schema: 3 }))).toStrictEqual(expected);
    expect(recordUpgrades[2]!({ ...older, schema: 3 })).toEqual({ ...older, schema: 3, calls: [], callLimitAt: null });
  });

  test.prop([recordArb])('format 4 as the previous release stored it reads with no limit saying when it frees, in both forms', (newest) => {
    const { remote, pending, ...v4 } = plain(newest);
    const older = { ...v4, pending: withoutReminds(pending), remote: remote === null ? null : withoutFreesAt(remote) };
    const expected = plain({ ...newest, pending: unreminded(pending), remote: remote === null ? null : unfreed(remote) });
    expect(decodeRecord(JSON.stringify({ ...older, schema: 4 }))).toStrictEqual(expected);
    expect(recordUpgrades[3]!({ ...older, schema: 4 })).toEqual({ ...older, schema: 4, remote: expected.remote });
    // The packed form of format 4 is format 5's (format 6's with no reminder pending) without its last byte
    // (0 when no limit carries `freesAt`).
    const packed = bytesOf(packRecord(expected));
    expect(packed[packed.length - 1]).toBe(0);
    expect(decodeRecord(Uint8Array.from([128 + 4, ...packed.subarray(1, packed.length - 1)]))).toStrictEqual(expected);
  });

  test.prop([recordArb])('format 5 as the previous release stored it reads with no reminded opt-in, in both forms', (newest) => {
    const { pending, ...v5 } = plain(newest);
    const older = { ...v5, pending: withoutReminds(pending) };
    const expected = plain({ ...newest, pending: unreminded(pending) });
    expect(decodeRecord(JSON.stringify({ ...older, schema: 5 }))).toStrictEqual(expected);
    expect(recordUpgrades[4]!({ ...older, schema: 5 })).toEqual({ ...older, schema: 5, pending: expected.pending });
    // The packed form of format 5 is format 6's with no reminder pending (format 6 only adds bits and fields behind them).
    expect(decodeRecord(Uint8Array.from([128 + 5, ...bytesOf(packRecord(expected)).subarray(1)]))).toStrictEqual(expected);
  });

  test('a pending reminder keeps the opt-in it reminds of in both forms, and packs it in a few bytes', () => {
    const reminder: PermissionRecord = {
      ...plain(emptyRecord()), state: 'requested', requests: [1_000, 15_401_000], lastEventAt: 15_401_000,
      pending: { at: 15_401_000, messageId: null, ambiguous: false, prior: 'none', reminds: { at: 1_000, messageId: 'm_1' } },
    };
    expect(decodeRecord(encodeRecord('text', reminder))).toStrictEqual(reminder);
    expect(decodeRecord(Uint8Array.from(encodeRecord('bytes', reminder)))).toStrictEqual(reminder);
    const first = { ...reminder, pending: { ...reminder.pending!, reminds: null } };
    expect(packRecord(reminder).length - packRecord(first).length).toBeLessThanOrEqual(4 + 'm_1'.length);
  });

  test.prop([recordArb])('step 1 → 2 keeps every field', (record) => {
    const { schema: _s, ...fields } = record;
    expect(recordUpgrades[0]!({ ...fields, schema: 1 })).toEqual({ ...fields, schema: 1 });
    expect(recordUpgrades).toHaveLength(RECORD_SCHEMA - 1);
  });

  test('step 2 → 3: a rejected thread declined at its newest evidence; a check is permitted when it is the newest evidence and granted', () => {
    const base = { schema: 2, state: 'rejected', expiresAt: null, provisional: false, requests: [], pending: null, lastInboundAt: null, lastEventAt: 9, dueAt: null };
    const remote = { at: 5, canRequest: false, requestLimits: [], canStartCall: null, startCallLimits: [] };
    expect(recordUpgrades[1]!({ ...base, evidence: { at: 7, rank: 1, weight: -1 }, remote: null }))
      .toEqual({ ...base, evidence: { at: 7, rank: 1, weight: -1 }, remote: null, declinedAt: 7, refusal: null });
    expect(recordUpgrades[1]!({ ...base, evidence: null, remote: null })).toMatchObject({ declinedAt: 9 });
    const granted = { ...base, state: 'approved', evidence: { at: 5, rank: 4, weight: 99 }, remote };
    expect(recordUpgrades[1]!(granted)).toEqual({ ...granted, declinedAt: null, refusal: null, remote: { ...remote, permitted: true } });
    const denied = { ...base, state: 'none', evidence: { at: 5, rank: 4, weight: -1 }, remote };
    expect(recordUpgrades[1]!(denied)).toMatchObject({ declinedAt: null, remote: { permitted: false } });
    const older = { ...base, state: 'approved', evidence: { at: 6, rank: 3, weight: 99 }, remote };
    expect(recordUpgrades[1]!(older)).toMatchObject({ remote: { permitted: false } });
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
