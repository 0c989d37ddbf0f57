import type { Instant, Thread } from '@callperm/core';
import type { DriverCommit, StoreDriver } from '@callperm/core/store';
import { CAS_SCRIPT, COMMIT_SCRIPT, INDEX_SCRIPT, REMEMBER_SCRIPT, RETIRE_ROW_SCRIPT, RETIRE_SCRIPT, UNINDEX_SCRIPT } from './luaScripts.js';
import { historyEntries, pushHistoryArgs } from './redisHistory.js';
import type { RedisKeys } from './redisKeys.js';
import { RedisScript, type RedisClient } from './RedisScript.js';

/** The thread half of the Redis driver: records, event ids, the due index and the history. */
export type ThreadMethods = Pick<StoreDriver<'text'>, 'getThread' | 'commit' | 'deleteThread' | 'dueThreads' | 'readHistory'>;

const cas = new RedisScript(CAS_SCRIPT);
const index = new RedisScript(INDEX_SCRIPT);
const rememberOnce = new RedisScript(REMEMBER_SCRIPT);
const commitAtOnce = new RedisScript(COMMIT_SCRIPT);
const retireAtOnce = new RedisScript(RETIRE_SCRIPT);
const retireRow = new RedisScript(RETIRE_ROW_SCRIPT);
const unindex = new RedisScript(UNINDEX_SCRIPT);

/** The due index score a script takes: '' when the record is not due. */
const dueArg = (dueAt: Instant | null): number | '' => (dueAt === null ? '' : dueAt);

/** Reads {@link COMMIT_SCRIPT}'s reply: empty on a conflict (null), else the version then 1 (first) or 0 per id. */
const commitReply = (reply: unknown): boolean[] | null => {
  if (!Array.isArray(reply)) throw new TypeError(`[callperm] [redis] unexpected commit reply ${JSON.stringify(reply)}`);
  if (reply.length === 0) return null;
  const first: boolean[] = [];
  for (let i = 1; i < reply.length; i += 1) first.push(Number(reply[i]) === 1);
  return first;
};

/**
 * Remembers ids concurrently (one round trip with auto-pipelining), yet a repeated
 * id waits for its previous occurrence: then it answers exactly as sequential
 * calls would, even if a NOSCRIPT fallback (EVALSHA, then EVAL) could otherwise
 * let the later occurrence overtake the earlier one.
 */
const rememberInOrder = (ids: readonly string[], rememberId: (id: string) => Promise<boolean>): Promise<boolean[]> => {
  const previous = new Map<string, Promise<boolean>>();
  return Promise.all(ids.map((id) => {
    const before = previous.get(id);
    const answer = before === undefined ? rememberId(id) : before.then(() => rememberId(id));
    previous.set(id, answer);
    return answer;
  }));
};

/**
 * The Redis driver's threads. A thread is a hash `{ v, r }` with its history, a
 * sorted set in the same hash tag. On a single node a commit is one script (the
 * record's compare-and-set, the due index, the history and the ids, atomically);
 * in cluster mode, where the due index and the ids live in other slots, one script
 * writes the record and its history, a second, version-guarded one the due index,
 * and the ids are remembered only after the write succeeded, never before: a
 * crash in between replays an idempotent event, it never loses one.
 *
 * A retire deletes the hash and its due member, at the expected version, in one
 * script on a single node; in cluster mode the row first (one slot), then the
 * member, guarded like the index writes (by order, which a retire does not
 * reset: see `RETIRE_ROW_SCRIPT`). A crash between those two steps leaves the
 * member in the due index with no row behind it (`get` reads null); a retire at
 * version 0 of that thread removes it. The history and the ids are never touched.
 *
 * @example
 * const threads = redisThreads(client, redisKeys('callperm'), false);
 * await threads.commit(commit); // [true] (the first flags), or null on a conflict
 */
export const redisThreads = (client: RedisClient, keys: RedisKeys, cluster: boolean): ThreadMethods => {
  /** The ARGV both commit scripts share (see `COMMIT_SCRIPT`). */
  const argsOf = (c: DriverCommit<'text'>): (string | number)[] => pushHistoryArgs(
    [c.expectedVersion, c.record ?? '', dueArg(c.dueAt), c.record === null ? '' : keys.member(c.thread), c.now, c.until], c,
  );

  const rememberId = async (eventId: string, now: Instant, until: Instant): Promise<boolean> =>
    Number(await rememberOnce.run(client, [keys.event(eventId)], [now, until])) === 1;

  /** Single node: every key on it, so one script does the write, its history and the ids atomically. */
  const commitAtomically = async (c: DriverCommit<'text'>): Promise<boolean[] | null> => {
    // No record: the script touches no thread (and `c.thread` is a placeholder), so the due key stands in for it.
    const scriptKeys = c.record === null ? [keys.due, keys.due, keys.due] : [keys.thread(c.thread), keys.due, keys.history(c.thread)];
    for (const id of c.eventIds) scriptKeys.push(keys.event(id));
    return commitReply(await commitAtOnce.run(client, scriptKeys, argsOf(c)));
  };

  /** Cluster: the record and its history first (one slot), then the due index, then the ids. */
  const commitInSteps = async (c: DriverCommit<'text'>): Promise<boolean[] | null> => {
    if (c.record !== null) {
      const order = Number(await cas.run(client, [keys.thread(c.thread), keys.history(c.thread)], argsOf(c)));
      if (order === 0) return null;
      await index.run(client, [keys.due, keys.dueVersions], [keys.member(c.thread), order, dueArg(c.dueAt)]);
    }
    return rememberInOrder(c.eventIds, (id) => rememberId(id, c.now, c.until));
  };

  /** Single node: the row and its due member in one script. */
  const deleteAtomically = async (thread: Thread, expectedVersion: number): Promise<boolean> =>
    Number(await retireAtOnce.run(client, [keys.thread(thread), keys.due], [expectedVersion, keys.member(thread)])) === 1;

  /** Cluster: the row (its slot), then its due member (the index's slot), unless a newer write was indexed since. */
  const deleteInSteps = async (thread: Thread, expectedVersion: number): Promise<boolean> => {
    const member = keys.member(thread);
    const order = Number(await retireRow.run(client, [keys.thread(thread)], [expectedVersion]));
    if (order < 0) return false;
    if (order > 0) await unindex.run(client, [keys.due, keys.dueVersions], [member, order]);
    return true;
  };

  // async, so a failure is a rejected promise, never a synchronous throw.
  return {
    async getThread(thread) {
      const [version, record] = await client.hmget(keys.thread(thread), 'v', 'r');
      return version === null && record === null ? null : { version, record };
    },
    commit: cluster ? commitInSteps : commitAtomically,
    deleteThread: cluster ? deleteInSteps : deleteAtomically,
    async dueThreads(before, limit): Promise<Thread[]> {
      const members = await client.zrangebyscore(keys.due, '-inf', before, 'LIMIT', 0, limit);
      return members.flatMap((m) => {
        const thread = keys.parseMember(m);
        return thread === null ? [] : [thread];
      });
    },
    async readHistory(thread, before, limit) {
      if (Number.isNaN(before)) return [];
      const reply = await client.zrevrangebyscore(keys.history(thread), `(${before}`, '-inf', 'WITHSCORES', 'LIMIT', 0, limit);
      return historyEntries(reply);
    },
  };
};
