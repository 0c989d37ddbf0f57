import * as t from 'io-ts';

/**
 * An io-ts codec for a string enum Meta writes in more than one case
 * (`has_permission`, `HAS_PERMISSION`, `Completed`): decodes any casing (and
 * surrounding spaces) to the lower-case member, with optional aliases
 * (e.g. WhatsApp's `accept` read as `approve`).
 *
 * @example
 * const Response = caseInsensitive('ReplyResponse', ['approve', 'reject'], { accept: 'approve' });
 * Response.decode('APPROVE'); // right('approve')
 * Response.decode('Accept');  // right('approve')
 */
export const caseInsensitive = <const V extends string>(
  name: string,
  values: readonly V[],
  aliases: Readonly<Record<string, V>> = {},
): t.Type<V, V, unknown> => {
  const lookup = new Map<string, V>();
  for (const v of values) lookup.set(v.toLowerCase(), v);
  for (const [alias, v] of Object.entries(aliases)) lookup.set(alias.toLowerCase(), v);
  const members = new Set<string>(values);
  return new t.Type<V, V, unknown>(
    name,
    (u): u is V => typeof u === 'string' && members.has(u),
    (u, c) => {
      const v = typeof u === 'string' ? lookup.get(u.trim().toLowerCase()) : undefined;
      return v === undefined ? t.failure(u, c) : t.success(v);
    },
    (a) => a,
  );
};
