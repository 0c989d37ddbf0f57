import { lifecycleStates, type LifecycleState } from './LifecycleState.js';
import { RECORD_SCHEMA, type PermissionRecord, type RefusalKind, type RemoteView } from './PermissionRecord.js';

/*
 * A record as a short binary string (one char per byte, 0..255): what stores keep
 * per thread. Numbers are varints tagged in their two low bits:
 *   00 — an integer relative to the record's base instant (its lastEventAt), sign in bit 2;
 *   01 — an absolute integer, sign in bit 2;
 *   10 — special: 0 null, 1 Number.MAX_SAFE_INTEGER, 2 a float64 follows (8 bytes);
 * so an instant near the thread's last event costs 3-5 bytes, not 13 digits of JSON.
 * Strings (the message id) are their UTF-16 code units as varints: lone surrogates survive.
 *
 * The record starts with a header byte, 128 + its format version (`RECORD_SCHEMA`).
 * Format 1 (release 0.1.0) had no header: its first byte, the flags, is always
 * below 128, so a byte below 128 there means format 1. A later format adds its
 * fields after the last one here, read only when the header says they are present,
 * then `recordUpgrades` brings the record up to the newest format.
 *
 * Format 3 appends a flags varint (1 declinedAt, 2 refusal, 4 remote.permitted,
 * refusal kind in bits 3-4), then `declinedAt` and the refusal's instant when present.
 * Format 4 appends a varint (2 × the number of logged calls, + 1 when `callLimitAt`
 * is set), the calls' instants, then `callLimitAt` when present.
 * Format 5 appends a varint (how many reported limits carry `freesAt`), then for
 * each its index among the request limits followed by the `start_call` ones, and
 * its `freesAt`.
 * Format 6 uses two bits of the pending request's varint that no earlier format
 * sets: 32, a reminded opt-in follows the pending message id (its instant, then its
 * message id when 64 is set too). Earlier bytes read with `reminds: null`.
 */

const TAG_DELTA = 0;
const TAG_ABS = 1;
const TAG_SPECIAL = 2;
const SPECIAL_NULL = 0;
const SPECIAL_MAX_SAFE = 1;
const SPECIAL_FLOAT = 2;
const LIMIT = 2 ** 49; // magnitude * 8 + tag bits stays below 2^53: exact in a double

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const stateCode = new Map<LifecycleState, number>(lifecycleStates.map((s, i) => [s, i]));
const refusalKinds: readonly RefusalKind[] = ['outside_window', 'request_limit', 'person_unavailable'];
const refusalCode = new Map<RefusalKind, number>(refusalKinds.map((k, i) => [k, i]));

/** Thrown when packing something that is not a `PermissionRecord`. */
export class PackError extends Error {
  readonly code = 'pack_record' as const;
  constructor(detail: string) {
    super(`Cannot store this record: ${detail}. Build records with the machine (step/fastStep) or emptyRecord().`);
    this.name = 'PackError';
  }
}

// Packing and unpacking are synchronous and never nested, so they share one
// module-level buffer and cursor instead of allocating closures per call.
let buf = new Uint8Array(256);
let pos = 0;

const byte = (b: number): void => {
  if (pos === buf.length) {
    const bigger = new Uint8Array(buf.length * 2);
    bigger.set(buf);
    buf = bigger;
  }
  buf[pos] = b;
  pos += 1;
};

const putVarint = (v: number): void => {
  let x = v;
  while (x >= 128) {
    byte((x % 128) + 128);
    x = Math.floor(x / 128);
  }
  byte(x);
};

