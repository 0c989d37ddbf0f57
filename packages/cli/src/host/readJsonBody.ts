import type { IncomingMessage } from 'node:http';

/** What {@link readJsonBody} read: the parsed JSON, or why not. */
export type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: 'body_too_large' | 'bad_body' };

/**
 * Reads a request's JSON body, at most `maxBytes` (a larger body is refused as
 * soon as it passes the limit, and the rest is drained, not kept). A body that
 * stalls is cut off by the server's timeouts (`serverTimeouts`). Never rejects.
 *
 * @example
 * const body = await readJsonBody(req, 80 * 1024);
 * if (!body.ok) return sendApiError(res, body.error === 'body_too_large' ? 413 : 400, body.error);
 */
export const readJsonBody = (req: IncomingMessage, maxBytes: number): Promise<JsonBody> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        resolve({ ok: false, error: 'body_too_large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => resolve({ ok: false, error: 'bad_body' }));
    req.on('end', () => {
      if (over) return;
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      } catch {
        resolve({ ok: false, error: 'bad_body' });
      }
    });
  });
