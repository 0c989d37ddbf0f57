import { PermissionRecordCodec, RECORD_SCHEMA, type PermissionRecord } from '../machine/PermissionRecord.js';
import { PackError, packRecordToBytes, unpackRecordBytes } from '../machine/packedRecord.js';
import { recordUpgrades } from './recordUpgrades.js';
import type { RecordData, RecordForm } from './StoreDriver.js';
import { decodeJson, StoredFormatError, upgradeJson, type JsonFormat } from './versionedJson.js';

/**
 * The record's stored JSON format: version `RECORD_SCHEMA` in its `schema`
 * field, older versions brought up by {@link recordUpgrades}.
 *
 * @example
 * decodeJson(recordJsonFormat, '{"schema":1,...}', true).schema; // 2
 */
export const recordJsonFormat: JsonFormat<PermissionRecord> = {
  name: 'permission record', field: 'schema', version: RECORD_SCHEMA, codec: PermissionRecordCodec, upgrades: recordUpgrades,
};

/**
 * Brings a record object of any known format up to the newest (a no-op for the newest).
 *
 * @example
 * upgradeRecord(unpackRecord(oldBytes).record).schema; // RECORD_SCHEMA
 */
export const upgradeRecord = (record: { readonly schema: number }): PermissionRecord =>
  (record.schema === RECORD_SCHEMA ? record as PermissionRecord : upgradeJson(recordJsonFormat, record) as unknown as PermissionRecord);

/**
 * A record in a driver's {@link RecordForm}, newest format. The bytes are a view
 * of a scratch buffer, valid until the next encode: bind or copy them at once.
 *
 * @example
 * const data = encodeRecord('text', record); // '{"schema":2,...}'
 */
export const encodeRecord = <F extends RecordForm>(form: F, record: PermissionRecord): RecordData<F> =>
  (form === 'bytes' ? packRecordToBytes(record) : JSON.stringify(record)) as RecordData<F>;

const asBytes = (data: unknown): Uint8Array | null => (data instanceof Uint8Array ? data : null);

/**
 * Reads a stored record of any known format, in either form (a driver that once
 * stored JSON and now packs bytes reads both), and upgrades it. Anything else is
 * a {@link StoredFormatError} with the format version the data claimed.
 *
 * @example
 * decodeRecord(row.record).state; // 'approved'
 */
export const decodeRecord = (data: unknown): PermissionRecord => {
  const bytes = asBytes(data);
  if (bytes === null) return decodeJson(recordJsonFormat, data, true);
  let unpacked;
  try {
    unpacked = unpackRecordBytes(bytes, 0, bytes.length);
  } catch (e) {
    if (e instanceof PackError) throw new StoredFormatError(`the stored bytes do not unpack (${e.message})`, null);
    throw e;
  }
  return unpacked.format === RECORD_SCHEMA ? unpacked.record : upgradeRecord(unpacked.record);
};
