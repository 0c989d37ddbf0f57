/** What `redactStoreUrl` returns: the printable URL and the secrets it hid (to scrub from driver errors). */
export interface RedactedStoreUrl {
  readonly label: string;
  readonly secrets: readonly string[];
}

/** What replaces a password in a store label. */
export const HIDDEN = '***';

/** Query parameters that hold a secret (`password`, `sslpassword`, `auth`, `token`...). */
const SECRET_PARAM = /pass|pwd|secret|token|auth|credential/i;

const decoded = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

const keep = (out: string[], s: string): void => {
  if (s === '') return;
  out.push(s);
  const d = decoded(s);
  if (d !== s) out.push(d);
};

/**
 * Hides the password of a store URL (`scheme://user:PASSWORD@host`) and the value of
 * every password-like query parameter (`?password=`, `&sslpassword=`...), without
 * parsing the URL strictly, so odd forms (several hosts, an `@` or `/` inside the
 * password) still come out hidden. Also lists what it hid, raw and decoded.
 *
 * @example
 * redactStoreUrl('postgres://u:s3cret@h/db?sslpassword=k3y').label; // 'postgres://u:***@h/db?sslpassword=***'
 * redactStoreUrl('redis://:s3cret@127.0.0.1:6379').secrets; // ['s3cret']
 */
export const redactStoreUrl = (url: string): RedactedStoreUrl => {
  const secrets: string[] = [];
  const schemeEnd = url.indexOf('://');
  const start = schemeEnd < 0 ? 0 : schemeEnd + 3;
  const queryAt = url.indexOf('?', start);
  const beforeQuery = queryAt < 0 ? url : url.slice(0, queryAt);
  let head = beforeQuery;
  // The user info ends at the last `@` before the query: a password may hold `@`, `/` or `:`.
  const at = beforeQuery.lastIndexOf('@');
  if (at >= start) {
    const userInfo = beforeQuery.slice(start, at);
    const colon = userInfo.indexOf(':');
    if (colon >= 0) {
      keep(secrets, userInfo.slice(colon + 1));
      head = `${beforeQuery.slice(0, start)}${userInfo.slice(0, colon)}:${HIDDEN}${beforeQuery.slice(at)}`;
    }
  }
  if (queryAt < 0) return { label: head, secrets };
  const params = url.slice(queryAt + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0 || !SECRET_PARAM.test(decoded(pair.slice(0, eq)))) return pair;
    keep(secrets, pair.slice(eq + 1));
    return `${pair.slice(0, eq)}=${HIDDEN}`;
  });
  return { label: `${head}?${params.join('&')}`, secrets };
};

/**
 * Removes every given secret from a text (a driver's error message), longest first.
 *
 * @example
 * scrubStoreSecrets('auth failed for s3cret', ['s3cret']); // 'auth failed for ***'
 */
export const scrubStoreSecrets = (text: string, secrets: readonly string[]): string =>
  [...secrets].sort((a, b) => b.length - a.length).reduce((out, s) => out.split(s).join(HIDDEN), text);
