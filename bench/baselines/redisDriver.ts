import type { RedisClient } from '../../packages/adapters/src/storage/redis.js';
import type { PermissionRecord, Thread } from '../../packages/core/src/internals.js';
import { stepEvent, type RawDriver, type RawEvent } from './handPipeline.js';

/** Compare-and-set with the due index, then the history entries (ARGV from 7: score, member pairs) trimmed and expired as the product's. */
const CAS = `local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', v + 1, 'r', ARGV[2])
if ARGV[3] == '' then redis.call('ZREM', KEYS[2], ARGV[4]) else redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
if #ARGV > 6 then
  redis.call('ZADD', KEYS[3], unpack(ARGV, 7))
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[5])
  local ttl = tonumber(ARGV[6])
  if redis.call('PTTL', KEYS[3]) < ttl then redis.call('PEXPIRE', KEYS[3], ttl) end
end
return v + 1`;
const RETENTION_MS = 400 * 86_400_000;

/**
 * The raw Redis driver, pipelined: the deliveries of one event-loop turn cost two
 * round trips, one pipeline of `SET NX PX` (dedupe) and `HMGET` (records), then
 * one of compare-and-set scripts for the threads that changed (with the due index
 * and the history entries, one per transition, in the thread's slot as the
 * product keeps them), records as JSON (what Lua and operators can read).
 *
 * @example
 * const p = handPipeline(await redisDriver(client, 'bench-raw'), clock);
 */
export const redisDriver = async (client: RedisClient, prefix: string): Promise<RawDriver & { read(t: Thread): Promise<PermissionRecord | null> }> => {
  const sha = String(await client.script('LOAD', CAS));
  const key = (t: Thread): string => `{${prefix}:${t.pageId}:${t.psid}}`;
  const due = `{${prefix}}:due`;
  let queue: { events: readonly RawEvent[]; now: number; until: number; done: () => void; fail: (e: unknown) => void }[] = [];
  const flush = async (): Promise<void> => {
    const batch = queue;
    queue = [];
    try {
      const events = batch.flatMap((b) => b.events.map((e) => ({ e, ttl: b.until - b.now })));
      const first = client.pipeline();
      for (const { e, ttl } of events) {
        first.set(`{${prefix}}:e:${e.id}`, '1', 'PX', ttl, 'NX');
        first.hmget(key(e.thread), 'v', 'r');
      }
      const answers = (await first.exec()) ?? [];
      const latest = new Map<string, {
        version: number; record: PermissionRecord | null; changed: boolean; thread: Thread; base: number; history: (string | number)[];
      }>();
      const now = batch[0]?.now ?? 0;
      events.forEach(({ e }, i) => {
        if (answers[2 * i]?.[1] !== 'OK') return; // already seen
        const k = key(e.thread);
        let row = latest.get(k);
        if (row === undefined) {
          const [v, r] = (answers[2 * i + 1]?.[1] ?? [null, null]) as [string | null, string | null];
          const version = v === null ? 0 : Number(v);
          row = { version, base: version, record: r === null ? null : JSON.parse(r) as PermissionRecord, changed: false, thread: e.thread, history: [] };
          latest.set(k, row);
        }
        const next = stepEvent(row.record, e, now);
        if (next.changed) {
          row.record = next.record;
          row.changed = true;
          if (next.entry !== null) {
            const member = `${String(row.base + 1).padStart(16, '0')}:${String(row.history.length / 2).padStart(6, '0')}:${next.entry.text}`;
            row.history.push(next.entry.at, member);
          }
        }
      });
      const second = client.pipeline();
      for (const [k, row] of latest) {
        if (!row.changed || row.record === null) continue;
        const newest = row.history.reduce<number>((m, x, i) => (i % 2 === 0 ? Math.max(m, x as number) : m), -Infinity);
        second.evalsha(sha, 3, k, due, `${k}:h`, row.base, JSON.stringify(row.record), row.record.dueAt === null ? '' : row.record.dueAt,
          `${row.thread.pageId}:${row.thread.psid}`, now - RETENTION_MS, Math.max(1, newest + RETENTION_MS - now), ...row.history);
      }
      await second.exec();
      for (const b of batch) b.done();
    } catch (e) {
      for (const b of batch) b.fail(e);
    }
  };
  return {
    apply: (events, now, until) => new Promise<void>((done, fail) => {
      if (queue.length === 0) setImmediate(() => void flush());
      queue.push({ events, now, until, done, fail });
    }),
    read: async (t) => {
      const r = await client.hget(key(t), 'r');
      return r === null ? null : JSON.parse(r) as PermissionRecord;
    },
    close: () => Promise.resolve(),
  };
};
