import type { Thread } from '@callperm/core';
import { CliError } from './CliError.js';

const id = /^[A-Za-z0-9_.-]+$/;

/**
 * Reads a thread from `PAGE:PSID` (or from two arguments): both parts non-empty
 * ids of letters, digits, `_`, `.` or `-`.
 *
 * @example
 * parseThread('1234:5678'); // { pageId: '1234', psid: '5678' }
 * parseThread('1234', '5678'); // the same
 */
export const parseThread = (pageOrPair: string, psid?: string): Thread => {
  const [pageId, second] = psid === undefined ? pageOrPair.split(':', 2) : [pageOrPair, psid];
  if (pageId === undefined || second === undefined || !id.test(pageId) || !id.test(second)) {
    throw new CliError('usage', `Give the thread as a Page id and a PSID (PAGE:PSID, e.g. 1234:5678); got ${JSON.stringify(psid === undefined ? pageOrPair : `${pageOrPair} ${psid}`)}.`);
  }
  return { pageId, psid: second };
};
