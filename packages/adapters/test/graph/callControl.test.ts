import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GraphFailure, Result } from '@callperm/core';
import {
  appSecretProof, graphApi, ThrottledError, TransientError, UnknownGraphError, type GraphApiClient, type GraphApiOptions, type GraphLogEntry,
} from '@callperm/adapters/graph';
import { VirtualClock } from '@callperm/testing';
import { scriptedGraph, STUB_SDP_ANSWER, type ScriptedGraph, type StubAnswer, type StubRequest } from './support/scriptedGraph.js';
import { throttleBody } from './support/throttleCodes.js';

const PAGE = '1001';
const OTHER_PAGE = '1002';
const thread = { pageId: PAGE, psid: '2002' };
const TOKEN = 'EAAGcalltokenforthestub0123456789';
const OFFER = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host',
  'a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  'a=rtpmap:111 opus/48000/2', '',
].join('\r\n');

let stub: ScriptedGraph;
beforeAll(async () => { stub = await scriptedGraph(); });
afterAll(async () => { await stub.close(); });
beforeEach(() => stub.reset());

const client = (options: Partial<GraphApiOptions> = {}): GraphApiClient => graphApi({
  accessToken: TOKEN, baseUrl: stub.url, clock: new VirtualClock(Date.UTC(2026, 5, 1)), retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 }, ...options,
});

const calls = () => stub.requests.filter((r) => r.edge === 'calls');
const bodyOf = (r: StubRequest | undefined): unknown => JSON.parse(r?.body ?? 'null');

/** One client method by name, its result widened (each returns its own value type). */
type Method = 'opt_in' | 'connect' | 'accept' | 'terminate' | 'reject' | 'settings' | 'check';
const run = (graph: GraphApiClient, method: Method, pageId = PAGE): Promise<Result<unknown, GraphFailure>> => {
  switch (method) {
    case 'opt_in': return graph.sendPermissionRequest({ pageId, psid: thread.psid });
    case 'connect': return graph.connectCall({ pageId, psid: thread.psid }, OFFER);
    case 'accept': return graph.acceptCall(pageId, 'c_in', OFFER);
    case 'terminate': return graph.terminateCall(pageId, 'c_1');
    case 'reject': return graph.rejectCall(pageId, 'c_in');
    case 'settings': return graph.checkCallSettings(pageId);
    case 'check': return graph.checkPermission({ pageId, psid: thread.psid });
  }
};
const EDGE: Record<Method, string> = {
  opt_in: 'messages', connect: 'calls', accept: 'calls', terminate: 'calls', reject: 'calls', settings: 'messenger_call_settings', check: 'messenger_call_permissions',
};

