import type { GraphApi } from '@callperm/core';

/**
 * A Graph API that is never reached: every call rejects with `why`. For a test or
 * bench that must make no Graph call (a webhook receiver, a status read), so a
 * call it did make shows up as a failure rather than a silent answer.
 *
 * @example
 * createCallPermissions({ graph: offlineGraph('the receiver makes no Graph call'), store });
 */
export const offlineGraph = (why = 'offline'): GraphApi => {
  const refuse = (): Promise<never> => Promise.reject(new Error(why));
  return {
    checkPermission: refuse, sendPermissionRequest: refuse, checkPageCalling: refuse, checkCallSettings: refuse,
    connectCall: refuse, terminateCall: refuse, acceptCall: refuse, rejectCall: refuse,
  };
};
