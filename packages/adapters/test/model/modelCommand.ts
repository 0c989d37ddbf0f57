import type { fc } from '@fast-check/vitest';
import { expect } from 'vitest';
import { noRefusals, parseWebhook } from '@callperm/core';
import { sawImplicitGrant, sawInbound, sawReply } from './referenceModel.js';
import { expectDecisionsMatch, expectQuotaHeld } from './modelCheck.js';
import { META_RETRY_MS, type Delivery, type DeliveryItem, type Model, type World } from './modelWorld.js';

/**
 * One command of the model run: time first moves on by `gapMs` (commands happen
 * at distinct instants, whole seconds apart), then the command acts on the world
 * and the model alike, then every thread's decision is compared and the quota
 * checked from Meta's records.
 */
export abstract class ModelCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly gapMs: number) {}

  check(_m: Readonly<Model>): boolean {
    return true;
  }

  async run(m: Model, w: World): Promise<void> {
    w.clock.advance(this.gapMs);
    m.now = w.clock.now();
    const live = (d: Delivery): boolean => d.createdAt >= m.now - META_RETRY_MS;
    m.tally.dropped += m.pending.filter((d) => !live(d)).length;
    m.pending = m.pending.filter(live);
    m.delivered = m.delivered.filter(live);
    m.tally.commands += 1;
    await this.act(m, w);
    expectQuotaHeld(w.fake);
    await expectDecisionsMatch(m, w, this.toString());
  }

  abstract act(m: Model, w: World): Promise<void>;
  abstract toString(): string;
}

/** What the model learns from one webhook item reaching the service. */
const learn = (m: Model, item: DeliveryItem): void => {
  const t = m.threads[item.ti]!;
  switch (item.kind) {
    case 'inbound':
      return sawInbound(t, item.at);
    case 'reply':
      // Meta times a reply in whole seconds: it happened no later than the end of that second,
      // so it reads as that second's last millisecond (newer than a check earlier in the second).
      return sawReply(t, Math.floor(item.at / 1000) * 1000 + 999, item.response, item.expiresAt);
    case 'call': {
      const call = m.calls.get(item.callId)!;
      const before = call.connectSeen && call.endSeen;
      if (item.part === 'connect') call.connectSeen = true;
      else call.endSeen = true;
      // The service infers the grant once it knows both the person's connect and how the call ended.
      if (!before && call.connectSeen && call.endSeen) {
        sawImplicitGrant(t, call.connectAt, call.endAt);
        m.tally.grants += 1;
      }
    }
  }
};

/** Meta posts `d` to the host: decoded like the receiver decodes it, then ingested. */
export const deliver = async (m: Model, w: World, d: Delivery): Promise<void> => {
  const events = parseWebhook(d.body);
  if (!events.ok) throw new Error(`model: a body the codec refused: ${JSON.stringify(events.error)}`);
  const report = await w.permissions.ingest(events.value);
  expect(report.refused, 'nothing refused at admission').toEqual(noRefusals);
  for (const item of d.items) learn(m, item);
  m.pending = m.pending.filter((p) => p !== d);
  m.delivered.push(d);
  m.tally.deliveries += 1;
};

/** Meta posts `d` again (a retry): every event is a duplicate, nothing changes. */
export const redeliver = async (m: Model, w: World, d: Delivery): Promise<void> => {
  const events = parseWebhook(d.body);
  if (!events.ok) throw new Error('model: a body the codec refused');
  const report = await w.permissions.ingest(events.value);
  expect({ applied: report.applied, duplicates: report.duplicates }, 'a redelivery within the dedupe window').toEqual({ applied: 0, duplicates: events.value.length });
  m.tally.duplicates += 1;
};

/** A webhook Meta owes: delivered now, or left for a later Deliver (reordering, or loss after an hour). */
export const owe = async (m: Model, w: World, body: unknown, items: readonly DeliveryItem[], now: boolean): Promise<void> => {
  m.seq += 1;
  const d: Delivery = { seq: m.seq, createdAt: m.now, body, items };
  m.pending.push(d);
  if (now) await deliver(m, w, d);
};
