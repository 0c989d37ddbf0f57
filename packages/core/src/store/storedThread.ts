import type { Thread } from '../thread.js';

/** What a WhatsApp thread's business id carries in a store: Messenger ids are digits, so nothing else starts so. */
const WHATSAPP_PREFIX = 'wa:';

/**
 * A thread as drivers key it: a Messenger thread as it is (so every row stored
 * before channels existed reads unchanged), a WhatsApp thread with `wa:` before
 * its business phone-number id. The one place a thread's channel is encoded for
 * storage; {@link threadOfStored} reads it back. A Messenger thread whose Page id
 * starts with `wa:` cannot be stored (it would read back as WhatsApp's).
 *
 * @example
 * storedThread({ pageId: '1234', psid: '5678' }); // the same object
 * storedThread({ channel: 'whatsapp', pageId: '1065', psid: '4915' }); // { pageId: 'wa:1065', psid: '4915' }
 */
export const storedThread = (thread: Thread): Thread => {
  if (thread.channel === 'whatsapp') return { pageId: WHATSAPP_PREFIX + thread.pageId, psid: thread.psid };
  if (thread.pageId.startsWith(WHATSAPP_PREFIX)) {
    throw new RangeError(`[callperm] A Messenger Page id cannot start with "${WHATSAPP_PREFIX}"; for a WhatsApp thread pass channel: 'whatsapp' and the phone-number id.`);
  }
  return thread;
};

/**
 * The thread a driver's key names (see {@link storedThread}).
 *
 * @example
 * threadOfStored({ pageId: 'wa:1065', psid: '4915' }); // { channel: 'whatsapp', pageId: '1065', psid: '4915' }
 */
export const threadOfStored = (stored: Thread): Thread =>
  (stored.pageId.startsWith(WHATSAPP_PREFIX) ? { channel: 'whatsapp', pageId: stored.pageId.slice(WHATSAPP_PREFIX.length), psid: stored.psid } : stored);
