import * as t from 'io-ts';

/**
 * The io-ts codec of a Meta object id (Page id, PSID, call id, message id): a
 * non-empty string, or a whole number (some payloads send ids unquoted), decoded to
 * a string so ids compare the same whichever way Meta wrote them.
 *
 * @example
 * import { isRight } from 'fp-ts/lib/Either.js';
 * const r = MetaId.decode(1234567890);
 * if (isRight(r)) r.right; // '1234567890'
 */
export const MetaId = new t.Type<string, string, unknown>(
  'MetaId',
  (u): u is string => typeof u === 'string' && u.trim() !== '',
  (u, c) => {
    if (typeof u === 'string' && u.trim() !== '') return t.success(u);
    if (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0) return t.success(String(u));
    return t.failure(u, c);
  },
  (a) => a,
);

/**
 * The io-ts codec of an object carrying a Meta id, as `sender`, `recipient` and
 * `error.recipient` do: `{ id }` (other members such as `name` are ignored).
 *
 * @example
 * MetaRef.is({ id: '42' }); // true
 */
export const MetaRef = t.type({ id: MetaId }, 'MetaRef');
