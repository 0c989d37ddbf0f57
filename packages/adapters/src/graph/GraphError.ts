import { inspect } from 'node:util';
import type { GraphFailure, GraphFailureKind, MetaError } from '@callperm/core';
import { classifyMetaError } from './classifyMetaError.js';
import { describeTransportError } from './describeTransportError.js';
import { redactDeep, redactSecrets } from './redactSecrets.js';

/** Everything a `GraphError` carries besides its kind. Secrets are never among these. */
export interface GraphErrorDetails {
  readonly message: string;
  readonly processed: 'no' | 'unknown';
  readonly code?: number | undefined;
  readonly subcode?: number | undefined;
  readonly type?: string | undefined;
  readonly fbtraceId?: string | undefined;
  readonly isTransient?: boolean | undefined;
  readonly httpStatus?: number | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly userTitle?: string | undefined;
  readonly userMessage?: string | undefined;
  readonly errorData?: unknown;
  /** For transport failures: the system or got error code (`ETIMEDOUT`, `ECONNRESET`, ...). */
  readonly transportCode?: string | undefined;
}

/**
 * A failed Graph call. The subclass says what to do next; every instance is also a
 * `GraphFailure` value the core service can store and branch on. It holds no
 * request options, headers or `cause`, so no token can leak through it.
 *
 * @example
 * if (failure instanceof GraphError && failure.kind === 'throttled') wait(failure.retryAfterMs);
 */
export abstract class GraphError extends Error implements GraphFailure {
  abstract readonly kind: GraphFailureKind;
  readonly processed: 'no' | 'unknown';
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  readonly type: string | undefined;
  readonly fbtraceId: string | undefined;
  readonly isTransient: boolean | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly userTitle: string | undefined;
  readonly userMessage: string | undefined;
  readonly errorData: unknown;
  readonly transportCode: string | undefined;

  constructor(d: GraphErrorDetails) {
    super(d.message);
    this.name = new.target.name;
    this.processed = d.processed;
    this.code = d.code;
    this.subcode = d.subcode;
    this.type = d.type;
    this.fbtraceId = d.fbtraceId;
    this.isTransient = d.isTransient;
    this.httpStatus = d.httpStatus;
    this.retryAfterMs = d.retryAfterMs;
    this.userTitle = d.userTitle;
    this.userMessage = d.userMessage;
    this.errorData = d.errorData;
    this.transportCode = d.transportCode;
  }