describe('the calls edge over real HTTP: what is sent and what is read', () => {
  it('connectCall posts the documented connect body and reads the call id and SDP answer', async () => {
    const graph = client({ appSecret: 'the-app-secret' });
    try {
      const r = await graph.connectCall(thread, OFFER);
      expect(r).toEqual({ ok: true, value: { callId: 'c_stub', sdpAnswer: STUB_SDP_ANSWER } });
      const [req] = stub.requests;
      expect([req?.method, req?.path]).toEqual(['POST', `/v26.0/${PAGE}/calls`]);
      expect(bodyOf(req)).toEqual({ platform: 'messenger', to: '2002', action: 'connect', session: { sdp_type: 'offer', sdp: OFFER } });
      expect(req?.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req?.query).toEqual({ appsecret_proof: appSecretProof(TOKEN, 'the-app-secret') });
    } finally {
      graph.close();
    }
  });

  it('terminateCall posts the terminate body and resolves to null', async () => {
    const graph = client();
    try {
      expect(await graph.terminateCall(PAGE, 'c_123')).toEqual({ ok: true, value: null });
      const [req] = stub.requests;
      expect([req?.method, req?.path]).toEqual(['POST', `/v26.0/${PAGE}/calls`]);
      expect(bodyOf(req)).toEqual({ platform: 'messenger', call_id: 'c_123', action: 'terminate' });
    } finally {
      graph.close();
    }
  });

  it('acceptCall posts the accept body with the host\'s SDP and reads the SDP answer', async () => {
    const graph = client();
    try {
      expect(await graph.acceptCall(PAGE, 'c_in', OFFER)).toEqual({ ok: true, value: { sdpAnswer: STUB_SDP_ANSWER } });
      const [req] = stub.requests;
      expect([req?.method, req?.path]).toEqual(['POST', `/v26.0/${PAGE}/calls`]);
      expect(bodyOf(req)).toEqual({ platform: 'messenger', call_id: 'c_in', action: 'accept', session: { sdp_type: 'offer', sdp: OFFER } });
    } finally {
      graph.close();
    }
  });

  it('acceptCall without an SDP answer from Meta resolves to a null answer', async () => {
    stub.answer((req) => (req.edge === 'calls' ? { status: 200, body: { success: true } } : undefined));
    const graph = client();
    try {
      expect(await graph.acceptCall(PAGE, 'c_in', OFFER)).toEqual({ ok: true, value: { sdpAnswer: null } });
    } finally {
      graph.close();
    }
  });

  it('rejectCall posts the reject body and resolves to null', async () => {
    const graph = client();
    try {
      expect(await graph.rejectCall(PAGE, 'c_in')).toEqual({ ok: true, value: null });
      const [req] = stub.requests;
      expect([req?.method, req?.path]).toEqual(['POST', `/v26.0/${PAGE}/calls`]);
      expect(bodyOf(req)).toEqual({ platform: 'messenger', call_id: 'c_in', action: 'reject' });
    } finally {
      graph.close();
    }
  });

  it('checkCallSettings gets the settings edge with the documented fields and reads the edge shape', async () => {
    const graph = client();
    try {
      expect(await graph.checkCallSettings(PAGE)).toEqual({ ok: true, value: { audioEnabled: true, videoEnabled: false, ringTarget: 'PARTNERS' } });
      const [req] = stub.requests;
      expect([req?.method, req?.path, req?.body]).toEqual(['GET', `/v26.0/${PAGE}/messenger_call_settings`, '']);
      expect(req?.query).toEqual({ fields: 'audio_enabled,video_enabled,call_routing' });
    } finally {
      graph.close();
    }
  });

  it('escapes a Page id in the path', async () => {
    const graph = client();
    try {
      await graph.terminateCall('10/01', 'c_1');
      expect(stub.requests[0]?.path).toBe('/v26.0/10%2F01/calls');
    } finally {
      graph.close();
    }
  });
});

describe('a 2xx Meta answer that cannot be read', () => {
  const unreadableConnect: readonly (readonly [string, unknown])[] = [
    ['no id', { success: true, session: { sdp_response: { sdp_type: 'answer', sdp: 'v=0' } } }],
    ['no SDP', { success: true, id: 'c_1' }],
    ['an empty SDP', { success: true, id: 'c_1', session: { sdp_response: { sdp: '' } } }],
    ['a numeric id', { success: true, id: 42, session: { sdp_response: { sdp: 'v=0' } } }],
    ['success false', { success: false, id: 'c_1', session: { sdp_response: { sdp: 'v=0' } } }],
    ['an array', [{ id: 'c_1' }]],
    ['null', null],
  ];
  for (const [what, body] of unreadableConnect) {
    it(`connect answered 200 with ${what}: an unknown failure, processed unknown (Meta may have placed the call), sent once`, async () => {
      stub.answer((req) => (req.edge === 'calls' ? { status: 200, body: JSON.stringify(body) } : undefined));
      const graph = client();
      try {
        const r = await graph.connectCall(thread, OFFER);
        expect(r.ok ? null : r.error).toBeInstanceOf(UnknownGraphError);
        expect(r.ok ? null : [r.error.kind, r.error.processed, r.error.message.includes(OFFER)]).toEqual(['unknown', 'unknown', false]);
        expect(calls()).toHaveLength(1);
      } finally {
        graph.close();
      }
    });
  }

  for (const method of ['terminate', 'reject', 'accept'] as const) {
    it(`${method} answered 200 without success: true is an unknown failure, processed unknown`, async () => {
      stub.answer((req) => (req.edge === 'calls' ? { status: 200, body: { success: false } } : undefined));
      const graph = client();
      try {
        const r = await run(graph, method);
        expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['unknown', 'unknown']);
      } finally {
        graph.close();
      }
    });
  }
});