const putNum = (x: number | null, base: number): void => {
  if (x === null) return putVarint(SPECIAL_NULL * 4 + TAG_SPECIAL);
  if (typeof x !== 'number') throw new PackError(`expected a number, got ${typeof x}`);
  if (x === Number.MAX_SAFE_INTEGER) return putVarint(SPECIAL_MAX_SAFE * 4 + TAG_SPECIAL);
  if (Number.isInteger(x) && !Object.is(x, -0)) {
    const d = x - base;
    const delta = Math.abs(d) < Math.abs(x);
    const v = delta ? d : x;
    if (Math.abs(v) < LIMIT) return putVarint(Math.abs(v) * 8 + (v < 0 ? 4 : 0) + (delta ? TAG_DELTA : TAG_ABS));
  }
  putVarint(SPECIAL_FLOAT * 4 + TAG_SPECIAL);
  f64[0] = x;
  for (let k = 0; k < 8; k += 1) byte(f64Bytes[k]!);
};

const putText = (t: string): void => {
  putVarint(t.length);
  for (let i = 0; i < t.length; i += 1) putVarint(t.charCodeAt(i));
};

const putLimits = (ls: RemoteView['requestLimits']): void => {
  putVarint(ls.length);
  for (const l of ls) {
    putNum(l.periodMs, 0);
    putNum(l.max, 0);
    putNum(l.used, 0);
  }
};

const written = (): string => {
  let t = '';
  for (let i = 0; i < pos; i += 4096) t += String.fromCharCode.apply(null, buf.subarray(i, Math.min(pos, i + 4096)) as unknown as number[]);
  return t;
};

const code = (s: unknown): number => {
  const c = stateCode.get(s as LifecycleState);
  if (c === undefined) throw new PackError(`unknown state ${String(s)}`);
  return c;
};
const tri = (b: boolean | null): number => (b === null ? 0 : b ? 2 : 1);
const baseOf = (r: PermissionRecord): number => (Number.isSafeInteger(r.lastEventAt) ? r.lastEventAt! : 0);

/**
 * Packs a record into a binary string (typically 30-60 chars), prefixed by
 * `prefix` numbers (a store puts the version there).
 *
 * @example
 * unpackRecord(packRecord(emptyRecord())).record; // equals emptyRecord()
 */
export const packRecord = (r: PermissionRecord, prefix: readonly number[] = []): string => {
  fill(r, prefix);
  return written();
};

/**
 * Packs like `packRecord` into a scratch buffer shared by all calls: the bytes are
 * valid until the next pack (copy them out). Saves the string for byte stores.
 *
 * @example
 * slab.set(packRecordToBytes(record, [version]), offset);
 */
export const packRecordToBytes = (r: PermissionRecord, prefix: readonly number[] = []): Uint8Array => {
  fill(r, prefix);
  return buf.subarray(0, pos);
};

const HEADER = 128;

const fill = (r: PermissionRecord, prefix: readonly number[]): void => {
  pos = 0;
  for (const n of prefix) putNum(n, 0);
  byte(HEADER + RECORD_SCHEMA);
  const { evidence: ev, pending: pd, remote: rv } = r;
  putVarint(code(r.state) | (r.provisional ? 8 : 0) | (ev ? 16 : 0) | (pd ? 32 : 0) | (rv ? 64 : 0));
  putNum(r.lastEventAt, 0);
  const base = baseOf(r);
  putNum(r.dueAt, base);
  putNum(r.expiresAt, base);
  putNum(r.lastInboundAt, base);
  putVarint(r.requests.length);
  for (const t of r.requests) putNum(t, base);
  if (ev) {
    putNum(ev.at, base);
    putNum(ev.rank, 0);
    putNum(ev.weight, base);
  }
  if (pd) {
    putNum(pd.at, base);
    const rm = pd.reminds;
    putVarint(code(pd.prior) | (pd.ambiguous ? 8 : 0) | (pd.messageId === null ? 0 : 16)
      | (rm === null ? 0 : 32) | (rm === null || rm.messageId === null ? 0 : 64));
    if (pd.messageId !== null) putText(pd.messageId);
    if (rm !== null) {
      putNum(rm.at, base);
      if (rm.messageId !== null) putText(rm.messageId);
    }
  }
  if (rv) {
    putNum(rv.at, base);
    putVarint(tri(rv.canRequest) + 4 * tri(rv.canStartCall));
    putLimits(rv.requestLimits);
    putLimits(rv.startCallLimits);
  }
  const rf = r.refusal;
  const kind = rf === null ? 0 : refusalCode.get(rf.kind);
  if (kind === undefined) throw new PackError(`unknown refusal kind ${String(rf?.kind)}`);
  putVarint((r.declinedAt !== null ? 1 : 0) | (rf !== null ? 2 : 0) | (rv?.permitted === true ? 4 : 0) | (kind << 3));
  if (r.declinedAt !== null) putNum(r.declinedAt, base);
  if (rf !== null) putNum(rf.at, base);
  putVarint(r.calls.length * 2 + (r.callLimitAt !== null ? 1 : 0));
  for (const t of r.calls) putNum(t, base);
  if (r.callLimitAt !== null) putNum(r.callLimitAt, base);
  putFreesAt(rv, base);
};

