import { Agent } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fc, test } from '@fast-check/vitest';
import { createFakeGraphApi, VirtualClock, type FakeGraphApi } from '@callperm/testing';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { scratchDir } from '../support/captureIo.js';
import { rawRequest } from '../support/rawRequest.js';
import { serveInProcess, type Served } from '../support/serveInProcess.js';

const PAGE_TOKEN = 'fuzz-page-token';
const APP_SECRET = 'fuzz-app-secret';
const VERIFY_TOKEN = 'fuzz-verify';
const API_TOKEN = 'fuzz-api-token-0123456789abcdef';
/** Batches of requests per property run, and runs: 100 x 100 = 10,000 requests. */
const BATCH = 100;
const RUNS = 100;
const CONCURRENCY = 8;
/** heapUsed, after a full collection, may grow at most this much over the whole run (generous: a leak of 10,000 requests' worth of sockets, bodies or buckets would pass it). */
const HEAP_GROWTH_BOUND = 32 * 1024 * 1024;

/** heapUsed after a full garbage collection (`gc` exposed for this measurement only). */
const settledHeap = (): number => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
};

/** What one fuzzed request is made of; `hostKind` and `authKind` pick header values once the port is known. */
interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly hostKind: 'own' | 'localhost' | 'foreign' | 'empty' | 'random';
  readonly randomHost: string;
  readonly authKind: 'right' | 'wrong' | 'none' | 'random';
  readonly randomAuth: string;
  readonly origin: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string | undefined;
}

/** Characters Node's client lets through in a request path (printable ASCII, no space, no `?` or `#`). */
const pathChar = fc.constantFrom(...'abcXYZ0123456789-._~!$&\'()*+,;=:@%/'.split(''));
const headerText = fc.string({ unit: fc.constantFrom(...' abcXYZ0129:;,/=.-_"\'%[]'.split('')), maxLength: 40 });

/** Threads the fake Graph API knows (a message in the window; every other one approved): a well-formed request for them never fails at Meta. */
const PAGES = ['5001', '5002', '5003'];
const PSIDS = Array.from({ length: 20 }, (_, i) => String(6000 + i));

const segmentArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PAGES, ...PSIDS) }, // a Meta id the fake knows
  fc.stringMatching(/^[0-9]{33,300}$/), // an overlong one
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '%FF%FE', '%C0%AF', '%2F', '%2e%2e', '..', '', '%F0%9F%98%80', '%ED%A0%80', '-1', '1e3', 'constructor', '__proto__'),
  fc.string({ unit: pathChar, maxLength: 20 }).filter((seg) => !/^[0-9]{1,32}$/.test(seg)), // anything but an id the fake does not know
  fc.integer({ min: 33, max: 5000 }).map((n) => '9'.repeat(n)),
);

const pathArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(segmentArb, segmentArb, fc.constantFrom('', '/request', '/refresh', '/chart', '/', '/request/', '/x', '/chart/extra'))
    .map(([page, psid, action]) => `/threads/${page}/${psid}${action}`) },
  { weight: 1, arbitrary: fc.constantFrom('/webhook', '/healthz', '/', '/threads', '/threads/', '//threads/1/2', '/webhook/', '/WEBHOOK') },
  { weight: 1, arbitrary: fc.string({ unit: pathChar, maxLength: 200 }).map((p) => `/${p}`) },
).chain((path) => fc.option(fc.string({ unit: pathChar, maxLength: 60 }), { nil: undefined }).map((q) => (q === undefined ? path : `${path}?${q}`)));

const requestArb: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/).filter((m) => m !== 'CONNECT') },
  ),
  path: pathArb,
  hostKind: fc.constantFrom('own', 'own', 'own', 'own', 'localhost', 'foreign', 'empty', 'random'),
  randomHost: headerText,
  authKind: fc.constantFrom('right', 'right', 'right', 'right', 'wrong', 'none', 'random'),
  randomAuth: headerText,
  origin: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1', '') }),
  contentType: fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'APPLICATION/JSON', 'application/jsonx', ''), { nil: undefined }),
  body: fc.option(fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ maxLength: 2000 })), { nil: undefined }),
});

