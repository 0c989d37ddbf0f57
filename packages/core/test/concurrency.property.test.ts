import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  createCallPermissions, memoryStore,
  type PermissionRecord, type PermissionStore, type Thread, type WebhookEvent,
} from '../src/internals.js';
import { HOUR, T0 } from './support/histories.js';
import { inProcessGraph } from './support/inProcessGraph.js';
import { scheduledStore } from './support/scheduledStore.js';

const thread: Thread = { pageId: '100', psid: '200' };
const now = T0 + 10 * HOUR;
const clock = { now: () => now };
const approve: WebhookEvent = {
  kind: 'permission_reply', id: 'reply-1', thread, at: now - 1, response: 'approve', expiresAt: null,
};

type Op = 'request' | 'approve';


/** Brings the thread to a known start: an open messaging window and `prior` answered requests. */
const prepare = async (store: PermissionStore, prior: number) => {
  const setup = createCallPermissions({ graph: inProcessGraph().graph, store, clock });
  const events = [{ type: 'USER_MESSAGE' as const, at: now - 5 * HOUR }];
  await setup.apply(thread, events);
  for (let i = 0; i < prior; i += 1) {
    const at = now - 4 * HOUR + i * HOUR;
    const c = createCallPermissions({ graph: inProcessGraph().graph, store, clock: { now: () => at } });
    await c.request(thread);
    await c.ingest([{ kind: 'permission_reply', id: `old-${i}`, thread, at: at + 1, response: 'reject', expiresAt: null }]);
  }
};

const run = (ops: readonly Op[], store: PermissionStore, graph: ReturnType<typeof inProcessGraph>['graph']) => {
  const service = createCallPermissions({ graph, store, clock });
  return ops.map((op) => (op === 'request' ? service.request(thread) : service.ingest([approve])));
};

describe('concurrent commands on one thread (rule g)', () => {
  test.prop([fc.scheduler(), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 2 }), fc.boolean()])(
    'send at most what the quota allows and end as some serial order would',
    async (s, n, prior, withApprove) => {
      const ops: Op[] = [...Array.from({ length: n }, () => 'request' as const), ...(withApprove ? ['approve' as const] : [])];

      const base = memoryStore();
      await prepare(base, prior);
      const fake = inProcessGraph();
      const slowGraph = { ...fake.graph, sendPermissionRequest: s.scheduleFunction((t: Thread) => fake.graph.sendPermissionRequest(t)) };
      const all = Promise.all(run(ops, scheduledStore(s, base), slowGraph));
      await s.waitFor(all);
      const concurrent = (await base.get(thread))?.record;

      expect(fake.sent.length).toBeLessThanOrEqual(Math.min(1, 2 - prior));

      const serialFinals: (PermissionRecord | undefined)[] = [];
      for (let pos = 0; pos < ops.length; pos += 1) {
        const order: Op[] = ops.filter((o) => o === 'request');
        if (withApprove) order.splice(pos, 0, 'approve');
        else if (pos > 0) break;
        const store = memoryStore();
        await prepare(store, prior);
        const g = inProcessGraph().graph;
        const service = createCallPermissions({ graph: g, store, clock });
        for (const op of order) await (op === 'request' ? service.request(thread) : service.ingest([approve]));
        serialFinals.push((await store.get(thread))?.record);
      }
      expect(serialFinals).toContainEqual(concurrent);
    },
  );
});
