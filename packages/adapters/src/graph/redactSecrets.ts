/**
 * What replaces a secret in text that leaves the adapter.
 *
 * @example
 * redactSecrets('token abc123456', ['abc123456']) === `token ${REDACTED}`; // true
 */
export const REDACTED = '[redacted]';

/**
 * Meta access tokens start with `EAA` followed by a long run of letters and digits.
 * Meta echoes a malformed token in its error message ("Malformed access token
 * EAA..."), so anything shaped like one is removed even when it is not ours.
 */
const TOKEN_SHAPE = /EAA[A-Za-z0-9]{16,}/g;

/**
 * Removes every given secret, and anything shaped like a Meta access token, from a
 * piece of text (an error message, a log field). Longer secrets go first, so one
 * secret inside another cannot leave a tail behind.
 *
 * @example
 * redactSecrets('Malformed access token EAAB1234567890abcdefgh', ['s3cret']); // 'Malformed access token [redacted]'
 */
export const redactSecrets = (text: string, secrets: readonly string[]): string => {
  let out = text;
  const longestFirst = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  for (const secret of longestFirst) out = out.split(secret).join(REDACTED);
  return out.replace(TOKEN_SHAPE, REDACTED);
};

/**
 * Redacts every string inside a JSON-like value (for `error_data` and similar),
 * returning a copy; anything that is not plain data becomes `undefined`.
 *
 * @example
 * redactDeep({ hint: 'token s3cret' }, ['s3cret']); // { hint: 'token [redacted]' }
 */
export const redactDeep = (value: unknown, secrets: readonly string[], depth = 0): unknown => {
  if (depth > 8) return undefined;
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactSecrets(k, secrets)] = redactDeep(v, secrets, depth + 1);
    return out;
  }
  return undefined;
};
