import type { GraphFailureKind, MetaError } from '@callperm/core';
import { classifyMetaError, type GraphOperation } from './classifyMetaError.js';
import { describeTransportError } from './describeTransportError.js';
import {
  AuthError, CallGoneError, CallingNotEnabledError, CallLimitError, InvalidParameterError, NoCallPermissionError, OutsideWindowError,
  PermissionError, PersonUnavailableError, RequestLimitError, ThrottledError, TransientError, UnknownGraphError,
  type GraphError, type GraphErrorDetails,
} from './GraphError.js';
import { redactDeep, redactSecrets } from './redactSecrets.js';

const CLASSES = {
  throttled: ThrottledError, request_limit: RequestLimitError, auth: AuthError, permission: PermissionError, outside_window: OutsideWindowError,
  person_unavailable: PersonUnavailableError, invalid: InvalidParameterError,
  calling_not_enabled: CallingNotEnabledError, no_call_permission: NoCallPermissionError, call_limit: CallLimitError,
  call_gone: CallGoneError, transient: TransientError, unknown: UnknownGraphError,
} satisfies Record<GraphFailureKind, new (d: GraphErrorDetails) => GraphError>;

const NEXT_STEP: Record<GraphFailureKind, string> = {
  throttled: 'Meta is throttling these calls: stop calling and try again after the wait (calling sooner extends the block)',
  request_limit: 'Meta refused the opt-in: this thread has used its permission requests (at most 2 per 24 h); do not resend, check the permission to learn when a slot frees up',
  auth: 'The Page access token is invalid or expired: get a new Page access token with pages_messaging and retry',
  permission: 'The app or Page lacks a permission or role for this call: check pages_messaging, the Page role and App Review',
  outside_window: 'The person has not written to the Page in the last 24 h: wait for their next message, then ask again',
  person_unavailable: 'This person cannot be messaged now (blocked, deactivated or unavailable): do not retry; wait for them to write',
  invalid: 'Meta refused a parameter (Page id, PSID or payload): check the ids; retrying the same call will not help',
  calling_not_enabled: 'Calling is not enabled or not allowed for this Page: enable calling in the Page settings and check eligibility',
  no_call_permission: 'Meta refused the call: the person has not given permission to call (or it has lapsed): do not call again; re-read the permission and ask with an opt-in',
  call_limit: 'Meta refused the call: the call rate limit (connected-call quota) is used up: do not call again now; re-read the permission to learn when calls are allowed',
  call_gone: 'The call is over, failed, unknown or not this Page\'s: there is nothing left to control (after a terminate or reject: it has already ended)',
  transient: 'A passing fault at Meta or on the way there: retry later; for an opt-in or a call, check first (the permission, the calls webhooks): it may have gone through',
  unknown: 'Meta answered with an error callperm does not know: keep the code and fbtraceId and report it if it repeats',
};

/** Where a failure came from: Meta's error body, the transport, an unreadable answer, or the local throttle. */
export type GraphErrorSource =
  | {
    readonly from: 'meta'; readonly error: MetaError; readonly operation: GraphOperation;
    readonly httpStatus?: number | undefined; readonly retryAfterMs?: number | undefined;
  }
  | { readonly from: 'transport'; readonly error: unknown }
  | { readonly from: 'response'; readonly httpStatus: number; readonly problem: ResponseProblem; readonly retryAfterMs?: number | undefined }
  | { readonly from: 'throttle'; readonly retryAfterMs: number }
  | { readonly from: 'token' };

/**
 * Why an answer could not be read: not JSON, not the documented shape, a batch item
 * Meta left unfinished, or a body longer than `maxResponseBytes` (cut off unread).
 */
export type ResponseProblem = 'malformed_json' | 'unexpected_shape' | 'unfinished' | 'too_large';

/**
 * The `transportCode` of a response cut off at `maxResponseBytes`.
 *
 * @example
 * if (r.error.transportCode === RESPONSE_TOO_LARGE) alertOps('Graph answered with an oversized body');
 */
export const RESPONSE_TOO_LARGE = 'ERR_RESPONSE_TOO_LARGE';

