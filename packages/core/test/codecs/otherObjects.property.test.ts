import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { anyCaseArb, otherObjectBodyArb, webhookBodyArb } from '../../../testing/src/arbitraries/index.js';
import { decodeWebhook, noRefusals, parseWebhook } from '../../src/index.js';

describe('a body of another Meta product on the same callback URL', () => {
  test.prop([otherObjectBodyArb])('decodeWebhook: no events, nothing refused, the object named, whatever the entries hold', ({ object, payload }) => {
    const r = decodeWebhook(payload);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual({ events: [], refused: noRefusals, otherObject: object });
  });

  test.prop([otherObjectBodyArb])('parseWebhook still refuses it, pointing at $.object', ({ payload }) => {
    const r = parseWebhook(payload);
    expect(r.ok ? null : r.error.issues[0]?.path).toBe('$.object');
  });

  test.prop([webhookBodyArb])('a Page webhook names no other object', ({ payload }) => {
    const r = decodeWebhook(payload);
    expect(r.ok && r.value.otherObject).toBe(null);
  });

  test.prop([anyCaseArb('page').filter((p) => p !== 'page'), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 })])(
    'page in another letter case is no other product: still refused, never silently ignored',
    (object, entry) => {
      expect(decodeWebhook({ object, entry }).ok).toBe(false);
    },
  );

  it('an object that is no plain name (absent, not text, empty, odd characters, too long) is still refused', () => {
    for (const object of [undefined, null, 7, ['page'], '', ' instagram', 'insta gram', 'a\u0000b', '\ud800', 'x'.repeat(65)]) {
      expect(decodeWebhook({ object, entry: [] }).ok).toBe(false);
    }
    expect(decodeWebhook('instagram').ok).toBe(false);
  });
});