const putFreesAt = (rv: RemoteView | null, base: number): void => {
  if (rv === null) return putVarint(0);
  let n = 0;
  for (const l of rv.requestLimits) if (l.freesAt !== null) n += 1;
  for (const l of rv.startCallLimits) if (l.freesAt !== null) n += 1;
  putVarint(n);
  if (n === 0) return;
  [...rv.requestLimits, ...rv.startCallLimits].forEach((l, i) => {
    if (l.freesAt === null) return;
    putVarint(i);
    putNum(l.freesAt, base);
  });
};

let src: Uint8Array = new Uint8Array(0);
let at = 0;
let end = 0;
let scratch = new Uint8Array(256);

const getVarint = (): number => {
  let v = 0;
  let m = 1;
  for (;;) {
    if (at >= end) throw new PackError('truncated');
    const b = src[at]!;
    at += 1;
    v += (b & 127) * m;
    if (b < 128) return v;
    m *= 128;
  }
};

const getNum = (base: number): number | null => {
  const v = getVarint();
  const tag = v % 4;
  if (tag === TAG_SPECIAL) {
    const kind = Math.floor(v / 4);
    if (kind === SPECIAL_NULL) return null;
    if (kind === SPECIAL_MAX_SAFE) return Number.MAX_SAFE_INTEGER;
    if (at + 8 > end) throw new PackError('truncated');
    for (let k = 0; k < 8; k += 1) f64Bytes[k] = src[at + k]!;
    at += 8;
    return f64[0]!;
  }
  const mag = Math.floor(v / 8);
  const signed = v % 8 >= 4 ? -mag : mag;
  return tag === TAG_DELTA ? base + signed : signed;
};

const getInt = (base: number): number => {
  const n = getNum(base);
  if (n === null) throw new PackError('a required number is missing');
  return n;
};

const getText = (): string => {
  const n = getVarint();
  const units: number[] = [];
  for (let k = 0; k < n; k += 1) units.push(getVarint());
  let out = '';
  for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
  return out;
};

/** A limit as read, before format 5's `freesAt` entries are filled in. */
type ReadLimit = { periodMs: number; max: number; used: number; freesAt: number | null };

const getLimits = (): ReadLimit[] => {
  const n = getVarint();
  const out: ReadLimit[] = [];
  for (let k = 0; k < n; k += 1) out.push({ periodMs: getInt(0), max: getInt(0), used: getInt(0), freesAt: null });
  return out;
};

/** Reads a binary string through the byte reader (one char per byte). */
const bytesOf = (s: string): Uint8Array => {
  if (scratch.length < s.length) scratch = new Uint8Array(Math.max(s.length, scratch.length * 2));
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new PackError('not a packed record (a char above 255)');
    scratch[i] = c;
  }
  return scratch;
};

