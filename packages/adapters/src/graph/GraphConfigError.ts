/** Why `graphApi` refused its options: a numeric option out of range, or a base URL it will not send a token to. */
export type GraphConfigErrorCode = 'invalid_option' | 'insecure_base_url';

/**
 * `graphApi` was given options it cannot run with. Thrown at construction, before
 * any request; `option` names the offending option (`'timeouts.response'`,
 * `'retry.limit'`, `'baseUrl'`...). The message never holds the token or the secret.
 *
 * @example
 * try { graphApi({ accessToken, retry: { limit: Number.NaN } }); } catch (e) {
 *   if (e instanceof GraphConfigError) console.error(e.code, e.option); // 'invalid_option' 'retry.limit'
 * }
 */
export class GraphConfigError extends Error {
  constructor(readonly code: GraphConfigErrorCode, readonly option: string, message: string) {
    super(message);
    this.name = 'GraphConfigError';
  }
}
