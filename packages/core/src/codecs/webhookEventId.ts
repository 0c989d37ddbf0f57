import type { WebhookEvent } from '../webhookEvent.js';

/**
 * The dedupe id of a webhook event: its kind and the values that identify it
 * (Page, person, call, instant, payload values), joined with `:`. Each part is
 * URI-encoded, so a `:` inside a value cannot make two events collide; null parts
 * are left empty. Meta's retries carry the same values, so they get the same id.
 *
 * @example
 * webhookEventId('permission_reply', ['1234', '5678', 1671644824000, 'approve', null]);
 * // 'permission_reply:1234:5678:1671644824000:approve:'
 */
export const webhookEventId = (
  kind: WebhookEvent['kind'],
  parts: readonly (string | number | null)[],
): string => [kind, ...parts.map((p) => (p === null ? '' : encodeURIComponent(String(p))))].join(':');
