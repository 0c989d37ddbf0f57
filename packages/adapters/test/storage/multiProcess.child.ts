/**
 * One of the OS processes of multiProcess.test.ts: drives the real service over a
 * shared store, phase by phase as the parent says, with a fake GraphApi that logs
 * every opt-in it is asked to send. Protocol (IPC): -> ready; <- phase; -> done;
 * <- finish; -> report. Run with `node --import tsx`.
 */
import { createCallPermissions, messengerPolicy, type GraphApi, type Instant, type PermissionStore, type Thread } from '@callperm/core';
import { offlineGraph } from '@callperm/testing';

export interface ChildConfig {
  readonly child: number;
  readonly driver: 'sqlite' | 'redis' | 'postgres';
  readonly target: string;
  readonly namespace: string;
  readonly threads: readonly Thread[];
}

export type ToChild = { readonly type: 'phase'; readonly phase: number; readonly at: Instant } | { readonly type: 'finish' };

export type FromChild =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly phase: number }
  | {
    readonly type: 'report';
    readonly sends: readonly { readonly psid: string; readonly at: Instant }[];
    /** Ids of the shared events this process was the first to remember. */
    readonly firsts: readonly string[];
    readonly failures: readonly string[];
  };

const openStore = async (config: ChildConfig): Promise<PermissionStore> => {
  switch (config.driver) {
    case 'sqlite': return (await import('@callperm/adapters/storage/sqlite')).sqliteStore({ filename: config.target });
    case 'redis': return (await import('@callperm/adapters/storage/redis')).redisStore({ url: config.target }, { keyPrefix: config.namespace });
    case 'postgres': return (await import('@callperm/adapters/storage/postgres'))
      .postgresStore({ connectionString: config.target, poolSize: 4 }, { schema: config.namespace });
  }
};

const send = (message: FromChild): void => {
  process.send?.(message);
};

const main = async (): Promise<void> => {
  const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  const store = await openStore(config);
  let now = 0;
  const sends: { psid: string; at: Instant }[] = [];
  const firsts: string[] = [];
  const failures: string[] = [];
  const graph: GraphApi = {
    ...offlineGraph('the racing hosts place no calls'),
    // Meta's view, as the check before asking reads it: no permission, a request may go, no counts reported.
    checkPermission: () => Promise.resolve({
      ok: true, value: { status: 'no_permission', rawStatus: 'no_permission', expiresAt: null, request: null, startCall: null },
    }),
    sendPermissionRequest: (thread) => {
      sends.push({ psid: thread.psid, at: now });
      return Promise.resolve({ ok: true, value: { messageId: `m.${config.child}.${sends.length}` } });
    },
    checkPageCalling: () => Promise.resolve({ ok: true, value: { enabled: true, status: 'enabled' } }),
  };
  // A reminder, or a request after a Decline, may follow one millisecond later, and each round of attempts
  // is a millisecond after the one before: only the quota holds the next opt-in back.
  const policy = { ...messengerPolicy, reminderAfter: 'PT0.001S', afterDecline: 'PT0.001S' };
  const service = createCallPermissions({ graph, store, policy, clock: { now: () => now } });

  /** Asks once; an opt-in that goes out is answered `reject` at once. */
  const ask = async (thread: Thread, phase: number, attempt: number): Promise<void> => {
    const r = await service.request(thread);
    if (!r.ok) return;
    await service.ingest([{
      kind: 'permission_reply', id: `reject.${config.child}.${phase}.${thread.psid}.${attempt}`,
      at: now, thread, response: 'reject', expiresAt: null,
    }]);
  };
  const wrote = async (thread: Thread, phase: number): Promise<void> => {
    const shared = `inbound.${phase}.${thread.psid}`; // every process ingests this one: dedupe across processes
    const report = await service.ingest([{ kind: 'inbound_message', id: shared, at: now, thread }]);
    if (report.duplicates === 0) firsts.push(shared);
  };
  const each = (order: readonly Thread[], work: (t: Thread) => Promise<void>): Promise<unknown> =>
    Promise.all(order.map((t) => work(t).catch((e: unknown) => {
      failures.push(`${t.psid}: ${e instanceof Error ? `${e.name} ${(e as { code?: string }).code ?? ''}` : String(e)}`);
    })));

  process.on('message', (raw: ToChild) => {
    if (raw.type === 'phase') {
      now = raw.at;
      const order = [...config.threads];
      for (let i = order.length - 1; i > 0; i -= 1) {
        const j = Math.floor(Math.random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const phase = raw.phase;
      void (async () => {
        for (let attempt = 0; attempt < 2; attempt += 1) {
          await each(order, (t) => ask(t, phase, attempt));
          now += 1;
        }
        await each(order, (t) => wrote(t, phase));
      })().then(() => send({ type: 'done', phase }));
    } else {
      send({ type: 'report', sends, firsts, failures });
      void store.close().finally(() => process.disconnect());
    }
  });
  send({ type: 'ready' });
};

await main();
