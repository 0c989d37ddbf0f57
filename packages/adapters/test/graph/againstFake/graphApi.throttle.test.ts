import { describe, expect, it } from 'vitest';
import { clientAgainstFake } from './support/clientAgainstFake.js';
import { ThrottledError, type GraphLogEntry } from '@callperm/adapters/graph';

const page1 = { pageId: '1001', psid: '2002' };
const page2 = { pageId: '1002', psid: '2002' };

const start = clientAgainstFake();

const setup = async () => {
  const log: GraphLogEntry[] = [];
  const { fake, graph, clock } = await start({ businessIds: { '1001': 'biz-77' } }, { log: (e) => log.push(e) });
  return { fake, graph, clock, log };
};

describe('business-use-case throttling', () => {
  it('a throttled business gets no HTTP call until the regain time has passed on the virtual clock', async () => {
    const { fake, graph, clock } = await setup();
    fake.throttle({ pageId: '1001', regainMinutes: 10 });
    const first = await graph.checkPermission(page1);
    expect(first.ok ? null : [first.error.kind, first.error.code]).toEqual(['throttled', 80006]);
    expect(first.ok ? null : first.error.retryAfterMs).toBe(10 * 60_000);
    expect(fake.requests).toHaveLength(1); // not retried: Meta said 10 minutes

    clock.advance('PT9M59S');
    for (const call of [() => graph.checkPermission(page1), () => graph.sendPermissionRequest(page1), () => graph.checkMany([page1])]) {
      const r = await call();
      const failure = Array.isArray(r) ? (r as { result: { ok: boolean; error?: unknown } }[])[0]?.result.error : (r as { error?: unknown }).error;
      expect(failure).toBeInstanceOf(ThrottledError);
      expect((failure as ThrottledError).processed).toBe('no');
      expect((failure as ThrottledError).retryAfterMs).toBe(1000);
    }
    expect(fake.requests).toHaveLength(1);

    // Other Pages are not held back.
    expect((await graph.checkPermission(page2)).ok).toBe(true);
    expect(fake.requests).toHaveLength(2);

    clock.advance('PT1S');
    expect((await graph.checkPermission(page1)).ok).toBe(true);
    expect(fake.requests).toHaveLength(3);
    expect(graph.throttledUntil('1001')).toBeUndefined();
  });

  it('a BUC error without the header still stops calls for the fallback time', async () => {
    const { fake, graph, clock } = await setup();
    fake.throttle({ pageId: '1001', regainMinutes: 1, header: false, code: 80001 });
    const r = await graph.checkPermission(page1);
    expect(r.ok ? null : r.error.code).toBe(80001);
    expect(graph.throttledUntil('1001')).toBe(clock.now() + 60_000);
    await graph.checkPermission(page1);
    expect(fake.requests).toHaveLength(1);
  });

  it('logs the local refusal without a secret', async () => {
    const { fake, graph, log } = await setup();
    fake.throttle({ pageId: '1001', regainMinutes: 2 });
    await graph.checkPermission(page1);
    await graph.checkPermission(page1);
    expect(log.map((e) => e.event)).toEqual(['response', 'failure', 'throttled']);
  });
});
