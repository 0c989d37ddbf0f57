import type { WebhookEvent } from '@callperm/core';

/**
 * A generated Meta payload together with what callperm must decode it to, so a
 * property reads "decode(payload) equals expected".
 *
 * @example
 * const g: Generated<{ messageId: string }> = { payload: { message_id: 'm_1' }, expected: { messageId: 'm_1' } };
 */
export interface Generated<T> {
  readonly payload: unknown;
  readonly expected: T;
}

/** `Omit` that keeps a union a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A webhook event without its dedupe `id`: what a payload means. The `id` is
 * checked by its own properties (stable across retries, equal only for equal events).
 *
 * @example
 * const e: WebhookEventContent = { kind: 'inbound_message', at: 1_700_000_000_000, thread: { pageId: '1', psid: '2' } };
 */
export type WebhookEventContent = DistributiveOmit<WebhookEvent, 'id'>;

/**
 * Drops the `id` of decoded events, to compare them with generated expectations.
 *
 * @example
 * expect(withoutIds(events)).toEqual(expected);
 */
export const withoutIds = (events: readonly WebhookEvent[]): WebhookEventContent[] =>
  events.map(({ id: _id, ...content }) => content);

/**
 * One webhook `entry[]` and the events it must decode to, in order.
 *
 * @example
 * const g: GeneratedEntry = { entry: { id: '1', time: 1671644824 }, expected: [] };
 */
export interface GeneratedEntry {
  readonly entry: unknown;
  readonly expected: readonly WebhookEventContent[];
}
