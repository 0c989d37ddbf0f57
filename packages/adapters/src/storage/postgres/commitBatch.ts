import type { DriverCommit } from '@callperm/core/store';
import type { Pool } from 'pg';
import type { NamedQuery } from './postgresQueries.js';
import type { TakeBatch, Waiter } from './turnBatch.js';

/** What a driver `commit` resolves to: the `first` flags, or null on a conflict. */
export type CommitOutcome = readonly boolean[] | null;

/** A driver commit made ready for a batch: its ids without repeats, and where each of its ids went. */
export interface PreparedCommit {
  readonly commit: DriverCommit<'text'>;
  /** The thread's key as the server compares it, or null when nothing is written (record null). */
  readonly threadKey: string | null;
  /** The call's distinct ids, in first-seen order (what is sent). */
  readonly sent: readonly string[];
  /** For each of `commit.eventIds`: its index in `sent`, or -1 for a repeat (never first). */
  readonly slots: readonly number[];
  /** Runs in a batch of its own: a value in it would make the statement fail (see `failsBatch`). */
  readonly alone: boolean;
}

type CommitWaiter = Waiter<PreparedCommit, CommitOutcome>;

/** The largest batch one statement carries (later calls wait for the next flush). */
const MAX_CALLS = 500;

const NOTHING: readonly boolean[] = [];

/**
 * A string as the server will hold it: pg encodes text as UTF-8, so a lone
 * surrogate becomes U+FFFD and two distinct JS strings can be one key there.
 * Keys compared client-side must agree with the server's, or a batch could
 * carry one row twice (which the set-based statement cannot do).
 */
const serverText = (s: string): string =>
  (/[\uD800-\uDFFF]/.test(s) ? Buffer.from(s, 'utf8').toString('utf8') : s);

/** An unambiguous key for a thread whatever its ids contain. */
const threadKeyOf = (pageId: string, psid: string): string => {
  const page = serverText(pageId);
  return `${page.length}:${page}${serverText(psid)}`;
};

const INT4_MAX = 2_147_483_647;
const whole = (n: number | null): boolean => n === null || Number.isSafeInteger(n);
const hasNul = (s: string): boolean => s.includes('\u0000');

/**
 * Whether the statement would refuse a value of this call (NUL in text, a
 * number that is no whole bigint, a version beyond integer): such a call would
 * fail every call of its batch, so it runs in a batch of its own (and fails there
 * with PostgreSQL's own error, as a single statement would).
 */
const failsBatch = (c: DriverCommit<'text'>, sent: readonly string[]): boolean =>
  hasNul(c.thread.pageId) || hasNul(c.thread.psid) || sent.some(hasNul) || (c.record !== null && hasNul(c.record))
  || !Number.isSafeInteger(c.expectedVersion) || c.expectedVersion < 0 || c.expectedVersion >= INT4_MAX
  || !whole(c.now) || !whole(c.until) || !whole(c.dueAt)
  || c.history.length >= INT4_MAX || c.history.some((h) => !whole(h.at) || hasNul(h.text));

/**
 * Splits a call's ids: the first occurrence of each is sent, a repeat is
 * answered `false` here (an id twice in one call is first at most once).
 *
 * @example
 * prepareCommit({ ...commit, eventIds: ['a', 'b', 'a'] }); // sent ['a', 'b'], slots [0, 1, -1]
 */
export const prepareCommit = (commit: DriverCommit<'text'>): PreparedCommit => {
  const seen = new Map<string, number>();
  const sent: string[] = [];
  const slots = commit.eventIds.map((id) => {
    const key = serverText(id);
    if (seen.has(key)) return -1;
    seen.set(key, sent.length);
    sent.push(key);
    return sent.length - 1;
  });
  const threadKey = commit.record === null ? null : threadKeyOf(commit.thread.pageId, commit.thread.psid);
  return { commit, threadKey, sent, slots, alone: failsBatch(commit, sent) };
};

/**
 * Picks the calls of one statement, in order. The statement can write a
 * thread once and remember an id once (an upsert cannot touch a row twice), so:
 * - a later write to a thread already written in the batch at the same expected
 *   version joins it, doomed: whatever the first write does, the stored version
 *   is no longer the expected one after it, so it is a conflict, answered when
 *   the batch settles (its retry then reads the version the batch wrote);
 * - any other call whose thread (when it writes) or one of whose ids is already
 *   taken waits for the next flush, as do later calls sharing a key with a
 *   waiting one (calls on one key keep their order);
 * - a call marked `alone` runs only as a batch of its own;
 * - a call carrying a prune request starts a batch (the prune runs before the
 *   statement): it and every later call wait for the next flush, so the prune
 *   lands after the calls issued before it, as one after another would.
 *
 * @example
 * const commits = turnBatch(run, takeCommits);
 */
