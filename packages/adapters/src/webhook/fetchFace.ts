import type { WebhookCore } from './createWebhookCore.js';
import type { BodyTimer, RawBody } from './WebhookRequest.js';

/**
 * Reads a Fetch body up to `limit` bytes; past it, or at the timer's deadline,
 * the stream is cancelled. A body stream that fails is the client gone (`aborted`).
 */
const readFetchBody = async (request: Request, limit: number, timer?: BodyTimer): Promise<RawBody> => {
  if (request.body === null) return new Uint8Array();
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  let timedOut = false;
  const deadline = timer?.add(() => {
    timedOut = true;
    reader.cancel().catch(() => undefined);
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut) return 'timed_out';
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => undefined); // the rest of an oversized body is never read
        return 'too_large';
      }
      chunks.push(value);
    }
  } catch {
    return timedOut ? 'timed_out' : 'aborted';
  } finally {
    deadline?.cancel();
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
};

/**
 * The Fetch API face: `Request` in, `Response` out (Node 20's globals, Deno, Bun,
 * workers, any router built on them).
 *
 * @example
 * export default { fetch: (request: Request) => fetchFace(core)(request) };
 */
export const fetchFace = (core: WebhookCore) => async (request: Request): Promise<Response> => {
  const url = new URL(request.url);
  const answer = await core.handle({
    method: request.method,
    url: `${url.pathname}${url.search}`,
    header: (name) => request.headers.get(name) ?? undefined,
    readBody: (limit, timer) => readFetchBody(request, limit, timer),
  });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
};
