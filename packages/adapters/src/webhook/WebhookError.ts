/** What went wrong inside the receiver, for `onError`. */
export type WebhookErrorCode =
  /** Applying a delivery failed before the answer: it was refused with 503 and Meta will retry. */
  | 'apply_failed'
  /** Recording a slow delivery in the inbox failed: refused with 503, Meta will retry. */
  | 'inbox_failed'
  /** Applying a delivery after its 200 failed: it waits in the inbox for `sweep`. */
  | 'background_failed'
  /** The framework consumed the body before the receiver saw its raw bytes. */
  | 'raw_body_unavailable'
  /** A fault in the receiver itself. */
  | 'internal';

/**
 * A fault the receiver reports through `onError`. It names what failed and keeps
 * the original error as `cause`; it never carries a secret, a signature or a body.
 *
 * @example
 * createWebhookHandler({ ..., onError: (e) => log.warn({ code: e.code, cause: e.cause }) });
 */
export class WebhookError extends Error {
  constructor(readonly code: WebhookErrorCode, options?: { cause?: unknown }) {
    super(WebhookError.advice[code], options);
    this.name = 'WebhookError';
  }

  static readonly advice: Readonly<Record<WebhookErrorCode, string>> = {
    apply_failed: 'Applying a webhook delivery failed; it was refused with 503 so Meta retries it. Check the store.',
    inbox_failed: 'Recording a slow webhook delivery failed; it was refused with 503 so Meta retries it. Check the store.',
    background_failed: 'Applying an acknowledged webhook delivery failed; it stays in the inbox and permissions.sweep() applies it.',
    raw_body_unavailable: 'The request body was consumed before the webhook receiver: mount it before body parsers (or use express.raw()).',
    internal: 'The webhook receiver failed unexpectedly; the request was answered 500 so Meta retries it.',
  };
}
