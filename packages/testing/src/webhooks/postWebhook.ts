import { signWebhook } from './signWebhook.js';

/** What the host answered, or why nothing came back. */
export type PostOutcome = { readonly status: number; readonly body: string } | { readonly status: 'network_error' };

/**
 * POSTs a webhook body to a host as Meta does: `application/json`, signed with
 * `X-Hub-Signature-256`. `secret: null` sends it unsigned.
 *
 * @example
 * const r = await postWebhook(`${hostUrl}/webhook`, secret, pageWebhook([entry]));
 * r.status; // 200
 */
export const postWebhook = async (
  url: string,
  secret: string | null,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<PostOutcome> => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  try {
    const res = await fetch(url, {
      method: 'POST',
      body: text,
      headers: {
        'content-type': 'application/json',
        ...(secret === null ? {} : { 'x-hub-signature-256': signWebhook(secret, text) }),
        ...headers,
      },
    });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 'network_error' };
  }
};
