import type { FakeOptIn } from '../fakeGraph/FakeGraphCore.js';

/** What a simulated person does with an opt-in, and after how long (virtual ms). */
export type ConsumerAnswer =
  /** Taps Accept: Meta grants until `expiresInMs` from then (default 7 days) and posts the reply. */
  | { readonly kind: 'approve'; readonly afterMs: number; readonly expiresInMs?: number }
  /** Taps Decline: Meta posts the reply; no permission. */
  | { readonly kind: 'reject'; readonly afterMs: number }
  /** Never answers. */
  | { readonly kind: 'ignore' };

/** Decides each person's answer to each opt-in. */
export type ConsumerBehaviour = (optIn: FakeOptIn) => ConsumerAnswer;

/**
 * Ready-made behaviours.
 *
 * @example
 * createConsumerSimulator({ fake, hostUrl, appSecret, behaviour: consumers.approveAfter(30_000) });
 * createConsumerSimulator({ fake, hostUrl, appSecret, behaviour: (o) => (o.thread.psid === '1' ? consumers.reject() : consumers.ignore()) });
 */
export const consumers = {
  approveAfter: (afterMs: number, expiresInMs?: number): ConsumerBehaviour => () =>
    (expiresInMs === undefined ? { kind: 'approve', afterMs } : { kind: 'approve', afterMs, expiresInMs }),
  rejectAfter: (afterMs: number): ConsumerBehaviour => () => ({ kind: 'reject', afterMs }),
  ignore: (): ConsumerBehaviour => () => ({ kind: 'ignore' }),
} as const;
