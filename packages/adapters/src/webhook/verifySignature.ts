import { createHmac, timingSafeEqual } from 'node:crypto';

/** The outcome of a signature check. */
export type SignatureCheck = 'valid' | 'missing' | 'malformed' | 'mismatch';

const PREFIX = 'sha256=';
/** The hex digest after the 7-character prefix, either case. */
const HEX64 = /^.{7}[0-9a-fA-F]{64}$/;

/**
 * Checks Meta's `X-Hub-Signature-256: sha256=<hex>` over the raw request bytes,
 * as received (Meta signs its escaped-unicode text; re-serialised JSON would not
 * match). Every secret is tried (several for rotation) and every comparison runs
 * in constant time with equal lengths; the loop does not stop at the first match.
 *
 * @example
 * verifySignature(rawBody, req.headers['x-hub-signature-256'], [process.env.META_APP_SECRET!]); // 'valid'
 */
export const verifySignature = (
  rawBody: Uint8Array,
  header: string | undefined,
  secrets: readonly string[],
): SignatureCheck => {
  if (header === undefined) return 'missing';
  // The common case, `sha256=` and 64 hex digits exactly, is checked without copying the header.
  const value = header.length === PREFIX.length + 64 ? header : header.trim();
  if (value === '') return 'missing';
  if (!value.startsWith(PREFIX) && value.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return 'malformed';
  if (!HEX64.test(value)) return 'malformed';
  const given = Buffer.from(value.slice(PREFIX.length), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  return matched ? 'valid' : 'mismatch';
};
