import type { RefusalKind } from '../machine/PermissionRecord.js';
import type { GraphFailure } from '../ports/GraphApi.js';

/**
 * What a failed opt-in teaches the thread, by the failure's kind; undefined when
 * it teaches the thread nothing (a passing fault, a token problem, a Page-level
 * fact). Only a failure Meta answered counts: an unknown outcome proves nothing.
 *
 * @example
 * refusalOf({ kind: 'outside_window', processed: 'no', message: '...' }); // 'outside_window'
 */
export const refusalOf = (failure: GraphFailure): RefusalKind | undefined => {
  if (failure.processed !== 'no') return undefined;
  // 10/2018278, 10/2534022: the person has not written within Meta's window.
  if (failure.kind === 'outside_window') return 'outside_window';
  // 613 on the opt-in: the thread's opt-in quota is used up at Meta.
  if (failure.kind === 'request_limit') return 'request_limit';
  // 551, x/1545041: the person cannot be messaged now.
  if (failure.kind === 'person_unavailable') return 'person_unavailable';
  return undefined;
};
