import type { CallRefusalKind } from '../machine/PermissionEvent.js';
import type { GraphFailure } from '../ports/GraphApi.js';

/**
 * What a refused connect teaches the thread, by the failure's kind; undefined when
 * it teaches the thread nothing (a passing fault, a bad SDP, a token problem, a
 * Page-level fact). Only a refusal Meta answered counts: an unknown outcome proves nothing.
 *
 * @example
 * callRefusalOf({ kind: 'no_call_permission', processed: 'no', message: 'Consumer has not given permission to call' }); // 'no_permission'
 */
export const callRefusalOf = (failure: GraphFailure): CallRefusalKind | undefined => {
  if (failure.processed !== 'no') return undefined;
  // "Consumer has not given permission to call": no permission is held at the connect's instant.
  if (failure.kind === 'no_call_permission') return 'no_permission';
  // The call rate limit: the connected-call quota is used up at Meta.
  if (failure.kind === 'call_limit') return 'call_limit';
  return undefined;
};
