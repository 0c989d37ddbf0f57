import fc from 'fast-check';
import type { MetaError } from '@callperm/core';
import type { Generated } from './Generated.js';

/**
 * A normalised Meta error: `message` and `code` always, the other members sometimes.
 *
 * @example
 * fc.sample(metaErrorArb, 1); // e.g. [{ message: 'x', code: 190, fbtraceId: 'AbCdEfGhIjK' }]
 */
export const metaErrorArb: fc.Arbitrary<MetaError> = fc.record({
  message: fc.string(),
  code: fc.constantFrom(1, 2, 4, 10, 17, 100, 190, 200, 230, 368, 551, 613, 2018389, 80006),
  type: fc.constantFrom('OAuthException', 'GraphMethodException', 'IGApiException'),
  subcode: fc.constantFrom(33, 460, 2018278, 2534022, 2534040, 1545041, 1893063),
  userTitle: fc.string(),
  userMessage: fc.string(),
  fbtraceId: fc.stringMatching(/^[A-Za-z0-9_-]{11}$/),
  isTransient: fc.boolean(),
  errorData: fc.jsonValue({ maxDepth: 2 }),
}, { requiredKeys: ['message', 'code'] });

/** Optional members of the wrong type: dropped by the decoder, so they never change the result. */
const junk: Readonly<Record<string, unknown>> = {
  type: 42, error_subcode: 'n/a', error_user_title: false, error_user_msg: 7, fbtrace_id: {}, is_transient: 'yes',
};

/**
 * Meta's error body `{"error":{...}}` (codes sometimes as numeric strings, absent
 * optional members sometimes sent with a wrong type) with the {@link MetaError} it means.
 *
 * @example
 * fc.assert(fc.property(graphErrorArb, ({ payload, expected }) => {
 *   const r = parseGraphError(payload);
 *   return r.ok && r.value.code === expected.code;
 * }));
 */
export const graphErrorArb: fc.Arbitrary<Generated<MetaError>> = metaErrorArb.chain((e) =>
  fc.record({ codeAsString: fc.boolean(), subcodeAsString: fc.boolean(), withJunk: fc.boolean() }).map((how) => {
    const error: Record<string, unknown> = {
      message: e.message,
      code: how.codeAsString ? String(e.code) : e.code,
    };
    if (e.type !== undefined) error.type = e.type;
    if (e.subcode !== undefined) error.error_subcode = how.subcodeAsString ? String(e.subcode) : e.subcode;
    if (e.userTitle !== undefined) error.error_user_title = e.userTitle;
    if (e.userMessage !== undefined) error.error_user_msg = e.userMessage;
    if (e.fbtraceId !== undefined) error.fbtrace_id = e.fbtraceId;
    if (e.isTransient !== undefined) error.is_transient = e.isTransient;
    if ('errorData' in e) error.error_data = e.errorData;
    if (how.withJunk) for (const [k, v] of Object.entries(junk)) if (!(k in error)) error[k] = v;
    return { payload: { error }, expected: e };
  }));
