import * as t from 'io-ts';
import { isRight } from 'fp-ts/lib/Either.js';
import { err, ok } from '../result.js';
import type { Result } from '../result.js';
import { toDecodeReport } from './DecodeReport.js';
import type { DecodeReport } from './DecodeReport.js';

/**
 * io-ts records which member of a `union` or `intersection` failed as a context key
 * (`'0'`, `'1'`); that index is no place in the payload. Blanking it (the report
 * skips empty keys) gives `$.permission.status`, not `$.0.permission.0.status`, and
 * stays right if the report learns to skip member indices itself.
 */
const isMemberIndex = (parent: t.ContextEntry | undefined): boolean =>
  parent !== undefined && (parent.type instanceof t.UnionType || parent.type instanceof t.IntersectionType);

const payloadPathOnly = (errors: t.Errors): t.Errors =>
  errors.map((e) => ({
    ...e,
    context: e.context.map((c, i) => (isMemberIndex(e.context[i - 1]) ? { ...c, key: '' } : c)),
  }));

/**
 * Runs an io-ts decoder and turns its `Either` into the public `Result`, with a
 * {@link DecodeReport} on failure. `at` is where `value` sits inside a larger
 * payload (e.g. `['data', 0]`), so the report's paths point into the whole body.
 *
 * @example
 * import * as t from 'io-ts';
 * decodeWith('send_response', t.type({ message_id: t.string }), { message_id: 'm_1' }); // { ok: true, value: ... }
 */
export const decodeWith = <A>(
  what: string,
  decoder: t.Decoder<unknown, A>,
  value: unknown,
  at: readonly (string | number)[] = [],
): Result<A, DecodeReport> => {
  // The decoder owns the last entry (io-ts reads member indices below it); the prefix entries only name the path.
  const keys = ['', ...at.map(String)];
  const context: t.Context = keys.map((key, i) => ({ key, type: i === keys.length - 1 ? decoder : t.unknown, actual: value }));
  const result = decoder.validate(value, context);
  return isRight(result) ? ok(result.right) : err(toDecodeReport(what, payloadPathOnly(result.left)));
};
