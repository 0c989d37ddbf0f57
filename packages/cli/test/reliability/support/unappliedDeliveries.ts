import { parseWebhook, threadKey, type PermissionStore, type WebhookEvent } from '@callperm/core';
import type { BalancedDelivery } from './HostBalancer.js';

/** An event of an acknowledged delivery that the store does not reflect. */
export interface Unapplied {
  /** Its delivery's place in the acknowledged list. */
  readonly delivery: number;
  readonly event: WebhookEvent;
  readonly host: string;
  readonly why: 'no_record' | 'message_not_applied' | 'reply_not_applied' | 'undecodable';
}

/**
 * Every event of every delivery a host answered 2xx that the store does not hold
 * the effect of: a message makes the thread's last interaction at least its
 * instant; an approve leaves the thread approved, by evidence at least as new,
 * until at least the expiry it carried (a reject, evidence at least as new). Read
 * after the final sweep, when a delivery parked in the inbox has been applied too.
 *
 * @example
 * expect(await unappliedDeliveries(lb.acknowledged, store, clock.now())).toEqual([]);
 */
export const unappliedDeliveries = async (acked: readonly BalancedDelivery[], store: PermissionStore, now: number): Promise<Unapplied[]> => {
  const out: Unapplied[] = [];
  const records = new Map<string, Awaited<ReturnType<PermissionStore['get']>>>();
  for (const [delivery, d] of acked.entries()) {
    const parsed = parseWebhook(JSON.parse(d.body) as unknown);
    if (!parsed.ok) {
      out.push({ delivery, event: { kind: 'inbound_message', id: '?', at: d.at, thread: { pageId: '?', psid: '?' } }, host: d.host, why: 'undecodable' });
      continue;
    }
    for (const event of parsed.value) {
      if (event.kind !== 'inbound_message' && event.kind !== 'permission_reply') continue;
      const key = threadKey(event.thread);
      if (!records.has(key)) records.set(key, await store.get(event.thread));
      const record = records.get(key)?.record;
      if (record === undefined) {
        out.push({ delivery, event, host: d.host, why: 'no_record' });
      } else if (event.kind === 'inbound_message') {
        if (record.lastInboundAt === null || record.lastInboundAt < event.at) out.push({ delivery, event, host: d.host, why: 'message_not_applied' });
      } else {
        const newer = record.evidence !== null && record.evidence.at >= event.at;
        const holds = event.response === 'approve'
          ? record.state === 'approved' && (record.expiresAt === null || record.expiresAt > now) && (event.expiresAt === null || (record.expiresAt ?? Infinity) >= event.expiresAt)
          : true;
        if (!newer || !holds) out.push({ delivery, event, host: d.host, why: 'reply_not_applied' });
      }
    }
  }
  return out;
};
