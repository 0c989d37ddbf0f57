import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  callEventSpecArb, inboundMessageSpecArb, permissionReplyContentArb, renderCallEvent, renderInboundMessage,
  renderPermissionReply, webhookBodyArb, withoutIds, withUnknownFieldsArb,
} from '../../../testing/src/arbitraries/index.js';
import type { GeneratedEntry } from '../../../testing/src/arbitraries/index.js';
import { parseWebhook } from '../../src/codecs/index.js';
import type { WebhookEvent } from '../../src/webhookEvent.js';

const decoded = (payload: unknown): WebhookEvent[] => {
  const r = parseWebhook(payload);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

const body = (...entries: readonly GeneratedEntry[]): unknown => ({ object: 'page', entry: entries.map((e) => e.entry) });

/** The same event rendered twice, independently: another envelope, unit, casing, entry time, as a retry may be. */
const twice = <S>(spec: fc.Arbitrary<S>, render: (s: S) => fc.Arbitrary<GeneratedEntry>) =>
  spec.chain((s) => fc.tuple(render(s), render(s)));

describe('parseWebhook', () => {
  test.prop([webhookBodyArb])('decodes every envelope and item to the events it means, in order', ({ payload, expected }) => {
    expect(withoutIds(decoded(payload))).toEqual(expected);
  });

  test.prop([webhookBodyArb.chain(({ payload }) => withUnknownFieldsArb(payload).map((noisy) => ({ payload, noisy })))])(
    'unknown fields never change the result, ids included',
    ({ payload, noisy }) => {
      expect(decoded(noisy)).toEqual(decoded(payload));
    },
  );

  test.prop([webhookBodyArb])('two events share an id only when they are the same event', ({ payload }) => {
    const events = decoded(payload);
    for (const a of events) {
      for (const b of events) if (a.id === b.id) expect(withoutIds([a])).toEqual(withoutIds([b]));
    }
  });

  test.prop([twice(permissionReplyContentArb, renderPermissionReply)])(
    'a reply keeps its id whatever envelope, unit or casing carries it',
    ([first, second]) => {
      expect(decoded(body(first))[0]?.id).toBe(decoded(body(second))[0]?.id);
    },
  );

  test.prop([twice(inboundMessageSpecArb, renderInboundMessage)])('an inbound message keeps its id across renderings', ([first, second]) => {
    expect(decoded(body(first))[0]?.id).toBe(decoded(body(second))[0]?.id);
  });

  test.prop([twice(callEventSpecArb, renderCallEvent)])('a call event keeps its id across renderings', ([first, second]) => {
    expect(decoded(body(first))[0]?.id).toBe(decoded(body(second))[0]?.id);
  });

  test.prop([fc.jsonValue()])('never throws on any JSON', (json) => {
    const r = parseWebhook(json);
    if (!r.ok) expect(r.error.what).toBe('webhook');
  });

  test.prop([fc.array(fc.jsonValue(), { maxLength: 5 })])('never throws on any entries inside a valid envelope', (entry) => {
    expect(parseWebhook({ object: 'page', entry }).ok).toBe(true);
  });

  it('refuses a body that is not a Page webhook, saying where', () => {
    // WhatsApp's object is decoded since WhatsApp threads exist (whatsapp.test.ts); another product's is refused here.
    const wrongObject = parseWebhook({ object: 'instagram', entry: [] });
    expect(wrongObject.ok ? null : wrongObject.error.issues[0]?.path).toBe('$.object');
    const noEntries = parseWebhook({ object: 'page' });
    expect(noEntries.ok ? null : noEntries.error.issues[0]?.path).toBe('$.entry');
    expect(parseWebhook('page').ok).toBe(false);
  });

  it('skips an item it cannot place in time or attach to a Page', () => {
    const noTime = { sender: { id: '5' }, recipient: { id: '1' }, call_permission_reply: { response: 'approve' } };
    const noPage = { id: 'c_1', event: 'terminate', timestamp: 1671644824, status: 'Failed' };
    expect(decoded({ object: 'page', entry: [noTime, { calls: [noPage] }] })).toEqual([]);
  });

  it('gives a connect with neither end equal to the Page no person', () => {
    const events = decoded({ object: 'page', entry: [{ id: '1', calls: [
      { id: 'c_1', event: 'connect', timestamp: 1671644824, to: '2', from: '3', call_direction: 'USER_INITIATED' },
    ] }] });
    expect(events.map((e) => (e.kind === 'call' ? [e.psid, e.direction] : null))).toEqual([[null, 'user_initiated']]);
  });
});
