import type { Instant, Thread } from '@callperm/core';

/** The person wrote to the Page (the messaging window opens), as Meta recorded it. */
export interface FakeInbound {
  /** Order among all the fake's records (sends, messages, replies). */
  readonly seq: number;
  readonly thread: Thread;
  readonly at: Instant;
}

/** The person tapped Accept or Decline on an opt-in, as Meta recorded it. */
export interface FakeReply {
  /** Order among all the fake's records (sends, messages, replies). */
  readonly seq: number;
  readonly thread: Thread;
  readonly at: Instant;
  readonly response: 'approve' | 'reject';
  /** The opt-in answered, when known. */
  readonly optInMessageId: string | null;
}

/**
 * How a test tells the fake the person answered an opt-in: `approve` grants
 * (until `expiresAt`, default 7 days; `null` = no expiry), `reject` ends any permission.
 *
 * @example
 * fake.reply(thread, { response: 'reject', optInMessageId: fake.optIns[0]!.messageId });
 */
export interface FakeReplyInput {
  readonly response: 'approve' | 'reject';
  /** When (default now). */
  readonly at?: Instant;
  readonly optInMessageId?: string | null;
  readonly expiresAt?: Instant | null;
}
