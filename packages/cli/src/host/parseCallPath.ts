import { META_ID } from './parseThreadPath.js';

/** What a `/calls/...` path asks for. */
export type CallAction = 'terminate' | 'accept' | 'reject';

/** A path under `/calls/`, read: the Page, the call and the action, or why not. */
export type CallPath =
  | { readonly ok: true; readonly pageId: string; readonly callId: string; readonly action: CallAction }
  | { readonly ok: false; readonly error: 'bad_call' | 'not_found' };

/** Meta's call ids (`c_…`): letters, digits and `_ - . :`, bounded in length. */
export const CALL_ID = /^[A-Za-z0-9_.:-]{1,256}$/;

const actions: readonly CallAction[] = ['terminate', 'accept', 'reject'];

/**
 * Reads the raw path of a request under `/calls/` (query already cut off)
 * without decoding it: `/calls/:page/:callId/:action`. The Page id must match
 * {@link META_ID} and the call id {@link CALL_ID} as sent, so no input can make it
 * throw. `bad_call` for ids that are not Meta's, `not_found` for other shapes.
 *
 * @example
 * parseCallPath('/calls/1234/c_abc/terminate'); // { ok: true, pageId: '1234', callId: 'c_abc', action: 'terminate' }
 * parseCallPath('/calls/1234/%00/terminate');   // { ok: false, error: 'bad_call' }
 */
export const parseCallPath = (path: string): CallPath => {
  const parts = path.split('/', 6); // '', 'calls', page, call, action
  const [, root, pageId, callId, action] = parts;
  if (root !== 'calls' || parts.length !== 5 || pageId === undefined || callId === undefined) return { ok: false, error: 'not_found' };
  const known = actions.find((a) => a === action);
  if (known === undefined) return { ok: false, error: 'not_found' };
  if (!META_ID.test(pageId) || !CALL_ID.test(callId)) return { ok: false, error: 'bad_call' };
  return { ok: true, pageId, callId, action: known };
};
