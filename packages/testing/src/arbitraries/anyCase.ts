import fc from 'fast-check';

/**
 * A word in any letter case, as Meta writes enums differently across pages
 * (`has_permission`, `HAS_PERMISSION`, `Completed`).
 *
 * @example
 * fc.sample(anyCaseArb('approve'), 3); // e.g. ['approve', 'APPROVE', 'aPpRoVe']
 */
export const anyCaseArb = (word: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constant(word.toLowerCase()),
    fc.constant(word.toUpperCase()),
    fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) =>
      [...word].map((ch, i) => (upper[i] === true ? ch.toUpperCase() : ch.toLowerCase())).join('')),
  );
