/** Why an option of the receiver was refused at construction. */
export type WebhookOptionErrorCode = 'invalid_option';

/**
 * A numeric option of `createWebhookHandler` that is not a whole number in its
 * range (`NaN`, `Infinity`, negative, fractional, or past what a timer can wait).
 * Thrown at construction, so a typo never silently disables a limit.
 *
 * @example
 * try { createWebhookHandler({ ...options, maxBodyBytes: Number.NaN }); }
 * catch (e) { if (e instanceof WebhookOptionError) console.error(e.code, e.option); } // 'invalid_option' 'maxBodyBytes'
 */
export class WebhookOptionError extends RangeError {
  readonly code: WebhookOptionErrorCode = 'invalid_option';

  constructor(readonly option: string, readonly min: number, readonly max: number) {
    super(`[callperm] [webhook] ${option} must be a whole number from ${min} to ${max}; leave it out for the default.`);
    this.name = 'WebhookOptionError';
  }
}
