import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { appSecretProof, graphApi, TransientError, UnknownGraphError, type GraphApiOptions } from '@callperm/adapters/graph';
import { VirtualClock } from '@callperm/testing';
import { parsePageCallingStatus } from '../../src/graph/parsePageCallingStatus.js';
import { scriptedGraph, type ScriptedGraph } from './support/scriptedGraph.js';

const PAGE = '1001';
const TOKEN = 'EAAGpagetokenforthestub0123456789';
let stub: ScriptedGraph;
beforeAll(async () => { stub = await scriptedGraph(); });
afterAll(async () => { await stub.close(); });
beforeEach(() => stub.reset());

const client = (options: Partial<GraphApiOptions> = {}) => graphApi({
  accessToken: TOKEN, baseUrl: stub.url, clock: new VirtualClock(0), retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 }, ...options,
});

/** `enabled` in any casing (the prose says ENABLED, the sample enabled). */
const enabledWord = fc.array(fc.boolean(), { minLength: 7, maxLength: 7 })
  .map((upper) => [...'enabled'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const otherWord = fc.string({ maxLength: 20 }).filter((w) => w.trim().toLowerCase() !== 'enabled');
const otherFeature = fc.record({
  feature: fc.string({ maxLength: 30 }).filter((f) => f.toLowerCase() !== 'messenger_api_calling'),
  status: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
});
/** A documented answer: the calling entry (or none) among other features' entries, with unknown fields Meta may add. */
const answer = fc.record({
  calling: fc.option(fc.oneof(enabledWord, otherWord, fc.constantFrom('disabled', 'DISABLED', 'not_eligible', 'pending')), { nil: undefined }),
  others: fc.array(otherFeature, { maxLength: 4 }),
  at: fc.nat(),
  extra: fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== 'data'), fc.jsonValue(), { maxKeys: 2 }),
});
const bodyOf = (a: { calling: string | undefined; others: readonly unknown[]; at: number; extra: Readonly<Record<string, unknown>> }) => {
  const data: unknown[] = [...a.others];
  if (a.calling !== undefined) data.splice(a.at % (data.length + 1), 0, { feature: 'messenger_api_calling', status: a.calling, since: 1 });
  return { ...a.extra, data };
};

describe('checkPageCalling over real HTTP', () => {
  it('posts the feature-status query Meta documents, with the token and appsecret_proof', async () => {
    const graph = client({ appSecret: 'the-app-secret' });
    try {
      const r = await graph.checkPageCalling(PAGE);
      expect(r).toEqual({ ok: true, value: { enabled: true, status: 'enabled' } });
      const [req] = stub.requests;
      expect([req?.method, req?.path]).toEqual(['POST', `/v26.0/${PAGE}/business_messaging_feature_status`]);
      expect(JSON.parse(req?.body ?? '')).toEqual({ features: [{ feature: 'messenger_api_calling' }] });
      expect(req?.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req?.query).toEqual({ appsecret_proof: appSecretProof(TOKEN, 'the-app-secret') });
    } finally {
      graph.close();
    }
  });

  test.prop([answer])('decodes every documented shape: enabled in any casing, other statuses, a missing entry', async (a) => {
    stub.reset();
    stub.answer(() => ({ status: 200, body: bodyOf(a) }));
    const graph = client();
    try {
      const r = await graph.checkPageCalling(PAGE);
      const expected = a.calling === undefined ? { enabled: false, status: 'missing' }
        : { enabled: a.calling.toLowerCase() === 'enabled', status: a.calling };
      expect(r).toEqual({ ok: true, value: expected });
      expect(stub.requests).toHaveLength(1);
    } finally {
      graph.close();
    }
  });

  const malformed = fc.oneof(
    fc.constantFrom<unknown>(null, [], 'enabled', 42, {}, { data: null }, { data: 'enabled' }, { data: {} }),
    fc.constant({ data: [{ feature: 'messenger_api_calling' }] }),
    fc.constant({ data: [{ feature: 'messenger_api_calling', status: true }] }),
    fc.record({ data: fc.tuple(fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.record({ status: fc.string() }))) }),
  );

  test.prop([malformed])('refuses a body of another shape as a typed decode failure', async (body) => {
    stub.reset();
    stub.answer(() => ({ status: 200, body: JSON.stringify(body) }));
    const graph = client();
    try {
      const r = await graph.checkPageCalling(PAGE);
      expect(r.ok ? null : r.error).toBeInstanceOf(UnknownGraphError);
      expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['unknown', 'unknown']);
    } finally {
      graph.close();
    }
  });

  it('an answer that is not JSON is a passing fault, as for the other calls', async () => {
    stub.answer(() => ({ status: 200, body: '<html>oops' }));
    const graph = client({ retry: { limit: 0 } });
    try {
      const r = await graph.checkPageCalling(PAGE);
      expect(r.ok ? null : r.error).toBeInstanceOf(TransientError);
    } finally {
      graph.close();
    }
  });

  it('is a read: retried through passing faults like a check', async () => {
    let failures = 2;
    stub.answer(() => (failures-- > 0 ? { status: 503, body: 'busy' } : undefined));
    const graph = client();
    try {
      expect((await graph.checkPageCalling(PAGE)).ok).toBe(true);
      expect(stub.requests).toHaveLength(3);
    } finally {
      graph.close();
    }
  });

  it('maps Meta\'s errors like the other calls', async () => {
    stub.answer(() => ({ status: 400, body: { error: { message: 'Invalid OAuth access token', type: 'OAuthException', code: 190 } } }));
    const graph = client();
    try {
      const r = await graph.checkPageCalling(PAGE);
      expect(r.ok ? null : [r.error.kind, r.error.code, r.error.processed]).toEqual(['auth', 190, 'no']);
      expect(stub.requests).toHaveLength(1);
    } finally {
      graph.close();
    }
  });
});

describe('parsePageCallingStatus', () => {
  it('keeps Meta\'s word and compares it case-insensitively', () => {
    expect(parsePageCallingStatus({ data: [{ feature: 'messenger_api_calling', status: 'ENABLED' }] })).toEqual({ enabled: true, status: 'ENABLED' });
    expect(parsePageCallingStatus({ data: [{ feature: 'messenger_api_calling', status: 'disabled' }] })).toEqual({ enabled: false, status: 'disabled' });
    expect(parsePageCallingStatus({ data: [] })).toEqual({ enabled: false, status: 'missing' });
    expect(parsePageCallingStatus({ data: [{ feature: 'x' }] })).toEqual({ enabled: false, status: 'missing' });
  });
});
