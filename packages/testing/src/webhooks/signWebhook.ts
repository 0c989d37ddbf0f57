import { createHmac } from 'node:crypto';

/**
 * Signs a webhook body as Meta does: `sha256=` + the lower-case hex HMAC-SHA256
 * of the exact bytes, keyed by the App Secret. Sign the string you send, not an
 * object (re-serialising changes the bytes).
 *
 * @example
 * const body = JSON.stringify(pageWebhook([entry]));
 * await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhook(secret, body) } });
 */
export const signWebhook = (secret: string, body: string | Uint8Array): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
