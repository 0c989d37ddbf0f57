import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  hostileIdArb, inboundMessageEntryArb, messagingNoiseArb, pageIdArb, permissionReplyEntryArb, personInteractionEntryArb,
  psidArb, webhookBodyArb, withoutIds,
} from '../../../testing/src/arbitraries/index.js';
import { decodeWebhook } from '../../src/codecs/index.js';
import type { DecodedWebhook } from '../../src/codecs/index.js';

const decoded = (payload: unknown): DecodedWebhook => {
  const r = decodeWebhook(payload);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** The entry with its `messaging[]` delivered as `standby[]` instead, as the app without thread control gets it. */
const asStandby = (entry: unknown): unknown => {
  if (!isRecord(entry) || !('messaging' in entry)) return entry;
  const { messaging, ...rest } = entry;
  return { ...rest, standby: messaging };
};

/** The `messaging[]` items of generated entries: replies (Shape B), messages, postbacks, referrals, opt-ins, reactions, noise. */
const itemsOf = (entry: unknown): unknown[] => (isRecord(entry) && Array.isArray(entry.messaging) ? entry.messaging : []);
const messagingItemArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.oneof(inboundMessageEntryArb, personInteractionEntryArb, permissionReplyEntryArb)
    .map((g) => itemsOf(g.entry))
    .filter((items) => items.length > 0)
    .chain((items) => fc.constantFrom(...items)),
  messagingNoiseArb,
  // an item refused for a hostile id: refused alike under either key
  fc.tuple(pageIdArb, psidArb, hostileIdArb, fc.boolean()).map(([page, psid, bad, onPsid]) => ({
    sender: { id: onPsid ? bad.id : psid }, recipient: { id: page }, timestamp: 1671644824, message: { mid: onPsid ? 'm_1' : bad.id },
  })),
  fc.jsonValue({ maxDepth: 3 }),
);

/** What an entry says besides its items: its Page and time, either possibly absent. */
const entryContextArb = fc.record({ id: pageIdArb, time: fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }) }, { requiredKeys: [] });

describe('standby[] items (handover protocol) decode as messaging[] items do', () => {
  test.prop([
    entryContextArb,
    fc.array(messagingItemArb, { maxLength: 4 }),
    fc.array(messagingItemArb, { maxLength: 4 }),
  ])('an entry with items A under messaging and B under standby yields exactly the events (ids and refusals included) of A then B under messaging', (ctx, a, b) => {
    const split = decoded({ object: 'page', entry: [{ ...ctx, messaging: a, standby: b }] });
    const together = decoded({ object: 'page', entry: [{ ...ctx, messaging: [...a, ...b] }] });
    expect(split).toEqual(together);
  });

  test.prop([webhookBodyArb.chain((g) => fc.tuple(
    fc.constant(g),
    fc.array(fc.boolean(), { minLength: (g.payload as { entry: unknown[] }).entry.length, maxLength: (g.payload as { entry: unknown[] }).entry.length }),
  ))])('moving any entries’ messaging[] to standby[] changes nothing: same events, same ids, what the body means', ([{ payload, expected }, move]) => {
    const { entry } = payload as { entry: unknown[] };
    const moved = { object: 'page', entry: entry.map((e, i) => (move[i] === true ? asStandby(e) : e)) };
    const r = decoded(moved);
    expect(r).toEqual(decoded(payload));
    expect(withoutIds(r.events)).toEqual(expected);
  });
});

describe('what opens the messaging window, from messaging[] or standby[]', () => {
  const page = '106378625516323';
  const psid = '5275811702471834';
  const at = 1_671_644_824;
  const item = (body: Record<string, unknown>, from: unknown = { id: psid }) => ({ sender: from, recipient: { id: page }, timestamp: at, ...body });
  const inbound = [{ kind: 'inbound_message', at: at * 1000, thread: { pageId: page, psid } }];

  const opens: Record<string, Record<string, unknown>> = {
    'a message': { message: { mid: 'm_1', text: 'hi' } },
    'a postback': { postback: { mid: 'm_2', title: 'Call me', payload: 'CALL' } },
    'a referral': { referral: { ref: 'call-me', source: 'SHORTLINK', type: 'OPEN_THREAD' } },
    'an ad referral': { referral: { source: 'ADS', type: 'OPEN_THREAD', ad_id: '6045246247433' } },
    'an optin': { optin: { ref: 'plugin' } },
    'a marketing optin': { optin: { type: 'notification_messages', payload: 'x', notification_messages_token: 'tok_123' } },
    'a reaction': { reaction: { reaction: 'smile', emoji: '\u{1F604}', action: 'react', mid: 'm_3' } },
    'an unreaction': { reaction: { reaction: 'smile', action: 'unreact', mid: 'm_3' } },
  };
  for (const key of ['messaging', 'standby'] as const) {
    for (const [name, body] of Object.entries(opens)) {
      it(`${name} from the person under ${key} is an inbound interaction`, () => {
        expect(withoutIds(decoded({ object: 'page', entry: [{ id: page, [key]: [item(body)] }] }).events)).toEqual(inbound);
      });
    }
  }

  const doesNot: Record<string, unknown> = {
    echo: item({ message: { is_echo: true, mid: 'm_4', text: 'from the Page' } }, { id: page }),
    'echo with the person as sender': item({ message: { is_echo: true, mid: 'm_5', text: 'x' } }),
    delivery: item({ delivery: { mids: ['m_1'], watermark: at } }),
    read: item({ read: { watermark: at } }),
    handover: item({ pass_thread_control: { new_owner_app_id: '263902037430900', metadata: '' } }),
    'checkbox optin (no PSID)': { recipient: { id: page }, timestamp: at, optin: { ref: 'c', user_ref: 'ur_1' } },
    'chat-plugin referral (user_ref only)': item({ referral: { source: 'CUSTOMER_CHAT_PLUGIN' } }, { user_ref: 'ur_1' }),
  };
  for (const key of ['messaging', 'standby'] as const) {
    it(`echoes, receipts, handover events and items naming no PSID under ${key} are not`, () => {
      expect(decoded({ object: 'page', entry: [{ id: page, [key]: Object.values(doesNot) }] }).events).toEqual([]);
    });
  }
});
