/** Why an option of the receiver was refused at construction. */
export type WebhookOptionErrorCode = 'invalid_option';

/**
 * An option of `createWebhookHandler` of the wrong kind: a numeric one that is not
 * a whole number in its range (`NaN`, `Infinity`, negative, fractional, or past
 * what a timer can wait; `min` and `max` give the range), or a switch that is not
 * `true` or `false` (`min` and `max` are null). Thrown at construction, so a typo
 * never silently disables a limit or a switch.
 *
 * @example
 * try { createWebhookHandler({ ...options, maxBodyBytes: Number.NaN }); }
 * catch (e) { if (e instanceof WebhookOptionError) console.error(e.code, e.option); } // 'invalid_option' 'maxBodyBytes'
 */
export class WebhookOptionError extends RangeError {
  readonly code: WebhookOptionErrorCode = 'invalid_option';

  constructor(readonly option: string, readonly min: number | null = null, readonly max: number | null = null) {
    super(min === null || max === null
      ? `[callperm] [webhook] ${option} must be true or false; leave it out for the default.`
      : `[callperm] [webhook] ${option} must be a whole number from ${min} to ${max}; leave it out for the default.`);
    this.name = 'WebhookOptionError';
  }
}
