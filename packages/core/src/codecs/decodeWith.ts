import type * as t from 'io-ts';
import { isRight } from 'fp-ts/lib/Either.js';
import { err, ok } from '../result.js';
import type { Result } from '../result.js';
import { toDecodeReport } from './DecodeReport.js';
import type { DecodeReport } from './DecodeReport.js';

/**
 * Runs an io-ts decoder and turns its `Either` into the public `Result`, with a
 * {@link DecodeReport} on failure. `at` is where `value` sits inside a larger
 * payload (e.g. `['data', 0]`), so the report's paths point into the whole body.
 *
 * @example
 * import * as t from 'io-ts';
 * decodeWith('send_response', t.type({ message_id: t.string }), json, []);
 */
export const decodeWith = <A>(
  what: string,
  decoder: t.Decoder<unknown, A>,
  value: unknown,
  at: readonly (string | number)[] = [],
): Result<A, DecodeReport> => {
  const context: t.ContextEntry[] = [{ key: '', type: decoder, actual: value }];
  for (const key of at) context.push({ key: String(key), type: decoder, actual: value });
  const result = decoder.validate(value, context);
  return isRight(result) ? ok(result.right) : err(toDecodeReport(what, result.left));
};
