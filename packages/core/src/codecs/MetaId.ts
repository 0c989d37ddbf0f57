import * as t from 'io-ts';

/**
 * The longest ids callperm accepts, by kind. Meta's Page ids and PSIDs are 15 to 17
 * digits (64 bits at most: 20), call ids about 40 characters and message ids (`mid`)
 * up to about 100; each limit leaves a wide margin and keeps every id far below what
 * a store's index or key can hold (PostgreSQL's btree refuses rows over ~2.7 kB).
 *
 * @example
 * metaIdLimits.person; // 64
 */
export const metaIdLimits = {
  /** Page ids and PSIDs. */
  person: 64,
  /** Call ids and message ids (`mid`). */
  object: 256,
  /** Event ids (`WebhookEvent.id`): built from the ids above, or given by a host. */
  event: 2048,
} as const;

/** Why an id (or another text value of a payload) is refused. */
export type IdProblem = 'id_too_long' | 'id_malformed';

/**
 * Tells whether a string is well-formed text for a key: no control character
 * (C0, DEL, C1, so no NUL) and no lone UTF-16 surrogate (which no UTF-8 store or
 * key can hold unchanged). A loop over char codes: cheap for short ids.
 *
 * @example
 * isWellFormedText('m_AG5Hz2Uq7tuwNEhX'); // true
 * isWellFormedText('12\u0000');           // false
 * isWellFormedText('\ud800');             // false
 */
export const isWellFormedText = (s: string): boolean => {
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00) return false; // a low surrogate with no high one before it
      const next = s.charCodeAt(i + 1); // NaN past the end
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i += 1;
    }
  }
  return true;
};

/**
 * What is wrong with an id, or null when it is fine: longer than `max` UTF-16
 * units, or not well-formed text ({@link isWellFormedText}).
 *
 * @example
 * idProblem('106378625516323', metaIdLimits.person); // null
 * idProblem('9'.repeat(100), metaIdLimits.person);   // 'id_too_long'
 */
export const idProblem = (id: string, max: number): IdProblem | null => {
  if (id.length > max) return 'id_too_long';
  return isWellFormedText(id) ? null : 'id_malformed';
};

/**
 * The io-ts codec of a Meta object id (Page id, PSID, call id, message id): a
 * non-empty string, or a whole number (some payloads send ids unquoted), decoded to
 * a string so ids compare the same whichever way Meta wrote them. Length and
 * well-formedness are checked by the decoders ({@link idProblem}), which count
 * what they refuse.
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
