import type { Decision } from '../decide.js';
import type { SentOptIn } from '../ports/GraphApi.js';
import type { Result } from '../result.js';
import type { RequestError } from '../service/CallPermissions.js';
import type { SweepOptions, SweepReport } from '../service/sweep.js';
import type { Thread } from '../thread.js';
import { errorCode, logTo, psidTail, type CallpermLogger } from './CallpermLogger.js';
import type { ServiceTelemetry } from './serviceTelemetry.js';

type RequestResult = Result<SentOptIn & { readonly decision: Decision }, RequestError>;

/**
 * Counts a `request`'s outcome (`callperm.optin.sent` or `callperm.optin.refused`,
 * and `callperm.decisions`) and logs what Meta refused. Returns the result as is.
 *
 * @example
 * return observeRequest(tel, logger, thread, await requestOnce(thread));
 */
export const observeRequest = (tel: ServiceTelemetry, logger: CallpermLogger | undefined, thread: Thread, r: RequestResult): RequestResult => {
  const failure = r.ok || !('failure' in r.error) ? undefined : r.error.failure;
  if (tel.on) {
    if (r.ok) tel.optInSent();
    else tel.optInRefused(r.error.reason, failure);
    tel.decision('request', r.ok ? 'sent' : r.error.reason);
  }
  if (!r.ok && failure !== undefined) {
    logTo(logger, 'warn', {
      event: 'optin_refused', pageId: thread.pageId, psidTail: psidTail(thread.psid), reason: r.error.reason,
      kind: failure.kind, code: failure.code, subcode: failure.subcode, processed: failure.processed,
    }, r.error.reason === 'check_failed' ? 'callperm: the check before the opt-in failed, nothing was sent' : 'callperm: Meta refused the opt-in, or may not have processed it');
  }
  return r;
};

/**
 * Runs a sweep with its failures logged (besides the host's own `onError`
 * hooks), then counts its report into `callperm.sweep.runs` / `callperm.sweep.items`.
 *
 * @example
 * sweep: (options) => observeSweep(tel, logger, (observed) => runSweep(deps, observed), options),
 */
export const observeSweep = async (
  tel: ServiceTelemetry, logger: CallpermLogger | undefined, run: (options: SweepOptions) => Promise<SweepReport>, options: SweepOptions = {},
): Promise<SweepReport> => {
  const observed: SweepOptions = logger === undefined ? options : {
    ...options,
    onError: (thread, e) => {
      logTo(logger, 'warn', { event: 'sweep_failed', pageId: thread.pageId, psidTail: psidTail(thread.psid), error: errorCode(e) }, 'callperm: a follow-up failed; it backs off');
      options.onError?.(thread, e);
    },
    onInboxError: (key, e) => {
      logTo(logger, 'warn', { event: 'sweep_inbox_failed', key, error: errorCode(e) }, 'callperm: an inbox delivery failed to apply; it backs off');
      options.onInboxError?.(key, e);
    },
    onInboxMovedAside: (key, asideKey, attempts) => {
      logTo(logger, 'error', { event: 'sweep_inbox_moved_aside', key, asideKey, attempts }, 'callperm: an inbox delivery was moved aside; replay it with `callperm inbox replay`');
      options.onInboxMovedAside?.(key, asideKey, attempts);
    },
  };
  const report = await run(observed);
  if (tel.on) tel.swept(report);
  if (report.failed > 0) logTo(logger, 'warn', { event: 'sweep_report', ...report }, 'callperm: the sweep had failures');
  return report;
};