describe('callperm serve under random input', () => {
  const scratch = scratchDir();
  let fake: FakeGraphApi;
  let served: Served;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses = new Map<number, number>();
  let heapBefore = 0;
  let sent = 0;

  beforeAll(async () => {
    fake = await createFakeGraphApi({ clock: new VirtualClock(Date.UTC(2026, 0, 1)), accessTokens: PAGE_TOKEN });
    served = await serveInProcess({
      PAGE_ACCESS_TOKEN: PAGE_TOKEN, APP_SECRET, VERIFY_TOKEN, GRAPH_BASE_URL: fake.url, CALLPERM_API_TOKEN: API_TOKEN,
    }, scratch.dir, ['--store', 'memory']);
    PAGES.forEach((pageId) => PSIDS.forEach((psid, i) => {
      fake.inbound({ pageId, psid });
      if (i % 2 === 1) fake.grant({ pageId, psid }, null);
    }));
    // A segment may name a Page where the fuzz puts a PSID and the reverse: the fake knows those too.
    [...PAGES, ...PSIDS].forEach((pageId) => [...PAGES, ...PSIDS].forEach((psid) => fake.inbound({ pageId, psid })));
    heapBefore = settledHeap();
  });
  afterAll(async () => {
    agent.destroy();
    const code = served ? await served.stop() : 0;
    await fake?.close();
    scratch.cleanup();
    expect(code).toBe(0);
  });

  const send = (r: FuzzRequest): Promise<{ status: number; body: string }> => {
    const own = new URL(served.url).host;
    const host = { own, localhost: `localhost:${new URL(served.url).port}`, foreign: 'evil.example', empty: '', random: r.randomHost.trim() }[r.hostKind];
    const authorization = { right: `Bearer ${API_TOKEN}`, wrong: 'Bearer wrong-token', none: undefined, random: r.randomAuth.trim() }[r.authKind];
    const headers: Record<string, string> = { host };
    if (authorization !== undefined) headers.authorization = authorization;
    if (r.origin !== undefined) headers.origin = r.origin;
    if (r.contentType !== undefined) headers['content-type'] = r.contentType;
    const once = (via: Agent | false) => rawRequest(served.url, { method: r.method, path: r.path, headers, agent: via, timeoutMs: 10_000, ...(r.body === undefined ? {} : { body: r.body }) })
      .then((a) => ({ status: a.status, body: a.body.slice(0, 300) }));
    const reset = (e: unknown): boolean => (e as { code?: string }).code === 'ECONNRESET';
    // The server may close a kept-alive connection after answering a request whose body it did
    // not read (a GET with a body): the client's next request on it is reset before it is sent.
    // Send that one again on a connection of its own; a second reset counts as status 0 (no 5xx).
    const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
    return once(agent)
      .catch((e: unknown) => (reset(e) ? once(false) : Promise.reject(asError(e))))
      .catch((e: unknown) => (reset(e) ? { status: 0, body: '' } : Promise.reject(asError(e))));
  };

  test.prop([fc.array(requestArb, { minLength: BATCH, maxLength: BATCH })], { numRuns: RUNS, endOnFailure: true })(
    'answers every request with no 5xx but 503, and keeps running',
    async (batch) => {
      let next = 0;
      const results: { status: number; body: string; method: string; path: string }[] = [];
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < batch.length) {
          const r = batch[next++]!;
          results.push({ ...await send(r), method: r.method, path: r.path.slice(0, 80) });
        }
      }));
      sent += batch.length;
      for (const { status } of results) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(results.filter(({ status }) => status >= 500 && status !== 503)).toEqual([]);
      expect(served.exited()).toBe(false);
    },
    120_000,
  );

  test('is still healthy afterwards, logged codes only, and its memory stayed bounded', async () => {
    expect(sent).toBeGreaterThanOrEqual(BATCH * RUNS);
    expect(served.exited()).toBe(false);
    expect((await rawRequest(served.url, { path: '/healthz' })).status).toBe(200);
    expect(served.stderr.every((line) => /^(api|webhook): [A-Za-z0-9_]+\n$/.test(line))).toBe(true);
    const heapAfter = settledHeap();
    console.info(`serve fuzz: ${sent} requests, heapUsed ${((heapAfter - heapBefore) / 1048576).toFixed(1)} MiB after vs before, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_BOUND);
    // Every kind of answer the API gives showed up: served, refused, rate-limited.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 400, 401, 403, 404, 405, 415]));
  });
});
