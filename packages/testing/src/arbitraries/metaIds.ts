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

/** Why a {@link hostileIdArb} id must be refused. */
export type HostileIdReason = 'id_too_long' | 'id_malformed';

/**
 * An id callperm must refuse, with the reason: longer than any Meta id (257 to
 * 4000 characters, past the 64 of Page ids and PSIDs and the 256 of call and
 * message ids), or holding a lone surrogate, NUL or another control
 * character somewhere in an otherwise ordinary id. Generated payloads use valid
 * ids; this one is for the tests of the refusals.
 *
 * @example
 * fc.sample(hostileIdArb, 1); // e.g. [{ id: '12\u0000', reason: 'id_malformed' }]
 */
export const hostileIdArb: fc.Arbitrary<{ readonly id: string; readonly reason: HostileIdReason }> = fc.oneof(
  fc.integer({ min: 257, max: 4000 }).map((n) => ({ id: '9'.repeat(n), reason: 'id_too_long' as const })),
  fc.tuple(
    // At least one digit: an id of only whitespace ('\n') is no id at all, and the item is skipped, not refused.
    fc.stringMatching(/^[0-9]{1,12}$/),
    fc.constantFrom('\u0000', '\u0001', '\n', '\u007f', '\u0085', '\ud800', '\udfff', '\udc00\ud800'),
    fc.stringMatching(/^[0-9]{0,12}$/),
  ).map(([a, bad, b]) => ({ id: `${a}${bad}${b}`, reason: 'id_malformed' as const })),
);
