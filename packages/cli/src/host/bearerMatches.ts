import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether an `Authorization` header carries `Bearer <token>`, compared in
 * constant time: both sides are hashed first, so neither the token's length nor
 * its bytes leak through timing.
 *
 * @example
 * bearerMatches('Bearer s3cret-s3cret-s3cret', 's3cret-s3cret-s3cret'); // true
 * bearerMatches(undefined, 's3cret-s3cret-s3cret'); // false
 */
export const bearerMatches = (header: string | undefined, token: string): boolean => {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  // Hash something either way so a missing header costs the same as a wrong one.
  const given = digest(m?.[1] ?? '');
  return timingSafeEqual(given, digest(token)) && m !== null;
};
