import { describe, expect, it } from 'vitest';
import { createCallPermissions, memoryStore, type Thread } from '../../src/internals.js';
import { DAY, HOUR, T0 } from '../support/histories.js';
import { inProcessGraph } from '../support/inProcessGraph.js';

const thread: Thread = { pageId: '111', psid: '222' };
const other: Thread = { pageId: '111', psid: '333' };

const setup = () => {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => { now += ms; } };
  const store = memoryStore();
  const permissions = createCallPermissions({ graph: inProcessGraph().graph, store, clock });
  const wrote = (t: Thread) => permissions.ingest([{ kind: 'inbound_message', id: `in-${t.psid}-${now}`, thread: t, at: now }]);
  const reply = (t: Thread, response: 'approve' | 'reject') => permissions.ingest([{ kind: 'permission_reply', id: `r-${t.psid}-${now}`, thread: t, response, expiresAt: null, at: now }]);
  return { clock, store, permissions, wrote, reply };
};

describe('sweep retires threads that hold nothing live', () => {
  it('deletes a declined thread threadRetention after its newest instant; its history stays', async () => {
    const { permissions, store, clock, wrote, reply } = setup();
    await wrote(thread);
    await reply(thread, 'reject');
    const trail = await permissions.history(thread);
    clock.advance(30 * DAY - 1);
    expect((await permissions.sweep()).retired).toBe(0);
    clock.advance(1);
    expect((await permissions.sweep()).retired).toBe(1);
    expect(await store.get(thread)).toBeNull();
    expect(await store.due(clock.now() + 400 * DAY, 10)).toEqual([]);
    expect(await permissions.history(thread)).toEqual(trail);
    expect((await permissions.status(thread)).state).toBe('none');
  });

  it('never retires a live permission; an expired one retires threadRetention after its expiry is announced', async () => {
    const { permissions, store, clock, wrote, reply } = setup();
    await wrote(thread);
    await reply(thread, 'approve'); // 7 days
    clock.advance(6 * DAY);
    expect((await permissions.sweep()).retired).toBe(0);
    clock.advance(DAY);
    expect((await permissions.sweep()).expired).toBe(1);
    clock.advance(30 * DAY - HOUR);
    expect((await permissions.sweep()).retired).toBe(0);
    clock.advance(HOUR);
    expect((await permissions.sweep()).retired).toBe(1);
    expect(await store.get(thread)).toBeNull();
  });

  it('a thread that moved on after the sweep read it stays (the delete is versioned)', async () => {
    const { permissions, store, clock, wrote } = setup();
    await wrote(thread);
    await wrote(other);
    clock.advance(31 * DAY);
    const read = await store.get(thread);
    await wrote(thread); // the person writes again: a new version
    expect((await store.retire(thread, read!.version)).ok).toBe(false);
    expect(await store.get(thread)).not.toBeNull();
    expect((await permissions.sweep()).retired).toBe(1); // only the other thread
    expect(await store.get(other)).toBeNull();
    expect(await store.get(thread)).not.toBeNull();
  });
});
