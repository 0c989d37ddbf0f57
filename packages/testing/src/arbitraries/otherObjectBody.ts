import fc from 'fast-check';
import { webhookBodyArb } from './webhookBody.js';

/**
 * The `object` of a webhook that another Meta product sends to the same callback
 * URL: the ones Meta documents, and any other plain name (never `page` nor
 * `whatsapp_business_account`, in any case: callperm decodes both).
 *
 * @example
 * fc.sample(otherObjectNameArb, 2); // e.g. ['instagram', 'user']
 */
export const otherObjectNameArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('instagram', 'user', 'permissions', 'application', 'certificate_transparency'),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/).filter((name) => name !== 'page' && name !== 'whatsapp_business_account'),
);

/**
 * A body of another Meta product: `{object: <not page>, entry: [...]}` whose
 * entries are anything, Page-webhook entries that would mean events included (so
 * a receiver that looked inside would act on them), or no `entry` at all.
 *
 * @example
 * fc.sample(otherObjectBodyArb, 1); // e.g. [{ object: 'instagram', payload: { object: 'instagram', entry: [...] } }]
 */
export const otherObjectBodyArb: fc.Arbitrary<{ readonly object: string; readonly payload: unknown }> = fc
  .record({
    object: otherObjectNameArb,
    entry: fc.oneof(
      webhookBodyArb.map(({ payload }) => (payload as { entry?: unknown }).entry),
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 3 }),
      fc.constant(undefined),
    ),
  })
  .map(({ object, entry }) => ({ object, payload: entry === undefined ? { object } : { object, entry } }));
