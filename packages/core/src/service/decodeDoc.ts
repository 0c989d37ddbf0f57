import { isRight } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { CorruptDocError } from '../ports/CorruptDocError.js';
import type { DocKind } from '../ports/VersionedDoc.js';

/**
 * Parses a side document's JSON text and checks it with `codec`; text that is not
 * JSON, or JSON the codec refuses, rejects with {@link CorruptDocError} naming the
 * document (never a crash, never a silently empty value).
 *
 * @example
 * const trace = decodeDoc('call', key, doc.value, CallTraceCodec);
 */
export const decodeDoc = <A>(kind: DocKind, key: string, text: string, codec: t.Type<A, A, unknown>): A => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CorruptDocError(kind, key, 'the stored text is not JSON', { cause: e });
  }
  const decoded = codec.decode(raw);
  if (!isRight(decoded)) throw new CorruptDocError(kind, key, `the ${kind} document does not match the schema`);
  return decoded.right;
};