  /** A plain, log-safe copy of the fields. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name, kind: this.kind, message: this.message, processed: this.processed, code: this.code,
      subcode: this.subcode, type: this.type, fbtraceId: this.fbtraceId, isTransient: this.isTransient,
      httpStatus: this.httpStatus, retryAfterMs: this.retryAfterMs, transportCode: this.transportCode,
    };
  }

  [inspect.custom](): string {
    return `${this.stack ?? `${this.name}: ${this.message}`} ${inspect(this.toJSON(), { breakLength: Infinity })}`;
  }
}

/** Meta is throttling the app, the Page's business or the user: stop, then retry after `retryAfterMs`. */
export class ThrottledError extends GraphError { readonly kind = 'throttled' as const; }
/** The access token is invalid or expired (190, 102): get a new Page access token. */
export class AuthError extends GraphError { readonly kind = 'auth' as const; }
/** The app or Page lacks a permission or role (10, 3, 200-299, 368). */
export class PermissionError extends GraphError { readonly kind = 'permission' as const; }
/** The person has not written to the Page in the last 24 h (10/2018278, 10/2534022). */
export class OutsideWindowError extends GraphError { readonly kind = 'outside_window' as const; }
/** The person cannot be messaged (551, 200/1545041, 10/2018108, 230). */
export class PersonUnavailableError extends GraphError { readonly kind = 'person_unavailable' as const; }
/** A parameter was refused: Page id, PSID or payload (100, 100/33, 100/2018001, 2500). */
export class InvalidParameterError extends GraphError { readonly kind = 'invalid' as const; }
/** Calling is off or not allowed for this Page (2018389, or Meta's worded calling errors). */
export class CallingNotEnabledError extends GraphError { readonly kind = 'calling_not_enabled' as const; }
/** A passing fault at Meta or in transport (1, 2, `is_transient`, 5xx, timeouts, resets). */
export class TransientError extends GraphError { readonly kind = 'transient' as const; }
/** An error callperm does not know: see `code` and `fbtraceId`. */
export class UnknownGraphError extends GraphError { readonly kind = 'unknown' as const; }

const CLASSES = {
  throttled: ThrottledError, auth: AuthError, permission: PermissionError, outside_window: OutsideWindowError,
  person_unavailable: PersonUnavailableError, invalid: InvalidParameterError,
  calling_not_enabled: CallingNotEnabledError, transient: TransientError, unknown: UnknownGraphError,
} satisfies Record<GraphFailureKind, new (d: GraphErrorDetails) => GraphError>;

const NEXT_STEP: Record<GraphFailureKind, string> = {
  throttled: 'Meta is throttling these calls: stop calling and try again after the wait (calling sooner extends the block)',
  auth: 'The Page access token is invalid or expired: get a new Page access token with pages_messaging and retry',
  permission: 'The app or Page lacks a permission or role for this call: check pages_messaging, the Page role and App Review',
  outside_window: 'The person has not written to the Page in the last 24 h: wait for their next message, then ask again',
  person_unavailable: 'This person cannot be messaged now (blocked, deactivated or unavailable): do not retry; wait for them to write',
  invalid: 'Meta refused a parameter (Page id, PSID or payload): check the ids; retrying the same call will not help',
  calling_not_enabled: 'Calling is not enabled or not allowed for this Page: enable calling in the Page settings and check eligibility',
  transient: 'A passing fault at Meta or on the way there: retry later; for an opt-in, check the permission first, it may have been sent',
  unknown: 'Meta answered with an error callperm does not know: keep the code and fbtraceId and report it if it repeats',
};

/** Where a failure came from: Meta's error body, the transport, an unreadable answer, or the local throttle. */
export type GraphErrorSource =
  | { readonly from: 'meta'; readonly error: MetaError; readonly httpStatus?: number | undefined; readonly retryAfterMs?: number | undefined }
  | { readonly from: 'transport'; readonly error: unknown }
  | { readonly from: 'response'; readonly httpStatus: number; readonly problem: ResponseProblem; readonly retryAfterMs?: number | undefined }
  | { readonly from: 'throttle'; readonly retryAfterMs: number }
  | { readonly from: 'token' };

/** Why an answer could not be read: not JSON, not the documented shape, or a batch item Meta left unfinished. */
export type ResponseProblem = 'malformed_json' | 'unexpected_shape' | 'unfinished';

const PROBLEM: Record<ResponseProblem, string> = {
  malformed_json: 'a body that is not JSON', unexpected_shape: 'a body of an unexpected shape',
  unfinished: 'a batch item Meta did not finish',
};

const fromMeta = (e: MetaError, httpStatus: number | undefined, retryAfterMs: number | undefined, secrets: readonly string[]): GraphError => {
  const kind = classifyMetaError(e, httpStatus);
  const codes = e.subcode === undefined ? `${e.code}` : `${e.code}/${e.subcode}`;
  return new CLASSES[kind]({
    message: `${NEXT_STEP[kind]}. (Meta code ${codes}${e.type ? ` ${e.type}` : ''}: "${redactSecrets(e.message, secrets)}")`,
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
 * const e = toGraphError({ from: 'meta', error: { message: 'outside window', code: 10, subcode: 2018278 }, httpStatus: 400 });
 * e instanceof OutsideWindowError; // true
 * e.processed; // 'no'
 */
export const toGraphError = (source: GraphErrorSource, secrets: readonly string[] = []): GraphError => {
  switch (source.from) {
    case 'meta':
      return fromMeta(source.error, source.httpStatus, source.retryAfterMs, secrets);
    case 'throttle':
      return new ThrottledError({
        message: `${NEXT_STEP.throttled}. (Throttled by Meta's usage headers; no request was sent)`,
        processed: 'no', retryAfterMs: source.retryAfterMs,
      });
    case 'token':
      return new AuthError({
        message: `${NEXT_STEP.auth}. (The accessToken function gave no token for this Page; nothing was sent)`,
        processed: 'no',
      });
    case 'response': {
      const { httpStatus, problem } = source;
      const kind: GraphFailureKind = httpStatus === 429 ? 'throttled'
        : problem !== 'unexpected_shape' || httpStatus >= 500 ? 'transient' : 'unknown';
      return new CLASSES[kind]({
        message: `${NEXT_STEP[kind]}. (HTTP ${httpStatus} with ${PROBLEM[problem]})`,
        processed: httpStatus >= 400 && httpStatus < 500 ? 'no' : 'unknown',
        httpStatus, retryAfterMs: kind === 'throttled' ? source.retryAfterMs : undefined,
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
