import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, memoryStore, parseWebhook,
  type PageCallingStatus, type PageCallSettings, type Result, type GraphFailure, type Thread,
} from '../../src/internals.js';
import { HOUR, T0 } from '../support/histories.js';
import { inProcessGraph } from '../support/inProcessGraph.js';

const thread: Thread = { pageId: '111', psid: '222' };

const setup = () => {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const world = {
    page: { ok: true, value: { enabled: true, status: 'enabled' } } as Result<PageCallingStatus, GraphFailure>,
    settings: { ok: true, value: { audioEnabled: true, videoEnabled: false, ringTarget: 'PARTNERS' } } as Result<PageCallSettings, GraphFailure>,
  };
  const fake = inProcessGraph({ page: () => world.page, settings: () => world.settings });
  const permissions = createCallPermissions({ graph: fake.graph, store: memoryStore(), clock, pageCacheMs: 0 });
  const approve = () => permissions.ingest([{ kind: 'permission_reply', id: `r-${now}`, thread, response: 'approve', expiresAt: null, at: now }]);
  return { clock, world, fake, permissions, approve };
};

describe('pageStatus', () => {
  it('asks Meta once, keeps the answer pageRecheckAfter, then asks again', async () => {
    const { permissions, fake, clock } = setup();
    const first = await permissions.pageStatus('111');
    expect(first).toMatchObject({
      pageId: '111', canCall: true, off: null, checkedAt: T0, stale: false,
      calling: { enabled: true, status: 'enabled' }, settings: { audioEnabled: true, ringTarget: 'PARTNERS' },
    });
    clock.advance(5 * HOUR);
    await permissions.pageStatus('111');
    expect([fake.pageChecks.length, fake.settingsChecks.length]).toEqual([1, 1]);
    clock.advance(HOUR);
    expect((await permissions.pageStatus('111')).checkedAt).toBe(T0 + 6 * HOUR);
    expect([fake.pageChecks.length, fake.settingsChecks.length]).toEqual([2, 2]);
  });

  it('audio calling off in the settings turns calling off for every thread of the Page, until it is on again', async () => {
    const { permissions, world, approve, clock } = setup();
    await approve();
    world.settings = { ok: true, value: { audioEnabled: false, videoEnabled: false, ringTarget: 'PARTNERS' } };
    const off = await permissions.pageStatus('111');
    expect([off.canCall, off.off?.source]).toEqual([false, 'check']);
    expect((await permissions.status(thread)).callBlockedBy).toBe('calling_not_enabled');
    world.settings = { ok: true, value: { audioEnabled: true, videoEnabled: true, ringTarget: 'PARTNERS' } };
    clock.advance(6 * HOUR);
    expect((await permissions.pageStatus('111')).canCall).toBe(true);
    expect((await permissions.status(thread)).canStartCall).toBe(true);
  });

  it('a failed settings check leaves the feature verdict standing; a failed feature check keeps what was known', async () => {
    const { permissions, world, clock } = setup();
    await permissions.pageStatus('111');
    world.settings = { ok: false, error: { kind: 'transient', processed: 'no', message: 'down' } };
    clock.advance(6 * HOUR);
    const s = await permissions.pageStatus('111');
    expect([s.canCall, s.settings?.audioEnabled, s.checkedAt]).toEqual([true, true, T0 + 6 * HOUR]);
    world.page = { ok: false, error: { kind: 'transient', processed: 'no', message: 'down' } };
    clock.advance(6 * HOUR);
    expect((await permissions.pageStatus('111')).checkedAt).toBe(T0 + 6 * HOUR);
  });

  it('a call_settings_update webhook makes the check stale: the next sweep asks Meta again', async () => {
    const { permissions, fake, world, clock, approve } = setup();
    await approve();
    await permissions.pageStatus('111');
    world.settings = { ok: true, value: { audioEnabled: false, videoEnabled: false, ringTarget: 'META' } };
    clock.advance(HOUR);
    const body = { object: 'page', entry: [{ id: '111', time: clock.now(), changes: [{ field: 'call_settings_update', value: { timestamp: Math.floor(clock.now() / 1000) } }] }] };
    const parsed = parseWebhook(body);
    const events = parsed.ok ? parsed.value : [];
    expect(events.map((e) => e.kind)).toEqual(['page_settings']);
    const report = await permissions.ingest(events);
    expect(report.applied).toBe(1);
    expect((await permissions.ingest(events)).duplicates).toBe(1);
    const swept = await permissions.sweep();
    expect(swept.pages).toBe(1);
    expect(fake.settingsChecks).toHaveLength(2);
    expect((await permissions.status(thread)).callBlockedBy).toBe('calling_not_enabled');
    expect((await permissions.pageStatus('111')).settings?.ringTarget).toBe('META');
    expect((await permissions.sweep()).pages).toBe(0);
  });
});
