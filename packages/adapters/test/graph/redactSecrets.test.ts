import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { redactSecrets, REDACTED } from '@callperm/adapters/graph';

describe('redactSecrets', () => {
  // Tokens and app secrets are long runs of letters and digits; the brackets of the
  // replacement keep one from re-forming across a join.
  const secret = fc.stringMatching(/^[A-Za-z0-9]{9,40}$/);
  test.prop([secret, fc.string(), fc.string()])('removes a secret wherever it appears', (s, a, b) => {
    const out = redactSecrets(`${a}${s}${b}${s}`, [s]);
    expect(out).not.toContain(s);
    expect(out).toContain(REDACTED);
  });

  it('removes anything shaped like a Meta token, even one it was not told about', () => {
    expect(redactSecrets('Malformed access token EAAB1234567890abcdefghij', [])).toBe(`Malformed access token ${REDACTED}`);
  });
});
