import { request, type IncomingHttpHeaders } from 'node:http';
import { readBody } from './readBody.js';

/** What a forwarded request got back. */
export interface Forwarded {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Hop-by-hop headers a proxy does not pass on. */
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

/**
 * Sends one request to `base` (a loopback `http://host:port`) with the path,
 * method, headers and body given, `Host` naming the target (so a listener that
 * checks it sees its own address). `onSent` runs once the whole request is written.
 * Rejects when the connection fails (the target died).
 *
 * @example
 * const a = await forward('http://127.0.0.1:3000', { method: 'POST', path: '/webhook', headers: req.headers, body });
 */
export const forward = (
  base: string,
  r: { readonly method: string; readonly path: string; readonly headers: IncomingHttpHeaders; readonly body: Buffer },
  onSent?: () => void,
): Promise<Forwarded> => new Promise((resolve, reject) => {
  const { hostname, port } = new URL(base);
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !HOP.has(k.toLowerCase())));
  const req = request({
    host: hostname, port, method: r.method, path: r.path, agent: false, timeout: 30_000,
    headers: { ...headers, host: `${hostname}:${port}`, 'content-length': String(r.body.length) },
  }, (res) => {
    readBody(res).then((body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }), reject);
  });
  req.on('timeout', () => req.destroy(new Error('timed out')));
  req.on('error', reject);
  req.end(r.body, () => onSent?.());
});

/** The headers of a forwarded answer, without hop-by-hop ones. */
export const answerHeaders = (headers: IncomingHttpHeaders): Record<string, string | string[]> =>
  Object.fromEntries(Object.entries(headers).filter((e): e is [string, string | string[]] => e[1] !== undefined && !HOP.has(e[0].toLowerCase())));
