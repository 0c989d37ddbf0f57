import type { Thread } from '@callperm/core';
import { CliError } from './CliError.js';

const id = /^[A-Za-z0-9_.-]+$/;
const WHATSAPP = 'wa:';

/**
 * Reads a thread from `PAGE:PSID` (or from two arguments): both parts non-empty
 * ids of letters, digits, `_`, `.` or `-`. A WhatsApp thread is written
 * `wa:PHONE_NUMBER_ID:WA_ID` (or `wa:PHONE_NUMBER_ID` and `WA_ID`), as `threadKey` prints it.
 *
 * @example
 * parseThread('1234:5678'); // { pageId: '1234', psid: '5678' }
 * parseThread('1234', '5678'); // the same
 * parseThread('wa:1065:4915112345678'); // { channel: 'whatsapp', pageId: '1065', psid: '4915112345678' }
 */
export const parseThread = (pageOrPair: string, psid?: string): Thread => {
  const whatsapp = pageOrPair.startsWith(WHATSAPP);
  const rest = whatsapp ? pageOrPair.slice(WHATSAPP.length) : pageOrPair;
  const parts = psid === undefined ? rest.split(':') : [rest, psid];
  const [pageId, second] = parts;
  if (parts.length !== 2 || pageId === undefined || second === undefined || !id.test(pageId) || !id.test(second)) {
    throw new CliError('usage', 'Give the thread as a Page id and a PSID (PAGE:PSID, e.g. 1234:5678), or a WhatsApp thread as '
      + `wa:PHONE_NUMBER_ID:WA_ID; got ${JSON.stringify(psid === undefined ? pageOrPair : `${pageOrPair} ${psid}`)}.`);
  }
  return whatsapp ? { channel: 'whatsapp', pageId, psid: second } : { pageId, psid: second };
};
