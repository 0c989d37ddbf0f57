import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { inProcessGraph } from '../support/inProcessGraph.js';
import {
  createCallPermissions, err, memoryStore,
  type GraphApi, type PermissionStore, type Thread, type WebhookEvent,
} from '../../src/internals.js';

const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;

const threadOf = (i: number): Thread => ({ pageId: '1', psid: String(1000 + i) });
const keyOf = (t: Thread): string => t.psid;

/**
 * A store whose thread commits fail for the threads in `failing` once `down` is
 * set (so inbox deliveries for them fail to apply), and a Graph API whose checks
 * of those threads throw or answer a failure: a revoked token for some Pages.
 */
const world = (failing: ReadonlySet<string>, throws: boolean) => {
  let down = false;
  const inner = memoryStore();
  const store: PermissionStore = {
    ...inner,
    commitThread: (c) => (down && failing.has(keyOf(c.thread)) ? Promise.reject(new Error('store refuses')) : inner.commitThread(c)),
  };
  const checked = new Map<string, number>();
  const graph: GraphApi = {
    ...inProcessGraph().graph,
    checkPermission: (thread) => {
      if (failing.has(keyOf(thread))) {
        return throws ? Promise.reject(new Error('graph down')) : Promise.resolve(err({ kind: 'auth', processed: 'no', message: 'token revoked' }));
      }
      checked.set(keyOf(thread), checked.get(keyOf(thread)) ?? 0);
      return Promise.resolve({ ok: true, value: { status: 'no_permission', rawStatus: 'no_permission', expiresAt: null, request: null, startCall: null } });
    },
    sendPermissionRequest: () => Promise.reject(new Error('not in this test')),
    checkPageCalling: () => Promise.reject(new Error('not in this test')),
  };
  return { store, inner, graph, checked, breakDown: () => { down = true; } };
};

const scenario = fc.record({
  failingThreads: fc.nat({ max: 25 }),
  healthyThreads: fc.integer({ min: 1, max: 15 }),
  failingInbox: fc.nat({ max: 25 }),
  healthyInbox: fc.integer({ min: 1, max: 15 }),
  limit: fc.integer({ min: 1, max: 8 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  intervalMs: fc.integer({ min: 1_000, max: 10 * MIN }),
  retryBaseMs: fc.integer({ min: 1_000, max: 5 * MIN }),
  throws: fc.boolean(),
  seed: fc.nat(),
});

describe('sweep fairness', () => {
  test.prop([scenario], { numRuns: 60 })(
    'every healthy due item is processed within ceil(items / limit) sweeps, whatever fails',
    async (s) => {
      const total = s.failingThreads + s.healthyThreads;
      // Failing and healthy threads interleaved by the seed; failing ones mostly due first (the worst case).
      const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => ((a * 7919 + s.seed) % 13) - ((b * 7919 + s.seed) % 13));
      const failing = new Set(order.slice(0, s.failingThreads).map((i) => keyOf(threadOf(i))));
      const inboxThreads = Array.from({ length: s.failingInbox + s.healthyInbox }, (_, i) => threadOf(total + i));
      for (const t of inboxThreads.slice(0, s.failingInbox)) failing.add(keyOf(t));
      const w = world(failing, s.throws);
      let now = T0;
      const permissions = createCallPermissions({ graph: w.graph, store: w.store, clock: { now: () => now }, inboxGraceMs: 0 });

      // Implicit grants: each thread's remote check falls due at its grant + the reconcile delay; failing ones earliest.
      for (const [rank, i] of order.entries()) {
        const t = threadOf(i);
        const at = T0 + (failing.has(keyOf(t)) ? 0 : s.failingThreads) * 10 + rank;
        await permissions.ingest([{ kind: 'implicit_grant', id: `g:${i}`, thread: t, at, cause: 'missed_call' }]);
      }
      const slots: { key: string; healthy: boolean }[] = [];
      for (const [i, t] of inboxThreads.entries()) {
        const e: WebhookEvent = { kind: 'permission_reply', id: `r:${i}`, thread: t, at: T0, response: 'approve', expiresAt: null };
        const ticket = await permissions.inbox.put([e]);
        slots.push({ key: ticket.key, healthy: i >= s.failingInbox });
        now += 1; // failing deliveries are due first
      }
      w.breakDown();
      now = T0 + 10 * MIN;

      const bound = Math.max(Math.ceil(total / s.limit), Math.ceil(inboxThreads.length / s.limit));
      const options = { limit: s.limit, concurrency: s.concurrency, retryBaseMs: s.retryBaseMs, inboxMaxAttempts: 1_000 };
      for (let sweep = 0; sweep < bound; sweep += 1) {
        await permissions.sweep(options);
        now += s.intervalMs;
      }
      const healthyThreads = order.slice(s.failingThreads).map((i) => keyOf(threadOf(i)));
      expect(healthyThreads.filter((k) => !w.checked.has(k))).toEqual([]);
      for (const slot of slots.filter((x) => x.healthy)) expect(await w.inner.getDoc('inbox', slot.key)).toBeNull();
    },
  );
});
