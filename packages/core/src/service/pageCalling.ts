import * as t from 'io-ts';
import type { Decision } from '../decide.js';
import { CorruptDocError } from '../ports/CorruptDocError.js';
import type { PermissionStore } from '../ports/PermissionStore.js';
import { encodeJson, type JsonFormat } from '../store/versionedJson.js';
import type { Instant } from '../thread.js';
import { decodeDoc } from './decodeDoc.js';

/**
 * What callperm knows about a Page whose calling Meta said is off: kept as a
 * `page` document (one per Page, shared by hosts on one store) until a check of
 * the Page's `messenger_api_calling` feature says it is on again. A Page with no
 * document may call, as far as callperm knows.
 */
export interface PageCallingOff {
  /** When Meta said so. */
  readonly at: Instant;
  /** How: a feature-status check (its status word), or a refused opt-in or check (the failure's message). */
  readonly source: 'check' | 'refusal';
  readonly detail: string;
  /** When the Page is next checked (`pageRecheckAfter` after the last try). */
  readonly recheckAt: Instant;
}

const PageCallingOffCodec: t.Type<PageCallingOff, PageCallingOff, unknown> = t.readonly(t.type({
  at: t.number,
  source: t.keyof({ check: null, refusal: null }),
  detail: t.string,
  recheckAt: t.number,
}));

/**
 * The `page` document's stored format. 1: the first.
 *
 * @example
 * encodeJson(pageCallingFormat, { at: 0, source: 'check', detail: 'disabled', recheckAt: 21_600_000 }); // '{"v":1,"at":0,...}'
 */
export const pageCallingFormat: JsonFormat<PageCallingOff> = {
  name: 'page calling', field: 'v', version: 1, codec: PageCallingOffCodec, upgrades: [],
};

/** A Page's stored fact with the document's version, or null when none is stored. */
export interface LoadedPageCalling {
  readonly off: PageCallingOff;
  readonly version: number;
}

/**
 * Reads a Page's `page` document. One that does not decode counts as calling off
 * since 0 (so the next recheck, due at once, settles it), never as a crash.
 *
 * @example
 * const loaded = await readPageCalling(store, '1234');
 */
export const readPageCalling = async (store: PermissionStore, pageId: string): Promise<LoadedPageCalling | null> => {
  const doc = await store.getDoc('page', pageId);
  if (doc === null) return null;
  try {
    return { off: decodeDoc('page', pageId, doc.value, pageCallingFormat), version: doc.version };
  } catch (e) {
    if (e instanceof CorruptDocError) return { off: { at: 0, source: 'check', detail: 'unreadable', recheckAt: 0 }, version: doc.version };
    throw e;
  }
};

/**
 * Stores that calling is off for a Page, due for a recheck at `off.recheckAt`
 * (also the document's due instant, for `sweep`). A conflict means another host
 * wrote meanwhile: its word stands.
 *
 * @example
 * await writePageCallingOff(store, '1234', loaded, { at: now, source: 'refusal', detail: 'Not allowed', recheckAt: now + 6 * 3_600_000 }, now);
 */
export const writePageCallingOff = async (
  store: PermissionStore, pageId: string, loaded: LoadedPageCalling | null, off: PageCallingOff, now: Instant,
): Promise<void> => {
  await store.putDoc('page', pageId, loaded?.version ?? 0, encodeJson(pageCallingFormat, off), { now, dueAt: off.recheckAt, expiresAt: null });
};

/**
 * The decision with the Page's fact applied: while calling is off for the Page,
 * neither a call nor a request may go, whatever the thread's own record says.
 *
 * @example
 * withPageCalling(decision, off).reason; // 'calling_not_enabled'
 */
export const withPageCalling = <D extends Decision>(decision: D, off: PageCallingOff | null): D =>
  (off === null ? decision : {
    ...decision,
    canStartCall: false,
    canRequest: false,
    reason: 'calling_not_enabled',
    callBlockedBy: 'calling_not_enabled',
    requestBlockedBy: 'calling_not_enabled',
    nextRequestAt: null,
  });