/** One fault on the first request to the calls (or messages) edge, then Meta's happy answers. */
interface Fault {
  readonly name: string;
  readonly answer: StubAnswer;
}
const ambiguous: readonly Fault[] = [
  { name: 'a 500 with no body Meta wrote', answer: { status: 500, body: 'Internal Server Error' } },
  { name: 'a 503 with Meta\'s is_transient error', answer: { status: 503, body: { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, is_transient: true } } } },
  { name: 'a dropped connection after sending', answer: { status: 0, body: '', fault: 'reset' } },
  { name: 'no answer (the client times out waiting)', answer: { status: 0, body: '', fault: 'hang' } },
];
/** Failures that prove Meta did not act, and may pass: the opt-in retries them, so must a connect. */
const provenNotProcessed: readonly Fault[] = [
  { name: 'a 400 with is_transient (code 2)', answer: { status: 400, body: { error: { message: 'Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true } } } },
  { name: 'a 429 throttle with Meta\'s own short wait (Retry-After)', answer: { status: 429, body: throttleBody(4), headers: { 'retry-after': '0.002' } } },
];
/** Throttling without Meta's wait: never retried within seconds, opt-in or connect. */
const throttledNoWait: Fault = { name: 'a throttle without Meta\'s wait (code 80006)', answer: { status: 400, body: throttleBody(80006) } };

const faultOnce = (edge: string, answer: StubAnswer) => {
  let sent = false;
  stub.answer((req) => {
    if (req.edge !== edge || sent) return undefined;
    sent = true;
    return answer;
  });
};

/** Runs `method` with the first request to its edge failing with `fault`: the result and the requests Meta got. */
const withFault = async (method: Method, fault: Fault) => {
  stub.reset();
  faultOnce(EDGE[method], fault.answer);
  // A short response timeout turns a hang into a timeout at once: a client setting, not a sleep.
  const graph = client({ timeouts: { response: 60 } });
  try {
    const r = await run(graph, method);
    return { r, sent: stub.requests.filter((q) => q.edge === EDGE[method]).length };
  } finally {
    graph.close();
  }
};

describe('connect and accept are at most once, exactly like the opt-in', () => {
  for (const method of ['connect', 'accept'] as const) {
    for (const fault of ambiguous) {
      it(`${method}: ${fault.name} is not sent again (1 request), and says processed unknown`, async () => {
        const { r, sent } = await withFault(method, fault);
        expect(sent).toBe(1);
        expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['transient', 'unknown']);
        // The opt-in under the same fault: the same single request.
        expect((await withFault('opt_in', fault)).sent).toBe(1);
      });
    }

    for (const fault of provenNotProcessed) {
      it(`${method}: ${fault.name} is retried where the opt-in is (2 requests, then success)`, async () => {
        const { r, sent } = await withFault(method, fault);
        expect([r.ok, sent]).toEqual([true, 2]);
        const optIn = await withFault('opt_in', fault);
        expect([optIn.r.ok, optIn.sent]).toEqual([true, 2]);
      });
    }

    it(`${method}: ${throttledNoWait.name} is handed back, not processed, 1 request (as the opt-in)`, async () => {
      const { r, sent } = await withFault(method, throttledNoWait);
      expect(r.ok ? null : r.error).toBeInstanceOf(ThrottledError);
      expect([r.ok ? null : r.error.processed, sent]).toEqual(['no', 1]);
      expect((await withFault('opt_in', throttledNoWait)).sent).toBe(1);
    });
  }

  it('a connect whose timeout fires late says ETIMEDOUT and processed unknown', async () => {
    const { r } = await withFault('connect', ambiguous[3]!);
    expect(r.ok ? null : r.error).toBeInstanceOf(TransientError);
    expect(r.ok ? null : (r.error as TransientError).transportCode).toBe('ETIMEDOUT');
  });

  it('a refused connection proves nothing rang: processed no', async () => {
    const closed = await scriptedGraph();
    const url = closed.url;
    await closed.close();
    const graph = graphApi({ accessToken: TOKEN, baseUrl: url, retry: { limit: 0 } });
    try {
      const r = await graph.connectCall(thread, OFFER);
      expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['transient', 'no']);
    } finally {
      graph.close();
    }
  });
});

describe('terminate and reject are retried through passing faults, like reads', () => {
  for (const method of ['terminate', 'reject'] as const) {
    for (const fault of [...ambiguous, ...provenNotProcessed]) {
      it(`${method}: ${fault.name} is retried (2 requests, then success)`, async () => {
        const { r, sent } = await withFault(method, fault);
        expect([r.ok, sent]).toEqual([true, 2]);
      });
    }
  }

  it('a terminate whose first attempt went through answers "already terminated" on the retry: call_gone, the call is over', async () => {
    let n = 0;
    stub.answer((req) => {
      if (req.edge !== 'calls') return undefined;
      n += 1;
      return n === 1 ? { status: 0, body: '', fault: 'reset' }
        : { status: 400, body: { error: { message: 'Call already terminated', type: 'OAuthException', code: 100 } } };
    });
    const graph = client();
    try {
      const r = await graph.terminateCall(PAGE, 'c_1');
      expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['call_gone', 'no']);
      expect(calls()).toHaveLength(2);
    } finally {
      graph.close();
    }
  });

  it('checkCallSettings is a GET: retried through a 503', async () => {
    const { r, sent } = await withFault('settings', ambiguous[0]!);
    expect([r.ok, sent]).toEqual([true, 2]);
  });
});

describe('the Page-scoped throttle gate covers the calls', () => {
  const methods = ['connect', 'accept', 'terminate', 'reject', 'settings'] as const;

  for (const first of methods) {
    it(`a Page throttle (32) on ${first} holds back every call of that Page, sends the other Page's, and ends on the clock`, async () => {
      const clock = new VirtualClock(Date.UTC(2026, 5, 1));
      let throttled = false;
      stub.answer((req) => {
        if (throttled || req.pageId !== PAGE || req.edge !== EDGE[first]) return undefined;
        throttled = true;
        return { status: 400, body: throttleBody(32) };
      });
      const graph = client({ clock, throttleFallbackMs: 60_000 });
      try {
        const r = await run(graph, first);
        expect(r.ok ? null : [r.error.kind, r.error.code, r.error.retryAfterMs]).toEqual(['throttled', 32, 60_000]);
        expect(stub.requests).toHaveLength(1);
        for (const m of [...methods, 'check', 'opt_in'] as const) {
          const refused = await run(graph, m);
          expect(refused.ok ? null : refused.error).toBeInstanceOf(ThrottledError);
          expect(refused.ok ? null : refused.error.processed).toBe('no');
        }
        expect(stub.requests).toHaveLength(1);
        expect((await run(graph, 'connect', OTHER_PAGE)).ok).toBe(true);
        expect(stub.requests).toHaveLength(2);
        clock.advance(60_000);
        expect((await run(graph, 'terminate')).ok).toBe(true);
      } finally {
        graph.close();
      }
    });
  }

  it('an app throttle (4) on a check holds back a connect of any Page, without a request', async () => {
    stub.answer((req) => (req.edge === 'messenger_call_permissions' ? { status: 400, body: throttleBody(4) } : undefined));
    const graph = client();
    try {
      expect((await run(graph, 'check')).ok).toBe(false);
      const r = await run(graph, 'connect', OTHER_PAGE);
      expect(r.ok ? null : r.error).toBeInstanceOf(ThrottledError);
      expect(calls()).toHaveLength(0);
    } finally {
      graph.close();
    }
  });
});

describe('no secret and no SDP in errors and logs', () => {
  it('Meta echoing the token, the SDP offer and its lines: the error, its JSON and the log quote none of them', async () => {
    const candidate = 'a=candidate:1 1 udp 2122260223 192.0.2.10 54321 typ host';
    stub.answer((req) => (req.edge === 'calls' ? {
      status: 400,
      body: {
        error: {
          message: `(#100) Invalid SDP ${OFFER} near line ${candidate} with token ${TOKEN}`, type: 'OAuthException', code: 100, error_subcode: 2018392,
          error_user_msg: `bad line ${candidate}`, error_data: { sdp: OFFER, line: candidate, token: TOKEN },
        },
      },
    } : undefined));
    const log: GraphLogEntry[] = [];
    const graph = client({ appSecret: 'the-app-secret-value', log: (e) => log.push(e) });
    try {
      for (const method of ['connect', 'accept'] as const) {
        const r = await run(graph, method);
        expect(r.ok ? null : [r.error.kind, r.error.subcode]).toEqual(['invalid', 2018392]);
        const e = r.ok ? undefined : (r.error as GraphFailure & Error);
        const texts = [e?.message ?? '', e?.stack ?? '', JSON.stringify(e), inspect(e, { depth: Infinity, showHidden: true }), ...log.map((l) => JSON.stringify(l))];
        for (const text of texts) {
          for (const banned of [TOKEN, 'the-app-secret-value', OFFER, candidate, '192.0.2.10 54321']) expect(text).not.toContain(banned);
        }
      }
    } finally {
      graph.close();
    }
  });

  it('our own messages never carry the SDP: a long offer and a failed connect', async () => {
    const longOffer = `${OFFER}${'a=ssrc:1 cname:abcdefgh\r\n'.repeat(2_000)}`;
    stub.answer((req) => (req.edge === 'calls' ? { status: 500, body: 'oops' } : undefined));
    const log: GraphLogEntry[] = [];
    const graph = client({ log: (e) => log.push(e) });
    try {
      const r = await graph.connectCall(thread, longOffer);
      expect(r.ok ? null : r.error.message.length).toBeLessThan(500);
      expect(JSON.stringify(log)).not.toContain('a=ssrc');
    } finally {
      graph.close();
    }
  });
});
