import { createHash, timingSafeEqual } from 'node:crypto';
import { refuse } from './WebhookRefusal.js';
import type { WebhookResponse } from './WebhookRequest.js';

/** Meta's challenge is a number; anything printable and short is echoed, nothing else. */
const CHALLENGE = /^[\x21-\x7e]{1,256}$/;

const param = (query: URLSearchParams, name: string): string | null =>
  // PHP-style hosts see `hub_mode`: accept both spellings.
  query.get(`hub.${name}`) ?? query.get(`hub_${name}`);

/** Compares two strings in constant time whatever their lengths (hashing first). */
const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/**
 * Answers Meta's GET verification handshake: `hub.mode=subscribe` and the
 * matching `hub.verify_token` get 200 with `hub.challenge` as plain text; anything
 * else is 403 `handshake_refused`.
 *
 * @example
 * answerHandshake(new URLSearchParams('hub.mode=subscribe&hub.verify_token=t&hub.challenge=42'), 't').body; // '42'
 */
export const answerHandshake = (query: URLSearchParams, verifyToken: string): WebhookResponse => {
  const mode = param(query, 'mode');
  const token = param(query, 'verify_token');
  const challenge = param(query, 'challenge');
  if (mode !== 'subscribe' || token === null || challenge === null || !CHALLENGE.test(challenge)) {
    return refuse('handshake_refused');
  }
  if (!sameSecret(token, verifyToken)) return refuse('handshake_refused');
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: challenge, reason: null };
};
