import type { DocKind, Thread } from '@callperm/core';
import { forLastThread } from '../shared/forLastThread.js';

/** The key names of one Redis store (one key prefix). */
export interface RedisKeys {
  /**
   * A hash `{ v: version, r: record JSON }`, hash-tagged per thread:
   * `{prefix:pageId:psid}`. In cluster mode a thread retired at least once also
   * holds `b`, the order of its last retired write (see `RETIRE_ROW_SCRIPT`), and
   * keeps it, alone, while it has no row.
   */
  thread(thread: Thread): string;
  /**
   * The thread's consent history: a sorted set at `{prefix:pageId:psid}:h`, in the
   * thread's own hash tag (so one script appends it with the record, on a cluster
   * too). Score `at`; member the entry text behind a fixed-width (version, index)
   * prefix that orders equal scores by commit order (see `historyMember`).
   */
  history(thread: Thread): string;
  /** A processed event id, hash-tagged per id: `{prefix:eventId}:seen`, holding its `until`. */
  event(eventId: string): string;
  /** The due index: one sorted set per prefix (score `dueAt`, member {@link RedisKeys.member}). */
  readonly due: string;
  /** In cluster mode: the newest write order (version plus the thread's `b`) indexed per member, so a late index write cannot undo a newer one. */
  readonly dueVersions: string;
  /** A thread as a member of the due index: `pageId:psid`. */
  member(thread: Thread): string;
  /** The thread a due-index member names, or null if the member is not one. */
  parseMember(member: string): Thread | null;
  /**
   * A side document: a hash `{ v: version, d: JSON text, t: dueAt or '' }` at
   * `{prefix:doc/kind}:d:key`. Every key of one kind shares the hash tag
   * `{prefix:doc/kind}` (one slot), so a script can write a document, its kind's
   * due and expiry indexes, and delete expired documents atomically on a cluster
   * too. The tag holds a `/`, which encoded thread and event ids never do.
   */
  doc(kind: DocKind, key: string): string;
  /** What every document key of `kind` starts with (the Redis store prunes expired documents by it). */
  docPrefix(kind: DocKind): string;
  /** A kind's due index: a sorted set, score `dueAt`, member the document key. */
  docDue(kind: DocKind): string;
  /** A kind's expiry index: a sorted set, score `expiresAt`, member the document key. */
  docExpiry(kind: DocKind): string;
  /** A SCAN pattern matching every key of this prefix (for operators and test cleanup). */
  readonly pattern: string;
}

const enc = encodeURIComponent;

/**
 * Names every key of a store. Ids are URI-encoded, so `:`, `{` and `}` in an id
 * cannot move a key into another thread's name or hash slot.
 *
 * @example
 * redisKeys('callperm').thread({ pageId: '1', psid: '2' }); // '{callperm:1:2}'
 * redisKeys('callperm').history({ pageId: '1', psid: '2' }); // '{callperm:1:2}:h'
 */
export const redisKeys = (prefix: string): RedisKeys => {
  if (prefix === '' || /[{}*?[\]\\\s]/.test(prefix)) {
    throw new RangeError(`[callperm] [redis] keyPrefix ${JSON.stringify(prefix)} must be non-empty, without braces, glob characters or spaces.`);
  }
  // A command reads a thread, then writes it (key and due member): its ids are encoded once.
  const memberOf = forLastThread((t) => `${enc(t.pageId)}:${enc(t.psid)}`);
  return {
    thread: (t) => `{${prefix}:${memberOf(t)}}`,
    history: (t) => `{${prefix}:${memberOf(t)}}:h`,
    event: (id) => `{${prefix}:${enc(id)}}:seen`,
    due: `{${prefix}}:due`,
    dueVersions: `{${prefix}}:due:versions`,
    member: memberOf,
    parseMember: (member) => {
      const parts = member.split(':');
      if (parts.length !== 2) return null;
      try {
        return { pageId: decodeURIComponent(parts[0] ?? ''), psid: decodeURIComponent(parts[1] ?? '') };
      } catch {
        return null;
      }
    },
    doc: (kind, key) => `{${prefix}:doc/${kind}}:d:${key}`,
    docPrefix: (kind) => `{${prefix}:doc/${kind}}:d:`,
    docDue: (kind) => `{${prefix}:doc/${kind}}:due`,
    docExpiry: (kind) => `{${prefix}:doc/${kind}}:exp`,
    pattern: `{${prefix}[:}]*`,
  };
};
