import { describe, expect, it } from 'vitest';
import { clientAgainstFake } from './support/clientAgainstFake.js';
import { graphApi, TransientError, type GraphApiOptions } from '@callperm/adapters/graph';
import { createFakeGraphApi, fakeMetaErrors, type FakeGraphApi } from '@callperm/testing';

const thread = { pageId: '1001', psid: '2002' };

const start = clientAgainstFake();

const setup = async (client: Partial<GraphApiOptions> = {}) => {
  const { fake, graph } = await start({}, { ...client, retry: { limit: 2, ...client.retry } });
  fake.inbound(thread);
  return { fake, graph };
};

const sends = (f: FakeGraphApi) => f.requests.filter((r) => r.endpoint === 'send').length;
const checks = (f: FakeGraphApi) => f.requests.filter((r) => r.endpoint === 'check').length;

describe('retries', () => {
  it('a GET is retried through passing faults and succeeds', async () => {
    const { fake, graph } = await setup();
    fake.inject('check', { kind: 'status', status: 503 }, { kind: 'reset' });
    expect((await graph.checkPermission(thread)).ok).toBe(true);
    expect(checks(fake)).toBe(3);
  });

  it('a GET is retried on is_transient', async () => {
    const { fake, graph } = await setup();
    fake.inject('check', { kind: 'error', body: fakeMetaErrors.serviceUnavailable, status: 500 }, { kind: 'error', body: fakeMetaErrors.serviceUnavailable, status: 500 });
    expect((await graph.checkPermission(thread)).ok).toBe(true);
    expect(checks(fake)).toBe(3);
  });

  // Was: "retried on a throttling error". A throttle without Meta's wait is no longer retried within seconds:
  // calling sooner extends Meta's block, so the app scope waits for the backoff instead.
  it('a GET is not retried on a throttling error without Meta\'s wait; the app waits for the backoff', async () => {
    const { fake, graph } = await setup();
    fake.inject('check', { kind: 'error', body: fakeMetaErrors.appLimit });
    const r = await graph.checkPermission(thread);
    expect(r.ok ? null : [r.error.kind, r.error.code, r.error.retryAfterMs]).toEqual(['throttled', 4, 60_000]);
    expect(checks(fake)).toBe(1);
  });

  it('a GET is not retried on an error that would repeat', async () => {
    const { fake, graph } = await setup();
    fake.inject('check', { kind: 'error', body: fakeMetaErrors.invalidParameter });
    const r = await graph.checkPermission(thread);
    expect(r.ok ? null : r.error.kind).toBe('invalid');
    expect(checks(fake)).toBe(1);
  });

  it('gives up after the limit with the last failure', async () => {
    const { fake, graph } = await setup();
    fake.inject('check', ...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 502 })));
    const r = await graph.checkPermission(thread);
    expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['transient', 'unknown']);
    expect(checks(fake)).toBe(3);
  });

  for (const fault of [{ kind: 'status', status: 500 }, { kind: 'reset' }, { kind: 'malformed' }] as const) {
    it(`the opt-in POST is not retried after ${fault.kind}: Meta may have sent it`, async () => {
      const { fake, graph } = await setup();
      fake.inject('send', fault);
      const r = await graph.sendPermissionRequest(thread);
      expect(r.ok ? null : r.error.processed).toBe('unknown');
      expect(sends(fake)).toBe(1);
    });
  }

  // Was: "retried after a throttling error". Now the throttle is handed back (not processed, nothing sent)
  // and the next call waits for the backoff; it is never sent twice within seconds.
  it('the opt-in POST is not retried after a throttling error without Meta\'s wait, and says it was not processed', async () => {
    const { fake, graph } = await setup();
    fake.inject('send', { kind: 'error', body: fakeMetaErrors.appLimit });
    const r = await graph.sendPermissionRequest(thread);
    expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['throttled', 'no']);
    expect([sends(fake), fake.optIns.length]).toEqual([1, 0]);
  });

  it('a response that never comes is a timeout, transient and ambiguous (client timeout, no sleep)', async () => {
    const { fake, graph } = await setup({ timeouts: { response: 50 }, retry: { limit: 0 } });
    fake.inject('send', { kind: 'hang', after: true });
    const r = await graph.sendPermissionRequest(thread);
    expect(r.ok ? null : r.error).toBeInstanceOf(TransientError);
    expect(r.ok ? null : [r.error.processed, (r.error as TransientError).transportCode]).toEqual(['unknown', 'ETIMEDOUT']);
    expect(fake.optIns).toHaveLength(1);
  });

  it('a refused connection proves nothing was sent', async () => {
    const closed = await createFakeGraphApi();
    const url = closed.url;
    await closed.close();
    const graph = graphApi({ accessToken: 'token', baseUrl: url, retry: { limit: 0 } });
    const r = await graph.sendPermissionRequest(thread);
    graph.close();
    expect(r.ok ? null : [r.error.kind, r.error.processed]).toEqual(['transient', 'no']);
  });
});
