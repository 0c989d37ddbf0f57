import { afterAll, beforeAll, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { GraphFailure, Result } from '@callperm/core';
import { graphApi, ThrottledError, type GraphApiClient } from '@callperm/adapters/graph';
import { VirtualClock } from '@callperm/testing';
import { scriptedGraph, type ScriptedGraph, type StubRequest } from './support/scriptedGraph.js';
import { SCOPE_OF_CODE, throttleBody } from './support/throttleCodes.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const A = { pageId: '1001', psid: '2002' };
const B = { pageId: '1002', psid: '2002' };

let stub: ScriptedGraph;
beforeAll(async () => { stub = await scriptedGraph(); });
afterAll(async () => { await stub.close(); });

type Call = 'check' | 'opt_in' | 'page_status' | 'batch';
const EDGE: Record<Call, string> = { check: 'messenger_call_permissions', opt_in: 'messages', page_status: 'business_messaging_feature_status', batch: '' };

/** One call of the client for a thread, its failure (or null on success). */
const run = async (graph: GraphApiClient, call: Call, thread: typeof A): Promise<GraphFailure | null> => {
  if (call === 'batch') {
    const [item] = await graph.checkMany([thread]);
    return item === undefined || item.result.ok ? null : item.result.error;
  }
  const r: Result<unknown, GraphFailure> = call === 'check' ? await graph.checkPermission(thread)
    : call === 'opt_in' ? await graph.sendPermissionRequest(thread) : await graph.checkPageCalling(thread.pageId);
  return r.ok ? null : r.error;
};

const scenario = fc.record({
  codeScope: fc.constantFrom(...SCOPE_OF_CODE),
  // Where Meta throttled (batch is left out: the stub answers no batch; it goes through the same gate below).
  call: fc.constantFrom<Call>('check', 'opt_in', 'page_status'),
  status: fc.constantFrom(400, 403, 429),
  /** `X-Business-Use-Case-Usage` with a regain time in minutes, or none. */
  regainMinutes: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }),
  baseMs: fc.integer({ min: 1_000, max: 10 * MIN }),
  retryLimit: fc.integer({ min: 0, max: 4 }),
}).filter((s) => !(s.codeScope[0] === 613 && s.call === 'opt_in')); // 613 on the opt-in is the thread's limit, not a throttle

describe('a throttled scope gets no HTTP request until its wait is over', () => {
  test.prop([scenario])('after one throttled answer, calls in the scope fail at once; other Pages go on for a Page or business throttle', async (s) => {
    const [code, scope] = s.codeScope;
    stub.reset();
    const header = s.regainMinutes === undefined ? {} : {
      'x-business-use-case-usage': JSON.stringify({ 'biz-1': [{ type: 'messenger', call_count: 100, total_cputime: 9, total_time: 9, estimated_time_to_regain_access: s.regainMinutes }] }),
    };
    let throttledOnce = false;
    stub.answer((req: StubRequest) => {
      if (throttledOnce || req.pageId !== A.pageId || req.edge !== EDGE[s.call]) return undefined;
      throttledOnce = true;
      return { status: s.status, body: throttleBody(code), headers: header };
    });
    const clock = new VirtualClock(Date.UTC(2026, 5, 1));
    const graph = graphApi({
      accessToken: 'token', baseUrl: stub.url, clock, throttleFallbackMs: s.baseMs,
      retry: { limit: s.retryLimit, baseDelayMs: 1, maxDelayMs: 5_000 },
    });
    try {
      // Meta's regain time (the header) blocks the business named in it; otherwise the scope's first backoff step.
      const wait = s.regainMinutes !== undefined && scope === 'business' ? s.regainMinutes * MIN
        : code === 368 ? Math.max(HOUR, s.baseMs) : s.baseMs;
      const first = await run(graph, s.call, A);
      expect(first).toBeInstanceOf(ThrottledError);
      expect([first?.code, first?.processed]).toEqual([code, 'no']);
      expect(stub.requests).toHaveLength(1); // not retried: the backoff is never slept on, Meta's regain is minutes
      if (s.regainMinutes === undefined || scope === 'business') expect(first?.retryAfterMs).toBe(wait);
      const until = clock.now() + (first?.retryAfterMs ?? 0);

      // Another Page at once: held back by an app or user throttle, sent for a Page or business one.
      const other = await run(graph, 'check', B);
      if (scope === 'app' || scope === 'user') expect(other).toBeInstanceOf(ThrottledError);
      else expect(other).toBeNull();
      const sentSoFar = scope === 'app' || scope === 'user' ? 1 : 2;
      expect(stub.requests).toHaveLength(sentSoFar);

      clock.advance(Math.floor((until - clock.now()) / 2));
      for (const call of ['check', 'opt_in', 'page_status', 'batch'] as const) {
        const refused = await run(graph, call, A);
        expect(refused).toBeInstanceOf(ThrottledError);
        expect([refused?.processed, refused?.retryAfterMs]).toEqual(['no', until - clock.now()]);
      }
      expect(stub.requests).toHaveLength(sentSoFar);

      clock.set(until - 1);
      expect((await run(graph, 'check', A))?.retryAfterMs).toBe(1);
      clock.advance(1);
      const sent = stub.requests.length;
      expect(await run(graph, 'check', A)).toBeNull();
      expect(stub.requests).toHaveLength(sent + 1);
    } finally {
      graph.close();
    }
  });
});

describe('4 and 17 without a usage header', () => {
  test.prop([
    fc.constantFrom(4, 17), fc.constantFrom<Call>('check', 'opt_in', 'page_status'), fc.constantFrom(400, 403, 429, 500),
    fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 600_000 }),
  ])('are not retried within the same call, whatever the retry policy allows', async (code, call, status, retryLimit, maxDelayMs) => {
    stub.reset();
    stub.answer(() => ({ status, body: throttleBody(code) }));
    const graph = graphApi({ accessToken: 'token', baseUrl: stub.url, clock: new VirtualClock(0), retry: { limit: retryLimit, baseDelayMs: 1, maxDelayMs } });
    try {
      const failure = await run(graph, call, A);
      expect(failure?.kind).toBe('throttled');
      expect(stub.requests).toHaveLength(1);
    } finally {
      graph.close();
    }
  });
});
