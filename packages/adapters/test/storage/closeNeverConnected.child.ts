/**
 * A process whose Redis store never connected (nothing listens on its port):
 * makes a call fail (the client now waits between reconnect attempts), starts
 * one more that waits on the client, closes the store, prints what it saw as
 * one JSON line, and then must exit on its own: a reconnect timer left behind
 * would keep it running. Argv: `single|cluster PORT`. Run with `node --import tsx`.
 */
import { Cluster } from 'ioredis';
import { redisStore, type RedisStore } from '@callperm/adapters/storage/redis';

export interface ClosedReport {
  readonly failedWith: string;
  readonly statusBeforeClose: string;
  readonly waitingCallFailedWith: string;
  readonly closed: true;
}

const [mode, port] = process.argv.slice(2);
const thread = { pageId: '1', psid: '2' };
const nameOf = (e: unknown): string => (e instanceof Error ? e.name : String(e));

let store: RedisStore;
if (mode === 'cluster') {
  const cluster = new Cluster([{ host: '127.0.0.1', port: Number(port) }], { enableAutoPipelining: true });
  cluster.on('error', () => undefined);
  store = await redisStore({ client: cluster, closeWithStore: true }, { keyPrefix: 'cpclose' });
} else {
  store = await redisStore({ url: `redis://127.0.0.1:${String(port)}` }, { keyPrefix: 'cpclose' });
}
const failedWith = await store.get(thread).then(() => 'answered', nameOf);
const statusBeforeClose = store.client.status;
const waiting = store.get(thread).then(() => 'answered', nameOf);
await store.close();
const report: ClosedReport = { failedWith, statusBeforeClose, waitingCallFailedWith: await waiting, closed: true };
process.stdout.write(`${JSON.stringify(report)}\n`);
