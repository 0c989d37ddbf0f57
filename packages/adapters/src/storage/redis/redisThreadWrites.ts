import type { CasResult, CommitResult, Instant, PermissionRecord, PermissionStore, Thread, ThreadCommit } from '@callperm/core';
import { encodeRecord } from '../shared/recordJson.js';
import { CAS_SCRIPT, COMMIT_SCRIPT, INDEX_SCRIPT, REMEMBER_SCRIPT } from './luaScripts.js';
import type { RedisKeys } from './redisKeys.js';
import { RedisScript, type RedisClient } from './RedisScript.js';

/** The writing half of the `PermissionStore` port for threads and event ids. */
export type ThreadWriteMethods = Pick<PermissionStore, 'compareAndSet' | 'remember' | 'commitThread'>;

const cas = new RedisScript(CAS_SCRIPT);
const index = new RedisScript(INDEX_SCRIPT);
const rememberOnce = new RedisScript(REMEMBER_SCRIPT);
const commitAtOnce = new RedisScript(COMMIT_SCRIPT);

const CONFLICT = { ok: false, reason: 'conflict' } as const;

/** The due index score a script takes: '' when the record is not due. */
const dueArg = (record: PermissionRecord): number | '' => (record.dueAt === null ? '' : record.dueAt);

/** Reads {@link COMMIT_SCRIPT}'s reply: empty on a conflict, else the version then 1 (first) or 0 per id. */
const commitReply = (reply: unknown): CommitResult => {
  if (!Array.isArray(reply)) throw new TypeError(`[callperm] [redis] unexpected commit reply ${JSON.stringify(reply)}`);
  const [version, ...first] = (reply as unknown[]).map(Number);
  if (version === undefined) return CONFLICT;
  return { ok: true, version, first: first.map((f) => f === 1) };
};

/**
 * Remembers ids concurrently (one round trip with auto-pipelining), yet a repeated
 * id waits for its previous occurrence: then it answers exactly as sequential
 * `remember` calls would, even if a NOSCRIPT fallback (EVALSHA, then EVAL) could
 * otherwise let the later occurrence overtake the earlier one.
 */
const rememberInOrder = (
  ids: readonly string[],
  rememberId: (id: string) => Promise<boolean>,
): Promise<boolean[]> => {
  const previous = new Map<string, Promise<boolean>>();
  return Promise.all(ids.map((id) => {
    const before = previous.get(id);
    const answer = before === undefined ? rememberId(id) : before.then(() => rememberId(id));
    previous.set(id, answer);
    return answer;
  }));
};

/**
 * The Redis store's thread writes: compare-and-set, dedupe and `commitThread`.
 * On a single node `commitThread` is one script (the record, the due index and
 * the ids atomically); in cluster mode, where those keys live in different
 * slots, it writes the record first and remembers the ids only after the write
 * succeeded, never before: a crash in between replays an idempotent event, it
 * never loses one.
 *
 * @example
 * const writes = redisThreadWrites(client, redisKeys('callperm'), false, () => undefined);
 * await writes.commitThread({ thread, expectedVersion: 0, record, eventIds: ['m1'], now, until }); // { ok: true, version: 1, first: [true] }
 */
export const redisThreadWrites = (
  client: RedisClient,
  keys: RedisKeys,
  cluster: boolean,
  open: () => void,
): ThreadWriteMethods => {
  /** Compare-and-set with its due index update (same script on one node, a version-guarded second one on a cluster). */
  const write = async (thread: Thread, expectedVersion: number, record: PermissionRecord): Promise<CasResult> => {
    const member = keys.member(thread);
    const dueAt = dueArg(record);
    const scriptKeys = cluster ? [keys.thread(thread)] : [keys.thread(thread), keys.due];
    const version = Number(await cas.run(client, scriptKeys, [expectedVersion, encodeRecord(record), dueAt, member]));
    if (version === 0) return CONFLICT;
    if (cluster) await index.run(client, [keys.due, keys.dueVersions], [member, version, dueAt]);
    return { ok: true, version };
  };

  const rememberId = async (eventId: string, now: Instant, until: Instant): Promise<boolean> =>
    Number(await rememberOnce.run(client, [keys.event(eventId)], [now, until])) === 1;

  /** Single node: every key on it, so one script does the write and the ids atomically. */
  const commitAtomically = async (commit: ThreadCommit): Promise<CommitResult> => {
    const { thread, expectedVersion, record, eventIds, now, until } = commit;
    const scriptKeys = [keys.thread(thread), keys.due, ...eventIds.map((id) => keys.event(id))];
    const [json, dueAt] = record === null ? ['', ''] : [encodeRecord(record), dueArg(record)];
    const args = [expectedVersion, json, dueAt, keys.member(thread), now, until];
    return commitReply(await commitAtOnce.run(client, scriptKeys, args));
  };

  /**
   * Cluster: the thread and each id hash to slots of their own, so no one script
   * can hold them. Write first, ids after, never before: the ids are remembered
   * only once the write succeeded, so a conflict remembers none and a crash in
   * between leaves the event to be replayed (idempotent), never lost.
   */
  const commitInSteps = async (commit: ThreadCommit): Promise<CommitResult> => {
    const { thread, expectedVersion, record, eventIds, now, until } = commit;
    let version = expectedVersion;
    if (record !== null) {
      const written = await write(thread, expectedVersion, record);
      if (!written.ok) return written;
      version = written.version;
    }
    const first = await rememberInOrder(eventIds, (id) => rememberId(id, now, until));
    return { ok: true, version, first };
  };

  // async, so a closed store rejects rather than throws.
  return {
    async compareAndSet(thread, expectedVersion, record): Promise<CasResult> {
      open();
      return write(thread, expectedVersion, record);
    },
    async remember(eventId, now, until): Promise<boolean> {
      open();
      return rememberId(eventId, now, until);
    },
    async commitThread(commit): Promise<CommitResult> {
      open();
      return cluster ? commitInSteps(commit) : commitAtomically(commit);
    },
  };
};
