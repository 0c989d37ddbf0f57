/**
 * Any pino-style logger (pino, bunyan, a console adapter): callperm logs its
 * notable events through it as `(fields, message)`. The fields never hold a
 * token, an app secret, a signature, a request body or a PSID in full (only its
 * last four digits, `psidTail`).
 *
 * @example
 * import pino from 'pino';
 * const permissions = createCallPermissions({ graph, store, logger: pino() });
 * // {"level":40,"event":"optin_refused","pageId":"1234","psidTail":"5678","reason":"send_failed","kind":"outside_window","code":10,"msg":"callperm: Meta refused the opt-in"}
 */
export interface CallpermLogger {
  debug(fields: Record<string, unknown>, message?: string): void;
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

/** The log levels callperm uses. */
export type CallpermLogLevel = keyof CallpermLogger;

/**
 * Writes one entry; a logger that throws is ignored (observers cannot break a command).
 *
 * @example
 * logTo(options.logger, 'warn', { event: 'sweep_failed', code: 'ContentionError' }, 'callperm: a follow-up failed');
 */
export const logTo = (logger: CallpermLogger | undefined, level: CallpermLogLevel, fields: Record<string, unknown>, message: string): void => {
  if (logger === undefined) return;
  try {
    logger[level](fields, message);
  } catch {
    // a logger's fault is the logger's
  }
};

/**
 * A PSID as logs may carry it: its last four characters.
 *
 * @example
 * psidTail('24681357900'); // '7900'
 */
export const psidTail = (psid: string): string => psid.slice(-4);

/**
 * An error as logs may carry it: its `code` when it is a short word, else its class name; never its message.
 *
 * @example
 * errorCode(new ContentionError(thread)); // 'ContentionError' or its code
 */
export const errorCode = (e: unknown): string => {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) return code;
  return e instanceof Error && /^[A-Za-z0-9_]{1,60}$/.test(e.name) ? e.name : 'error';
};
