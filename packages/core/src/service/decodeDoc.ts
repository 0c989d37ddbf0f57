import { CorruptDocError } from '../ports/CorruptDocError.js';
import type { DocKind } from '../ports/VersionedDoc.js';
import { decodeJson, StoredFormatError, type JsonFormat } from '../store/versionedJson.js';

/**
 * Reads a side document's JSON text in any known version of its `format`
 * (upgrading older ones) and checks it with the newest codec; text that is not
 * JSON, a version this release does not know, or JSON the codec refuses rejects
 * with {@link CorruptDocError} naming the document (never a crash, never a
 * silently empty value).
 *
 * @example
 * const trace = decodeDoc('call', key, doc.value, callTraceFormat);
 */
export const decodeDoc = <A>(kind: DocKind, key: string, text: string, format: JsonFormat<A>): A => {
  try {
    return decodeJson(format, text, false);
  } catch (e) {
    if (e instanceof StoredFormatError) throw new CorruptDocError(kind, key, e.detail, { cause: e, format: e.found });
    throw e;
  }
};
