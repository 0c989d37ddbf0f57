import type { Thread } from '../thread.js';

/**
 * An unambiguous key of two ids, whatever they contain: the first id's length,
 * then both (`'12'+'3'` and `'1'+'23'` differ). What drivers and the service use
 * to tell threads apart in memory.
 *
 * @example
 * pairKey('12', '3'); // '2:123'
 * pairKey('1', '23'); // '1:123'
 */
export const pairKey = (first: string, second: string): string => `${first.length}:${first}${second}`;

/**
 * A thread's {@link pairKey} (a WhatsApp thread's business id counted with `wa:` before it, so
 * it never meets a Messenger thread's).
 *
 * @example
 * threadPairKey({ pageId: '1234', psid: '5678' }); // '4:12345678'
 */
export const threadPairKey = (t: Thread): string => pairKey(t.channel === 'whatsapp' ? `wa:${t.pageId}` : t.pageId, t.psid);
