import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { hostileIdArb, pageIdArb, psidArb, webhookBodyArb } from '../../../testing/src/arbitraries/index.js';
import { decodeWebhook, parseWebhook } from '../../src/codecs/index.js';

/** JSON with any UTF-16 string (lone surrogates, NUL, controls), in keys and values. */
const binaryJsonArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Replaces string leaves of `json` (walk order) by the strings given, where `pick` says so. */
const replaceStrings = (json: unknown, strings: readonly string[], pick: readonly boolean[]): unknown => {
  let n = 0;
  const walk = (u: unknown): unknown => {
    if (typeof u === 'string') {
      const i = n++;
      return pick[i % pick.length] === true ? strings[i % strings.length] : u;
    }
    if (Array.isArray(u)) return u.map(walk);
    if (typeof u === 'object' && u !== null) return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, walk(v)]));
    return u;
  };
  return walk(json);
};

/** A genuine webhook body some of whose strings (ids, mids, statuses) are any UTF-16 text. */
const mangledBodyArb: fc.Arbitrary<unknown> = fc.tuple(
  webhookBodyArb,
  fc.array(fc.oneof(fc.string({ unit: 'binary' }), hostileIdArb.map((h) => h.id), fc.constantFrom('\ud800', '1\udfff2')), { minLength: 1, maxLength: 8 }),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
).map(([{ payload }, strings, pick]) => replaceStrings(payload, strings, pick));

/** A genuine inbound message from `psid` to `page`, with a `mid`. */
const message = (page: string, psid: string, mid: string) => ({
  id: page, time: 1671644824,
  messaging: [{ sender: { id: psid }, recipient: { id: page }, timestamp: 1671644824, message: { mid, text: 'hi' } }],
});
const reply = (page: string, psid: string) => ({
  id: page, time: 1671644824,
  messaging: [{ sender: { id: psid }, recipient: { id: page }, timestamp: 1671644824, call_permission_reply: { response: 'approve' } }],
});
const call = (page: string, callId: string, status = 'ringing') => ({
  id: page, changes: [{ field: 'calls', value: { id: callId, event: 'call_status', timestamp: 1671644824, call_status: status, recipient_id: '2000000000000001' } }],
});

describe('hostile ids in a webhook', () => {
  test.prop([fc.oneof(mangledBodyArb, binaryJsonArb, binaryJsonArb.map((entry) => ({ object: 'page', entry: [entry] })))])(
    'parseWebhook and decodeWebhook never throw on any JSON, lone surrogates included',
    (json) => {
      expect(() => parseWebhook(json)).not.toThrow();
      expect(() => decodeWebhook(json)).not.toThrow();
      const r = parseWebhook(json);
      // Whatever it kept is safe to store: ids and statuses are bounded, well-formed text.
      if (r.ok) for (const e of r.value) expect(() => encodeURIComponent(JSON.stringify(e))).not.toThrow();
    },
  );

  test.prop([pageIdArb, psidArb, hostileIdArb, fc.constantFrom('page', 'psid', 'mid', 'reply_psid', 'call_id')])(
    'an item with a hostile id is refused with its reason and counted; the genuine items beside it are kept',
    (page, psid, hostile, where) => {
      const bad = {
        page: message(hostile.id, psid, 'm_1'),
        psid: message(page, hostile.id, 'm_1'),
        mid: message(page, psid, hostile.id),
        reply_psid: reply(page, hostile.id),
        call_id: call(page, hostile.id),
      }[where];
      const r = decodeWebhook({ object: 'page', entry: [message(page, psid, 'm_before'), bad, reply(page, psid)] });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.events.map((e) => e.kind)).toEqual(['inbound_message', 'permission_reply']);
      expect(r.value.refused[hostile.reason]).toBe(1);
      expect(Object.values(r.value.refused).reduce((a, b) => a + b, 0)).toBe(1);
    },
  );

  it('ids at their limits are kept; one character more is refused', () => {
    const ok = decodeWebhook({ object: 'page', entry: [message('1'.repeat(64), '2'.repeat(64), 'm'.repeat(256))] });
    expect(ok.ok && ok.value.events.length).toBe(1);
    const long = decodeWebhook({ object: 'page', entry: [message('1'.repeat(64), '2'.repeat(65), 'm_1'), message('1', '2', 'm'.repeat(257))] });
    expect(long.ok && long.value.refused.id_too_long).toBe(2);
  });

  it('a well-formed surrogate pair is kept; a status with NUL is refused as field_malformed', () => {
    const pair = decodeWebhook({ object: 'page', entry: [message('1234', '5678', 'm_\ud83d\ude00')] });
    expect(pair.ok && pair.value.events.length).toBe(1);
    const status = decodeWebhook({ object: 'page', entry: [call('1234', 'c_1', 'ring\u0000ing')] });
    expect(status.ok && status.value.refused.field_malformed).toBe(1);
  });
});

describe('the per-delivery caps', () => {
  it('keeps the first events up to the caps and counts the rest, by reason', () => {
    const entries = Array.from({ length: 2500 }, (_, i) => message('1234', String(2_000_000 + i), `m_${i}`));
    const r = decodeWebhook({ object: 'page', entry: entries });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.events).toHaveLength(2000);
    expect(r.value.refused.too_many_events).toBe(500);
    const threads = decodeWebhook({ object: 'page', entry: entries.slice(0, 30) }, {
      maxEventsPerDelivery: 100, maxThreadsPerDelivery: 10, horizonMs: 0, skewMs: 0,
    });
    expect(threads.ok && threads.value.refused.too_many_threads).toBe(20);
  });
});
