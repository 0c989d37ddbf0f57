import { describe, expect, it } from 'vitest';
import {
  createCallPermissions, memoryStore, noRefusals,
  type PermissionStore, type RemotePermission, type Thread, type TransitionNotice,
} from '../../src/internals.js';
import { inProcessGraph } from '../support/inProcessGraph.js';
import { callEvents } from './callEvents.js';

const T0 = Date.UTC(2026, 10, 1);
const S = 1000;
const DAY = 86_400_000;
const thread: Thread = { pageId: '111', psid: '222' };
const c = callEvents('111', 'c_1', '222');

const granted = (expiresAt: number): RemotePermission => ({
  status: 'has_permission', rawStatus: 'has_permission', expiresAt,
  request: null, startCall: { canPerform: true, limits: [] },
});
const none: RemotePermission = { status: 'no_permission', rawStatus: 'no_permission', expiresAt: null, request: null, startCall: null };

const host = (store: PermissionStore, remote?: () => RemotePermission) => {
  let now = T0 + 60 * S; // the calls below end by then
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const fake = inProcessGraph(remote ? { remote } : {});
  const notices: TransitionNotice[] = [];
  const permissions = createCallPermissions({ graph: fake.graph, store, clock, onTransition: (n) => notices.push(n) });
  return { permissions, clock, fake, notices };
};

describe('ingesting calls webhooks', () => {
  it('grants provisionally after a missed consumer call and counts the items', async () => {
    const { permissions } = host(memoryStore());
    const report = await permissions.ingest([c.connect('user_initiated', T0), c.media(T0 + S), c.terminate(T0 + 60 * S, null)]);
    expect(report).toEqual({ applied: 1, unchanged: 0, duplicates: 0, ignored: 2, refused: noRefusals });
    const s = await permissions.status(thread);
    expect(s).toMatchObject({ state: 'approved', provisional: true, expiresAt: T0 + 60 * S + 7 * DAY, canStartCall: true });
  });

  it('keeps the call trace in the store: a terminate seen before a restart meets its connect after it', async () => {
    const store = memoryStore();
    const first = host(store);
    expect(await first.permissions.ingest([c.terminate(T0 + 95 * S, 90)])).toMatchObject({ ignored: 1 });
    expect((await first.permissions.status(thread)).state).toBe('none');
    const second = host(store); // a new process on the same store
    expect(await second.permissions.ingest([c.connect('user_initiated', T0)])).toMatchObject({ applied: 1 });
    expect(await second.permissions.status(thread)).toMatchObject({ state: 'approved', provisional: true });
  });

  it('converges when two hosts sharing a store receive the two halves of a call at once', async () => {
    const store = memoryStore();
    const a = host(store);
    const b = host(store);
    await Promise.all([
      a.permissions.ingest([c.connect('business_initiated', T0), c.status('accepted', T0 + 5 * S)]),
      b.permissions.ingest([c.terminate(T0 + 95 * S, 90), c.status('ringing', T0 + S)]),
    ]);
    expect(await a.permissions.status(thread)).toMatchObject({ state: 'approved', provisional: true, expiresAt: T0 + 95 * S + 7 * DAY });
    // Replaying everything changes nothing.
    const again = await b.permissions.ingest([c.terminate(T0 + 95 * S, 90), c.connect('business_initiated', T0)]);
    expect(again.applied).toBe(0);
  });

  it('announces an implicit grant once, however often the items come', async () => {
    const { permissions, notices } = host(memoryStore());
    const items = [c.connect('user_initiated', T0), c.terminate(T0 + 60 * S, null)];
    await permissions.ingest([...items].reverse());
    await permissions.ingest(items);
    await permissions.ingest([items[1]!]);
    expect(notices.filter((n) => n.to === 'approved').map((n) => n.event)).toEqual(['CONSUMER_CALL_MISSED']);
  });

  it('confirms the grant with a remote check when the sweep comes round', async () => {
    const metaExpiry = T0 + 7 * DAY + 42 * S;
    const { permissions, clock, fake } = host(memoryStore(), () => granted(metaExpiry));
    await permissions.ingest([c.connect('user_initiated', T0), c.terminate(T0 + 60 * S, null)]);
    expect(await permissions.sweep()).toMatchObject({ checked: 0 }); // not due yet: the reconcile delay has not passed
    clock.advance(60 * S);
    const report = await permissions.sweep();
    expect(report).toMatchObject({ due: 1, checked: 1, failed: 0 });
    expect(fake.checks).toEqual([thread]);
    expect(await permissions.status(thread)).toMatchObject({ state: 'approved', provisional: false, expiresAt: metaExpiry });
    expect(await permissions.sweep()).toMatchObject({ due: 0 });
  });

  it('corrects the grant when Meta says there is none', async () => {
    const { permissions, clock } = host(memoryStore(), () => none);
    await permissions.ingest([c.connect('business_initiated', T0), c.status('accepted', T0 + 5 * S)]);
    clock.advance(60 * S);
    expect(await permissions.sweep()).toMatchObject({ checked: 1 });
    expect(await permissions.status(thread)).toMatchObject({ state: 'none', provisional: false, canStartCall: false });
  });
});
