import type { WebhookCore } from './createWebhookCore.js';
import type { RawBody } from './WebhookRequest.js';

/** Reads a Fetch body up to `limit` bytes; past it the stream is cancelled. */
const readFetchBody = async (request: Request, limit: number): Promise<RawBody> => {
  if (request.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream: the rest of an oversized body is never read.
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) return 'too_large';
    chunks.push(chunk);
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
    readBody: (limit) => readFetchBody(request, limit),
  });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
};