const PROBLEM: Record<ResponseProblem, string> = {
  malformed_json: 'a body that is not JSON', unexpected_shape: 'a body of an unexpected shape',
  unfinished: 'a batch item Meta did not finish', too_large: 'a body over maxResponseBytes, cut off unread',
};

const fromMeta = (source: Extract<GraphErrorSource, { from: 'meta' }>, secrets: readonly string[]): GraphError => {
  const { error: e, operation, httpStatus, retryAfterMs } = source;
  const kind = classifyMetaError(e, operation, httpStatus);
  const codes = e.subcode === undefined ? `${e.code}` : `${e.code}/${e.subcode}`;
  return new CLASSES[kind]({
    // Meta's words are quoted escaped: a newline or escape sequence in them cannot forge a log line.
    message: `${NEXT_STEP[kind]}. (Meta code ${codes}${e.type ? ` ${JSON.stringify(e.type)}` : ''}: ${JSON.stringify(redactSecrets(e.message, secrets))})`,
    // Meta answered; only its own 5xx leaves open whether the work was done.
    processed: httpStatus !== undefined && httpStatus >= 500 ? 'unknown' : 'no',
    code: e.code, subcode: e.subcode, type: e.type, fbtraceId: e.fbtraceId, isTransient: e.isTransient, httpStatus,
    retryAfterMs: kind === 'throttled' ? retryAfterMs : undefined,
    userTitle: e.userTitle === undefined ? undefined : redactSecrets(e.userTitle, secrets),
    userMessage: e.userMessage === undefined ? undefined : redactSecrets(e.userMessage, secrets),
    errorData: e.errorData === undefined ? undefined : redactDeep(e.errorData, secrets),
  });
};

/**
 * The one factory for Graph failures: turns Meta's error object, a transport fault,
 * an unreadable answer or a local throttle into the matching `GraphError` subclass.
 * Every text that came from outside is scrubbed of `secrets` (tokens, app secret).
 *
 * @example
 * const e = toGraphError({ from: 'meta', error: { message: 'outside window', code: 10, subcode: 2018278 }, operation: 'opt_in', httpStatus: 400 });
 * e instanceof OutsideWindowError; // true
 * e.processed; // 'no'
 */
export const toGraphError = (source: GraphErrorSource, secrets: readonly string[] = []): GraphError => {
  switch (source.from) {
    case 'meta':
      return fromMeta(source, secrets);
    case 'throttle':
      return new ThrottledError({
        message: `${NEXT_STEP.throttled}. (Meta throttled this app, user, Page or business earlier; no request was sent)`,
        processed: 'no', retryAfterMs: source.retryAfterMs,
      });
    case 'token':
      return new AuthError({
        message: `${NEXT_STEP.auth}. (The accessToken function gave no token for this Page; nothing was sent)`,
        processed: 'no',
      });
    case 'response': {
      const { httpStatus, problem } = source;
      // An oversized body repeats itself: not worth a retry, whatever the status.
      const kind: GraphFailureKind = problem === 'too_large' ? 'unknown' : httpStatus === 429 ? 'throttled'
        : problem !== 'unexpected_shape' || httpStatus >= 500 ? 'transient' : 'unknown';
      return new CLASSES[kind]({
        message: `${NEXT_STEP[kind]}. (HTTP ${httpStatus} with ${PROBLEM[problem]})`,
        processed: httpStatus >= 400 && httpStatus < 500 ? 'no' : 'unknown',
        httpStatus, retryAfterMs: kind === 'throttled' ? source.retryAfterMs : undefined,
        ...(problem === 'too_large' ? { transportCode: RESPONSE_TOO_LARGE } : {}),
      });
    }
    case 'transport': {
      const t = describeTransportError(source.error);
      const kind = t.badToken ? 'auth' : 'transient';
      return new CLASSES[kind]({
        message: `${NEXT_STEP[kind]}. (${t.summary}; ${t.processed === 'no' ? 'nothing reached Meta' : 'Meta may have received the request'})`,
        processed: t.processed, transportCode: t.code,
      });
    }
  }
};