const getPrefix = (bytes: Uint8Array, start: number, stop: number, prefixLength: number): (number | null)[] => {
  src = bytes;
  at = start;
  end = stop;
  const prefix: (number | null)[] = [];
  for (let k = 0; k < prefixLength; k += 1) prefix.push(getNum(0));
  return prefix;
};

/** Reads the header byte, if any: the record's format version (1 when the record has none). */
const getFormat = (): number => {
  if (at >= end) throw new PackError('truncated');
  const b = src[at]!;
  if (b < HEADER) return 1;
  at += 1;
  const format = b - HEADER;
  if (format < 2 || format > RECORD_SCHEMA) throw new PackError(`format ${format} is not one this release reads (newest ${RECORD_SCHEMA})`);
  return format;
};

const triOf = (c: number): boolean | null => (c === 0 ? null : c === 2);
const NO_LIMITS: ReadLimit[] = [];
const stateOf = (c: number): LifecycleState => {
  const s = lifecycleStates[c];
  if (s === undefined) throw new PackError(`unknown state code ${c}`);
  return s;
};

/**
 * Reads back what `packRecord` wrote: the `prefix` numbers it was given, then the
 * record and the format version it was stored in (`format`). The record comes in
 * the layout of that format with `schema` set to it: a record of an older format
 * goes through `upgradeRecord` before use (stores do that).
 *
 * @example
 * const { prefix: [version], record } = unpackRecord(packed, 1);
 */
export const unpackRecord = (s: string, prefixLength = 0): UnpackedRecord =>
  unpackRecordBytes(bytesOf(s), 0, s.length, prefixLength);

/** What {@link unpackRecord} reads: the prefix numbers, the record, and the format it was stored in. */
export interface UnpackedRecord {
  readonly prefix: (number | null)[];
  readonly record: PermissionRecord;
  readonly format: number;
}

/**
 * `unpackRecord` over bytes `start..stop` of a byte array.
 *
 * @example
 * unpackRecordBytes(chunk, offset, offset + length, 1);
 */
