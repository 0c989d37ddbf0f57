import { createHmac } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { verifySignature, type SignatureCheck } from '@callperm/adapters/webhook';
import { expect } from 'vitest';

/** The definition, written plainly: trim, `sha256=` in any case, 64 hex digits in any case, an HMAC of any secret. */
const byDefinition = (body: Uint8Array, header: string | undefined, secrets: readonly string[]): SignatureCheck => {
  if (header === undefined || header.trim() === '') return 'missing';
  const value = header.trim();
  if (value.slice(0, 7).toLowerCase() !== 'sha256=') return 'malformed';
  const hex = value.slice(7).toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) return 'malformed';
  return secrets.some((s) => createHmac('sha256', s).update(body).digest('hex') === hex) ? 'valid' : 'mismatch';
};

const caseOf = (s: string, upper: readonly boolean[]) => [...s].map((c, i) => (upper[i % Math.max(1, upper.length)] ? c.toUpperCase() : c)).join('');

/** Headers near the valid shape: right or wrong digest, prefix and digits in mixed case, padding, truncation, stray characters. */
const headerArb = (body: Uint8Array, secret: string): fc.Arbitrary<string | undefined> => {
  const good = createHmac('sha256', secret).update(body).digest('hex');
  const digest = fc.oneof(fc.constant(good), fc.stringMatching(/^[0-9a-fA-F]{62,66}$/), fc.string({ maxLength: 70 }));
  const prefix = fc.oneof(fc.constant('sha256='), fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }).map((u) => caseOf('sha256=', u)),
    fc.constantFrom('sha1=', 'sha256:', 'sha256', ''));
  const pad = fc.constantFrom('', ' ', '\t', '  ');
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(pad, prefix, digest, fc.array(fc.boolean(), { maxLength: 8 }), pad)
      .map(([a, p, d, u, b]) => `${a}${p}${caseOf(d, u)}${b}`) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, '', '   ') },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  );
};

const caseArb = fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('s1', 'rotated-secret'))
  .chain(([body, secret]) => headerArb(body, secret).map((header) => ({ body, secret, header })));

test.prop([caseArb])('verifySignature answers as its plain definition for any header near the valid shape', ({ body, secret, header }) => {
  expect(verifySignature(body, header, ['other', secret])).toBe(byDefinition(body, header, ['other', secret]));
});
