import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { LOG_VALUE_LIMIT, logSafe } from '../../src/logSafe.js';

/** Anything that could end a log line, start a forged one or drive the terminal. */
const dangerous = (s: string): boolean => [...s].some((c) => {
  const n = c.codePointAt(0) ?? 0;
  return n < 0x20 || (n >= 0x7f && n <= 0x9f) || n === 0x2028 || n === 0x2029 || (n >= 0x202a && n <= 0x202e)
    || (n >= 0x2066 && n <= 0x2069) || (n >= 0xd800 && n <= 0xdfff); // a lone surrogate iterates as itself
});

describe('logSafe', () => {
  it('a webhook id with a newline and ANSI escapes stays on its line as one quoted token', () => {
    const forged = '1001\n2026-12-05T00:00:00Z callperm serve: SIGTERM, shutting down\u001b[2J\r';
    const out = logSafe(forged);
    expect(dangerous(out)).toBe(false);
    expect(JSON.parse(out)).toBe(forged);
  });

  it('cuts a very long id', () => {
    expect(logSafe('9'.repeat(100_000)).length).toBeLessThan(LOG_VALUE_LIMIT + 32);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 300 })])('no output holds a control, separator, bidi override or lone surrogate', (s) => {
    expect(dangerous(logSafe(s))).toBe(false);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: LOG_VALUE_LIMIT })])('short values read back exactly', (s) => {
    expect(JSON.parse(logSafe(s))).toBe(s);
  });
});
