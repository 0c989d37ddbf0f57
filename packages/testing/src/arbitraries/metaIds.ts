import fc from 'fast-check';

/**
 * A Page id: 15 digits starting with 1 (never equal to a {@link psidArb}, which has 16).
 *
 * @example
 * fc.sample(pageIdArb, 1); // e.g. ['106378625516323']
 */
export const pageIdArb: fc.Arbitrary<string> = fc.stringMatching(/^1\d{14}$/);

/**
 * A Page-scoped id of a person: 16 digits.
 *
 * @example
 * fc.sample(psidArb, 1); // e.g. ['5275811702471834']
 */
export const psidArb: fc.Arbitrary<string> = fc.stringMatching(/^[2-9]\d{15}$/);

/**
 * A Messenger call id, like `c_M5YPhGE5jm0L_PMQdScLlYJlR7tU_f0rgXiTQ`.
 *
 * @example
 * fc.sample(callIdArb, 1); // e.g. ['c_M5YPhGE5jm0L']
 */
export const callIdArb: fc.Arbitrary<string> = fc.stringMatching(/^c_[A-Za-z0-9_]{8,36}$/);

/**
 * A message id (`mid`), like `m_AG5Hz2Uq7tuwNEhX`; may contain `:` as older mids do.
 *
 * @example
 * fc.sample(midArb, 1); // e.g. ['m_1457764197618:41d102a3e1ae206a38']
 */
export const midArb: fc.Arbitrary<string> = fc.stringMatching(/^m_[A-Za-z0-9_:-]{8,60}$/);
