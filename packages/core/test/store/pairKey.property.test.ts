import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { pairKey } from '../../src/internals.js';

describe('pairKey', () => {
  // Short strings over a tiny alphabet (digits and ':') make colliding concatenations likely.
  const id = fc.string({ unit: fc.constantFrom('1', '2', ':'), maxLength: 4 });
  test.prop([id, id, id, id])('tells any two pairs of ids apart, whatever they contain', (a, b, c, d) => {
    expect(pairKey(a, b) === pairKey(c, d)).toBe(a === c && b === d);
  });
});
