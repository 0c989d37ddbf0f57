/**
 * A thread is one conversation between a Page and a person: the unit every
 * permission, quota and record is keyed by.
 *
 * @example
 * const t: Thread = { pageId: '1234', psid: '5678' };
 * threadKey(t); // '1234:5678'
 */
export interface Thread {
  readonly pageId: string;
  readonly psid: string;
}

/** A stable string key for a thread (`pageId:psid`); page ids and PSIDs are numeric strings. */
export const threadKey = (thread: Thread): string => `${thread.pageId}:${thread.psid}`;

/** Milliseconds since the Unix epoch, UTC. Every instant in callperm is one of these. */
export type Instant = number;
