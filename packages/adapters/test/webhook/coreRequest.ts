import type { WebhookRequest } from '@callperm/adapters/webhook';
import { signWebhook } from '@callperm/testing';

/** A request for the framework-neutral core, built in memory (no HTTP). */
export const coreRequest = (spec: {
  readonly method?: string;
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}): WebhookRequest => {
  const body = typeof spec.body === 'string' ? new TextEncoder().encode(spec.body) : spec.body ?? new Uint8Array();
  const headers = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: spec.method ?? 'POST',
    url: spec.url ?? '/webhook',
    header: (name) => headers[name],
    readBody: (limit) => Promise.resolve(body.length > limit ? 'too_large' : body),
  };
};

/** A POST of `body` as Meta sends it: JSON, signed with `secret` (or unsigned when null). */
export const signedPost = (secret: string | null, body: string | Uint8Array, extra: Readonly<Record<string, string>> = {}): WebhookRequest =>
  coreRequest({
    body,
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { 'x-hub-signature-256': signWebhook(secret, body) }),
      ...extra,
    },
  });
