import { inspect } from 'node:util';
import type { GraphFailure, GraphFailureKind } from '@callperm/core';

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

/**
 * Meta is throttling the app, the user, the Page or its business (4, 17, 32, 341, 613
 * off the opt-in, 800xx, 9/2018352), or blocks it for a while for policy violations
 * (368): stop, then retry after `retryAfterMs` (Meta's wait when it gave one, else
 * the client's backoff for that scope). Calls in the same scope fail with this error
 * at once, without a request, until then.
 *
 * @example
 * if (r.error instanceof ThrottledError) retryAt = now + (r.error.retryAfterMs ?? 60_000);
 */
export class ThrottledError extends GraphError {
  readonly kind = 'throttled' as const;
}

/**
 * Meta refused the opt-in because this thread's permission requests are used up
 * (613 on `POST /{page}/messages` with `calling_optin`: at most 2 per thread per
 * rolling 24 h). Never retried; other threads and calls are not held back.
 *
 * @example
 * if (r.error instanceof RequestLimitError) await permissions.refresh(thread); // learn when a slot frees up
 */
export class RequestLimitError extends GraphError {
  readonly kind = 'request_limit' as const;
}

/**
 * The access token is invalid or expired (190, 102): get a new Page access token.
 *
 * @example
 * if (r.error instanceof AuthError) await tokens.refresh(thread.pageId);
 */
export class AuthError extends GraphError {
  readonly kind = 'auth' as const;
}

/**
 * The app or Page lacks a permission or role (10, 3, 200-299).
 *
 * @example
 * if (r.error instanceof PermissionError) alertOps('pages_messaging missing', r.error.code);
 */
export class PermissionError extends GraphError {
  readonly kind = 'permission' as const;
}

/**
 * The person has not written to the Page in the last 24 h (10/2018278, 10/2534022).
 *
 * @example
 * if (r.error instanceof OutsideWindowError) waitForNextMessage(thread);
 */
export class OutsideWindowError extends GraphError {
  readonly kind = 'outside_window' as const;
}

/**
 * The person cannot be messaged (551, 200/1545041, 10/2018108, 230).
 *
 * @example
 * if (r.error instanceof PersonUnavailableError) markUnreachable(thread);
 */
export class PersonUnavailableError extends GraphError {
  readonly kind = 'person_unavailable' as const;
}

/**
 * A parameter was refused: Page id, PSID or payload (100, 100/33, 100/2018001, 2500).
 *
 * @example
 * if (r.error instanceof InvalidParameterError) reportBadIds(thread, r.error.subcode);
 */
export class InvalidParameterError extends GraphError {
  readonly kind = 'invalid' as const;
}

/**
 * Meta refused to place the call: the person has not given permission to call
 * (Meta's word at that instant; published without a code, so read from the text).
 * Not retried: re-read the permission and ask with an opt-in when allowed.
 *
 * @example
 * if (r.error instanceof NoCallPermissionError) await permissions.refresh(thread);
 */
export class NoCallPermissionError extends GraphError {
  readonly kind = 'no_call_permission' as const;
}

/**
 * Meta refused to place the call: the call rate limit (the Page's connected-call
 * quota) is used up. Meta's code for it is "TBD", so the text tells. Not retried.
 *
 * @example
 * if (r.error instanceof CallLimitError) await permissions.refresh(thread); // start_call's limits say when
 */
export class CallLimitError extends GraphError {
  readonly kind = 'call_limit' as const;
}

/**
 * The call is over or not this Page's: invalid call id (2018390), Page not on the
 * call (2018393), failed (2018395) or ended (2018396) call, "call already
 * terminated", "cannot terminate". After a terminate or a reject it means the call
 * has already ended.
 *
 * @example
 * if (r.error instanceof CallGoneError) calls.markEnded(callId);
 */
export class CallGoneError extends GraphError {
  readonly kind = 'call_gone' as const;
}

/**
 * Calling is off or not allowed for this Page (2018389, or Meta's worded calling errors).
 *
 * @example
 * if (r.error instanceof CallingNotEnabledError) disableCallingFor(thread.pageId);
 */
export class CallingNotEnabledError extends GraphError {
  readonly kind = 'calling_not_enabled' as const;
}

/**
 * A passing fault at Meta or in transport (1, 2, `is_transient`, 5xx, timeouts, resets).
 *
 * @example
 * if (r.error instanceof TransientError && r.error.processed === 'unknown') await permissions.refresh(thread);
 */
export class TransientError extends GraphError {
  readonly kind = 'transient' as const;
}

/**
 * An error callperm does not know: see `code` and `fbtraceId`.
 *
 * @example
 * if (r.error instanceof UnknownGraphError) log.warn({ code: r.error.code, fbtraceId: r.error.fbtraceId });
 */
export class UnknownGraphError extends GraphError {
  readonly kind = 'unknown' as const;
}
