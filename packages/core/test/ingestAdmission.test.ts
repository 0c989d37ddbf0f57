import { describe, expect, it } from 'vitest';
import { createCallPermissions, memoryStore, type Thread, type WebhookEvent } from '../src/internals.js';
import { DAY, HOUR, T0 } from './support/histories.js';
import { inProcessGraph } from './support/inProcessGraph.js';

const thread: Thread = { pageId: '1234', psid: '5678' };
const MINUTE = 60_000;
const YEAR_2223 = Date.UTC(2223, 0, 1);

const setup = (options: Parameters<typeof createCallPermissions>[0]['admission'] = {}) => {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const store = memoryStore();
  const permissions = createCallPermissions({ graph: inProcessGraph().graph, store, clock, admission: options });
  return { permissions, clock, store };
};

const approve = (id: string, at: number, expiresAt: number | null = at + 7 * DAY): WebhookEvent =>
  ({ kind: 'permission_reply', id, thread, at, response: 'approve', expiresAt });
const reject = (id: string, at: number): WebhookEvent =>
  ({ kind: 'permission_reply', id, thread, at, response: 'reject', expiresAt: null });

describe('ingest admits only plausible, bounded events', () => {
  it('refuses a forged approval dated 2223 as implausible, so a later reject still ends the permission', async () => {
    const { permissions, clock } = setup();
    const report = await permissions.ingest([approve('forged', YEAR_2223, YEAR_2223 + 7 * DAY)]);
    expect(report.refused.implausible_instant).toBe(1);
    expect(report.applied).toBe(0);
    expect((await permissions.status(thread)).version).toBe(0); // nothing stored
    await permissions.ingest([approve('genuine', clock.now())]);
    clock.advance(HOUR);
    await permissions.ingest([reject('no', clock.now())]);
    expect((await permissions.canStartCall(thread)).allowed).toBe(false);
  });

  it('accepts instants inside [now - 7 days, now + 5 minutes] and refuses those outside, counting each', async () => {
    const { permissions, clock } = setup();
    const now = clock.now();
    const report = await permissions.ingest([
      { kind: 'inbound_message', id: 'old', thread, at: now - 7 * DAY - 1 },
      { kind: 'inbound_message', id: 'oldest-ok', thread, at: now - 7 * DAY },
      { kind: 'inbound_message', id: 'skew-ok', thread, at: now + 5 * MINUTE },
      { kind: 'inbound_message', id: 'future', thread, at: now + 5 * MINUTE + 1 },
      { kind: 'inbound_message', id: 'nan', thread, at: Number.NaN },
    ]);
    expect(report.refused.implausible_instant).toBe(3);
    expect(report.applied + report.unchanged).toBe(2);
  });

  it('the horizon and skew are options', async () => {
    const { permissions, clock } = setup({ horizonMs: HOUR, skewMs: 0 });
    const report = await permissions.ingest([
      { kind: 'inbound_message', id: 'a', thread, at: clock.now() - 2 * HOUR },
      { kind: 'inbound_message', id: 'b', thread, at: clock.now() + 1 },
    ]);
    expect(report.refused.implausible_instant).toBe(2);
  });

  it('refuses events with hostile ids by reason and applies the genuine ones beside them', async () => {
    const { permissions, store } = setup();
    const report = await permissions.ingest([
      { kind: 'inbound_message', id: 'long', thread: { pageId: '1234', psid: '9'.repeat(5000) }, at: T0 },
      { kind: 'inbound_message', id: 'nul', thread: { pageId: '12\u000034', psid: '5678' }, at: T0 },
      { kind: 'inbound_message', id: 'lone\ud800', thread, at: T0 },
      { kind: 'inbound_message', id: 'genuine', thread, at: T0 },
    ]);
    expect(report.refused).toMatchObject({ id_too_long: 1, id_malformed: 2 });
    expect(report.applied).toBe(1);
    expect((await store.get(thread))?.record.lastInboundAt).toBe(T0);
  });

  it('caps the events and threads of one call', async () => {
    const { permissions } = setup({ maxEventsPerDelivery: 5, maxThreadsPerDelivery: 3 });
    const events: WebhookEvent[] = Array.from({ length: 8 }, (_, i) => ({
      kind: 'inbound_message', id: `m${i}`, thread: { pageId: '1234', psid: String(100 + (i % 4)) }, at: T0,
    }));
    const report = await permissions.ingest(events);
    // m0..m2 open three threads, m3 would be a fourth (refused), m4..m5 reuse them, then the event cap is reached.
    expect(report.refused).toMatchObject({ too_many_threads: 1, too_many_events: 2 });
    expect(report.applied + report.unchanged).toBe(5);
  });

  it('refuses admission limits that are not numbers >= 0', () => {
    expect(() => setup({ horizonMs: Number.NaN })).toThrow(RangeError);
    expect(() => setup({ maxEventsPerDelivery: -1 })).toThrow(RangeError);
  });
});

describe('a delivery applied late is judged as when it was received', () => {
  it('an inbox entry swept after the horizon still applies (its events were plausible when they came in)', async () => {
    const { permissions, clock, store } = setup();
    await permissions.inbox.put([approve('late.1', clock.now())]);
    clock.advance(10 * DAY);
    const report = await permissions.sweep();
    expect(report.inbox).toBe(1);
    expect(await store.history(thread)).toHaveLength(1);
    expect((await permissions.status(thread)).version).toBe(1);
  });
});
