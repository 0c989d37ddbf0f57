import type { DriverCommit, StoredHistoryEntry } from '@callperm/core/store';

/** Width of the version in a history member: every safe integer fits in 16 digits. */
const VERSION_DIGITS = 16;
/** Width of the entry's index within its commit (a commit appends far fewer than a million entries). */
const INDEX_DIGITS = 6;
/** Length of the ordering prefix `vvvvvvvvvvvvvvvv:iiiiii:` before the entry text. */
const PREFIX_LENGTH = VERSION_DIGITS + 1 + INDEX_DIGITS + 1;

/** A TTL this long (about 300 years) or longer means keep: Redis is never asked for it. */
const KEEP_MS = 1e13;

/**
 * A history entry as a member of the thread's sorted set: the commit's version
 * and the entry's index, zero-padded, then the entry text. Members of equal
 * score (`at`) sort bytewise, so this prefix orders them by commit order, and
 * makes every member of a thread distinct even when two entries read the same.
 *
 * @example
 * historyMember(2, 0, '{"v":1}'); // '0000000000000002:000000:{"v":1}'
 */
export const historyMember = (version: number, index: number, text: string): string =>
  `${String(version).padStart(VERSION_DIGITS, '0')}:${String(index).padStart(INDEX_DIGITS, '0')}:${text}`;

/**
 * Appends the history's share of the commit scripts' ARGV to `args`:
 * historyBefore, the TTL in ms the thread's history key is given
 * (`historyUntil - now`, at least 1; '' when there is no retention: keep), then a
 * (score, member) pair per entry, keyed by the version the commit writes
 * (`expectedVersion + 1`). No entries: only the first two, and the script leaves
 * the key alone.
 *
 * @example
 * pushHistoryArgs(args, commit); // args + [historyBefore, 86_400_000, 1700000000000, '0000000000000001:000000:{...}']
 */
export const pushHistoryArgs = (args: (string | number)[], commit: DriverCommit<'text'>): (string | number)[] => {
  const { history, historyBefore } = commit;
  if (history.length === 0 || commit.record === null) {
    args.push(historyBefore, '');
    return args;
  }
  const ttl = Math.ceil(commit.historyUntil - commit.now);
  args.push(historyBefore, ttl < KEEP_MS ? Math.max(1, ttl) : '');
  const version = commit.expectedVersion + 1;
  for (let i = 0; i < history.length; i += 1) {
    const entry = history[i]!;
    args.push(entry.at, historyMember(version, i, entry.text));
  }
  return args;
};

/**
 * Reads a `ZREVRANGEBYSCORE ... WITHSCORES` reply (member, score, member,
 * score...) as stored entries, the ordering prefix stripped. A member too short
 * to hold the prefix reads as empty text, which the wrapper reports as corrupt.
 *
 * @example
 * historyEntries(['0000000000000002:000000:{"v":1}', '1700000000000']); // [{ at: 1700000000000, text: '{"v":1}' }]
 */
export const historyEntries = (reply: readonly string[]): StoredHistoryEntry[] => {
  const entries: StoredHistoryEntry[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    entries.push({ at: Number(reply[i + 1]), text: reply[i]!.slice(PREFIX_LENGTH) });
  }
  return entries;
};
