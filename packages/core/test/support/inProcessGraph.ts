import type {
  ConnectedCall, GraphApi, GraphFailure, PageCallingStatus, PageCallSettings, RemotePermission, SentOptIn, Result, Thread,
} from '../../src/internals.js';

/**
 * An in-process GraphApi for core's own tests: counts opt-ins per thread and
 * answers checks from a settable remote view. The HTTP fake lives in @callperm/testing.
 */
export const inProcessGraph = (opts: {
  remote?: (thread: Thread) => RemotePermission;
  send?: (thread: Thread, n: number) => Result<SentOptIn, GraphFailure>;
  page?: (pageId: string) => Result<PageCallingStatus, GraphFailure>;
  connect?: (thread: Thread, n: number) => Result<ConnectedCall, GraphFailure>;
  settings?: (pageId: string) => Result<PageCallSettings, GraphFailure>;
} = {}) => {
  const settingsChecks: string[] = [];
  /** Every connect the service sent, in order (refused ones included). */
  const connects: Thread[] = [];
  const controls: string[] = [];
  const sent: Thread[] = [];
  /** The message each send attempt asked for (`standard` when the service named none). */
  const messages: string[] = [];
  const checks: Thread[] = [];
  const pageChecks: string[] = [];
  const counts = { sendAttempts: 0 };
  const graph: GraphApi = {
    checkPermission: (thread) => {
      checks.push(thread);
      const remote = opts.remote?.(thread) ?? {
        status: 'no_permission', rawStatus: 'no_permission', expiresAt: null, request: null, startCall: null,
      };
      return Promise.resolve({ ok: true, value: remote });
    },
    sendPermissionRequest: (thread, request) => {
      counts.sendAttempts += 1;
      messages.push(request?.message ?? 'standard');
      const outcome = opts.send?.(thread, sent.length) ?? { ok: true, value: { messageId: `m_${sent.length + 1}` } };
      if (outcome.ok || outcome.error.processed === 'unknown') sent.push(thread);
      return Promise.resolve(outcome);
    },
    checkPageCalling: (pageId) => {
      pageChecks.push(pageId);
      return Promise.resolve(opts.page?.(pageId) ?? { ok: true, value: { enabled: true, status: 'enabled' } });
    },
    checkCallSettings: (pageId) => {
      settingsChecks.push(pageId);
      return Promise.resolve(opts.settings?.(pageId) ?? { ok: true, value: { audioEnabled: true, videoEnabled: false, ringTarget: 'PARTNERS' } });
    },
    connectCall: (thread, sdp) => {
      connects.push(thread);
      const outcome = opts.connect?.(thread, connects.length) ?? { ok: true, value: { callId: `c_${connects.length}`, sdpAnswer: `answer to ${sdp.length}` } };
      return Promise.resolve(outcome);
    },
    terminateCall: (_pageId, callId) => {
      controls.push(`terminate ${callId}`);
      return Promise.resolve({ ok: true, value: null });
    },
    acceptCall: (_pageId, callId) => {
      controls.push(`accept ${callId}`);
      return Promise.resolve({ ok: true, value: { sdpAnswer: 'answer' } });
    },
    rejectCall: (_pageId, callId) => {
      controls.push(`reject ${callId}`);
      return Promise.resolve({ ok: true, value: null });
    },
  };
  return {
    graph, sent, messages, checks, pageChecks, settingsChecks, connects, controls,
    /** Every opt-in the service tried, refused ones included. */
    get sendAttempts() { return counts.sendAttempts; },
  };
};
