import { isRight } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { toDecodeReport } from '../codecs/DecodeReport.js';

/** One step of a chain: the plain JSON object of version n, turned into version n + 1. Pure, never mutates. */
export type UpgradeStep = (raw: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/**
 * A stored JSON format: its newest version, the codec of that version, and the
 * steps that bring each older version up (`upgrades[i]` takes version `i + 1`
 * to `i + 2`, so `upgrades.length === version - 1`). The version lives in the
 * stored object under `field` (`v` for documents, `schema` for records); an
 * object without it is version 1, what was stored before formats carried one.
 *
 * @example
 * const format: JsonFormat<CallTrace> = { name: 'call trace', field: 'v', version: 2, codec: CallTraceCodec, upgrades: [(r) => r] };
 */
export interface JsonFormat<A> {
  readonly name: string;
  readonly field: string;
  readonly version: number;
  readonly codec: t.Type<A, A, unknown>;
  readonly upgrades: readonly UpgradeStep[];
}

/** Why stored JSON did not read, with the format version it claimed (null when it claimed none that reads). */
export class StoredFormatError extends Error {
  readonly code = 'stored_format' as const;
  constructor(readonly detail: string, readonly found: number | null) {
    super(detail);
    this.name = 'StoredFormatError';
  }
}

/**
 * Writes `value` as JSON text in the newest version of `format`.
 *
 * @example
 * encodeJson(callTraceFormat, trace); // '{"v":2,"pageId":"1",...}'
 */
export const encodeJson = <A>(format: JsonFormat<A>, value: A): string => {
  // The version first, then the value's own fields: its JSON with the version spliced in (no copy of the object).
  const body = JSON.stringify(value);
  const head = `{"${format.field}":${format.version}`;
  return body === '{}' ? `${head}}` : `${head},${body.slice(1)}`;
};

/**
 * Upgrades a parsed object of any known version of `format` to the newest
 * version, through each step in turn; refuses a version this code does not know
 * (newer, or not a whole number >= 1) with {@link StoredFormatError}.
 *
 * @example
 * upgradeJson(recordFormat, { schema: 1, state: 'none', ... }); // { schema: 2, state: 'none', ... }
 */
export const upgradeJson = <A>(format: JsonFormat<A>, raw: unknown): Record<string, unknown> => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new StoredFormatError(`the stored ${format.name} is not a JSON object`, null);
  let obj = raw as Record<string, unknown>;
  const claimed = obj[format.field] ?? 1;
  if (typeof claimed !== 'number' || !Number.isSafeInteger(claimed) || claimed < 1) {
    throw new StoredFormatError(`the stored ${format.name} names format ${JSON.stringify(claimed)}, not a version`, null);
  }
  if (claimed > format.version) {
    throw new StoredFormatError(`the stored ${format.name} is format ${claimed}, newer than ${format.version}, the newest this release reads: upgrade callperm`, claimed);
  }
  for (let v = claimed; v < format.version; v += 1) {
    const step = format.upgrades[v - 1];
    if (step === undefined) throw new StoredFormatError(`no upgrade from ${format.name} format ${v}`, claimed);
    obj = { ...step(obj), [format.field]: v + 1 };
  }
  return obj;
};

/**
 * Reads JSON text written by any known version of `format`: parse, upgrade,
 * check with the newest codec. Returns the value without the version field
 * (documents) or with it (records, whose `schema` is part of the type).
 *
 * @example
 * decodeJson(callTraceFormat, text, false); // CallTrace
 */
export const decodeJson = <A>(format: JsonFormat<A>, text: unknown, keepField: boolean): A => {
  if (typeof text !== 'string') throw new StoredFormatError(`the stored ${format.name} is a ${text === null ? 'null' : typeof text}, not JSON text`, null);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StoredFormatError(`the stored ${format.name} is not JSON`, null);
  }
  const found = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[format.field] ?? 1 : null;
  const upgraded = upgradeJson(format, raw);
  let candidate: unknown = upgraded;
  if (!keepField) {
    const { [format.field]: _version, ...rest } = upgraded;
    candidate = rest;
  }
  // The type guard checks without building a decode result (cheap); only a failure is decoded again, for the report.
  if (format.codec.is(candidate)) return candidate;
  const decoded = format.codec.decode(candidate);
  if (isRight(decoded)) return decoded.right;
  const first = toDecodeReport(format.name, decoded.left).issues[0];
  const where = first ? `${first.path} expected ${first.expected}, got ${first.got}` : 'unknown field';
  throw new StoredFormatError(`the stored ${format.name} does not match format ${format.version}: ${where}`, typeof found === 'number' ? found : null);
};
