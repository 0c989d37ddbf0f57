import type { Thread } from '@callperm/core';

/** What a `/threads/...` path asks for. */
export type ThreadAction = 'status' | 'request' | 'refresh' | 'chart' | 'call';

/** A path under `/threads/`, read: the thread and the action, or why not. */
export type ThreadPath =
  | { readonly ok: true; readonly thread: Thread; readonly action: ThreadAction }
  | { readonly ok: false; readonly error: 'bad_thread' | 'not_found' };

/** Meta's Page ids and PSIDs: decimal digits, bounded in length. */
export const META_ID = /^[0-9]{1,32}$/;

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
 * throw. `bad_thread` for ids that are not Meta's, `not_found` for other shapes.
 *
 * @example
 * parseThreadPath('/threads/1234/5678/request'); // { ok: true, thread: { pageId: '1234', psid: '5678' }, action: 'request' }
 * parseThreadPath('/threads/%E0%A4%A/2'); // { ok: false, error: 'bad_thread' }
 */
export const parseThreadPath = (path: string): ThreadPath => {
  const parts = path.split('/', 7); // '', 'threads', page, psid, action?, '' (a trailing slash)?
  const [, root, pageId, psid, rawAction = '', tail] = parts;
  if (root !== 'threads' || pageId === undefined || psid === undefined || parts.length > 6) return { ok: false, error: 'not_found' };
  if (tail !== undefined && (tail !== '' || rawAction === '')) return { ok: false, error: 'not_found' };
  const action = actionOf(rawAction);
  if (action === undefined) return { ok: false, error: 'not_found' };
  if (!META_ID.test(pageId) || !META_ID.test(psid)) return { ok: false, error: 'bad_thread' };
  return { ok: true, thread: { pageId, psid }, action };
};
