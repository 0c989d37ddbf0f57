/** The messaging product a thread lives on. */
export type Channel = 'messenger' | 'whatsapp';

/**
 * A thread is one conversation between a business and a person: the unit every
 * permission, quota and record is keyed by. On Messenger, a Page and a person's
 * Page-scoped id; on WhatsApp (`channel: 'whatsapp'`), a business phone-number id
 * and the person's WhatsApp id (`wa_id`) or business-scoped user id.
 *
 * @example
 * const t: Thread = { pageId: '1234', psid: '5678' };
 * threadKey(t); // '1234:5678'
 * threadKey({ channel: 'whatsapp', pageId: '1065', psid: '4915112345678' }); // 'wa:1065:4915112345678'
 */
export interface Thread {
  /** Messenger: the Page id. WhatsApp: the business phone-number id. */
  readonly pageId: string;
  /** Messenger: the person's Page-scoped id. WhatsApp: the person's WhatsApp id or business-scoped user id. */
  readonly psid: string;
  /** `whatsapp` for a WhatsApp thread; absent for Messenger (every thread stored before channels existed). */
  readonly channel?: 'whatsapp';
}

/**
 * The thread's channel.
 *
 * @example
 * channelOf({ pageId: '1', psid: '2' }); // 'messenger'
 */
export const channelOf = (thread: Thread): Channel => (thread.channel === 'whatsapp' ? 'whatsapp' : 'messenger');

/** A stable string key for a thread (`pageId:psid`, `wa:` first on WhatsApp); Messenger ids are numeric strings. */
export const threadKey = (thread: Thread): string =>
  (thread.channel === 'whatsapp' ? `wa:${thread.pageId}:${thread.psid}` : `${thread.pageId}:${thread.psid}`);

/** Milliseconds since the Unix epoch, UTC. Every instant in callperm is one of these. */
export type Instant = number;