export const takeCommits: TakeBatch<PreparedCommit, CommitOutcome> = (queue) => {
  const head = queue[0];
  if (head?.input.alone === true) return { batch: [head], rest: queue.slice(1) };
  const writers = new Map<string, { readonly version: number; readonly inBatch: boolean }>();
  const ids = new Set<string>();
  const batch: CommitWaiter[] = [];
  const rest: CommitWaiter[] = [];
  for (const [k, w] of queue.entries()) {
    if (w.input.commit.prune !== null && w !== head) {
      rest.push(...queue.slice(k));
      break;
    }
    const { threadKey, sent, alone, commit } = w.input;
    const writer = threadKey === null ? undefined : writers.get(threadKey);
    const full = batch.length >= MAX_CALLS;
    if (!alone && !full && writer?.inBatch === true && writer.version === commit.expectedVersion) {
      batch.push(w); // doomed: sends nothing, so takes no id
      continue;
    }
    const clash = alone || full || writer !== undefined || sent.some((id) => ids.has(id));
    // A deferred write blocks its thread for the rest of this flush: a later write there must see it first.
    if (threadKey !== null && (writer === undefined || clash)) writers.set(threadKey, { version: commit.expectedVersion, inBatch: !clash });
    for (const id of sent) ids.add(id);
    (clash ? rest : batch).push(w);
  }
  return { batch, rest };
};

/**
 * Splits a batch taken by {@link takeCommits}: the calls sent, the doomed later
 * writes to a thread written before them, and the calls with nothing to send
 * (no record, no id: a prune request alone).
 */
const splitBatch = (batch: readonly CommitWaiter[]) => {
  const written = new Set<string>();
  const sent: CommitWaiter[] = [];
  const doomed: CommitWaiter[] = [];
  const empty: CommitWaiter[] = [];
  for (const w of batch) {
    const key = w.input.threadKey;
    if (key === null && w.input.sent.length === 0) empty.push(w);
    else if (key !== null && written.has(key)) doomed.push(w);
    else {
      if (key !== null) written.add(key);
      sent.push(w);
    }
  }
  return { sent, doomed, empty };
};

/** The statement's parameters: one element per call ($1..$5), per sent id ($6..$9), per history entry ($10..$13). */
const parametersOf = (batch: readonly CommitWaiter[]): unknown[] => {
  const [pages, psids, olds, recs, dues] = [[], [], [], [], []] as [string[], string[], number[], (string | null)[], (number | null)[]];
  const [calls, ids, nows, untils] = [[], [], [], []] as [number[], string[], number[], number[]];
  const [entryCalls, idxs, ats, texts] = [[], [], [], []] as [number[], number[], number[], string[]];
  batch.forEach(({ input: { commit, sent } }, i) => {
    pages.push(commit.thread.pageId);
    psids.push(commit.thread.psid);
    olds.push(commit.expectedVersion);
    recs.push(commit.record);
    dues.push(commit.record === null ? null : commit.dueAt);
    for (const id of sent) {
      calls.push(i + 1);
      ids.push(id);
      nows.push(commit.now);
      untils.push(commit.until);
    }
    if (commit.record === null) return;
    commit.history.forEach((h, idx) => {
      entryCalls.push(i + 1);
      idxs.push(idx);
      ats.push(h.at);
      texts.push(h.text);
    });
  });
  return [pages, psids, olds, recs, dues, calls, ids, nows, untils, entryCalls, idxs, ats, texts];
};

interface CommitRow { readonly ord: number; readonly version: number | null; readonly n: number | null }

/**
 * Runs one batch of prepared calls as the `commitMany` statement (one round
 * trip, one implicit transaction: records, ids and history entries together)
 * and settles each call: its `first` flags, or null for a conflict. A failed
 * statement rejects the whole batch (the caller of this function does that).
 *
 * @example
 * const commits = turnBatch((batch) => runCommits(pool, q.commitMany, batch), takeCommits);
 */
export const runCommits = async (pool: Pool, query: NamedQuery, batch: readonly CommitWaiter[]): Promise<void> => {
  const { sent, doomed, empty } = splitBatch(batch);
  if (sent.length > 0) {
    const { rows } = await pool.query<CommitRow>({ ...query, values: parametersOf(sent) });
    const written = new Set<number>();
    const fresh = new Set<number>(); // global 1-based index of each first-seen id
    for (const r of rows) {
      if (r.n === null) written.add(r.ord);
      else fresh.add(r.n);
    }
    let base = 0; // ids of earlier calls, to turn a call's own index into the global one
    sent.forEach(({ input, resolve }, i) => {
      const offset = base;
      base += input.sent.length;
      resolve(written.has(i + 1) ? input.slots.map((s) => s >= 0 && fresh.has(offset + s + 1)) : null);
    });
  }
  for (const w of doomed) w.resolve(null);
  for (const w of empty) w.resolve(NOTHING);
};
