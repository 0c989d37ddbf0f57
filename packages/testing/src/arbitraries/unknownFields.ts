import fc from 'fast-check';

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** Field names no Meta payload uses: prefixed `x_`, so they never collide with a known or `call_permission*` name. */
const extraFieldsArb = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).map((s) => `x_${s}`),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 3 },
);

/**
 * The same payload with unknown fields added to every object in it (arrays keep
 * their items), as Meta adds fields over time. Members named in `skip` are copied
 * untouched (e.g. `error_data`, which callperm passes through as is).
 *
 * @example
 * fc.assert(fc.property(withUnknownFieldsArb({ message_id: 'm_1' }), (p) => parseSendResponse(p).ok));
 */
export const withUnknownFieldsArb = (payload: unknown, skip: readonly string[] = []): fc.Arbitrary<unknown> => {
  if (Array.isArray(payload)) return fc.tuple(...payload.map((item: unknown) => withUnknownFieldsArb(item, skip)));
  if (!isRecord(payload)) return fc.constant(payload);
  const entries = Object.entries(payload);
  const fields = entries.map(([k, v]) => (skip.includes(k) ? fc.constant(v) : withUnknownFieldsArb(v, skip)));
  return fc.tuple(extraFieldsArb, fc.tuple(...fields)).map(([extras, values]) => {
    const out: Record<string, unknown> = { ...extras };
    entries.forEach(([k], i) => {
      out[k] = values[i];
    });
    return out;
  });
};
