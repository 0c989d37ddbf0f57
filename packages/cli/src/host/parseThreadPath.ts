import type { Thread } from '@callperm/core';

/** What a `/threads/...` path asks for. */
export type ThreadAction = 'status' | 'request' | 'refresh' | 'chart' | 'call';

/** A path under `/threads/`, read: the thread and the action, or why not. */
export type ThreadPath =
  | { readonly ok: true; readonly thread: Thread; readonly action: ThreadAction }
  | { readonly ok: false; readonly error: 'bad_thread' | 'not_found' };

/** Meta's Page ids and PSIDs: decimal digits, bounded in length. */
export const META_ID = /^[0-9]{1,32}$/;
/** A WhatsApp person: a WhatsApp id (digits) or a business-scoped user id (letters, digits, `.`, `_`, `-`), bounded. */
const WHATSAPP_USER = /^[A-Za-z0-9._-]{1,64}$/;
/** A WhatsApp thread's first segment: `wa:` and the business phone-number id. */
const WHATSAPP_NUMBER = /^wa:([0-9]{1,32})$/;

const actionOf = (segment: string): ThreadAction | undefined => {
  switch (segment) {
    case '': return 'status';
    case 'request': case 'refresh': case 'chart': case 'call': return segment;
    default: return undefined;
  }
};

/**
 * Reads the raw path of a request under `/threads/` (query already cut off)
 * without decoding it: the Page id and PSID segments must match {@link META_ID}
 * as sent (percent-encoding never makes a Meta id), so no input can make it
 * throw. A WhatsApp thread is `/threads/wa:PHONE_NUMBER_ID/WA_ID/...` (as the CLI
 * writes it), the person a WhatsApp id or business-scoped user id.
 * `bad_thread` for ids that are not Meta's, `not_found` for other shapes.
 *
 * @example
 * parseThreadPath('/threads/1234/5678/request'); // { ok: true, thread: { pageId: '1234', psid: '5678' }, action: 'request' }
 * parseThreadPath('/threads/wa:1065/4915112345678'); // { ok: true, thread: { channel: 'whatsapp', pageId: '1065', psid: '4915112345678' }, action: 'status' }
 * parseThreadPath('/threads/%E0%A4%A/2'); // { ok: false, error: 'bad_thread' }
 */
export const parseThreadPath = (path: string): ThreadPath => {
  const parts = path.split('/', 7); // '', 'threads', page, psid, action?, '' (a trailing slash)?
  const [, root, pageId, psid, rawAction = '', tail] = parts;
  if (root !== 'threads' || pageId === undefined || psid === undefined || parts.length > 6) return { ok: false, error: 'not_found' };
  if (tail !== undefined && (tail !== '' || rawAction === '')) return { ok: false, error: 'not_found' };
  const action = actionOf(rawAction);
  if (action === undefined) return { ok: false, error: 'not_found' };
  const number = WHATSAPP_NUMBER.exec(pageId)?.[1];
  if (number !== undefined) {
    return WHATSAPP_USER.test(psid) ? { ok: true, thread: { channel: 'whatsapp', pageId: number, psid }, action } : { ok: false, error: 'bad_thread' };
  }
  if (!META_ID.test(pageId) || !META_ID.test(psid)) return { ok: false, error: 'bad_thread' };
  return { ok: true, thread: { pageId, psid }, action };
};
