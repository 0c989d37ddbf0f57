import { request, type Agent } from 'node:http';

/** What a raw request got back. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * One HTTP request with the path sent exactly as given (no URL parsing or
 * normalisation), so malformed percent-encodings reach the server as they are.
 */
export const rawRequest = (
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string; agent?: Agent | false; timeoutMs?: number },
): Promise<RawAnswer> => new Promise((resolve, reject) => {
  const { hostname, port } = new URL(base);
  const req = request({
    host: hostname.replace(/^\[(.*)\]$/, '$1'), port, method: options.method ?? 'GET', path: options.path,
    headers: options.headers ?? {}, agent: options.agent ?? false, timeout: options.timeoutMs ?? 10_000,
  }, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', reject);
  });
  req.on('timeout', () => req.destroy(new Error('timed out')));
  req.on('error', reject);
  req.end(options.body);
});

/** The `error` code of a JSON answer. */
export const errorCode = (a: RawAnswer): unknown => (JSON.parse(a.body) as { error?: unknown }).error;