export const unpackRecordBytes = (bytes: Uint8Array, start: number, stop: number, prefixLength = 0): UnpackedRecord => {
  const prefix = getPrefix(bytes, start, stop, prefixLength);
  const format = getFormat();
  const flags = getVarint();
  const lastEventAt = getNum(0);
  const base = Number.isSafeInteger(lastEventAt) ? lastEventAt! : 0;
  const dueAt = getNum(base);
  const expiresAt = getNum(base);
  const lastInboundAt = getNum(base);
  const n = getVarint();
  const requests: number[] = [];
  for (let k = 0; k < n; k += 1) requests.push(getInt(base));
  const evidence = flags & 16 ? { at: getInt(base), rank: getInt(0), weight: getInt(base) } : null;
  let pending: PermissionRecord['pending'] = null;
  if (flags & 32) {
    const pAt = getInt(base);
    const bits = getVarint();
    const messageId = bits & 16 ? getText() : null;
    // Format 6's reminded opt-in (bit 32; never set before it).
    const reminds = bits & 32 ? { at: getInt(base), messageId: bits & 64 ? getText() : null } : null;
    pending = { at: pAt, messageId, ambiguous: (bits & 8) !== 0, prior: stateOf(bits & 7), reminds };
  }
  const hasRemote = (flags & 64) !== 0;
  const rAt = hasRemote ? getInt(base) : 0;
  const can = hasRemote ? getVarint() : 0;
  const requestLimits = hasRemote ? getLimits() : NO_LIMITS;
  const startCallLimits = hasRemote ? getLimits() : NO_LIMITS;
  // Each record is built as one object literal: spreading a partial record into the result made
  // unpacking ten times slower (P2:memory fell from 0.76x to 0.46x of its baseline).
  const state = stateOf(flags & 7);
  const provisional = (flags & 8) !== 0;
  const schema = format as typeof RECORD_SCHEMA;
  if (format < 3) {
    if (at !== stop) throw new PackError('trailing bytes');
    // The layout of formats 1 and 2 (no declinedAt, refusal or remote.permitted): `recordUpgrades` adds them.
    const older = hasRemote
      ? { at: rAt, canRequest: triOf(can % 4), requestLimits, canStartCall: triOf(Math.floor(can / 4)), startCallLimits }
      : null;
    const record = { schema, state, expiresAt, provisional, evidence, requests, pending, lastInboundAt, remote: older, lastEventAt, dueAt };
    return { prefix, format, record: record as unknown as PermissionRecord };
  }
  const more = getVarint();
  const declinedAt = more & 1 ? getInt(base) : null;
  const refusal = more & 2 ? { at: getInt(base), kind: refusalOf(more >> 3) } : null;
  const remote: RemoteView | null = hasRemote ? {
    at: rAt, permitted: (more & 4) !== 0, canRequest: triOf(can % 4), requestLimits,
    canStartCall: triOf(Math.floor(can / 4)), startCallLimits,
  } : null;
  if (format < 4) {
    if (at !== stop) throw new PackError('trailing bytes');
    // Format 3's layout (no calls or callLimitAt): `recordUpgrades` adds them.
    const record = { schema, state, expiresAt, provisional, evidence, requests, pending, lastInboundAt, declinedAt, refusal, remote, lastEventAt, dueAt };
    return { prefix, format, record: record as unknown as PermissionRecord };
  }
  const tail = getVarint();
  const calls: number[] = [];
  for (let k = 0; k < Math.floor(tail / 2); k += 1) calls.push(getInt(base));
  const callLimitAt = tail & 1 ? getInt(base) : null;
  // Format 4's layout has no `freesAt` to read: the limits keep null, as `recordUpgrades` sets it.
  if (format >= 5) getFreesAt(requestLimits, startCallLimits, base);
  if (at !== stop) throw new PackError('trailing bytes');
  return {
    prefix,
    format,
    record: { schema, state, expiresAt, provisional, evidence, requests, pending, lastInboundAt, declinedAt, refusal, remote, calls, callLimitAt, lastEventAt, dueAt },
  };
};

/** Reads format 5's `freesAt` entries into the limits just read (fresh arrays, not yet shared). */
const getFreesAt = (requestLimits: ReadLimit[], startCallLimits: ReadLimit[], base: number): void => {
  const n = getVarint();
  for (let k = 0; k < n; k += 1) {
    const i = getVarint();
    const limit = i < requestLimits.length ? requestLimits[i] : startCallLimits[i - requestLimits.length];
    if (limit === undefined) throw new PackError(`freesAt of limit ${i}, which does not exist`);
    limit.freesAt = getInt(base);
  }
};

const refusalOf = (c: number): RefusalKind => {
  const k = refusalKinds[c];
  if (k === undefined) throw new PackError(`unknown refusal code ${c}`);
  return k;
};

/**
 * Reads only the prefix numbers and `dueAt` of a packed record (for version checks and due scans).
 *
 * @example
 * packedHead(packRecord(record, [3]), 1); // { prefix: [3], dueAt: record.dueAt }
 */
export const packedHead = (s: string, prefixLength = 0): { prefix: (number | null)[]; dueAt: number | null } =>
  packedBytesHead(bytesOf(s), 0, s.length, prefixLength);

/**
 * `packedHead` over bytes `start..stop` of a byte array.
 *
 * @example
 * packedBytesHead(chunk, offset, offset + length, 1).dueAt;
 */
export const packedBytesHead = (
  bytes: Uint8Array, start: number, stop: number, prefixLength = 0,
): { prefix: (number | null)[]; dueAt: number | null } => {
  const prefix = getPrefix(bytes, start, stop, prefixLength);
  getFormat();
  getVarint();
  const lastEventAt = getNum(0);
  return { prefix, dueAt: getNum(Number.isSafeInteger(lastEventAt) ? lastEventAt! : 0) };
};
