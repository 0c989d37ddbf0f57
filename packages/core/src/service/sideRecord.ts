import { emptyRecord, type PermissionRecord } from '../machine/PermissionRecord.js';
import type { Instant, Thread } from '../thread.js';

/** What a side record holds: a call's trace, or a webhook delivery waiting in the inbox. */
export type SideKind = 'call' | 'inbox';

/**
 * Every side record's Page id starts with this; Meta's Page ids are digits, so they never collide.
 *
 * @example
 * (await store.due(now, 100)).filter((t) => !t.pageId.startsWith(SIDE_PAGE_PREFIX)); // conversations only
 */
export const SIDE_PAGE_PREFIX = '~callperm/';

/**
 * The synthetic thread a side record is kept under: `~callperm/call/<pageId>` +
 * call id for a call trace, `~callperm/inbox` + delivery key for the inbox.
 * Side records live in the ordinary `PermissionStore`, so every driver keeps them
 * (versioned, compare-and-set, shared by every host) with no port change.
 *
 * @example
 * sideThread('call', 'c_1', '1234'); // { pageId: '~callperm/call/1234', psid: 'c_1' }
 */
export const sideThread = (kind: SideKind, key: string, scope?: string): Thread => ({
  pageId: `${SIDE_PAGE_PREFIX}${kind}${scope === undefined ? '' : `/${scope}`}`,
  psid: key,
});

/**
 * True for the synthetic threads of side records (they are no conversation).
 *
 * @example
 * isSideThread({ pageId: '~callperm/inbox', psid: 'k' }); // true
 */
export const isSideThread = (thread: Thread): boolean => thread.pageId.startsWith(SIDE_PAGE_PREFIX);

/** The envelope of the JSON a side record carries. */
interface SideEnvelope {
  readonly side: SideKind;
  readonly v: 1;
  readonly data: unknown;
}

/**
 * Wraps side data as a `PermissionRecord` every store accepts: state `none`, no
 * evidence, and the data as JSON in `pending.messageId` (a free-form string the
 * record codec keeps as it is). `dueAt` is the side record's own: the inbox uses
 * it so `PermissionStore.due` finds deliveries still to process; call traces never
 * fall due. The machine never steps a side record.
 *
 * @example
 * const r = packSideRecord('call', trace, clock.now(), null);
 * unpackSideRecord(r); // { side: 'call', data: trace }
 */
export const packSideRecord = (side: SideKind, data: unknown, at: Instant, dueAt: Instant | null): PermissionRecord => {
  const envelope: SideEnvelope = { side, v: 1, data };
  return {
    ...emptyRecord(),
    pending: { at, messageId: JSON.stringify(envelope), ambiguous: false, prior: 'none' },
    lastEventAt: at,
    dueAt,
  };
};

/**
 * Reads back what {@link packSideRecord} stored, or null when the record is not a
 * side record (or its JSON is damaged). The caller checks `data` with its codec.
 *
 * @example
 * unpackSideRecord(emptyRecord()); // null
 */
export const unpackSideRecord = (record: PermissionRecord): { readonly side: SideKind; readonly data: unknown } | null => {
  const text = record.pending?.messageId;
  if (typeof text !== 'string' || !text.startsWith('{"side":')) return null;
  try {
    const parsed = JSON.parse(text) as Partial<SideEnvelope>;
    if ((parsed.side !== 'call' && parsed.side !== 'inbox') || parsed.v !== 1) return null;
    return { side: parsed.side, data: parsed.data };
  } catch {
    return null;
  }
};
