import { isRight } from 'fp-ts/lib/Either.js';
import type { Instant } from '../thread.js';
import { MetaId } from './MetaId.js';
import { toEpochMs, toLatestEpochMs } from './timestamps.js';

/**
 * What an `entry[]` of a Page webhook tells the items inside it: the Page (`id`)
 * and when Meta sent it (`time`), either of which may be missing (the guide's
 * `call_permission_reply` sample has neither).
 *
 * @example
 * entryContext({ id: '1234', time: 1671644824 }); // { pageId: '1234', time: 1671644824000 }
 */
export interface EntryContext {
  readonly pageId: string | null;
  readonly time: Instant | null;
}

/**
 * Reads an entry's `id` and `time` leniently: a missing or malformed one is null.
 *
 * @example
 * entryContext({ time: '1458692752478' }); // { pageId: null, time: 1458692752478 }
 */
export const entryContext = (entry: Readonly<Record<string, unknown>>): EntryContext => {
  const id = MetaId.decode(entry.id);
  const time = toEpochMs(entry.time);
  return { pageId: isRight(id) ? id.right : null, time: time.ok ? time.value : null };
};

/**
 * When a webhook item happened: its own `timestamp` (seconds or ms), else the
 * entry's `time`, else null (the item cannot be placed in time and is skipped).
 *
 * @example
 * eventInstant(1671644824, { pageId: null, time: null }); // 1671644824000
 */
export const eventInstant = (timestamp: unknown, entry: EntryContext): Instant | null => {
  const own = toEpochMs(timestamp);
  return own.ok ? own.value : entry.time;
};

/**
 * When a person's answer happened, read as late as Meta's precision allows: its own
 * `timestamp` in whole seconds is the last millisecond of that second, else as
 * {@link eventInstant}. A permission check the host made earlier in the same second
 * could not see the answer, and one made later agrees with it, so the answer is
 * newer than any check of its second (a check is timed to the millisecond).
 *
 * @example
 * answerInstant(1671644824, { pageId: null, time: null });    // 1671644824999
 * answerInstant(1671644824123, { pageId: null, time: null }); // 1671644824123
 */
export const answerInstant = (timestamp: unknown, entry: EntryContext): Instant | null => {
  const own = toLatestEpochMs(timestamp);
  return own.ok ? own.value : entry.time;
};
