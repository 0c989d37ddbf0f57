import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { graphApi, UnknownGraphError, type GraphApiClient } from '@callperm/adapters/graph';

const MiB = 1024 * 1024;
const RESPONSE_TOO_LARGE = 'ERR_RESPONSE_TOO_LARGE';
const thread = { pageId: '1001', psid: '2002' };

/** A loopback server that streams `size` bytes of JSON-looking padding, counting what it managed to write. */
const hugeBodyServer = async (size: number, opts: { declareLength?: boolean; status?: number } = {}) => {
  const sent = { bytes: 0, closed: false };
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const server: Server = createServer((req, res: ServerResponse) => {
    req.resume();
    res.writeHead(opts.status ?? 200, { 'content-type': 'application/json', ...(opts.declareLength ? { 'content-length': String(size) } : {}) });
    res.on('close', () => { sent.closed = true; });
    const pump = (): void => {
      while (sent.bytes < size && !res.destroyed) {
        sent.bytes += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sent, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

const client = (url: string, maxResponseBytes?: number): GraphApiClient => {
  const graph = graphApi({ accessToken: 'tok-1234567890', baseUrl: url, retry: { limit: 0 }, ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }) });
  cleanup.push(() => Promise.resolve(graph.close()));
  return graph;
};

describe('the Graph client reads no more than maxResponseBytes', () => {
  it('a 300 MiB streamed body is cut off near the 1 MiB default, as a typed error', async () => {
    const server = await hugeBodyServer(300 * MiB);
    cleanup.push(server.close);
    const r = await client(server.url).checkPermission(thread);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(UnknownGraphError);
    expect(r.error.kind).toBe('unknown');
    expect((r.error as UnknownGraphError).transportCode).toBe(RESPONSE_TOO_LARGE);
    expect(r.error.processed).toBe('unknown');
    // The socket went away long before the 300 MiB: what was written is bounded by the cap plus socket buffers.
    expect(server.sent.bytes).toBeLessThan(64 * MiB);
  });

  it('a declared Content-Length over the cap is refused before the body is read', async () => {
    const server = await hugeBodyServer(8 * MiB, { declareLength: true, status: 500 });
    cleanup.push(server.close);
    const r = await client(server.url, 64 * 1024).sendPermissionRequest(thread);
    expect(r.ok ? null : (r.error as UnknownGraphError).transportCode).toBe(RESPONSE_TOO_LARGE);
    expect(r.ok ? null : (r.error as UnknownGraphError).httpStatus).toBe(500);
  });

  it('a body at the cap is read as usual', async () => {
    const body = JSON.stringify({ data: [] });
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const r = await client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, Buffer.byteLength(body)).checkPermission(thread);
    // Not cut off: the fake answer has no permission entry, so it fails on its shape, not its size.
    expect(r.ok ? undefined : (r.error as UnknownGraphError).transportCode).not.toBe(RESPONSE_TOO_LARGE);
  });
});
