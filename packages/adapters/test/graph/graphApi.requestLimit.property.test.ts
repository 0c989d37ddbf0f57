import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { graphApi, RequestLimitError, ThrottledError } from '@callperm/adapters/graph';
import { VirtualClock } from '@callperm/testing';
import { scriptedGraph, type ScriptedGraph } from './support/scriptedGraph.js';

const thread = { pageId: '1001', psid: '2002' };
let stub: ScriptedGraph;
beforeAll(async () => { stub = await scriptedGraph(); });
afterAll(async () => { await stub.close(); });
beforeEach(() => stub.reset());

const limit613 = fc.record({
  // 1893016 multiple opt-in requests, 2534040 rate limit, 2018338 bothersome tags, none, or one Meta has not published.
  subcode: fc.option(fc.oneof(fc.constantFrom(1893016, 2534040, 2018338), fc.integer({ min: 1, max: 9_999_999 })), { nil: undefined }),
  status: fc.constantFrom(400, 403, 429),
  transient: fc.option(fc.boolean(), { nil: undefined }),
});
const body = (f: { subcode: number | undefined; transient: boolean | undefined }) => ({
  error: {
    message: '(#613) Calls to this api have exceeded the rate limit.', type: 'OAuthException', code: 613,
    ...(f.subcode === undefined ? {} : { error_subcode: f.subcode }), ...(f.transient === undefined ? {} : { is_transient: f.transient }),
  },
});
const client = (retryLimit: number) => graphApi({
  accessToken: 'token', baseUrl: stub.url, clock: new VirtualClock(Date.UTC(2026, 5, 1)), retry: { limit: retryLimit, baseDelayMs: 1, maxDelayMs: 5 },
});

describe('613 is read per call', () => {
  test.prop([limit613, fc.integer({ min: 0, max: 5 })])(
    'on the opt-in it is the thread\'s request limit: a RequestLimitError, one HTTP request, nothing else held back',
    async (f, retryLimit) => {
      stub.reset();
      stub.answer((req) => (req.edge === 'messages' ? { status: f.status, body: body(f) } : undefined));
      const graph = client(retryLimit);
      try {
        const r = await graph.sendPermissionRequest(thread);
        expect(r.ok ? null : r.error).toBeInstanceOf(RequestLimitError);
        expect(r.ok ? null : [r.error.kind, r.error.code, r.error.subcode, r.error.processed]).toEqual(['request_limit', 613, f.subcode, 'no']);
        expect(stub.requests).toHaveLength(1);
        // Another thread's limit, the Page and the app are untouched: the next calls go out.
        expect(graph.throttledUntil(thread.pageId)).toBeUndefined();
        expect((await graph.checkPermission(thread)).ok).toBe(true);
        expect(stub.requests).toHaveLength(2);
      } finally {
        graph.close();
      }
    },
  );

  test.prop([limit613, fc.integer({ min: 0, max: 5 }), fc.constantFrom('check' as const, 'page_status' as const)])(
    'on a check it is throttling: a ThrottledError, not retried without Meta\'s wait, and the Page waits',
    async (f, retryLimit, call) => {
      stub.reset();
      stub.answer((req) => (req.edge !== 'messages' ? { status: f.status, body: body(f) } : undefined));
      const graph = client(retryLimit);
      try {
        const r = call === 'check' ? await graph.checkPermission(thread) : await graph.checkPageCalling(thread.pageId);
        expect(r.ok ? null : r.error).toBeInstanceOf(ThrottledError);
        expect(r.ok ? null : [r.error.kind, r.error.code, r.error.processed]).toEqual(['throttled', 613, 'no']);
        expect(stub.requests).toHaveLength(1);
        expect(graph.throttledUntil(thread.pageId)).toBeDefined();
      } finally {
        graph.close();
      }
    },
  );
});
