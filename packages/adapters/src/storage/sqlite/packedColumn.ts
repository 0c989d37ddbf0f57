import { CorruptRecordError, PackError, packRecordToBytes, unpackRecordBytes, type PermissionRecord, type Thread } from '@callperm/core';
import { decodeRecord } from '../shared/recordJson.js';

/**
 * The SQLite record column: the record packed (`packRecord`, ~50 bytes) as a BLOB.
 * The bytes are a view of a scratch buffer: bind them at once (statements copy).
 *
 * @example
 * update.run(packedColumn(record), ...);
 */
export const packedColumn = (record: PermissionRecord): Uint8Array => packRecordToBytes(record);

/**
 * Reads the record column: packed bytes, or JSON text written before schema 3
 * (and anything else) through the JSON path, so a damaged row is a
 * `CorruptRecordError` naming the thread.
 *
 * @example
 * const record = recordOfColumn(thread, row.record);
 */
export const recordOfColumn = (thread: Thread, stored: unknown): PermissionRecord => {
  if (!(stored instanceof Uint8Array)) return decodeRecord(thread, stored);
  try {
    return unpackRecordBytes(stored, 0, stored.length).record;
  } catch (e) {
    if (e instanceof PackError) throw new CorruptRecordError(thread, `the stored bytes do not unpack (${e.message})`, { cause: e });
    throw e;
  }
};
